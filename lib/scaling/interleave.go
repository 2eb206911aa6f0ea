package scaling

import (
	"context"
	"runtime"
	"sync"

	"github.com/go-parallelism/go-parallelism/lib/trace"
	"github.com/go-parallelism/go-parallelism/lib/workload"
)

// piece is one unit of Interleave's work: a trial-division primality test
// of a 12-digit prime, about half a million divisions (a millisecond or two).
const piece = 999_999_999_989

// Interleave starts goroutines goroutines that each compute pieces units of
// work (a millisecond or two each) and yield to the scheduler after each one
// (runtime.Gosched), and returns one span per unit: Task and Worker are the
// goroutine's number, so a timeline colours each goroutine's lane in its own
// colour and shows when each goroutine was running. On one core
// (GOMAXPROCS=1) the lanes take turns: concurrent, not parallel. On two or
// more, they run side by side. The yield makes the turns short and regular;
// without it the scheduler would preempt a goroutine after about 10 ms.
func Interleave(ctx context.Context, goroutines, pieces int) []trace.Span {
	rec := trace.NewRecorder()
	ctx = trace.With(ctx, rec)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range pieces {
				if ctx.Err() != nil {
					return
				}
				done := trace.Task(ctx, g, g)
				workload.IsPrime(piece)
				done(nil)
				runtime.Gosched()
			}
		}()
	}
	wg.Wait()
	return rec.Spans()
}
