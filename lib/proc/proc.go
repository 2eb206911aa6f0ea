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
// holds there. In a test binary, call proc.Main at the start of TestMain; a
// test binary started as a worker is given -test.run=^$ so that, without it,
// it runs no tests and the pool reports a clear error.
//
// # Protocol
//
// Arguments and results travel as JSON (exported fields only) over two
// pipes passed to the child as file descriptors 3 and 4, so anything the
// task prints cannot corrupt them. The child reports each task's start and
// end time; the parent records them with lib/span, with the worker's slot
// number as worker id.
//
// # Failures
//
// A task's error, or a panic in the task's goroutine, comes back as that
// task's error; the worker carries on. A worker that dies (os.Exit, an
// unrecovered panic elsewhere, a signal) fails the task it was running with
// an error holding its exit status and the tail of its standard error; the
// rest of its chunk fails too, and the pool starts a replacement for the next
// chunk. Cancelling the context kills the busy workers at once.
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
	"slices"
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
	err  error // why the registration failed, reported by Map
}

// Register makes fn callable by name in worker processes and returns a
// handle to map it over a Pool. Call it from a package-level variable
// declaration or an init function, so that it has run in the worker before
// the worker starts serving. A and R travel as JSON.
//
// Registering an empty name, a nil fn, or a name twice does not panic: the
// returned Func reports the problem when it is used.
func Register[A, R any](name string, fn func(ctx context.Context, arg A) (R, error)) *Func[A, R] {
	f := &Func[A, R]{name: name}
	switch {
	case name == "":
		f.err = errors.New("proc: Register: empty task name")
		return f
	case fn == nil:
		f.err = fmt.Errorf("proc: Register(%q): nil function", name)
		return f
	}
	regMu.Lock()
	defer regMu.Unlock()
	if _, dup := registry[name]; dup {
		f.err = fmt.Errorf("proc: Register(%q): name already registered", name)
		return f
	}
	registry[name] = &entry{
		arg: reflect.TypeFor[A](),
		res: reflect.TypeFor[R](),
		call: func(ctx context.Context, raw json.RawMessage) (json.RawMessage, error) {
			var a A
			if err := json.Unmarshal(raw, &a); err != nil {
				return nil, fmt.Errorf("proc: task %q: decoding argument: %w", name, err)
			}
			r, err := fn(ctx, a)
			if err != nil {
				return nil, err
			}
			out, err := json.Marshal(r)
			if err != nil {
				return nil, fmt.Errorf("proc: task %q: encoding result: %w", name, err)
			}
			return out, nil
		},
	}
	return f
}

// Lookup returns the task registered under name, checking that it takes an
// A and returns an R.
func Lookup[A, R any](name string) (*Func[A, R], error) {
	regMu.Lock()
	e, ok := registry[name]
	regMu.Unlock()
	if !ok {
		return nil, fmt.Errorf("proc: unknown task %q (register it with proc.Register in a package-level var)", name)
	}
	if a, r := reflect.TypeFor[A](), reflect.TypeFor[R](); e.arg != a || e.res != r {
		return nil, fmt.Errorf("proc: task %q is func(%v) %v, not func(%v) %v", name, e.arg, e.res, a, r)
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
// evenly. The first failing task stops the dispatch of further chunks, and
// its error is returned; results of tasks that did not run are zero.
func (f *Func[A, R]) Map(ctx context.Context, p *Pool, args []A, chunk int) ([]R, error) {
	res, _, err := f.mapArgs(ctx, p, args, chunk, true)
	return res, err
}

// MapAll is Map with one error per task, like collecting the futures of
// concurrent.futures: every task runs unless ctx ends, and errs[i] is task
// i's error (nil if it succeeded). err is set for bad arguments, a closed
// pool, or the end of ctx. With the FailFast option, the first failing task
// stops the dispatch of further chunks (chunks in flight finish), becomes
// err, and the tasks not run report it.
func (f *Func[A, R]) MapAll(ctx context.Context, p *Pool, args []A, chunk int, opts ...Option) (res []R, errs []error, err error) {
	return f.mapArgs(ctx, p, args, chunk, slices.Contains(opts, FailFast))
}

// Option changes how MapAll runs.
type Option int

// FailFast makes MapAll stop at the first failing task, as Map does.
const FailFast Option = 1

func (f *Func[A, R]) mapArgs(ctx context.Context, p *Pool, args []A, chunk int, failFast bool) ([]R, []error, error) {
	switch {
	case f == nil:
		return nil, nil, errors.New("proc: Map on a nil Func")
	case f.err != nil:
		return nil, nil, f.err
	case p == nil:
		return nil, nil, errors.New("proc: Map on a nil Pool")
	case chunk < 1:
		return nil, nil, fmt.Errorf("proc: chunk size %d; need at least 1", chunk)
	}
	raw := make([]json.RawMessage, len(args))
	for i, a := range args {
		b, err := json.Marshal(a)
		if err != nil {
			return nil, nil, fmt.Errorf("proc: task %q: encoding argument %d: %w", f.name, i, err)
		}
		raw[i] = b
	}
	out, errs, err := p.run(ctx, f.name, raw, chunk, failFast)
	if out == nil {
		return nil, errs, err
	}
	res := make([]R, len(args))
	for i, b := range out {
		if b == nil {
			continue
		}
		if derr := json.Unmarshal(b, &res[i]); derr != nil {
			errs[i] = fmt.Errorf("proc: task %q: decoding result %d: %w", f.name, i, derr)
			if err == nil && failFast {
				err = errs[i]
			}
		}
	}
	return res, errs, err
}

// Call runs the task once, in one of the pool's workers.
func (f *Func[A, R]) Call(ctx context.Context, p *Pool, arg A) (R, error) {
	res, err := f.Map(ctx, p, []A{arg}, 1)
	if err != nil {
		var zero R
		return zero, err
	}
	return res[0], nil
}
