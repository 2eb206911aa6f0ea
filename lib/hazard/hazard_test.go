package hazard_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/go-parallelism/go-parallelism/lib/hazard"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestFixedCountsAreExact(t *testing.T) {
	for name, count := range map[string]func(int, int) (hazard.Count, error){
		"mutex": hazard.CountMutex, "atomic": hazard.CountAtomic, "channel": hazard.CountChannel,
	} {
		t.Run(name, func(t *testing.T) {
			c, err := count(8, 2000)
			if err != nil {
				t.Fatal(err)
			}
			if c.Want != 16000 || c.Got != c.Want || c.Lost() != 0 {
				t.Fatalf("%v", c)
			}
			if _, err := count(0, 10); err == nil {
				t.Error("0 goroutines: no error")
			}
			if _, err := count(2, -1); err == nil {
				t.Error("-1 increments: no error")
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

func TestDeadlockDetected(t *testing.T) {
	err := hazard.Deadlock(context.Background(), 100*time.Millisecond)
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
}

func TestDeadlockFixedByOrder(t *testing.T) {
	if err := hazard.DeadlockOrdered(context.Background(), time.Minute); err != nil {
		t.Fatal(err)
	}
}

func TestDeadlockCancelAndBadInput(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := hazard.Deadlock(ctx, time.Minute)
	var d *hazard.DeadlockError
	if errors.As(err, &d) || !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: err = %v", err)
	}
	if err := hazard.Deadlock(context.Background(), 0); err == nil {
		t.Fatal("timeout 0: no error")
	}
}

func TestStarvation(t *testing.T) {
	const window = 150 * time.Millisecond
	ctx := context.Background()
	spin, err := hazard.Starve(ctx, hazard.Spin, window)
	if err != nil {
		t.Fatal(err)
	}
	// How lopsided the shares are depends on the scheduler and on what else
	// the machine runs (the notebook measures it); what must hold is that the
	// greedy worker comes first and the shares add up.
	total := 0.0
	for _, s := range spin {
		total += s.Fraction
		if s.Fraction > spin[0].Fraction {
			t.Errorf("spin lock: %s got more turns than the greedy worker: %+v", s.Worker, spin)
		}
	}
	if spin[0].Acquisitions == 0 || total < 0.999 || total > 1.001 {
		t.Errorf("spin lock: shares do not add up to 1: %+v", spin)
	}
	mutex, err := hazard.Starve(ctx, hazard.Mutex, window)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range mutex[1:] {
		if s.Acquisitions == 0 {
			t.Errorf("sync.Mutex: %s never got the lock: %+v", s.Worker, mutex)
		}
	}
	ticket, err := hazard.Starve(ctx, hazard.Ticket, window)
	if err != nil {
		t.Fatal(err)
	}
	lo, hi := ticket[0].Acquisitions, ticket[0].Acquisitions
	for _, s := range ticket {
		lo, hi = min(lo, s.Acquisitions), max(hi, s.Acquisitions)
	}
	if hi == 0 || lo == 0 {
		t.Errorf("ticket lock: a worker starved %+v", ticket)
	}
}

func TestStarveBadInput(t *testing.T) {
	if _, err := hazard.Starve(context.Background(), hazard.LockKind(9), time.Millisecond); err == nil {
		t.Error("unknown kind: no error")
	}
	if _, err := hazard.Starve(context.Background(), hazard.Spin, 0); err == nil {
		t.Error("window 0: no error")
	}
}

func TestStarveCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(10*time.Millisecond, cancel)
	if _, err := hazard.Starve(ctx, hazard.Ticket, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}
