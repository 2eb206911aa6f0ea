// Package proc runs tasks in a pool of separate OS processes, with a map API
// like Python's multiprocessing.Pool.map.
//
// # How a worker starts
//
// A worker is the current program started again (os.Executable), as
// Python's "spawn" start method starts a fresh interpreter: there is no
// fork of a running Go program. The worker finds the environment variable
// GO_PARALLELISM_PROC_WORKER set, and becomes a worker at its first call into
// this package's API (Main or NewPool); that call serves tasks until the
// pool closes and then exits the process, never returning.
//
// Why not earlier, in this package's init? Go runs a package's init before
// the inits of the packages that import it, and all of them before main. A
// worker that started serving inside proc's own init would not yet know the
// tasks registered by the packages above it. So tasks are registered in
// package-level variables or init functions, and the worker waits for main
// to reach the pool:
//
//	var age = proc.Register("age", func(ctx context.Context, s Scientist) (Aged, error) { ... })
//
//	func main() {
//		proc.Main() // in a worker: serve tasks and exit; here: return at once
//		pool, err := proc.NewPool(ctx, 2)
//		...
//		ages, err := age.Map(ctx, pool, scientists, 2)
//	}
//
// This is Python's `if __name__ == "__main__":` guard: code in main before
// the first call into proc runs again in every worker (as spawn re-imports
// the main module). Its standard output goes to /dev/null and its standard
// error is kept for error messages, but other side effects (files written,
// servers started) happen again, so call proc.Main first, or create the pool
// before doing such things. A GoNB cell is a main program, so the same
// holds there. A test binary is a program too: call proc.Main at the start
// of TestMain. (A test binary is started as a worker with -test.run=^$, so
// that, without proc.Main in TestMain, it runs no tests and the pool reports
// a clear error.)
//
// # Protocol
//
// Arguments and results travel as JSON (exported fields only) over two
// pipes passed to the child as file descriptors 3 and 4, so anything the
// task prints cannot corrupt them. The child sends each item's result as
// soon as the item ends, so a worker that dies is blamed for the right item
// (the first without a result); the parent records when each item started
// and ended with lib/span, with the worker's slot number as worker id.
//
// # Failures
//
// Map runs every item, and its error joins (errors.Join) one typed error per
// failed item, in item order; ItemErrors sorts them by item:
//
//   - *TaskError: the task returned an error or panicked; the worker
//     carries on.
//   - *WorkerError: the worker died while running the item (os.Exit, a
//     crash on another goroutine, a signal, its memory limit). Only that
//     item fails: the items of its chunk it had not started run on a fresh
//     worker, which the pool starts in the dead one's place.
//
// Cancelling the context kills the busy workers at once; Map then returns
// the context's error, and the items not run have zero results.
//
// The option MemoryLimit caps each worker's memory (on Linux), so that a
// task that allocates without bound kills its own worker, not the program;
// the WorkerError then names the limit.
//
// Workers never outlive the parent: on Linux they get SIGKILL when the parent
// dies (Pdeathsig), and on every system a worker exits when its input pipe
// closes, which happens when the parent exits. (Pdeathsig fires when the OS
// thread that started the child exits; the Go runtime keeps its threads, but
// a goroutine that calls runtime.LockOSThread and ends without unlocking
// takes its thread with it, so do not start pools from such a goroutine.)
package proc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync"
)

// entry is a registered task, with its argument and result types erased to
// JSON so the worker can call it by name.
type entry struct {
	call     func(ctx context.Context, arg json.RawMessage) (json.RawMessage, error)
	arg, res reflect.Type
}

var (
	regMu    sync.Mutex
	registry = map[string]*entry{}
)

// Func is a registered task that takes an A and returns an R. Its methods
// run it in a Pool.
type Func[A, R any] struct {
	name string
}

