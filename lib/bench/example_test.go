package bench_test

import (
	"context"
	"fmt"
	"sync"

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

func Example() {
	res, err := bench.Run(context.Background(), bench.Experiment{
		Name: "work", Reps: 3, Warmup: 1,
		Sweep:    bench.Workers(1, 2, 4),
		Variants: []bench.Variant{{Name: "sequential", Run: sequential}, {Name: "goroutines", Run: goroutines}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res) // the table: median, min, max, spread, cpu/wall, speedup...

	gains, _ := res.Speedup("sequential")
	fmt.Println(gains)

	fit, err := res.Amdahl("goroutines")
	if err == nil {
		fmt.Println(fit) // serial fraction, and Karp-Flatt at each worker count
	}
}

func ExampleRun_badInput() {
	_, err := bench.Run(context.Background(), bench.Experiment{Name: "x", Reps: 0,
		Variants: []bench.Variant{{Name: "a", Run: sequential}}})
	fmt.Println(err)
	// Output: bench: Reps is 0, want at least 1
}
