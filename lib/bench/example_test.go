package bench_test

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/bench"
	"github.com/go-parallelism/go-parallelism/lib/span"
)

// work stands for a CPU-bound task.
func work(i int) int {
	s := 0
	for j := range 100_000 {
		s += (i + j) % 7
	}
	return s
}

func sequential(ctx context.Context, _ bench.Param) error {
	for i := range 64 {
		done := span.Task(ctx, i, 0)
		work(i)
		done(nil)
	}
	return nil
}

func goroutines(ctx context.Context, p bench.Param) error {
	var wg sync.WaitGroup
	for w := range p.Workers {
		wg.Go(func() {
			for i := w; i < 64; i += p.Workers {
				done := span.Task(ctx, i, w)
				work(i)
				done(nil)
			}
		})
	}
	wg.Wait()
	return nil
}

// Run times each variant at each point of the sweep. Its timings differ
// from run to run; what it ran does not.
func Example() {
	res, err := bench.Run(context.Background(), bench.Experiment{
		Name: "work", Reps: 3, Warmup: 1,
		Sweep:    bench.Workers(1, 2),
		Variants: []bench.Variant{{Name: "sequential", Run: sequential}, {Name: "goroutines", Run: goroutines}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// fmt.Println(res) prints the table: median, min, max, spread,
	// cpu/wall, speedup...
	fmt.Println(len(res.Runs), "runs; baseline:", res.Baseline)
	for _, s := range res.Stats() {
		fmt.Printf("%s %-10s %d runs, %d errors, %d spans in the median run\n",
			s.Param, s.Variant, s.N, s.Errors, len(res.Spans(s.Variant, s.Param)))
	}
	// Output:
	// 12 runs; baseline: sequential
	// workers=1 sequential 3 runs, 0 errors, 64 spans in the median run
	// workers=1 goroutines 3 runs, 0 errors, 64 spans in the median run
	// workers=2 sequential 3 runs, 0 errors, 64 spans in the median run
	// workers=2 goroutines 3 runs, 0 errors, 64 spans in the median run
}

// timed builds a result from known times, as if measured on 2 cores: the
// sequential variant takes 800ms whatever the workers, and the goroutines
// spend 80ms on a serial part plus 720ms shared by the cores they can use.
func timed() *bench.Result {
	res := &bench.Result{Name: "known times", Machine: bench.Machine{NumCPU: 2, GOMAXPROCS: 2},
		Variants: []string{"sequential", "goroutines"}, Baseline: "sequential", Reps: 1,
		Sweep: bench.Workers(1, 2, 4)}
	for _, p := range res.Sweep {
		cores := time.Duration(min(p.Workers, 2))
		res.Runs = append(res.Runs,
			bench.Record{Variant: "sequential", Param: p, Wall: 800 * time.Millisecond},
			bench.Record{Variant: "goroutines", Param: p, Wall: 80*time.Millisecond + 720*time.Millisecond/cores})
	}
	return res
}

// Speedup is the baseline's median time over a variant's. In a sweep over
// workers alone, the baseline is taken at the fewest workers, so the
// speedup reads T(1)/T(p).
func ExampleResult_Speedup() {
	gains, err := timed().Speedup("")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(gains)
	// Output:
	//      param     variant  speedup  cpus  efficiency
	//   workers=1  sequential    1.00x     1        100%
	//   workers=1  goroutines    1.00x     1        100%
	//   workers=2  sequential    1.00x     2         50%
	//   workers=2  goroutines    1.82x     2         91%
	//   workers=4  sequential    1.00x     2         50%
	//   workers=4  goroutines    1.82x     2         91%
}

// Amdahl fits the serial fraction to the times, and Predict says what it
// means on machines with more cores.
func ExampleResult_Amdahl() {
	fit, err := timed().Amdahl("goroutines")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("serial fraction %.2f, at most %.0fx on any number of cores\n", fit.Serial, fit.Limit)
	fmt.Print(bench.Predictions([]bench.Amdahl{fit}, 2, 8, 64))
	// Output:
	// serial fraction 0.10, at most 10x on any number of cores
	//      variant  serial fraction  limit 1/s  2 cores  8 cores  64 cores
	//   goroutines            0.100        10x     1.8x     4.7x      8.8x
}

func ExampleRun_badInput() {
	_, err := bench.Run(context.Background(), bench.Experiment{Name: "x", Reps: 0,
		Variants: []bench.Variant{{Name: "a", Run: sequential}}})
	fmt.Println(err)
	// Output: bench: Reps is 0, want at least 1
}
