package pool_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/go-parallelism/go-parallelism/lib/pool"
	"github.com/go-parallelism/go-parallelism/lib/span"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// runner is the common shape of the index-based pool functions.
type runner func(ctx context.Context, workers, n int, fn pool.Func[int]) ([]int, error)

var runners = map[string]runner{
	"spawn": func(ctx context.Context, _ int, n int, fn pool.Func[int]) ([]int, error) {
		return pool.Spawn(ctx, n, fn)
	},
	"workers": pool.Workers[int],
	"group":   pool.Group[int],
	"limit":   pool.Limit[int],
	"map": func(ctx context.Context, workers, n int, fn pool.Func[int]) ([]int, error) {
		in := make([]int, n)
		for i := range in {
			in[i] = i
		}
		if fn == nil {
			return pool.Map[int, int](ctx, workers, in, nil)
		}
		return pool.Map(ctx, workers, in, func(ctx context.Context, i int) (int, error) { return fn(ctx, i) })
	},
}

func square(_ context.Context, i int) (int, error) { return i * i, nil }

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
				if name != "spawn" {
					for _, s := range spans {
						if s.Worker < 0 || s.Worker >= 3 {
							t.Fatalf("span %+v: worker out of range 0..2", s)
						}
					}
				}
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	for name, run := range runners {
		t.Run(name, func(t *testing.T) {
			if _, err := run(context.Background(), 2, 3, nil); err == nil || !strings.Contains(err.Error(), "nil") {
				t.Errorf("nil task: err = %v", err)
			}
			if name != "spawn" {
				for _, w := range []int{0, -1} {
					if _, err := run(context.Background(), w, 3, square); err == nil || !strings.Contains(err.Error(), "workers") {
						t.Errorf("%d workers: err = %v", w, err)
					}
				}
			}
			if name != "map" {
				if _, err := run(context.Background(), 2, -1, square); err == nil || !strings.Contains(err.Error(), "tasks") {
					t.Errorf("-1 tasks: err = %v", err)
				}
			}
		})
	}
}

func TestLimitRespected(t *testing.T) {
	for _, name := range []string{"workers", "group", "limit", "map"} {
		t.Run(name, func(t *testing.T) {
			var now, peak atomic.Int32
			_, err := runners[name](context.Background(), 3, 40, func(_ context.Context, i int) (int, error) {
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
			if p := peak.Load(); p > 3 {
				t.Fatalf("%d tasks ran at once; limit is 3", p)
			}
		})
	}
}

// A task that fails must be reported with its index; Spawn, Workers and
// Limit still run every other task.
func TestPerTaskErrors(t *testing.T) {
	boom := errors.New("boom")
	for _, name := range []string{"spawn", "workers", "limit"} {
		t.Run(name, func(t *testing.T) {
			var ran atomic.Int32
			got, err := runners[name](context.Background(), 2, 10, func(_ context.Context, i int) (int, error) {
				ran.Add(1)
				if i%3 == 0 {
					return 0, boom
				}
				return i, nil
			})
			var errs pool.Errors
			if !errors.As(err, &errs) {
				t.Fatalf("err = %v, want pool.Errors", err)
			}
			if !errors.Is(err, boom) {
				t.Errorf("errors.Is(err, boom) = false")
			}
			for i, e := range errs {
				if (i%3 == 0) != (e != nil) {
					t.Errorf("task %d: err = %v", i, e)
				}
				if i%3 != 0 && got[i] != i {
					t.Errorf("task %d: result %d", i, got[i])
				}
			}
			if ran.Load() != 10 {
				t.Errorf("%d tasks ran, want all 10", ran.Load())
			}
			if !strings.Contains(err.Error(), "4 of 10 tasks failed; task 0: boom") {
				t.Errorf("message %q", err)
			}
		})
	}
}

// Group and Map stop at the first error: with one worker, the tasks after
// the failing one never start.
func TestFailFast(t *testing.T) {
	boom := errors.New("boom")
	for _, name := range []string{"group", "map"} {
		t.Run(name, func(t *testing.T) {
			var ran atomic.Int32
			_, err := runners[name](context.Background(), 1, 100, func(_ context.Context, i int) (int, error) {
				ran.Add(1)
				if i == 5 {
					return 0, boom
				}
				return i, nil
			})
			if !errors.Is(err, boom) {
				t.Fatalf("err = %v, want boom", err)
			}
			if r := ran.Load(); r > 7 {
				t.Fatalf("%d tasks ran after the failure of task 5", r)
			}
		})
	}
}

func TestPanicBecomesError(t *testing.T) {
	for name, run := range runners {
		t.Run(name, func(t *testing.T) {
			_, err := run(context.Background(), 2, 4, func(_ context.Context, i int) (int, error) {
				if i == 2 {
					panic("oops")
				}
				return i, nil
			})
			if err == nil || !strings.Contains(err.Error(), "panicked: oops") {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

// Cancelling the context ends every model promptly: tasks in flight see
// ctx.Done, tasks not started report the context's error.
func TestCancel(t *testing.T) {
	for name, run := range runners {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			var started atomic.Int32
			fn := func(ctx context.Context, i int) (int, error) {
				if started.Add(1) == 2 {
					cancel()
				}
				<-ctx.Done() // would block forever without cancellation
				return 0, ctx.Err()
			}
			_, err := run(ctx, 2, 50, fn)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want context.Canceled", err)
			}
			var errs pool.Errors
			if errors.As(err, &errs) {
				for i, e := range errs {
					if !errors.Is(e, context.Canceled) {
						t.Fatalf("task %d: err = %v", i, e)
					}
				}
			}
			if name != "spawn" && started.Load() > 2 {
				t.Errorf("%d tasks started after cancel", started.Load())
			}
		})
	}
}

func TestDeadline(t *testing.T) {
	for name, run := range runners {
		t.Run(name, func(t *testing.T) {
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
	}
}
