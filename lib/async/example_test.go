package async_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/sync/semaphore"

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

// Gather reports the first failure in argument order, with its index.
func ExampleTaskError() {
	ctx := context.Background()
	tasks := []*async.Task[string]{
		async.Go(ctx, func(context.Context) (string, error) { return "a", nil }),
		async.Go(ctx, func(context.Context) (string, error) { return "", errors.New("404") }),
		async.Go(ctx, func(context.Context) (string, error) { panic("bad page") }),
	}
	_, err := async.Gather(ctx, tasks...)
	var te async.TaskError
	if errors.As(err, &te) {
		fmt.Println("task", te.Index, "failed:", te.Err)
	}
	_, err = tasks[2].Wait(ctx) // each task keeps its own outcome
	fmt.Println(err)
	// Output:
	// task 1 failed: 404
	// async: task panicked: bad page
}

// The tasks come out in the order they finish, not the order they started.
func ExampleAsCompleted() {
	ctx := context.Background()
	var tasks []*async.Task[string]
	for _, d := range []time.Duration{200 * time.Millisecond, 0, 100 * time.Millisecond} {
		tasks = append(tasks, async.Go(ctx, func(context.Context) (string, error) {
			time.Sleep(d)
			return "slept " + d.String(), nil
		}))
	}
	for t := range async.AsCompleted(ctx, tasks...) {
		fmt.Println(t.Wait(ctx))
	}
	// Output:
	// slept 0s <nil>
	// slept 100ms <nil>
	// slept 200ms <nil>
}

// WaitFor gives up at the deadline; the task sees its context cancelled.
func ExampleWaitFor() {
	hang := func(ctx context.Context) (int, error) {
		<-ctx.Done() // a download from a server that never answers
		return 0, ctx.Err()
	}
	_, err := async.WaitFor(context.Background(), 10*time.Millisecond, hang)
	fmt.Println(err)
	// Output: context deadline exceeded
}

// asyncio.Semaphore is golang.org/x/sync/semaphore: every task starts, but
// at most two at a time get past Acquire.
func Example_semaphore() {
	ctx := context.Background()
	sem := semaphore.NewWeighted(2)
	var tasks []*async.Task[int]
	for i := range 5 {
		tasks = append(tasks, async.Go(ctx, func(ctx context.Context) (int, error) {
			if err := sem.Acquire(ctx, 1); err != nil { // async with sem:
				return 0, err
			}
			defer sem.Release(1)
			return i * i, nil
		}))
	}
	fmt.Println(async.Gather(ctx, tasks...))
	// Output: [0 1 4 9 16] <nil>
}

// A callback that sleeps on the event loop holds up the timer behind it.
func ExampleLoop() {
	l := async.NewLoop()
	l.After(time.Millisecond, func() { fmt.Println("timer (due after 1 ms)") })
	l.Post(func() { time.Sleep(50 * time.Millisecond); fmt.Println("slow callback done") })
	fmt.Println(l.Run(context.Background()))
	// Output:
	// slow callback done
	// timer (due after 1 ms)
	// <nil>
}
