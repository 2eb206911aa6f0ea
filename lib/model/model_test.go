package model_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
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
				res, err := model.Run(span.With(context.Background(), rec), job, m)
				if err != nil {
					t.Fatal(err)
				}
				if err := job.Check(res.Digests); err != nil {
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

// failedTasks sorts the TaskErrors joined in err by task index.
func failedTasks(t *testing.T, err error) map[int]*model.TaskError {
	t.Helper()
	out := map[int]*model.TaskError{}
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		if err != nil {
			t.Fatalf("not a joined error: %v", err)
		}
		return out
	}
	for _, e := range j.Unwrap() {
		var te *model.TaskError
		if !errors.As(e, &te) {
			continue
		}
		if out[te.Index] != nil {
			t.Fatalf("task %d failed twice: %v", te.Index, err)
		}
		out[te.Index] = te
	}
	return out
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
				res, err := model.Run(context.Background(), job, m)
				failed := failedTasks(t, err)
				if len(failed) != 2 || len(err.(interface{ Unwrap() []error }).Unwrap()) != 2 {
					t.Fatalf("want tasks 3 and 7 to fail, and nothing else in the error: %v", err)
				}
				for i := range 10 {
					te := failed[i]
					switch {
					case i == 3 && (te == nil || te.Err.Error() != "task 3 failed" || te.Model != m.Name):
						t.Errorf("task 3: %#v", te)
					case i == 7 && (te == nil || te.Err.Error() != "task panicked: task 7 panicked"):
						t.Errorf("task 7: %#v", te)
					case i != 3 && i != 7 && res.Digests[i] != fmt.Sprint(i):
						t.Errorf("task %d: %q", i, res.Digests[i])
					}
				}
				if want := fmt.Sprintf("model %s: task 3: task 3 failed\n", m.Name); !strings.HasPrefix(err.Error(), want) {
					t.Errorf("error %q does not start with %q", err, want)
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

// Tasks that wait are cancelled on a fake clock: the bubble's time jumps
// to the deadline once every goroutine waits.
func TestCancel(t *testing.T) {
	for _, kind := range []workload.Kind{workload.CPU, workload.IO} {
		for _, m := range inProcess() {
			t.Run(kind.String()+"/"+m.Name, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
					defer cancel()
					t0 := time.Now()
					res, err := model.Run(ctx, fake(5, kind, blocking), m)
					if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "5 of 5 tasks not run") {
						t.Fatalf("err = %v", err)
					}
					if d := time.Since(t0); d != time.Hour {
						t.Fatalf("returned after %v on the fake clock; want the deadline, 1h", d)
					}
					if len(res.Digests) != 5 {
						t.Fatalf("%d digests", len(res.Digests))
					}
				})
			})
		}
	}
}

// spin is a CPU-bound task that computes until ctx ends, looking at ctx
// every few tens of microseconds, as a workload's loop should.
func spin(ctx context.Context, i int) (string, error) {
	x := uint64(i) + 1
	for {
		for range 1 << 12 {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
		}
		if err := ctx.Err(); err != nil {
			return fmt.Sprint(x), err
		}
	}
}

// Cancelling any model while CPU-bound tasks run returns within 100 ms.
// In-process models run spin, which looks at ctx often; the process models
// run the primes workload, whose busy workers they kill. Other programs
// on a shared machine can delay any one run, so the best of three counts:
// a model that waits for its tasks to finish misses every time.
func TestCancelWhileComputing(t *testing.T) {
	pool, err := proc.NewPool(context.Background(), 2)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	primes := newJob(t, workload.Spec{Name: workload.Primes, Size: 20}) // over a second of work
	spinning := fake(20, workload.CPU, spin)
	for _, m := range append(inProcess(), model.Processes(2), model.ProcessPool(pool), model.ProcessesChunk(2, 5)) {
		t.Run(m.Name, func(t *testing.T) {
			job := spinning
			if strings.HasPrefix(m.Name, "processes") {
				job = primes
			}
			var late []time.Duration
			for range 3 {
				// Time from the call to cancel (a timer's goroutine may
				// wait for a core before it gets to make it).
				ctx, cancel := context.WithCancel(context.Background())
				var cancelled atomic.Int64
				time.AfterFunc(100*time.Millisecond, func() {
					cancelled.Store(time.Now().UnixNano())
					cancel()
				})
				res, err := model.Run(ctx, job, m)
				d := time.Since(time.Unix(0, cancelled.Load()))
				if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "tasks not run") {
					t.Fatalf("err = %v", err)
				}
				if !slices.Contains(res.Digests, "") {
					t.Fatal("every task finished: the test needs a job still running at the cancel")
				}
				if d <= 100*time.Millisecond {
					return
				}
				late = append(late, d)
			}
			t.Fatalf("Run returned %v after the cancel; want within 100 ms", late)
		})
	}
}

