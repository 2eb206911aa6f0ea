package measure

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/async"
	"github.com/go-parallelism/go-parallelism/lib/workload"
)

// RunJob runs every task of a job and returns the digests: the signature of
// the runner CheckSized checks.
type RunJob func(ctx context.Context, job *workload.Job) ([]string, error)

// SizeError is CheckSized's verdict on a runner that ran the wrong number of
// tasks at once.
type SizeError struct {
	Kind  workload.Kind
	Tasks int // the job's tasks
	Want  int // how many should have run at once
	Peak  int // how many did
}

func (e *SizeError) Error() string {
	return fmt.Sprintf("%v job of %d tasks: %d tasks ran at once, want %d", e.Kind, e.Tasks, e.Peak, e.Want)
}

// Timing of CheckSized: how long the number of tasks in flight may stay
// below the target without a new task starting, and how long a whole case
// may take.
const (
	sizedStall = 300 * time.Millisecond
	sizedLimit = 5 * time.Second
)

// CheckSized returns what is wrong with run as a runner that sizes its pool
// by the kind of work, or nil: a CPU-bound job (Kind workload.CPU) must run
// runtime.NumCPU() tasks at once, an I/O-bound one min(tasks, 64).
//
// It runs three jobs whose tasks each wait until the target number of tasks
// is in flight, then stay in flight a little longer, so that a pool too large
// shows up as more tasks at once. A runner that never gets there (a loop, a
// pool too small) is stopped when no new task has started for 0.3 s. The
// verdict is a *SizeError when the peak was wrong, an async.PanicError when
// run panicked, or an error for wrong digests or an error returned by run.
func CheckSized(run RunJob) error {
	if run == nil {
		return fmt.Errorf("measure: CheckSized: run is nil, want a function that runs a job")
	}
	cpus := runtime.NumCPU()
	for _, c := range []struct {
		kind    workload.Kind
		n, want int
	}{{workload.CPU, 4 * cpus, cpus}, {workload.IO, 20, 20}, {workload.IO, 200, 64}} {
		if err := checkSizedCase(run, c.kind, c.n, c.want); err != nil {
			return err
		}
	}
	return nil
}

func checkSizedCase(run RunJob, kind workload.Kind, n, want int) (err error) {
	ctx, cancel := context.WithTimeout(context.Background(), sizedLimit)
	defer cancel()
	job, inFlight, peak, started := sizedJob(ctx, kind, n, want)
	watched := make(chan struct{})
	go func() { // cancel a runner that stopped starting tasks short of want
		defer close(watched)
		last, since := started.Load(), time.Now()
		for ctx.Err() == nil && peak.Load() < int32(want) {
			time.Sleep(time.Millisecond)
			if s := started.Load(); s != last {
				last, since = s, time.Now()
			} else if time.Since(since) > sizedStall {
				cancel()
			}
		}
	}()
	defer func() {
		cancel()
		<-watched
		if p := recover(); p != nil {
			err = async.PanicError{Value: p, Stack: debug.Stack()}
		}
	}()
	digests, runErr := run(ctx, job)
	if got := int(peak.Load()); got != want || inFlight.Load() != 0 {
		return &SizeError{Kind: kind, Tasks: n, Want: want, Peak: got}
	}
	if runErr != nil {
		return fmt.Errorf("%v job of %d tasks: the runner returned an error: %w", kind, n, runErr)
	}
	return job.Check(digests)
}

// sizedJob's tasks wait until want of them are in flight at once (or ctx
// ends), then linger a little, so that a pool larger than want shows it.
func sizedJob(ctx context.Context, kind workload.Kind, n, want int) (job *workload.Job, inFlight, peak *atomic.Int32, started *atomic.Int64) {
	inFlight, peak, started = new(atomic.Int32), new(atomic.Int32), new(atomic.Int64)
	var once sync.Once
	all := make(chan struct{})
	job = &workload.Job{Kind: kind, N: n, Close: func() error { return nil },
		Task: func(_ context.Context, i int) (string, error) {
			started.Add(1)
			cur := inFlight.Add(1)
			defer inFlight.Add(-1)
			for p := peak.Load(); cur > p && !peak.CompareAndSwap(p, cur); p = peak.Load() {
			}
			if cur >= int32(want) {
				once.Do(func() { close(all) })
			}
			select {
			case <-all:
				time.Sleep(20 * time.Millisecond) // stay in flight: a pool too large would exceed want
			case <-ctx.Done():
			}
			return strconv.Itoa(i * i), nil
		},
		Check: func(digests []string) error {
			if len(digests) != n {
				return fmt.Errorf("%v job of %d tasks: got %d digests", kind, n, len(digests))
			}
			for i, d := range digests {
				if d != strconv.Itoa(i*i) {
					return fmt.Errorf("%v job of %d tasks: digest %d is %q, want %q (the digest of task %d, in its place)", kind, n, i, d, strconv.Itoa(i*i), i)
				}
			}
			return nil
		}}
	return job, inFlight, peak, started
}
