// Package gil reproduces the situation of Python's Global Interpreter Lock
// in Go, which has none, in two ways:
//
//   - OneCore runs code with runtime.GOMAXPROCS(1). The Go scheduler then
//     has one P, the right to run Go code, and it behaves much like the GIL:
//     one goroutine computes at a time, the scheduler preempts it every 10 ms
//     or so (CPython switches threads every 5 ms), and a goroutine that waits
//     for the network, a timer or a channel, or sits in a system call, lets
//     another one run. I/O-bound work stays concurrent; CPU-bound work gets
//     no faster with more goroutines.
//   - Lock is an explicit global lock that a task holds while it computes
//     and releases around blocking calls marked with Blocking, which is what
//     CPython's C code does with Py_BEGIN_ALLOW_THREADS. It makes the
//     mechanism visible; code that does not mark its blocking calls keeps the
//     lock while it waits.
//
// Both only limit the process they run in: like Python's multiprocessing,
// worker processes (lib/proc) each have their own cores, or their own GIL.
package gil

import (
	"context"
	"errors"
	"runtime"
	"sync"
)

// oneCore serialises OneCore calls, since GOMAXPROCS is process-wide.
var oneCore sync.Mutex

// OneCore runs fn with runtime.GOMAXPROCS(1) and restores the previous
// setting when fn returns (or panics). GOMAXPROCS is process-wide: every
// goroutine of the program, not only fn's, runs on one core meanwhile.
func OneCore(fn func()) {
	oneCore.Lock()
	defer oneCore.Unlock()
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	fn()
}

// Lock is a global interpreter lock: at most one task holds it at a time.
// The zero value is not usable; call New.
type Lock struct {
	ch chan struct{} // holds a token while the lock is held
}

// New returns an unheld Lock.
func New() *Lock { return &Lock{ch: make(chan struct{}, 1)} }

// holding is the state of one task's hold on a Lock, carried in its context.
type holding struct {
	l    *Lock
	held bool
}

type key struct{}

// Run waits for the lock (or ctx's end), then runs fn holding it. fn's
// context carries the hold, so Blocking inside fn can let go of the lock
// while fn waits for I/O.
func (l *Lock) Run(ctx context.Context, fn func(ctx context.Context) error) error {
	if fn == nil {
		return errors.New("gil: nil function")
	}
	if err := l.acquire(ctx); err != nil {
		return err
	}
	h := &holding{l: l, held: true}
	defer func() {
		if h.held {
			l.release()
		}
	}()
	return fn(context.WithValue(ctx, key{}, h))
}

// Blocking runs fn, a blocking call such as a read from the network,
// without the lock that ctx's task holds, and takes the lock back before
// returning. Outside Lock.Run it just calls fn.
func Blocking(ctx context.Context, fn func() error) error {
	if fn == nil {
		return errors.New("gil: nil function")
	}
	h, _ := ctx.Value(key{}).(*holding)
	if h == nil || !h.held {
		return fn()
	}
	h.l.release()
	h.held = false
	err := fn()
	if aerr := h.l.acquire(ctx); aerr != nil {
		return errors.Join(err, aerr) // cancelled while waiting to get it back
	}
	h.held = true
	return err
}

func (l *Lock) acquire(ctx context.Context) error {
	select {
	case l.ch <- struct{}{}:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

func (l *Lock) release() { <-l.ch }
