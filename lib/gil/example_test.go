package gil_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/gil"
)

// Four tasks compute under one lock, so at most one computes at a time;
// each lets go of it while it waits, so the waits overlap.
func ExampleLock() {
	lock := gil.New()
	var computing, most atomic.Int32
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			lock.Run(context.Background(), func(ctx context.Context) error {
				most.Store(max(most.Load(), computing.Add(1)))
				sum := 0
				for i := range 1_000_000 { // computing, holding the lock
					sum += i
				}
				computing.Add(-1)
				return gil.Blocking(ctx, func() error { // waiting, without it
					time.Sleep(time.Millisecond)
					return nil
				})
			})
		})
	}
	wg.Wait()
	fmt.Println("most tasks computing at once:", most.Load())
	// Output: most tasks computing at once: 1
}

func ExampleOneCore() {
	gil.OneCore(func() {
		fmt.Println("GOMAXPROCS inside:", runtime.GOMAXPROCS(0))
	})
	// Output: GOMAXPROCS inside: 1
}
