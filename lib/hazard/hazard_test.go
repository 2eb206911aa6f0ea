package hazard_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	"github.com/go-parallelism/go-parallelism/lib/hazard"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestFixedCountsAreExact(t *testing.T) {
	for name, count := range map[string]func(int, int) (hazard.Count, error){
		"mutex": hazard.CountMutex, "atomic": hazard.CountAtomic, "channel": hazard.CountChannel, "racy": hazard.CountRacy,
	} {
		t.Run(name, func(t *testing.T) {
			if name != "racy" { // racy_test.go runs it, without -race
				c, err := count(8, 2000)
				if err != nil {
					t.Fatal(err)
				}
				if c.Want != 16000 || c.Got != c.Want || c.Lost() != 0 {
					t.Fatalf("%v", c)
				}
			}
			for _, bad := range []struct {
				goroutines, increments int
				want                   string
			}{
				{0, 10, "hazard: goroutines is 0, want 1..100000"},
				{2, -1, "hazard: increments is -1, want 0..100000000"},
				{1000, 1_000_000, "goroutines × increments is 1000 × 1000000, want at most 100000000"},
			} {
				_, err := count(bad.goroutines, bad.increments)
				if err == nil || !strings.Contains(err.Error(), bad.want) {
					t.Errorf("count(%d, %d): err = %v, want %q", bad.goroutines, bad.increments, err, bad.want)
				}
			}
		})
	}
}

// The race detector must find the race in CountRacy. The racy code runs only
// in the child program, so `go test -race` on this package stays clean.
func TestDetectRace(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program with -race")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	report, err := hazard.DetectRace(ctx)
	if err != nil {
		t.Fatalf("%v\n%s", err, report)
	}
	for _, want := range []string{"WARNING: DATA RACE", "hazard.CountRacy"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
}

// The deadlock demos run on the fake clock: the watchdog fires at exactly
// its deadline, and the ordered fix finishes after one moment of work.
func TestDeadlockDetected(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		err := hazard.Deadlock(context.Background(), 100*time.Millisecond)
		if d := time.Since(start); d != 100*time.Millisecond {
			t.Errorf("Deadlock returned after %v, want the watchdog's 100ms", d)
		}
		var d *hazard.DeadlockError
		if !errors.As(err, &d) {
			t.Fatalf("err = %v, want a *DeadlockError", err)
		}
		want := []string{
			"worker 1 holds A and waits for B (held by worker 2)",
			"worker 2 holds B and waits for A (held by worker 1)",
		}
		if len(d.Waits) != 2 || d.Waits[0] != want[0] || d.Waits[1] != want[1] {
			t.Fatalf("waits %q, want %q", d.Waits, want)
		}
	})
}

func TestDeadlockFixedByOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		if err := hazard.DeadlockOrdered(context.Background(), time.Minute); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d != 10*time.Millisecond {
			t.Errorf("DeadlockOrdered took %v, want one moment of work, 10ms", d)
		}
	})
}

func TestDeadlockCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
		defer cancel()
		err := hazard.Deadlock(ctx, time.Minute)
		var d *hazard.DeadlockError
		if errors.As(err, &d) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("cancelled midway: err = %v, want ctx's error", err)
		}
	})
}

func TestLock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var l hazard.Lock // the zero value works
		if err := l.Lock(context.Background(), "me"); err != nil {
			t.Fatal(err)
		}
		if h := l.Holder(); h != "me" {
			t.Errorf("Holder() = %q, want me", h)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if err := l.Lock(ctx, "you"); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("second Lock: %v, want it to give up at ctx's deadline", err)
		}
		l.Unlock()
		if err := l.Lock(ctx, "you"); err == nil {
			t.Error("a done ctx took a free lock")
		}
		defer func() {
			if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "Unlock of unlocked Lock") {
				t.Errorf("Unlock of an unlocked Lock: recovered %v, want a panic that says so", r)
			}
		}()
		l.Unlock()
	})
}

func TestDemoBadInput(t *testing.T) {
	ctx := context.Background()
	_, starveKind := hazard.Starve(ctx, hazard.LockKind(9), time.Millisecond)
	_, starveZero := hazard.Starve(ctx, hazard.Spin, 0)
	_, starveLong := hazard.Starve(ctx, hazard.Spin, time.Hour)
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"Deadlock timeout 0", hazard.Deadlock(ctx, 0), "hazard: timeout is 0s, want a watchdog deadline in (0, 1m0s]"},
		{"DeadlockOrdered timeout -1s", hazard.DeadlockOrdered(ctx, -time.Second), "timeout is -1s"},
		{"Starve kind 9", starveKind, "hazard: kind is LockKind(9), want Spin, Mutex or Ticket"},
		{"Starve window 0", starveZero, "hazard: window is 0s, want a duration in (0, 1m0s]"},
		{"Starve window 1h", starveLong, "window is 1h0m0s"},
	} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, c.err, c.want)
		}
	}
}

// TestStarvation runs the demo with each lock for real. Who gets how many
// turns depends on the scheduler and on what else the machine runs (the
// notebook shows it; fairness_test.go checks the locks on the fake clock),
// so this checks what holds on any machine: the shares add up, each
// worker held the lock at least its hold time per turn, and the FIFO
// ticket lock serves everyone.
func TestStarvation(t *testing.T) {
	for _, kind := range []hazard.LockKind{hazard.Spin, hazard.Mutex, hazard.Ticket} {
		shares, err := hazard.Starve(context.Background(), kind, 150*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		if len(shares) != 3 || shares[0].Worker != "greedy" || shares[1].Worker != "polite 1" {
			t.Fatalf("%v: shares %+v, want greedy, polite 1, polite 2", kind, shares)
		}
		total := 0.0
		for k, s := range shares {
			total += s.Fraction
			hold := 100 * time.Microsecond
			if k == 0 {
				hold = time.Millisecond
			}
			if s.Held < time.Duration(s.Acquisitions)*hold {
				t.Errorf("%v: %s held the lock %v in %d turns, less than %v each", kind, s.Worker, s.Held, s.Acquisitions, hold)
			}
			if kind == hazard.Ticket && s.Acquisitions == 0 {
				t.Errorf("ticket lock: %s starved: %+v", s.Worker, shares)
			}
		}
		if total < 0.999 || total > 1.001 {
			t.Errorf("%v: shares add up to %v, want 1: %+v", kind, total, shares)
		}
	}
}

// Cancelling ends a starvation run at once, whatever the lock, with the
// shares so far.
func TestStarveCancelled(t *testing.T) {
	for _, kind := range []hazard.LockKind{hazard.Spin, hazard.Mutex, hazard.Ticket} {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(10*time.Millisecond, cancel)
		shares, err := hazard.Starve(ctx, kind, time.Minute)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%v: err = %v, want context.Canceled", kind, err)
		}
		if len(shares) != 3 {
			t.Errorf("%v: %d shares, want 3", kind, len(shares))
		}
	}
}
