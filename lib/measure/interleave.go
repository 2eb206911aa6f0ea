package measure

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/span"
	"github.com/go-parallelism/go-parallelism/lib/workload"
)

// unit is one small piece of Interleave's work: a trial-division primality
// test of a 9-digit prime, some fifteen thousand divisions (tens of
// microseconds).
const unit = 999_999_937

// Interleave starts goroutines goroutines that each compute for about work
// (CPU time, measured on the calling goroutine before they start), and
// returns when each goroutine was running, as spans: Task and Worker are the
// goroutine's number, so a timeline gives each goroutine a lane of its own
// colour.
//
// A goroutine cannot see the scheduler take its core away, but it can see
// the clock jump: it computes in small units, and when a unit ends much
// later than a unit takes, it was not running in between, so its current
// span ends where the previous unit did and a new one begins. On one core
// (GOMAXPROCS=1) the lanes take turns, a slice of about 10 ms each (the Go
// scheduler's preemption period): concurrent, not parallel. On two or more,
// they run side by side; gaps there come from the operating system giving
// the core to another program. If ctx ends first, it returns the spans so
// far with ctx's error.
func Interleave(ctx context.Context, goroutines int, work time.Duration) ([]span.Span, error) {
	if goroutines < 1 {
		return nil, fmt.Errorf("measure: Interleave: goroutines is %d, want at least 1", goroutines)
	}
	if work <= 0 {
		return nil, fmt.Errorf("measure: Interleave: work is %v, want more than 0", work)
	}
	cost := unitCost()
	units := max(1, int(work/cost))
	gap := max(4*cost, 200*time.Microsecond)
	rec := span.NewRecorder()
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			start := rec.Since()
			last := start
			for range units {
				if ctx.Err() != nil {
					break
				}
				workload.IsPrime(unit)
				now := rec.Since()
				if now-last > gap { // descheduled since the last unit ended
					rec.Add(span.Span{Task: g, Worker: g, Start: start, End: last})
					start = now
				}
				last = now
			}
			if last > start {
				rec.Add(span.Span{Task: g, Worker: g, Start: start, End: last})
			}
		})
	}
	wg.Wait()
	return rec.Spans(), ctx.Err()
}

// unitCost is the shortest time one unit took over a few tries.
func unitCost() time.Duration {
	best := time.Hour
	for range 20 {
		t := time.Now()
		workload.IsPrime(unit)
		best = min(best, time.Since(t))
	}
	return max(best, time.Microsecond)
}
