package pool_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	"github.com/go-parallelism/go-parallelism/lib/pool"
	"github.com/go-parallelism/go-parallelism/lib/span"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// runner is the common shape of the pool functions; size is the number of
// workers or the limit (Spawn ignores it).
type runner func(ctx context.Context, size, n int, fn pool.Func[int]) ([]int, error)

var runners = map[string]runner{
	"Spawn": func(ctx context.Context, _ int, n int, fn pool.Func[int]) ([]int, error) {
		return pool.Spawn(ctx, n, fn)
	},
	"Workers": pool.Workers[int],
	"Group":   pool.Group[int],
	"Limit":   pool.Limit[int],
	// Map's inputs are the indices, so fn sees i as with the others.
	"Map": func(ctx context.Context, workers, n int, fn pool.Func[int]) ([]int, error) {
		in := make([]int, max(n, 0))
		for i := range in {
			in[i] = i
		}
		if fn == nil {
			return pool.Map[int, int](ctx, workers, in, nil)
		}
		return pool.Map(ctx, workers, in, func(ctx context.Context, i int) (int, error) { return fn(ctx, i) })
	},
}

// failFast are the runners that stop at the first failure.
func failFast(name string) bool { return name == "Group" || name == "Map" }

func square(_ context.Context, i int) (int, error) { return i * i, nil }

// failures returns the indices of the TaskErrors and PanicErrors joined in
// err, and the other errors.
func failures(err error) (tasks []int, others []error) {
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else if err != nil {
		errs = []error{err}
	}
	for _, e := range errs {
		var te pool.TaskError
		var pe pool.PanicError
		switch {
		case errors.As(e, &te):
			tasks = append(tasks, te.Index)
		case errors.As(e, &pe):
			tasks = append(tasks, pe.Index)
		default:
			others = append(others, e)
		}
	}
	return tasks, others
}

func TestResultsInOrder(t *testing.T) {
	for name, run := range runners {
		t.Run(name, func(t *testing.T) {
			for _, n := range []int{0, 1, 7, 100} {
				rec := span.NewRecorder()
				got, err := run(span.With(context.Background(), rec), 3, n, square)
				if err != nil {
					t.Fatalf("n=%d: %v", n, err)
				}
				if len(got) != n {
					t.Fatalf("n=%d: %d results", n, len(got))
				}
				for i, v := range got {
					if v != i*i {
						t.Fatalf("n=%d: result %d = %d, want %d", n, i, v, i*i)
					}
				}
				spans := rec.Spans()
				if len(spans) != n {
					t.Fatalf("n=%d: %d spans, want one per task", n, len(spans))
				}
				for _, s := range spans {
					if name != "Spawn" && (s.Worker < 0 || s.Worker >= 3) {
						t.Fatalf("span %+v: worker out of range 0..2", s)
					}
				}
			}
		})
	}
}

// Every bad argument gets an error naming the function, the parameter, the
// value and what is allowed.
func TestBadInput(t *testing.T) {
	size := map[string]string{"Workers": "workers", "Map": "workers", "Group": "limit", "Limit": "limit"}
	for name, run := range runners {
		t.Run(name, func(t *testing.T) {
			want := "pool." + name + ": fn is nil; need a function"
			if _, err := run(context.Background(), 2, 3, nil); err == nil || err.Error() != want {
				t.Errorf("nil fn: err = %v, want %q", err, want)
			}
			if param, ok := size[name]; ok {
				for _, v := range []int{0, -1} {
					want := fmt.Sprintf("pool.%s: %s = %d; need 1 or more", name, param, v)
					if _, err := run(context.Background(), v, 3, square); err == nil || err.Error() != want {
						t.Errorf("%s = %d: err = %v, want %q", param, v, err, want)
					}
				}
			}
			if name != "Map" { // Map takes a slice, whose length cannot be negative
				want := "pool." + name + ": n = -1; need 0 or more"
				if _, err := run(context.Background(), 2, -1, square); err == nil || err.Error() != want {
					t.Errorf("n = -1: err = %v, want %q", err, want)
				}
			}
			// Several bad arguments are all reported.
			if name != "Spawn" && name != "Map" {
				_, err := run(context.Background(), 0, -1, nil)
				for _, part := range []string{"= 0; need 1 or more", "n = -1", "fn is nil"} {
					if err == nil || !strings.Contains(err.Error(), part) {
						t.Errorf("all bad: err = %v, want it to contain %q", err, part)
					}
				}
			}
		})
	}
}

// With the fake clock every task sleeps at the same instant, so the peak
// number of tasks running at once is exactly the limit.
func TestLimitReached(t *testing.T) {
	for name, run := range runners {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var now, peak atomic.Int32
				_, err := run(context.Background(), 3, 40, func(_ context.Context, i int) (int, error) {
					c := now.Add(1)
					for p := peak.Load(); c > p && !peak.CompareAndSwap(p, c); p = peak.Load() {
					}
					time.Sleep(time.Millisecond)
					now.Add(-1)
					return i, nil
				})
				if err != nil {
					t.Fatal(err)
				}
				want := int32(3)
				if name == "Spawn" {
					want = 40
				}
				if p := peak.Load(); p != want {
					t.Fatalf("%d tasks ran at once, want %d", p, want)
				}
			})
		})
	}
}

