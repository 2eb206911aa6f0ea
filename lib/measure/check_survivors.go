package measure

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/async"
	"github.com/go-parallelism/go-parallelism/lib/proc"
)

// SurvivorsFunc is the exercise of notebook 03: run task on every input xs
// in pool's worker processes, and return the results of the items that
// succeeded, keyed by input, and the inputs whose item failed, in the order
// of xs. A failed item is not an error of the whole: err says only why some
// items did not run (the context ended).
type SurvivorsFunc func(ctx context.Context, pool *proc.Pool, task *proc.Func[int, int], xs []int) (ok map[int]int, failed []int, err error)

// The rules of the Survivors exercise, one for each way CheckSurvivors can
// reject an answer.
var (
	errSurvivorsTimeout = errors.New("return once every item has run")
	errSurvivorsItem    = errors.New("a failed item is not an error of the whole: return only why items did not run")
	errSurvivorsResults = errors.New("return the result of every item that succeeded, keyed by its input")
	errSurvivorsFailed  = errors.New("return the inputs whose item failed, in the order of xs")
	errSurvivorsCancel  = errors.New("when ctx ends before every item has run, say so: return its error")
)

const survivorsTimeout = 10 * time.Second // a right answer needs well under a second

// survivorsTask squares its input, except three: it returns an error for 13,
// panics for 15 (both a *proc.TaskError; the worker carries on) and ends its
// worker process with os.Exit for 17 (a *proc.WorkerError).
var survivorsTask = proc.Register("measure.survivors", func(ctx context.Context, x int) (int, error) {
	switch x {
	case 13:
		return 0, fmt.Errorf("no square for %d", x)
	case 15:
		panic(fmt.Sprintf("bad input %d", x))
	case 17:
		os.Exit(3)
	}
	return x * x, nil
})

// The inputs CheckSurvivors maps, and what a right answer returns for them.
// Inputs differ from their indices, 0 squares to 0, and the failures are not
// in numerical order, so that results keyed by index, a zero taken for a
// failure, or failures sorted or in the random order of a map show up.
var (
	survivorsInputs = []int{17, 0, 13, 4, 15, 9, 2, 11}
	survivorsOK     = map[int]int{0: 0, 4: 16, 9: 81, 2: 4, 11: 121}
	survivorsFailed = []int{17, 13, 15}
)

// CheckSurvivors returns what is wrong with survivors as an answer to the
// exercise, or nil. It starts a pool of two worker processes and calls
// survivors three times: twice to map the inputs 17, 0, 13, 4, 15, 9, 2, 11
// with a task that squares them but fails for 13 (an error), 15 (a panic)
// and 17 (os.Exit, which kills its worker), and once more with a cancelled
// context. The first two calls must return, within 10 s, every square keyed
// by its input, the failed inputs [17 13 15] in that order and no error; the
// last one an error for which errors.Is(err, context.Canceled) holds.
//
// That rejects an answer that returns Map's error (a failed item fails the
// whole), takes a zero result for a failure, keys the results by index,
// sorts the failures, or drops why items did not run; one that collects the
// failures from a map fails in most runs, as a map's order is random. A
// panic in survivors comes back as an async.PanicError. The worker processes
// are the program started again (see lib/proc), so a program or test that
// calls CheckSurvivors must call proc.Main first.
func CheckSurvivors(survivors SurvivorsFunc) error {
	if survivors == nil {
		return errors.New("measure: CheckSurvivors: survivors is nil, want a Survivors function")
	}
	ctx, cancel := context.WithTimeoutCause(context.Background(), survivorsTimeout, errSurvivorsTimeout)
	defer cancel()
	pool, err := proc.NewPool(ctx, 2)
	if err != nil {
		return fmt.Errorf("measure: CheckSurvivors: %w", err)
	}
	defer pool.Close()
	type answer struct {
		ok     map[int]int
		failed []int
	}
	// call runs survivors with run as its context, and waits for it until
	// the check's time is up.
	call := func(run context.Context) (answer, error) {
		task := async.Go(context.Background(), func(context.Context) (answer, error) {
			ok, failed, err := survivors(run, pool, survivorsTask, slices.Clone(survivorsInputs))
			return answer{ok, failed}, err
		})
		return task.Wait(ctx)
	}
	for round := range 3 {
		run, stop := context.WithCancel(ctx)
		if round == 2 {
			stop() // the last call gets a context that has already ended
		}
		a, err := call(run)
		stop()
		var p async.PanicError
		switch {
		case errors.As(err, &p):
			return p
		case errors.Is(err, errSurvivorsTimeout):
			return fmt.Errorf("%w: Survivors did not return within %v", errSurvivorsTimeout, survivorsTimeout)
		case round == 2 && !errors.Is(err, context.Canceled):
			return fmt.Errorf("%w: with a cancelled context, Survivors returned the error %v; want one that wraps context.Canceled",
				errSurvivorsCancel, err)
		case round == 2:
		case err != nil:
			return fmt.Errorf("%w: call %d returned the error %v", errSurvivorsItem, round+1, err)
		case !maps.Equal(a.ok, survivorsOK):
			return fmt.Errorf("%w: call %d returned %v for the inputs %v; want %v",
				errSurvivorsResults, round+1, a.ok, survivorsInputs, survivorsOK)
		case !slices.Equal(a.failed, survivorsFailed):
			return fmt.Errorf("%w: call %d returned the failed inputs %v for the inputs %v; want %v",
				errSurvivorsFailed, round+1, a.failed, survivorsInputs, survivorsFailed)
		}
	}
	return nil
}
