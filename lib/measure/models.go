package measure

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-parallelism/go-parallelism/lib/bench"
	"github.com/go-parallelism/go-parallelism/lib/model"
	"github.com/go-parallelism/go-parallelism/lib/workload"
)

// Variants returns one bench variant per model, named after it, that runs
// every task of job under the model and checks the digests, so that a model
// that computed the wrong answer shows up as an error, not as a fast time.
func Variants(job *workload.Job, models ...model.Model) []bench.Variant {
	vs := make([]bench.Variant, len(models))
	for i, m := range models {
		vs[i] = bench.Variant{Name: m.Name, Run: func(ctx context.Context, _ bench.Param) error {
			return runChecked(ctx, job, m)
		}}
	}
	return vs
}

// Swept returns a bench variant named name that runs job under
// newModel(p.Workers) at each point p of a sweep over workers, for example
// Swept("pool", job, model.Pool), and checks the digests.
func Swept(name string, job *workload.Job, newModel func(workers int) model.Model) bench.Variant {
	return bench.Variant{Name: name, Run: func(ctx context.Context, p bench.Param) error {
		if p.Workers < 1 {
			return fmt.Errorf("measure: variant %s: Workers is %d, want a sweep over workers (bench.Workers(1, 2, ...))", name, p.Workers)
		}
		if newModel == nil {
			return fmt.Errorf("measure: variant %s: newModel is nil, want a function such as model.Pool", name)
		}
		return runChecked(ctx, job, newModel(p.Workers))
	}}
}

// runChecked runs job under m and returns the task errors, joined, or the
// job's verdict on the digests.
func runChecked(ctx context.Context, job *workload.Job, m model.Model) error {
	if job == nil {
		return errors.New("measure: job is nil, want one from workload.New")
	}
	res, err := model.Run(ctx, job, m)
	if err != nil {
		return err
	}
	return job.Check(res.Digests)
}

// runError is the first error recorded in res's runs, naming its variant.
func runError(res *bench.Result) error {
	for _, r := range res.Runs {
		if r.Err != "" {
			return fmt.Errorf("%s: %s", r.Variant, r.Err)
		}
	}
	return nil
}

// Label formats s as name(size) with its options, like Spec.String, but
// leaves out the options that name a place on this machine (a server's
// address, a directory, a file), which change from run to run.
func Label(s workload.Spec) string {
	s.Options.Addr, s.Options.Dir, s.Options.File = "", "", ""
	return s.String()
}
