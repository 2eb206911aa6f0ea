package workload

import (
	"context"
	"testing"
	"time"
)

// benchSpecs are sized so that a sequential run takes about 0.3-1.5 s on
// two cores.
var benchSpecs = []struct {
	label string
	spec  Spec
}{
	{"scrape", Spec{Name: "scrape", Size: 25, Options: Options{Latency: 20 * time.Millisecond}}},
	{"disk", Spec{Name: "disk", Size: 2000}},
	{"disk-fsync", Spec{Name: "disk", Size: 400, Options: Options{Fsync: true}}},
	{"pipe", Spec{Name: "pipe", Size: 100}},
	{"pipe-latency", Spec{Name: "pipe", Size: 10, Options: Options{Latency: 50 * time.Millisecond}}},
	{"tcp", Spec{Name: "tcp", Size: 200}},
	{"tcp-latency", Spec{Name: "tcp", Size: 50, Options: Options{Rounds: 10, Latency: time.Millisecond}}},
	{"primes", Spec{Name: "primes", Size: 20}},
	{"mandelbrot", Spec{Name: "mandelbrot", Size: 1400}},
	{"montecarlo", Spec{Name: "montecarlo", Size: 40}},
	{"text", Spec{Name: "text", Size: 10000}},
	{"images", Spec{Name: "images", Size: 40}},
	{"analysis", Spec{Name: "analysis", Size: 1500}},
}

// BenchmarkWorkloads runs each workload sequentially and with a goroutine
// per task:
//
//	go test -run XXX -bench Workloads/primes ./lib/workload/
func BenchmarkWorkloads(b *testing.B) {
	for _, bs := range benchSpecs {
		s := bs.spec
		for _, run := range []struct {
			name string
			f    func(context.Context, *Job) ([]string, error)
		}{
			{"sequential", RunSequential},
			{"goroutines", runConcurrently},
		} {
			b.Run(bs.label+"/"+run.name, func(b *testing.B) {
				j, err := New(s)
				if err != nil {
					b.Fatal(err)
				}
				defer j.Close()
				var d []string
				for b.Loop() {
					if d, err = run.f(context.Background(), j); err != nil {
						b.Fatal(err)
					}
				}
				if err := j.Check(d); err != nil {
					b.Fatal(err)
				}
			})
		}
	}
}
