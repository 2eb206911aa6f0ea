package hazard

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// LockKind picks the lock the starvation demo fights over.
type LockKind int

const (
	// Spin is an unfair lock: waiters poll TryLock every 50 µs, and whoever
	// is running when the lock comes free gets it, which is nearly always
	// the worker that just released it.
	Spin LockKind = iota
	// Mutex is Go's sync.Mutex. Since Go 1.9 it switches to handing the lock
	// to the oldest waiter once a waiter has waited over 1 ms ("starvation
	// mode"), so nobody starves for long.
	Mutex
	// Ticket is a FIFO lock: waiters are served strictly in arrival order,
	// like a ticket counter, so each waiting worker gets one turn per round.
	Ticket
)

func (k LockKind) String() string {
	switch k {
	case Spin:
		return "spin lock"
	case Mutex:
		return "sync.Mutex"
	case Ticket:
		return "ticket lock"
	}
	return fmt.Sprintf("LockKind(%d)", int(k))
}

// Share is one worker's part of the lock during a starvation run.
type Share struct {
	Worker       string        `json:"worker"`
	Acquisitions int           `json:"acquisitions"`
	Held         time.Duration `json:"held"`
	Fraction     float64       `json:"fraction"` // of all acquisitions
}

// locker is what the starvation demo needs from a lock.
type locker interface {
	Lock(ctx context.Context) error
	Unlock()
}

// Work inside the lock: the greedy worker holds it ten times longer.
const (
	greedyHold = time.Millisecond
	politeHold = 100 * time.Microsecond
	politeRest = 100 * time.Microsecond // the polite worker's work outside the lock
)

// Starve runs one greedy worker and two polite ones for the given window,
// all taking the same lock of the given kind. The greedy worker holds the
// lock for 1 ms and takes it again at once; a polite one holds it for
// 0.1 ms, then works 0.1 ms outside it. Starve returns each worker's number
// of acquisitions, time holding the lock, and share of the acquisitions.
//
// With Spin, the polite workers starve: they get a tiny share. Mutex and
// Ticket give them their turns. The greedy worker still holds the lock most
// of the time with any lock; only shorter critical sections fix that.
func Starve(ctx context.Context, kind LockKind, window time.Duration) ([]Share, error) {
	if window <= 0 || window > maxDemo {
		return nil, fmt.Errorf("hazard: window is %v, want a duration in (0, %v]", window, maxDemo)
	}
	var l locker
	switch kind {
	case Spin:
		l = new(spinLock)
	case Mutex:
		l = new(mutexLock)
	case Ticket:
		l = new(ticketLock)
	default:
		return nil, fmt.Errorf("hazard: kind is %v, want Spin, Mutex or Ticket", kind)
	}
	ctx, cancel := context.WithTimeout(ctx, window)
	defer cancel()
	shares := []Share{{Worker: "greedy"}, {Worker: "polite 1"}, {Worker: "polite 2"}}
	var wg sync.WaitGroup
	for w := range shares {
		hold, rest := politeHold, politeRest
		if w == 0 {
			hold, rest = greedyHold, 0
		}
		wg.Go(func() {
			for ctx.Err() == nil {
				if err := l.Lock(ctx); err != nil {
					return
				}
				if ctx.Err() != nil { // the window closed while we waited
					l.Unlock()
					return
				}
				start := time.Now()
				work(hold)
				shares[w].Held += time.Since(start)
				shares[w].Acquisitions++
				l.Unlock()
				work(rest)
			}
		})
	}
	wg.Wait()
	total := 0
	for _, s := range shares {
		total += s.Acquisitions
	}
	for i := range shares {
		if total > 0 {
			shares[i].Fraction = float64(shares[i].Acquisitions) / float64(total)
		}
	}
	if err := ctx.Err(); err != nil && context.Cause(ctx) != context.DeadlineExceeded {
		return shares, err // cancelled from outside, not the window's end
	}
	return shares, nil
}

// spinLock polls sync.Mutex.TryLock: no queue, no fairness.
type spinLock struct{ mu sync.Mutex }

func (s *spinLock) Lock(ctx context.Context) error {
	for !s.mu.TryLock() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Microsecond):
		}
	}
	return nil
}

func (s *spinLock) Unlock() { s.mu.Unlock() }

// mutexLock is a plain sync.Mutex. Its Lock cannot be cancelled, but every
// holder releases it within a millisecond, so a waiter never waits long.
type mutexLock struct{ mu sync.Mutex }

func (m *mutexLock) Lock(context.Context) error { m.mu.Lock(); return nil }
func (m *mutexLock) Unlock()                    { m.mu.Unlock() }

// ticketLock serves waiters first come, first served: Unlock hands the lock
// straight to the oldest waiter instead of letting anyone grab it.
type ticketLock struct {
	mu     sync.Mutex
	locked bool
	queue  []chan struct{}
}

func (t *ticketLock) Lock(ctx context.Context) error {
	t.mu.Lock()
	if !t.locked {
		t.locked = true
		t.mu.Unlock()
		return nil
	}
	turn := make(chan struct{})
	t.queue = append(t.queue, turn)
	t.mu.Unlock()
	select {
	case <-turn:
		return nil
	case <-ctx.Done():
		t.mu.Lock()
		for i, c := range t.queue {
			if c == turn { // still queued: leave the queue
				t.queue = append(t.queue[:i], t.queue[i+1:]...)
				t.mu.Unlock()
				return ctx.Err()
			}
		}
		t.mu.Unlock()
		t.Unlock() // the lock was handed to us as we gave up: pass it on
		return ctx.Err()
	}
}

func (t *ticketLock) Unlock() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.queue) == 0 {
		t.locked = false
		return
	}
	close(t.queue[0]) // hand over; the lock stays locked
	t.queue = t.queue[1:]
}

// work keeps the CPU busy for d. (time.Sleep would do for the lock's sake,
// but sleeps shorter than a millisecond are not precise on every system.)
func work(d time.Duration) {
	for start := time.Now(); time.Since(start) < d; {
	}
}