// Register makes fn callable by name in worker processes and returns a
// handle to map it over a Pool. Call it from a package-level variable
// declaration or an init function, so that it has run in the worker before
// the worker starts serving. A and R travel as JSON.
//
// Register panics on an empty name, a nil fn, or a name registered before:
// these are mistakes in the program, which its start-up should reveal, as
// http.Handle does for a pattern registered twice.
func Register[A, R any](name string, fn func(ctx context.Context, arg A) (R, error)) *Func[A, R] {
	switch {
	case name == "":
		panic("proc.Register: the task name is empty; give each task a name unique in the program")
	case fn == nil:
		panic(fmt.Sprintf("proc.Register(%q): fn is nil; give the function that runs the task", name))
	}
	regMu.Lock()
	defer regMu.Unlock()
	if e, dup := registry[name]; dup {
		panic(fmt.Sprintf("proc.Register(%q): the name is already registered, for a func(%v) %v; task names must be unique in the program", name, e.arg, e.res))
	}
	registry[name] = &entry{
		arg: reflect.TypeFor[A](),
		res: reflect.TypeFor[R](),
		call: func(ctx context.Context, raw json.RawMessage) (json.RawMessage, error) {
			var a A
			if err := json.Unmarshal(raw, &a); err != nil {
				return nil, fmt.Errorf("decoding the argument: %w", err)
			}
			r, err := fn(ctx, a)
			if err != nil {
				return nil, err
			}
			out, err := json.Marshal(r)
			if err != nil {
				return nil, fmt.Errorf("encoding the result: %w", err)
			}
			return out, nil
		},
	}
	return &Func[A, R]{name: name}
}

// Lookup returns the task registered under name, checking that it takes an
// A and returns an R.
func Lookup[A, R any](name string) (*Func[A, R], error) {
	regMu.Lock()
	e, ok := registry[name]
	regMu.Unlock()
	if !ok {
		return nil, fmt.Errorf("proc: Lookup: unknown task name %q (register it with proc.Register in a package-level var)", name)
	}
	if a, r := reflect.TypeFor[A](), reflect.TypeFor[R](); e.arg != a || e.res != r {
		return nil, fmt.Errorf("proc: Lookup: task %q is func(%v) %v, not func(%v) %v", name, e.arg, e.res, a, r)
	}
	return &Func[A, R]{name: name}, nil
}

func lookup(name string) *entry {
	regMu.Lock()
	defer regMu.Unlock()
	return registry[name]
}

// Name returns the name the task was registered under.
func (f *Func[A, R]) Name() string { return f.name }

// Map runs the task on every argument in the pool's worker processes and
// returns the results in argument order, like multiprocessing.Pool.map.
// Arguments are sent in chunks of chunk arguments: a chunk is one round trip
// to a worker, so larger chunks cost less overhead and balance load less
// evenly.
//
// Every item runs, whatever happens to the others. The error joins one
// *TaskError or *WorkerError per failed item, in item order (ItemErrors
// sorts them by item); a failed item's result is zero. If ctx ends, the
// busy workers are killed and the error also says how many items did not
// run and why (errors.Is(err, context.Canceled) holds).
func (f *Func[A, R]) Map(ctx context.Context, p *Pool, args []A, chunk int) ([]R, error) {
	switch {
	case f == nil:
		return nil, errors.New("proc: Map on a nil *Func; get one from proc.Register or proc.Lookup")
	case p == nil:
		return nil, errors.New("proc: Map: pool is nil; start one with proc.NewPool")
	case chunk < 1:
		return nil, fmt.Errorf("proc: Map: chunk is %d; want at least 1 argument per round trip", chunk)
	}
	raw := make([]json.RawMessage, len(args))
	for i, a := range args {
		b, err := json.Marshal(a)
		if err != nil {
			return nil, fmt.Errorf("proc: task %q: encoding argument %d: %w", f.name, i, err)
		}
		raw[i] = b
	}
	out, errs, err := p.run(ctx, f.name, raw, chunk)
	if out == nil {
		return nil, err
	}
	res := make([]R, len(args))
	for i, b := range out {
		if b == nil {
			continue
		}
		if derr := json.Unmarshal(b, &res[i]); derr != nil {
			errs[i] = &TaskError{Task: f.name, Item: i, Err: fmt.Errorf("decoding the result: %w", derr)}
		}
	}
	return res, errors.Join(append(errs, err)...)
}

// Call runs the task once, in one of the pool's workers. Its error is the
// item's *TaskError or *WorkerError, or why it did not run.
func (f *Func[A, R]) Call(ctx context.Context, p *Pool, arg A) (R, error) {
	res, err := f.Map(ctx, p, []A{arg}, 1)
	if err != nil {
		var zero R
		if items, _ := ItemErrors(err); items[0] != nil {
			return zero, items[0]
		}
		return zero, err
	}
	return res[0], nil
}
