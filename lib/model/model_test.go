package model_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/go-parallelism/go-parallelism/lib/gil"
	"github.com/go-parallelism/go-parallelism/lib/model"
	"github.com/go-parallelism/go-parallelism/lib/proc"
	"github.com/go-parallelism/go-parallelism/lib/span"
	"github.com/go-parallelism/go-parallelism/lib/workload"
)

func TestMain(m *testing.M) {
	proc.Main() // a worker serves here and exits
	if os.Getenv("GORACE") == "" {
		// Under -race, a process sleeps 1 s at exit by default; every
		// Processes run here starts and stops workers.
		os.Setenv("GORACE", "atexit_sleep_ms=0")
	}
	goleak.VerifyTestMain(m)
}

// specs are small jobs of every shape: CPU, network, disk, processes.
var specs = []workload.Spec{
	{Name: "montecarlo", Size: 8, Options: workload.Options{Samples: 20000}},
	{Name: "text", Size: 20},
	{Name: "scrape", Size: 12, Options: workload.Options{Latency: 2 * time.Millisecond}},
	{Name: "disk", Size: 10, Options: workload.Options{FileSize: 4096}},
}

func newJob(t testing.TB, s workload.Spec) *workload.Job {
	t.Helper()
	job, err := workload.New(s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { job.Close() })
	return job
}

// Every model runs every job to the same, correct digests and marks every
// task on the timeline.
func TestAllModelsAgree(t *testing.T) {
	for _, s := range specs {
		job := newJob(t, s)
		for _, m := range model.All(2) {
			t.Run(s.Name+"/"+m.Name, func(t *testing.T) {
				rec := span.NewRecorder()
				digests, errs := model.Run(span.With(context.Background(), rec), m, job)
				if err := errors.Join(errs...); err != nil {
					t.Fatal(err)
				}
				if err := job.Check(digests); err != nil {
					t.Fatal(err)
				}
				spans := rec.Spans()
				if len(spans) != job.N {
					t.Fatalf("%d spans for %d tasks", len(spans), job.N)
				}
				seen := make([]bool, job.N)
				for _, sp := range spans {
					if sp.Task < 0 || sp.Task >= job.N || seen[sp.Task] || sp.End < sp.Start || sp.Worker < 0 {
						t.Fatalf("bad span %+v", sp)
					}
					if m.Workers > 0 && sp.Worker >= m.Workers {
						t.Fatalf("span %+v: worker beyond %d", sp, m.Workers)
					}
					seen[sp.Task] = true
				}
			})
		}
	}
}

// fake is a job made by hand, which lets a test decide what each task does.
func fake(n int, kind workload.Kind, task func(ctx context.Context, i int) (string, error)) *workload.Job {
	return &workload.Job{N: n, Kind: kind, Task: task, Check: func([]string) error { return nil }, Close: func() error { return nil }}
}

// in-process models: those that run a hand-made job (Processes needs a job
// that a worker can rebuild from its Spec).
func inProcess() []model.Model {
	var ms []model.Model
	for _, m := range model.All(2) {
		if !strings.HasPrefix(m.Name, "processes") {
			ms = append(ms, m)
		}
	}
	return append(ms, model.GIL(model.OneCore, model.Pool(2)), model.GIL(model.GlobalLock, model.Sequential))
}

func TestPerTaskErrors(t *testing.T) {
	for _, kind := range []workload.Kind{workload.CPU, workload.IO} {
		job := fake(10, kind, func(_ context.Context, i int) (string, error) {
			switch i {
			case 3:
				return "", fmt.Errorf("task %d failed", i)
			case 7:
				panic("task 7 panicked")
			}
			return fmt.Sprint(i), nil
		})
		for _, m := range inProcess() {
			t.Run(kind.String()+"/"+m.Name, func(t *testing.T) {
				digests, errs := model.Run(context.Background(), m, job)
				for i := range 10 {
					switch {
					case i == 3 || i == 7:
						if errs[i] == nil || !strings.Contains(errs[i].Error(), fmt.Sprintf("task %d", i)) {
							t.Errorf("task %d: err = %v", i, errs[i])
						}
					case errs[i] != nil || digests[i] != fmt.Sprint(i):
						t.Errorf("task %d: %q, %v", i, digests[i], errs[i])
					}
				}
			})
		}
	}
}

// blocking tasks end only when their context does. They wait as I/O
// does, letting go of a global interpreter lock meanwhile.
func blocking(ctx context.Context, i int) (string, error) {
	gil.Blocking(ctx, func() error { <-ctx.Done(); return nil })
	return "", ctx.Err()
}

func TestFailFast(t *testing.T) {
	boom := errors.New("boom")
	for _, kind := range []workload.Kind{workload.CPU, workload.IO} {
		var failed atomic.Bool
		job := fake(6, kind, func(ctx context.Context, i int) (string, error) {
			if i == 0 {
				failed.Store(true)
				return "", boom
			}
			if !failed.Load() {
				return "ok", nil // ran before task 0: do not hold a slot
			}
			return blocking(ctx, i) // without FailFast, these never end
		})
		for _, m := range inProcess() {
			t.Run(kind.String()+"/"+m.Name, func(t *testing.T) {
				failed.Store(false)
				digests, errs := model.Run(context.Background(), m, job, model.FailFast)
				if !errors.Is(errs[0], boom) {
					t.Fatalf("task 0: %v", errs[0])
				}
				for i := 1; i < 6; i++ {
					if digests[i] != "ok" && !errors.Is(errs[i], boom) && !errors.Is(errs[i], context.Canceled) {
						t.Fatalf("task %d: %v, want the cancellation", i, errs[i])
					}
				}
			})
		}
	}
	var ran atomic.Int32
	job := fake(6, workload.CPU, func(ctx context.Context, i int) (string, error) {
		ran.Add(1)
		if i == 2 {
			return "", boom
		}
		return "", nil
	})
	_, errs := model.Run(context.Background(), model.Sequential, job, model.FailFast)
	if ran.Load() != 3 || !errors.Is(errs[2], boom) || !errors.Is(errs[5], boom) {
		t.Fatalf("sequential: %d ran, errs %v", ran.Load(), errs)
	}
}

