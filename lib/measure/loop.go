package measure

import (
	"context"
	"fmt"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/async"
)

// LoopLateness runs a single-threaded event loop (async.Loop, asyncio's
// model) with a timer that should fire every `every`, ticks times, and,
// after three ticks' time, a callback that blocks for `block` (a
// time.sleep where an await asyncio.sleep was meant). With offload false the
// blocking work runs on the loop itself and stalls every timer; with offload
// true it goes to Loop.Go, another goroutine, as run_in_executor would send
// it. It returns how late each tick ran.
func LoopLateness(ticks int, every, block time.Duration, offload bool) ([]time.Duration, error) {
	switch {
	case ticks < 1:
		return nil, fmt.Errorf("measure: LoopLateness: ticks is %d, want at least 1", ticks)
	case every <= 0:
		return nil, fmt.Errorf("measure: LoopLateness: every is %v, want more than 0", every)
	case block < 0:
		return nil, fmt.Errorf("measure: LoopLateness: block is %v, want 0 or more", block)
	}
	l := async.NewLoop()
	late := make([]time.Duration, 0, ticks)
	var arm func()
	arm = func() {
		due := time.Now().Add(every)
		l.After(every, func() {
			if late = append(late, time.Since(due)); len(late) < ticks {
				arm()
			}
		})
	}
	arm()
	blocking := func(context.Context) error { time.Sleep(block); return nil }
	l.After(3*every+every/2, func() {
		if offload {
			l.Go(blocking, nil) // run_in_executor: the loop stays free
		} else {
			blocking(context.Background()) // blocks the loop itself
		}
	})
	return late, l.Run(context.Background())
}
