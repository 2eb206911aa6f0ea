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
//
// A task under the lock looks like this; the lock is free while it waits
// for the network, so other tasks compute meanwhile:
//
//	lock := gil.New()
//	err := lock.Run(ctx, func(ctx context.Context) error {
//		var body []byte
//		err := gil.Blocking(ctx, func() (err error) {
//			body, err = fetch(url) // waits without the lock
//			return err
//		})
//		if err != nil {
//			return err
//		}
//		sum = checksum(body) // computes holding the lock
//		return nil
//	})
package gil

import (
	"context"
	"errors"
	"runtime"
	"sync"
)

// oneCore counts the OneCore calls running, since GOMAXPROCS is
// process-wide: the first sets it to 1, the last restores it.
var oneCore struct {
	sync.Mutex
	calls int
	prev  int
}

// OneCore runs fn with runtime.GOMAXPROCS(1) and restores the previous
// setting when fn returns (or panics). GOMAXPROCS is process-wide: every
// goroutine of the program, not only fn's, runs on one core meanwhile.
// Calls may overlap or nest (a model run under OneCore inside another):
// the setting stays 1 until the last of them returns.
func OneCore(fn func()) error {
	if fn == nil {
		return errors.New("gil: OneCore: fn is nil; want the function to run on one core")
	}
	oneCore.Lock()
	if oneCore.calls == 0 {
		oneCore.prev = runtime.GOMAXPROCS(1)
	}
	oneCore.calls++
	oneCore.Unlock()
	defer func() {
		oneCore.Lock()
		oneCore.calls--
		if oneCore.calls == 0 {
			runtime.GOMAXPROCS(oneCore.prev)
		}
		oneCore.Unlock()
	}()
	fn()
	return nil
}

// Lock is a global interpreter lock: at most one task holds it at a time.
// The zero value is an unheld lock, ready to use.
type Lock struct {
	once sync.Once
	ch   chan struct{} // holds a token while the lock is held
}

// New returns an unheld Lock.
func New() *Lock { return new(Lock) }

// tokens returns the lock's channel, made on first use.
func (l *Lock) tokens() chan struct{} {
	l.once.Do(func() { l.ch = make(chan struct{}, 1) })
	return l.ch
}

// holding is the state of one task's hold on a Lock, carried in its context.
type holding struct {
	l    *Lock
	held bool
}

type key struct{}

// Run waits for the lock (or ctx's end), then runs fn holding it. fn's
// context carries the hold, so Blocking inside fn can let go of the lock
// while fn waits for I/O. Call Blocking from fn's own goroutine: the hold
// belongs to the task, as a thread's hold on the GIL does.
func (l *Lock) Run(ctx context.Context, fn func(ctx context.Context) error) error {
	if l == nil {
		return errors.New("gil: Run on a nil *Lock; make one with gil.New")
	}
	if fn == nil {
		return errors.New("gil: Lock.Run: fn is nil; want the function to run holding the lock")
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
// returning. Outside Lock.Run it just calls fn. If ctx ends while the task
// waits to get the lock back, Blocking returns fn's error joined with
// ctx's, and the task no longer holds the lock.
func Blocking(ctx context.Context, fn func() error) error {
	if fn == nil {
		return errors.New("gil: Blocking: fn is nil; want the blocking call to run without the lock")
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
	if ctx.Err() != nil { // a free lock must not win over a done ctx
		return context.Cause(ctx)
	}
	select {
	case l.tokens() <- struct{}{}:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

func (l *Lock) release() { <-l.tokens() }
