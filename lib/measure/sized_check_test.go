package measure

import (
	"context"
	"errors"
	"runtime"
	"testing"

	"github.com/go-parallelism/go-parallelism/lib/async"

	"github.com/go-parallelism/go-parallelism/lib/model"
	"github.com/go-parallelism/go-parallelism/lib/workload"
)

// runWith is a runner that runs every job on the model size picks for it.
func runWith(size func(job *workload.Job) model.Model) RunJob {
	return func(ctx context.Context, job *workload.Job) ([]string, error) {
		res, err := model.Run(ctx, job, size(job))
		return res.Digests, err
	}
}

func TestCheckSizedAcceptsTheAnswer(t *testing.T) {
	sized := runWith(func(job *workload.Job) model.Model {
		if job.Kind == workload.CPU {
			return model.Pool(runtime.NumCPU())
		}
		return model.Pool(min(job.N, 64))
	})
	if err := CheckSized(sized); err != nil {
		t.Fatalf("CheckSized rejected the answer: %v", err)
	}
}

func TestCheckSizedRejectsWrongAnswers(t *testing.T) {
	for _, w := range []struct {
		name string
		m    func(job *workload.Job) model.Model
		kind workload.Kind // the case that must fail
	}{
		{"a loop", func(*workload.Job) model.Model { return model.Sequential }, workload.CPU},
		{"a goroutine per task", func(*workload.Job) model.Model { return model.Goroutines }, workload.CPU},
		{"one worker per core for everything", func(*workload.Job) model.Model { return model.Pool(runtime.NumCPU()) }, workload.IO},
		{"a worker per task, no limit", func(job *workload.Job) model.Model {
			if job.Kind == workload.CPU {
				return model.Pool(runtime.NumCPU())
			}
			return model.Pool(job.N)
		}, workload.IO},
	} {
		t.Run(w.name, func(t *testing.T) {
			err := CheckSized(runWith(w.m))
			var se *SizeError
			if !errors.As(err, &se) || se.Kind != w.kind || se.Peak == se.Want {
				t.Fatalf("CheckSized = %v; want a SizeError for the %v job", err, w.kind)
			}
		})
	}
}

func TestCheckSizedRejectsDigestsOutOfOrder(t *testing.T) {
	reversed := func(ctx context.Context, job *workload.Job) ([]string, error) {
		n := runtime.NumCPU()
		if job.Kind == workload.IO {
			n = min(job.N, 64)
		}
		res, err := model.Run(ctx, job, model.Pool(n))
		d := res.Digests
		for i, j := 0, len(d)-1; i < j; i, j = i+1, j-1 {
			d[i], d[j] = d[j], d[i]
		}
		return d, err
	}
	err := CheckSized(reversed)
	if err == nil || errors.As(err, new(*SizeError)) {
		t.Fatalf("CheckSized = %v; want an error about the digests", err)
	}
}

func TestCheckSizedReturnsPanics(t *testing.T) {
	err := CheckSized(func(context.Context, *workload.Job) ([]string, error) { panic("TODO: write RunSized") })
	var p async.PanicError
	if !errors.As(err, &p) || p.Value != "TODO: write RunSized" {
		t.Fatalf("CheckSized = %v; want an async.PanicError with the panic's value", err)
	}
}