// A task that fails is reported as a TaskError with its index. Spawn,
// Workers and Limit still run every other task and join every failure.
func TestTaskErrors(t *testing.T) {
	boom := errors.New("boom")
	for name, run := range runners {
		if failFast(name) {
			continue
		}
		t.Run(name, func(t *testing.T) {
			var ran atomic.Int32
			got, err := run(context.Background(), 2, 10, func(_ context.Context, i int) (int, error) {
				ran.Add(1)
				if i%3 == 0 {
					return -1, boom
				}
				return i, nil
			})
			if !errors.Is(err, boom) {
				t.Errorf("errors.Is(err, boom) = false; err = %v", err)
			}
			failed, others := failures(err)
			slices.Sort(failed)
			if !slices.Equal(failed, []int{0, 3, 6, 9}) || others != nil {
				t.Errorf("failed tasks %v (others %v), want [0 3 6 9]", failed, others)
			}
			for i, v := range got {
				if want := map[bool]int{true: -1, false: i}[i%3 == 0]; v != want {
					t.Errorf("result %d = %d, want %d", i, v, want)
				}
			}
			if ran.Load() != 10 {
				t.Errorf("%d tasks ran, want all 10", ran.Load())
			}
			if msg := err.Error(); msg != "pool: task 0: boom\npool: task 3: boom\npool: task 6: boom\npool: task 9: boom" {
				t.Errorf("message %q", msg)
			}
		})
	}
}

// Group and Map stop at the first failure: with one worker, no task after
// the failing one starts.
func TestFailFast(t *testing.T) {
	boom := errors.New("boom")
	for name, run := range runners {
		if !failFast(name) {
			continue
		}
		t.Run(name, func(t *testing.T) {
			var ran atomic.Int32
			_, err := run(context.Background(), 1, 100, func(_ context.Context, i int) (int, error) {
				ran.Add(1)
				if i == 5 {
					return 0, boom
				}
				return i, nil
			})
			var te pool.TaskError
			if !errors.As(err, &te) || te.Index != 5 || te.Err != boom {
				t.Fatalf("err = %#v, want TaskError{5, boom}", err)
			}
			if r := ran.Load(); r != 6 {
				t.Fatalf("%d tasks ran, want 6 (0..5)", r)
			}
		})
	}
}

func TestPanic(t *testing.T) {
	for name, run := range runners {
		t.Run(name, func(t *testing.T) {
			_, err := run(context.Background(), 2, 4, func(_ context.Context, i int) (int, error) {
				if i == 2 {
					panic("oops")
				}
				return i, nil
			})
			var pe pool.PanicError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a PanicError", err)
			}
			if pe.Index != 2 || pe.Value != "oops" || pe.Error() != "pool: task 2 panicked: oops" {
				t.Errorf("PanicError{Index: %d, Value: %v}: %q", pe.Index, pe.Value, pe.Error())
			}
			if !strings.Contains(string(pe.Stack), "pool_test.TestPanic") {
				t.Errorf("stack does not show the panicking function:\n%s", pe.Stack)
			}
		})
	}
}

// Cancelling ctx ends every pool at once: with the fake clock, the pool
// returns at the very instant of the cancel, the tasks not yet started
// never start, and the error says the context was cancelled.
func TestCancel(t *testing.T) {
	for name, run := range runners {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithCancel(context.Background())
				const at = 50 * time.Millisecond
				time.AfterFunc(at, cancel)
				var started atomic.Int32
				start := time.Now()
				_, err := run(ctx, 2, 50, func(ctx context.Context, i int) (int, error) {
					started.Add(1)
					select {
					case <-time.After(time.Hour):
						return i, nil
					case <-ctx.Done():
						return 0, ctx.Err()
					}
				})
				if d := time.Since(start); d != at {
					t.Errorf("returned %v after the start, want %v: at once after the cancel", d, at)
				}
				if !errors.Is(err, context.Canceled) {
					t.Errorf("err = %v, want context.Canceled", err)
				}
				want := int32(2)
				if name == "Spawn" {
					want = 50
				}
				if s := started.Load(); s != want {
					t.Errorf("%d tasks started, want %d", s, want)
				}
				if failFast(name) {
					return
				}
				// The tasks that ran and saw the cancel are TaskErrors; the
				// others are stood for by ctx's error, once.
				failed, others := failures(err)
				wantOthers := 1 // ctx's error, for the tasks that never started
				if name == "Spawn" {
					wantOthers = 0
				}
				if len(failed) != int(want) || len(others) != wantOthers {
					t.Errorf("%d task errors, %d others (%v)", len(failed), len(others), others)
				}
			})
		})
	}
}

func TestDeadline(t *testing.T) {
	for name, run := range runners {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
				defer cancel()
				_, err := run(ctx, 2, 10, func(ctx context.Context, i int) (int, error) {
					<-ctx.Done()
					return 0, ctx.Err()
				})
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("err = %v", err)
				}
			})
		})
	}
}

// A CPU-bound task that checks ctx in its loop lets the pool return soon
// after the cancel. This runs on the real clock (the fake one stands still
// while goroutines compute), so the bound is generous.
func TestCancelWhileComputing(t *testing.T) {
	for name, run := range runners {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			running := make(chan struct{})
			var started atomic.Int32
			var cancelled time.Time
			go func() {
				<-running
				cancelled = time.Now()
				cancel()
			}()
			_, err := run(ctx, 2, 20, func(ctx context.Context, i int) (int, error) {
				if started.Add(1) == 1 {
					close(running)
				}
				x := i
				for ctx.Err() == nil { // the work, checking ctx as it goes
					for range 1000 {
						x = x*31 + 7
					}
				}
				return x, ctx.Err()
			})
			if d := time.Since(cancelled); d > time.Second {
				t.Errorf("returned %v after the cancel", d)
			}
			if !errors.Is(err, context.Canceled) {
				t.Errorf("err = %v", err)
			}
			if s := started.Load(); name != "Spawn" && s > 2 {
				t.Errorf("%d tasks started, want at most 2", s)
			}
		})
	}
}
