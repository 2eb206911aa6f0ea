package async_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/go-parallelism/go-parallelism/lib/async"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// blockUntilCancel is a task that only ends when its context does.
func blockUntilCancel(ctx context.Context) (int, error) {
	<-ctx.Done()
	return 0, ctx.Err()
}

func TestGoWait(t *testing.T) {
	ctx := context.Background()
	gate := make(chan struct{})
	task := async.Go(ctx, func(context.Context) (string, error) { <-gate; return "hi", nil })
	if _, _, ok := task.Result(); ok {
		t.Fatal("Result reports a running task as finished")
	}
	close(gate)
	if v, err := task.Wait(ctx); v != "hi" || err != nil {
		t.Fatalf("Wait = %q, %v", v, err)
	}
	if v, err, ok := task.Result(); !ok || v != "hi" || err != nil {
		t.Fatalf("Result = %q, %v, %v", v, err, ok)
	}
}

func TestTaskErrors(t *testing.T) {
	ctx := context.Background()
	if _, err := async.Go[int](ctx, nil).Wait(ctx); err == nil || !strings.Contains(err.Error(), "nil task") {
		t.Errorf("nil fn: %v", err)
	}
	_, err := async.Go(ctx, func(context.Context) (int, error) { panic("oops") }).Wait(ctx)
	if err == nil || !strings.Contains(err.Error(), "panicked: oops") {
		t.Errorf("panic: %v", err)
	}
}

func TestCancelTask(t *testing.T) {
	task := async.Go(context.Background(), blockUntilCancel)
	task.Cancel()
	if _, err := task.Wait(context.Background()); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

func TestWaitGivesUp(t *testing.T) {
	task := async.Go(context.Background(), blockUntilCancel)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	if _, err := task.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	task.Cancel()
	<-task.Done()
}

func TestGather(t *testing.T) {
	ctx := context.Background()
	boom := errors.New("boom")
	var tasks []*async.Task[int]
	for i := range 160 {
		tasks = append(tasks, async.Go(ctx, func(context.Context) (int, error) {
			time.Sleep(time.Millisecond)
			if i == 7 || i == 9 {
				return 0, boom
			}
			return i * 2, nil
		}))
	}
	vals, err := async.Gather(ctx, tasks...)
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "task 7") {
		t.Fatalf("err = %v, want task 7's", err)
	}
	for i, v := range vals {
		if i != 7 && i != 9 && v != i*2 {
			t.Fatalf("vals[%d] = %d", i, v)
		}
	}
}

func TestGatherCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var tasks []*async.Task[int]
	for range 10 {
		tasks = append(tasks, async.Go(context.Background(), blockUntilCancel)) // not even tied to ctx
	}
	time.AfterFunc(5*time.Millisecond, cancel)
	if _, err := async.Gather(ctx, tasks...); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	for i, task := range tasks { // every task was cancelled by Gather
		if _, err := task.Wait(context.Background()); !errors.Is(err, context.Canceled) {
			t.Fatalf("task %d: %v", i, err)
		}
	}
}

func TestAsCompleted(t *testing.T) {
	ctx := context.Background()
	gates := make([]chan struct{}, 4)
	var tasks []*async.Task[int]
	for i := range gates {
		gates[i] = make(chan struct{})
		tasks = append(tasks, async.Go(ctx, func(context.Context) (int, error) { <-gates[i]; return i, nil }))
	}
	order := []int{2, 0, 3, 1}
	close(gates[order[0]])
	var got []int
	k := 1
	for task := range async.AsCompleted(ctx, tasks...) {
		v, _ := task.Wait(ctx)
		got = append(got, v)
		if k < len(order) {
			close(gates[order[k]])
			k++
		}
	}
	if len(got) != 4 || got[0] != 2 || got[1] != 0 || got[2] != 3 || got[3] != 1 {
		t.Fatalf("completion order %v, want %v", got, order)
	}
}

func TestAsCompletedCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	tasks := []*async.Task[int]{async.Go(ctx, blockUntilCancel), async.Go(ctx, func(context.Context) (int, error) { return 1, nil })}
	ch := async.AsCompleted(context.Background(), tasks[1])
	if task := <-ch; task != tasks[1] {
		t.Fatal("wrong task")
	}
	ch = async.AsCompleted(ctx, tasks[0])
	cancel()
	for range ch { // closed after the cancel, whatever was sent
	}
	<-tasks[0].Done()
}

func TestWaitFor(t *testing.T) {
	ctx := context.Background()
	if _, err := async.WaitFor(ctx, 10*time.Millisecond, blockUntilCancel); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("slow: err = %v", err)
	}
	v, err := async.WaitFor(ctx, time.Minute, func(context.Context) (int, error) { return 42, nil })
	if v != 42 || err != nil {
		t.Fatalf("fast: %d, %v", v, err)
	}
}

func TestSemaphore(t *testing.T) {
	if _, err := async.NewSemaphore(0); err == nil {
		t.Fatal("NewSemaphore(0) gave no error")
	}
	sem, err := async.NewSemaphore(3)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var now, peak atomic.Int32
	var tasks []*async.Task[int]
	for range 30 {
		tasks = append(tasks, async.Go(ctx, func(ctx context.Context) (int, error) {
			return 0, sem.Do(ctx, func(context.Context) error {
				c := now.Add(1)
				for p := peak.Load(); c > p && !peak.CompareAndSwap(p, c); p = peak.Load() {
				}
				time.Sleep(time.Millisecond)
				now.Add(-1)
				return nil
			})
		}))
	}
	if _, err := async.Gather(ctx, tasks...); err != nil {
		t.Fatal(err)
	}
	if peak.Load() > 3 || peak.Load() < 1 {
		t.Fatalf("peak %d holders, limit 3", peak.Load())
	}
}
