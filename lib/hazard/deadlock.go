package hazard

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Lock is a mutex whose Lock gives up when its context ends, so a deadlock
// can be detected and undone: sync.Mutex would block forever. It remembers
// its holder, to say who waits for whom. The zero value is an unlocked
// Lock with no name.
type Lock struct {
	Name   string
	once   sync.Once
	ch     chan struct{} // holds a token while locked
	mu     sync.Mutex
	holder string
}

// NewLock returns an unlocked Lock.
func NewLock(name string) *Lock { return &Lock{Name: name} }

// tokens returns the lock's channel, made on first use.
func (l *Lock) tokens() chan struct{} {
	l.once.Do(func() { l.ch = make(chan struct{}, 1) })
	return l.ch
}

// Lock takes the lock for who, or returns ctx's error.
func (l *Lock) Lock(ctx context.Context, who string) error {
	if ctx.Err() != nil { // a free lock must not win over a done ctx
		return context.Cause(ctx)
	}
	select {
	case l.tokens() <- struct{}{}:
		l.mu.Lock()
		l.holder = who
		l.mu.Unlock()
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// Unlock releases the lock. Like sync.Mutex, it panics if the lock is not
// locked: that is a bug in the caller, and waiting for a lock to unlock
// would hang instead.
func (l *Lock) Unlock() {
	l.mu.Lock()
	l.holder = ""
	l.mu.Unlock()
	select {
	case <-l.tokens():
	default:
		panic(fmt.Sprintf("hazard: Unlock of unlocked Lock %q", l.Name))
	}
}

// Holder returns who holds the lock, or "".
func (l *Lock) Holder() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.holder
}

// DeadlockError reports a deadlock found by a watchdog: each line says
// which worker holds what and waits for what.
type DeadlockError struct {
	After time.Duration
	Waits []string // e.g. "worker 1 holds A and waits for B (held by worker 2)"
}

func (e *DeadlockError) Error() string {
	return fmt.Sprintf("deadlock: no progress after %v: %s", e.After, strings.Join(e.Waits, "; "))
}

// Deadlock runs two workers that each need locks A and B: worker 1 takes A
// then B, worker 2 takes B then A. Each holds its first lock for a moment of
// work, long enough for the other to take its own first lock; then each
// waits forever for the lock the other holds. A watchdog notices that
// neither finished within timeout and returns a *DeadlockError that says who
// waits for whom. The watchdog's deadline also ends the waits, so both
// workers give up, release what they hold and exit before Deadlock returns.
// The timeout should be well above the moment of work (10 ms): a watchdog
// cannot tell a deadlock from a slow worker, only that nothing progressed.
func Deadlock(ctx context.Context, timeout time.Duration) error {
	a, b := NewLock("A"), NewLock("B")
	return runLockers(ctx, timeout, [2][2]*Lock{{a, b}, {b, a}})
}

// DeadlockOrdered is the fix: both workers take the locks in the same global
// order (A before B), so a cycle of waits cannot form and both finish.
func DeadlockOrdered(ctx context.Context, timeout time.Duration) error {
	a, b := NewLock("A"), NewLock("B")
	return runLockers(ctx, timeout, [2][2]*Lock{{a, b}, {a, b}})
}

// runLockers starts one worker per lock pair and acts as the watchdog.
func runLockers(ctx context.Context, timeout time.Duration, order [2][2]*Lock) error {
	if timeout <= 0 || timeout > maxDemo {
		return fmt.Errorf("hazard: timeout is %v, want a watchdog deadline in (0, %v]", timeout, maxDemo)
	}
	if err := context.Cause(ctx); err != nil {
		return err
	}
	// The workers wait under wctx; the watchdog cancels it only after it has
	// taken its snapshot of who holds what, so the snapshot is not disturbed
	// by workers giving up.
	wctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	watchdog := time.NewTimer(timeout)
	defer watchdog.Stop()
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		waiting = map[string]*Lock{} // worker -> the lock it waits for
		both    sync.WaitGroup       // both workers hold their first lock
		errs    [2]error
	)
	both.Add(2)
	meet := make(chan struct{})
	go func() { both.Wait(); close(meet) }()
	for w, locks := range order {
		who := fmt.Sprintf("worker %d", w+1)
		wg.Go(func() {
			first, second := locks[0], locks[1]
			if err := first.Lock(wctx, who); err != nil {
				both.Done()
				errs[w] = err
				return
			}
			both.Done()
			// Some work while holding the first lock. It ends early once
			// both workers hold a lock, so the bad interleaving happens on
			// every run, not just sometimes.
			select {
			case <-meet:
			case <-time.After(10 * time.Millisecond):
			}
			mu.Lock()
			waiting[who] = second
			mu.Unlock()
			err := second.Lock(wctx, who)
			if err == nil {
				mu.Lock()
				delete(waiting, who)
				mu.Unlock()
				second.Unlock()
			}
			first.Unlock()
			errs[w] = err
		})
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	select {
	case <-finished:
		<-meet
		return errors.Join(errs[0], errs[1])
	case <-ctx.Done():
		stop(context.Cause(ctx))
		<-finished
		<-meet
		return context.Cause(ctx)
	case <-watchdog.C:
	}
	// Snapshot the wait-for graph while the workers are still stuck.
	var waits []string
	mu.Lock()
	for w := range order {
		who := fmt.Sprintf("worker %d", w+1)
		if l, ok := waiting[who]; ok {
			held := order[w][0].Name
			waits = append(waits, fmt.Sprintf("%s holds %s and waits for %s (held by %s)", who, held, l.Name, l.Holder()))
		}
	}
	mu.Unlock()
	stop(fmt.Errorf("hazard: watchdog: no progress after %v", timeout))
	<-finished
	<-meet
	if len(waits) > 0 {
		return &DeadlockError{After: timeout, Waits: waits}
	}
	return errors.Join(errs[0], errs[1])
}
