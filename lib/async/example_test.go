package async_test

import (
	"context"
	"fmt"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/async"
)

// 160 tasks that each wait 100 ms finish together in about 100 ms.
func ExampleGather() {
	ctx := context.Background()
	var tasks []*async.Task[int]
	for i := range 160 {
		tasks = append(tasks, async.Go(ctx, func(ctx context.Context) (int, error) {
			time.Sleep(100 * time.Millisecond) // stands for a download
			return i, nil
		}))
	}
	ids, err := async.Gather(ctx, tasks...)
	fmt.Println(len(ids), err)
	// Output: 160 <nil>
}

// A callback that sleeps on the event loop holds up the timer behind it.
func ExampleLoop() {
	l := async.NewLoop()
	l.After(time.Millisecond, func() { fmt.Println("timer (due after 1 ms)") })
	l.Post(func() { time.Sleep(50 * time.Millisecond); fmt.Println("slow callback done") })
	l.Run(context.Background())
	// Output:
	// slow callback done
	// timer (due after 1 ms)
}
