package async_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
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
	select {
	case <-task.Done():
		t.Fatal("Done is closed while the task is running")
	default:
	}
	close(gate)
	if v, err := task.Wait(ctx); v != "hi" || err != nil {
		t.Fatalf("Wait = %q, %v", v, err)
	}
}

// A finished task gives its result even to a Wait whose context is done.
func TestWaitFinished(t *testing.T) {
	task := async.Go(context.Background(), func(context.Context) (int, error) { return 7, nil })
	<-task.Done()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range 100 { // a select that picked at random would fail about half the time
		if v, err := task.Wait(ctx); v != 7 || err != nil {
			t.Fatalf("Wait = %d, %v; want 7, nil", v, err)
		}
	}
}

func TestTaskErrors(t *testing.T) {
	ctx := context.Background()
	if _, err := async.Go[int](ctx, nil).Wait(ctx); err == nil || err.Error() != "async.Go: fn is nil; need a function" {
		t.Errorf("nil fn: %v", err)
	}
	_, err := async.Go(ctx, func(context.Context) (int, error) { panic("oops") }).Wait(ctx)
	var pe async.PanicError
	if !errors.As(err, &pe) || pe.Value != "oops" || err.Error() != "async: task panicked: oops" {
		t.Fatalf("panic: %v, want a PanicError with value oops", err)
	}
	if !strings.Contains(string(pe.Stack), "async_test.TestTaskErrors") {
		t.Errorf("stack does not show the panicking function:\n%s", pe.Stack)
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
	synctest.Test(t, func(t *testing.T) {
		task := async.Go(context.Background(), blockUntilCancel)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
		defer cancel()
		start := time.Now()
		if _, err := task.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v", err)
		}
		if d := time.Since(start); d != 5*time.Millisecond {
			t.Errorf("Wait gave up after %v, want 5ms", d)
		}
		select {
		case <-task.Done():
			t.Error("the task ended with the Wait; it should keep running")
		default:
		}
		task.Cancel()
		<-task.Done()
	})
}

// 160 tasks that each wait 1 ms finish together after 1 ms; Gather returns
// the values in order and the first failure as a TaskError.
func TestGather(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		boom := errors.New("boom")
		var tasks []*async.Task[int]
		for i := range 160 {
			tasks = append(tasks, async.Go(ctx, func(context.Context) (int, error) {
				time.Sleep(time.Millisecond)
				if i == 7 || i == 9 {
					return -1, boom
				}
				return i * 2, nil
			}))
		}
		start := time.Now()
		vals, err := async.Gather(ctx, tasks...)
		if d := time.Since(start); d != time.Millisecond {
			t.Errorf("Gather took %v, want 1ms: the waits overlap", d)
		}
		var te async.TaskError
		if !errors.As(err, &te) || te.Index != 7 || te.Err != boom || err.Error() != "async: task 7: boom" {
			t.Fatalf("err = %v, want task 7's", err)
		}
		for i, v := range vals {
			if want := map[bool]int{true: -1, false: i * 2}[i == 7 || i == 9]; v != want {
				t.Fatalf("vals[%d] = %d, want %d", i, v, want)
			}
		}
	})
}

// Cancelling Gather's context returns at that instant and cancels every
// task, even tasks whose own context is not tied to it.
func TestGatherCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		var tasks []*async.Task[int]
		for range 10 {
			tasks = append(tasks, async.Go(context.Background(), blockUntilCancel))
		}
		time.AfterFunc(5*time.Millisecond, cancel)
		start := time.Now()
		if _, err := async.Gather(ctx, tasks...); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v", err)
		}
		if d := time.Since(start); d != 5*time.Millisecond {
			t.Errorf("Gather returned after %v, want 5ms", d)
		}
		for i, task := range tasks {
			if _, err := task.Wait(context.Background()); !errors.Is(err, context.Canceled) {
				t.Fatalf("task %d: %v", i, err)
			}
		}
	})
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

// When ctx ends, AsCompleted closes its channel without sending the tasks
// that have not finished.
func TestAsCompletedCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		slow := async.Go(context.Background(), blockUntilCancel)
		fast := async.Go(context.Background(), func(context.Context) (int, error) { return 1, nil })
		ch := async.AsCompleted(ctx, slow, fast)
		if got := <-ch; got != fast {
			t.Fatal("the first task out is not the finished one")
		}
		cancel()
		synctest.Wait() // every goroutine of AsCompleted has reacted
		select {
		case got, ok := <-ch:
			if ok {
				t.Errorf("sent a task that had not finished: %v", got == slow)
			}
		default:
			t.Error("the channel is still open after the cancel")
		}
		slow.Cancel()
		<-slow.Done()
	})
}

func TestWaitFor(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		start := time.Now()
		if _, err := async.WaitFor(ctx, 10*time.Millisecond, blockUntilCancel); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("slow: err = %v", err)
		}
		if d := time.Since(start); d != 10*time.Millisecond {
			t.Errorf("WaitFor gave up after %v, want 10ms", d)
		}
		v, err := async.WaitFor(ctx, time.Minute, func(context.Context) (int, error) { return 42, nil })
		if v != 42 || err != nil {
			t.Fatalf("fast: %d, %v", v, err)
		}
	})
}

// A nil task, say from a slice made with make and not filled, is named.
func TestNilTask(t *testing.T) {
	ctx := context.Background()
	tasks := make([]*async.Task[int], 3)
	tasks[0] = async.Go(ctx, func(context.Context) (int, error) { return 1, nil })
	const want = "async.Gather: tasks[1] is nil; need a Task from async.Go"
	if _, err := async.Gather(ctx, tasks...); err == nil || err.Error() != want {
		t.Errorf("Gather = %v, want %q", err, want)
	}
	defer func() {
		const want = "async.AsCompleted: tasks[1] is nil; need a Task from async.Go"
		if p := recover(); p != want {
			t.Errorf("AsCompleted panicked with %v, want %q", p, want)
		}
	}()
	async.AsCompleted(ctx, tasks...)
}