func TestCancel(t *testing.T) {
	for _, kind := range []workload.Kind{workload.CPU, workload.IO} {
		for _, m := range inProcess() {
			t.Run(kind.String()+"/"+m.Name, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
				defer cancel()
				_, errs := model.Run(ctx, m, fake(5, kind, blocking))
				for i, err := range errs {
					if !errors.Is(err, context.DeadlineExceeded) {
						t.Fatalf("task %d: %v", i, err)
					}
				}
			})
		}
	}
}

// Processes: cancellation kills the workers of a job whose pages hang.
func TestProcessesCancel(t *testing.T) {
	job := newJob(t, workload.Spec{Name: "scrape", Size: 4, Options: workload.Options{HangRate: 1, Timeout: time.Hour}})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, errs := model.Run(ctx, model.Processes(2), job)
	for i, err := range errs {
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("task %d: %v", i, err)
		}
	}
}

// Processes: per-task errors come back from the workers, and FailFast stops.
func TestProcessesErrors(t *testing.T) {
	s := workload.Spec{Name: "scrape", Size: 20, Options: workload.Options{ErrorRate: 0.3, Latency: time.Millisecond, Seed: 7}}
	job := newJob(t, s)
	_, want := model.Run(context.Background(), model.Pool(2), job)
	_, got := model.Run(context.Background(), model.ProcessesChunk(2, 3), job)
	failed := 0
	for i := range want {
		if (want[i] == nil) != (got[i] == nil) {
			t.Fatalf("task %d: in-process %v, processes %v", i, want[i], got[i])
		}
		if got[i] != nil {
			failed++
		}
	}
	if failed == 0 || failed == len(got) {
		t.Fatalf("%d of %d failed; the test needs some of each", failed, len(got))
	}
	all := newJob(t, workload.Spec{Name: "scrape", Size: 20, Options: workload.Options{ErrorRate: 1, Latency: time.Millisecond}})
	_, errs := model.Run(context.Background(), model.Processes(1), all, model.FailFast)
	if errs[0] == nil || errs[19] == nil || !strings.Contains(errs[19].Error(), "not run") {
		t.Fatalf("FailFast: %v ... %v", errs[0], errs[19])
	}
}

func TestProcessPoolReused(t *testing.T) {
	p, err := proc.NewPool(context.Background(), 2)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	job := newJob(t, specs[0])
	for range 2 {
		digests, errs := model.Run(context.Background(), model.ProcessPool(p), job)
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		if err := job.Check(digests); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(p.StartTimes()); n != 2 {
		t.Fatalf("%d workers started for two runs; want the pool's 2", n)
	}
}

func TestBadInput(t *testing.T) {
	job := fake(3, workload.CPU, func(context.Context, int) (string, error) { return "", nil })
	for _, m := range []model.Model{
		model.Pool(0), model.Map(-1), model.Group(0), model.Semaphore(0), model.Processes(0),
		model.ProcessesChunk(2, 0), model.ProcessPool(nil), model.GIL(model.GILMode(7), model.Sequential),
		model.GIL(model.OneCore, model.Pool(0)),
	} {
		if m.Err() == nil {
			t.Errorf("%s: no error", m.Name)
		}
		_, errs := model.Run(context.Background(), m, job)
		if len(errs) != 3 || errs[0] == nil || errs[2] == nil {
			t.Errorf("%s: errs %v", m.Name, errs)
		}
	}
	if _, errs := model.Run(context.Background(), model.Sequential, nil); len(errs) != 1 || errs[0] == nil {
		t.Errorf("nil job: %v", errs)
	}
}

func TestGIL(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	var inside atomic.Int32
	job := fake(4, workload.CPU, func(context.Context, int) (string, error) {
		inside.Store(int32(runtime.GOMAXPROCS(0)))
		return "", nil
	})
	model.Run(context.Background(), model.GIL(model.OneCore, model.Goroutines), job)
	if inside.Load() != 1 || runtime.GOMAXPROCS(0) != before {
		t.Fatalf("GOMAXPROCS inside %d, after %d (before %d)", inside.Load(), runtime.GOMAXPROCS(0), before)
	}
	var now, peak atomic.Int32
	job = fake(20, workload.CPU, func(context.Context, int) (string, error) {
		c := now.Add(1)
		for p := peak.Load(); c > p && !peak.CompareAndSwap(p, c); p = peak.Load() {
		}
		time.Sleep(time.Millisecond)
		now.Add(-1)
		return "", nil
	})
	model.Run(context.Background(), model.GIL(model.GlobalLock, model.Goroutines), job)
	if peak.Load() != 1 {
		t.Fatalf("%d tasks at once under the global lock", peak.Load())
	}
}
