package model_test

import (
	"context"
	"testing"

	"github.com/go-parallelism/go-parallelism/lib/model"
	"github.com/go-parallelism/go-parallelism/lib/workload"
)

// Every workload rebuilds in a worker process and gives the same digests.
func TestProcessesEveryWorkload(t *testing.T) {
	sizes := map[string]workload.Spec{
		"scrape": {Size: 6}, "disk": {Size: 6}, "pipe": {Size: 3}, "tcp": {Size: 6},
		"primes": {Size: 2}, "mandelbrot": {Size: 64}, "montecarlo": {Size: 4, Options: workload.Options{Samples: 1000}},
		"text": {Size: 6}, "images": {Size: 3}, "analysis": {Size: 20},
	}
	for _, name := range workload.Names() {
		t.Run(name, func(t *testing.T) {
			s, ok := sizes[name]
			if !ok {
				t.Fatalf("no size for workload %q", name)
			}
			s.Name = name
			job := newJob(t, s)
			res, err := model.Run(context.Background(), job, model.ProcessesChunk(2, 2))
			if err != nil {
				t.Fatal(err)
			}
			if err := job.Check(res.Digests); err != nil {
				t.Fatal(err)
			}
		})
	}
}
