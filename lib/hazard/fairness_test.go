package hazard

import (
	"context"
	"testing"
	"testing/synctest"
	"time"
)

// turnsBeforeWaiter has a greedy goroutine take l for turns turns of 1 ms
// each, taking it again as soon as it lets go, while a waiter asks for it
// once, during the first turn. It returns how many greedy turns ran before
// the waiter got the lock. Run it in a bubble: the clock is fake, so the
// outcome depends on the lock alone.
func turnsBeforeWaiter(t *testing.T, l locker, turns int) int {
	ctx := context.Background()
	done := 0
	holding := make(chan struct{})
	greedyDone := make(chan struct{})
	go func() {
		defer close(greedyDone)
		for k := range turns {
			if err := l.Lock(ctx); err != nil {
				t.Error(err)
				return
			}
			if k == 0 {
				close(holding)
			}
			// A turn lasts a nanosecond more than 1 ms, off the spin
			// lock's 50 µs polling grid: the greedy worker never lets go
			// at the very instant the waiter looks, which would make
			// the outcome a race between the two.
			time.Sleep(time.Millisecond + time.Nanosecond)
			done++
			l.Unlock()
		}
	}()
	<-holding
	if err := l.Lock(ctx); err != nil {
		t.Fatal(err)
	}
	got := done
	l.Unlock()
	<-greedyDone
	return got
}

func TestFairness(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// The spin lock goes to whoever is running when it comes free:
		// the greedy worker, every time, until it stops.
		if n := turnsBeforeWaiter(t, new(spinLock), 50); n != 50 {
			t.Errorf("spin lock: the waiter got the lock after %d greedy turns, want all 50 (starved)", n)
		}
		// The ticket lock hands it to the waiter at the first Unlock.
		if n := turnsBeforeWaiter(t, new(ticketLock), 50); n != 1 {
			t.Errorf("ticket lock: the waiter got the lock after %d greedy turns, want 1", n)
		}
	})
}

// Waiters of the ticket lock are served in the order they came.
func TestTicketOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var l ticketLock
		ctx := context.Background()
		l.Lock(ctx)
		order := make(chan int, 3)
		for w := range 3 {
			go func() {
				l.Lock(ctx)
				order <- w
				l.Unlock()
			}()
			synctest.Wait() // w is queued before w+1 arrives
		}
		l.Unlock()
		for want := range 3 {
			if got := <-order; got != want {
				t.Fatalf("waiter %d served in place %d", got, want)
			}
		}
	})
}
