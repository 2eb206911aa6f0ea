package async_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/async"
)

func sleep(d time.Duration) func(context.Context) (int, error) {
	return func(ctx context.Context) (int, error) {
		select {
		case <-time.After(d):
			return 0, nil
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

// BenchmarkGather starts n tasks that each wait 100 ms and gathers them, the
// tutorial's 160 downloads without the network: the total is close to one
// wait, not n waits.
func BenchmarkGather(b *testing.B) {
	for _, n := range []int{160, 10000} {
		b.Run(fmt.Sprintf("sleeps=%d", n), func(b *testing.B) {
			ctx := context.Background()
			for b.Loop() {
				tasks := make([]*async.Task[int], n)
				for i := range tasks {
					tasks[i] = async.Go(ctx, sleep(100*time.Millisecond))
				}
				if _, err := async.Gather(ctx, tasks...); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLoop does the same on the single-threaded loop: 160 timers of
// 100 ms each, all waiting at once.
func BenchmarkLoop(b *testing.B) {
	for b.Loop() {
		l := async.NewLoop()
		done := 0
		for range 160 {
			l.After(100*time.Millisecond, func() { done++ })
		}
		if err := l.Run(context.Background()); err != nil || done != 160 {
			b.Fatal(err, done)
		}
	}
}
