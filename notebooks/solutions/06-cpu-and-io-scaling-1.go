import (
	"errors"
	"runtime"
)

// RunSized runs job on a pool of runtime.NumCPU() workers if it is CPU-bound,
// or of min(job.N, 64) workers if it is I/O-bound, and returns the digests.
func RunSized(ctx context.Context, job *workload.Job) ([]string, error) {
	n := runtime.NumCPU()
	if job.Kind == workload.IO {
		n = min(job.N, 64)
	}
	digests, errs := model.Run(ctx, model.Pool(n), job)
	return digests, errors.Join(errs...)
}

%%
fmt.Println("RunSized is declared; run the check below.")
