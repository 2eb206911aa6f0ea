// Package scaling runs the course's workloads under several execution models
// as lib/bench experiments, and turns the results into the tables and charts
// of the scaling chapter: the speedup of every model over sequential code for
// every workload, the speedup against the number of workers with its ideal
// line, the parallelism achieved (CPU time over wall time), and what Amdahl's
// law predicts for machines with more cores.
//
//	job, _ := workload.New(workload.Spec{Name: "primes", Size: 8})
//	defer job.Close()
//	res, _ := bench.Run(ctx, bench.Experiment{
//		Name: "primes", Reps: 3, Sweep: bench.Workers(1, 2, 4, 8),
//		Variants: []bench.Variant{scaling.Swept("pool", job, model.Pool)},
//	})
//	scaling.SpeedupChart(res, workload.CPU).Display()
//
// Every variant built here checks the job's digests after each run, so a
// model that computed the wrong answer shows up as an error, not as a fast
// time.
package scaling

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-parallelism/go-parallelism/lib/bench"
	"github.com/go-parallelism/go-parallelism/lib/model"
	"github.com/go-parallelism/go-parallelism/lib/workload"
)

// Variant returns a bench variant, named after m, that runs every task of
// job under m and checks the digests.
func Variant(job *workload.Job, m model.Model) bench.Variant {
	return bench.Variant{Name: m.Name, Run: func(ctx context.Context, _ bench.Param) error {
		return runChecked(ctx, job, m)
	}}
}

// Swept returns a bench variant named name that runs job under
// newModel(p.Workers) at each point p of a sweep over workers, for example
// Swept("pool", job, model.Pool).
func Swept(name string, job *workload.Job, newModel func(workers int) model.Model) bench.Variant {
	return bench.Variant{Name: name, Run: func(ctx context.Context, p bench.Param) error {
		if p.Workers < 1 {
			return fmt.Errorf("scaling: variant %s needs a sweep over workers, got %v", name, p)
		}
		return runChecked(ctx, job, newModel(p.Workers))
	}}
}

// runChecked runs job under m and returns the first task error, or the
// job's verdict on the digests.
func runChecked(ctx context.Context, job *workload.Job, m model.Model) error {
	if job == nil {
		return errors.New("scaling: nil job")
	}
	digests, errs := model.Run(ctx, m, job)
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return job.Check(digests)
}

// Compare times job under every model, as one experiment whose baseline is
// the first model. It returns the experiment's error (a bad experiment or
// the end of ctx); the models' own errors are in the result's runs.
func Compare(ctx context.Context, job *workload.Job, models []model.Model, reps, warmup int) (*bench.Result, error) {
	if job == nil {
		return nil, errors.New("scaling: nil job")
	}
	return compare(ctx, Label(job.Spec), job, models, reps, warmup)
}

func compare(ctx context.Context, name string, job *workload.Job, models []model.Model, reps, warmup int) (*bench.Result, error) {
	if job == nil {
		return nil, errors.New("scaling: nil job")
	}
	if len(models) == 0 {
		return nil, errors.New("scaling: no models to compare")
	}
	vs := make([]bench.Variant, len(models))
	for i, m := range models {
		vs[i] = Variant(job, m)
	}
	return bench.Run(ctx, bench.Experiment{
		Name: name, Variants: vs, Reps: reps, Warmup: warmup,
	})
}

// Label formats s as name(size) with its options, like Spec.String, but
// leaves out the options that name a place on this machine (a server's
// address, a directory, a file), which change from run to run.
func Label(s workload.Spec) string {
	s.Options.Addr, s.Options.Dir, s.Options.File = "", "", ""
	return s.String()
}