// Processes: cancellation kills the workers of a job whose pages hang.
func TestProcessesCancel(t *testing.T) {
	job := newJob(t, workload.Spec{Name: "scrape", Size: 4, Options: workload.Options{HangRate: 1, Timeout: time.Hour}})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := model.Run(ctx, job, model.Processes(2))
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "4 of 4 tasks not run") {
		t.Fatalf("err = %v", err)
	}
}

// Processes: per-task errors come back from the workers as TaskErrors
// wrapping the item's proc.TaskError, for the same tasks as in-process.
func TestProcessesErrors(t *testing.T) {
	s := workload.Spec{Name: "scrape", Size: 20, Options: workload.Options{ErrorRate: 0.3, Latency: time.Millisecond, Seed: 7}}
	job := newJob(t, s)
	_, err := model.Run(context.Background(), job, model.Pool(2))
	want := failedTasks(t, err)
	_, err = model.Run(context.Background(), job, model.ProcessesChunk(2, 3))
	got := failedTasks(t, err)
	if len(want) == 0 || len(want) == job.N {
		t.Fatalf("%d of %d failed; the test needs some of each", len(want), job.N)
	}
	for i := range job.N {
		if (want[i] == nil) != (got[i] == nil) {
			t.Fatalf("task %d: in-process %v, processes %v", i, want[i], got[i])
		}
		var pe *proc.TaskError
		if got[i] != nil && (!errors.As(got[i], &pe) || pe.Item != i || pe.Err.Error() != want[i].Err.Error()) {
			t.Fatalf("task %d: %v, want a proc.TaskError saying %q", i, got[i], want[i].Err)
		}
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
		res, err := model.Run(context.Background(), job, model.ProcessPool(p))
		if err != nil {
			t.Fatal(err)
		}
		if err := job.Check(res.Digests); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(p.StartTimes()); n != 2 {
		t.Fatalf("%d workers started for two runs; want the pool's 2", n)
	}
}

func TestBadInput(t *testing.T) {
	ran := false
	job := fake(3, workload.CPU, func(context.Context, int) (string, error) { ran = true; return "", nil })
	for _, c := range []struct {
		m    model.Model
		want string
	}{
		{model.Pool(0), "model: pool(0): n is 0; want at least 1 worker"},
		{model.Map(-1), "model: map(-1): n is -1; want at least 1 worker"},
		{model.Group(0), "model: errgroup(0): n is 0"},
		{model.Semaphore(0), "model: semaphore(0): n is 0"},
		{model.Processes(0), "model: processes(0): n is 0"},
		{model.ProcessesChunk(2, 0), "model: ProcessesChunk(2, 0): chunk is 0; want at least 1"},
		{model.ProcessPool(nil), "model: ProcessPool(nil): p is nil"},
		{model.GIL(model.GILMode(7), model.Sequential), "model: GIL(7, sequential): unknown mode 7; want model.OneCore or model.GlobalLock"},
		{model.GIL(model.OneCore, model.Pool(0)), "model: pool(0): n is 0"},
	} {
		if err := c.m.Err(); err == nil || err.Error() != c.want && !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s: Err() = %v, want %q", c.m.Name, err, c.want)
		}
		if res, err := model.Run(context.Background(), job, c.m); err == nil || !strings.HasPrefix(err.Error(), c.want) || res.Digests != nil {
			t.Errorf("%s: Run: %v, %v", c.m.Name, res, err)
		}
	}
	if ran {
		t.Error("a task ran under a bad model")
	}
	for _, c := range []struct {
		job  *workload.Job
		want string
	}{
		{nil, "model.Run: job is nil; build one with workload.New"},
		{&workload.Job{N: 2}, "has a nil Task"},
		{fake(-1, workload.CPU, job.Task), "has N = -1 tasks; want at least 0"},
	} {
		if _, err := model.Run(context.Background(), c.job, model.Sequential); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("bad job: %v, want %q", err, c.want)
		}
	}
}

func TestGIL(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	var inside atomic.Int32
	job := fake(4, workload.CPU, func(context.Context, int) (string, error) {
		inside.Store(int32(runtime.GOMAXPROCS(0)))
		return "", nil
	})
	model.Run(context.Background(), job, model.GIL(model.OneCore, model.Goroutines))
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
	model.Run(context.Background(), job, model.GIL(model.GlobalLock, model.Goroutines))
	if peak.Load() != 1 {
		t.Fatalf("%d tasks at once under the global lock", peak.Load())
	}
}
