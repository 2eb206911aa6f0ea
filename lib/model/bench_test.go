package model_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/model"
	"github.com/go-parallelism/go-parallelism/lib/workload"
)

// chunkFor is multiprocessing.Pool.map's default chunk size: the tasks split
// in about four chunks per worker.
func chunkFor(n, workers int) int {
	c, extra := n/(workers*4), n%(workers*4)
	if extra > 0 {
		c++
	}
	return max(c, 1)
}

// BenchmarkModels runs workloads under the models that make sense for them.
// The sub-benchmark names are workload/model, for benchstat:
//
//	go test -run XXX -bench Models -benchtime 3x ./lib/model
//	go test -run XXX -bench 'Models/primes/' -benchtime 3x -count 6 ./lib/model | tee new.txt
func BenchmarkModels(b *testing.B) {
	const w = 2 // the course machine's cores
	// cpu lists the models for a CPU-bound job of n tasks.
	cpu := func(n int) []model.Model {
		return []model.Model{model.Sequential, model.Goroutines, model.Pool(w),
			model.ProcessesChunk(w, chunkFor(n, w)), model.GIL(model.OneCore, model.Goroutines)}
	}
	all := func(n int) []model.Model { return append(model.All(w), model.ProcessesChunk(w, chunkFor(n, w))) }
	io := func(int) []model.Model {
		return []model.Model{model.Sequential, model.Goroutines, model.Pool(w), model.Pool(8), model.Async,
			model.EventLoop, model.GIL(model.OneCore, model.Goroutines)}
	}
	fetchers := func(int) []model.Model {
		return []model.Model{model.Goroutines, model.Async, model.EventLoop, model.Semaphore(100),
			model.GIL(model.OneCore, model.Goroutines)}
	}
	manyFetchers := func(int) []model.Model { return []model.Model{model.Goroutines, model.Async, model.EventLoop} }
	cases := []struct {
		label  string
		spec   workload.Spec
		models func(n int) []model.Model
	}{
		{"primes", workload.Spec{Name: "primes", Size: 20}, all},
		{"mandelbrot", workload.Spec{Name: "mandelbrot", Size: 1400}, cpu},
		{"montecarlo", workload.Spec{Name: "montecarlo", Size: 40}, cpu},
		{"text", workload.Spec{Name: "text", Size: 10000}, cpu},
		{"images", workload.Spec{Name: "images", Size: 40}, cpu},
		{"analysis", workload.Spec{Name: "analysis", Size: 1500}, cpu},
		{"fetch160", workload.Spec{Name: "scrape", Size: 160, Options: workload.Options{Latency: 100 * time.Millisecond}}, fetchers},
		{"fetch10000", workload.Spec{Name: "scrape", Size: 10000, Options: workload.Options{Latency: 100 * time.Millisecond}}, manyFetchers},
		{"disk", workload.Spec{Name: "disk", Size: 2000}, io},
		{"tcp", workload.Spec{Name: "tcp", Size: 200}, io},
		{"pipe", workload.Spec{Name: "pipe", Size: 100}, io},
	}
	for _, c := range cases {
		b.Run(c.label, func(b *testing.B) {
			job, err := workload.New(c.spec)
			if err != nil {
				b.Fatal(err)
			}
			defer job.Close()
			for _, m := range c.models(job.N) {
				b.Run(m.Name, func(b *testing.B) {
					var res model.Result
					for b.Loop() {
						var err error
						if res, err = model.Run(context.Background(), job, m); err != nil {
							b.Fatal(err)
						}
					}
					if err := job.Check(res.Digests); err != nil {
						b.Fatal(fmt.Errorf("%s: %w", m.Name, err))
					}
				})
			}
		})
	}
}
