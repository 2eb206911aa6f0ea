package workload_test

import (
	"context"
	"fmt"

	"github.com/go-parallelism/go-parallelism/lib/workload"
	"golang.org/x/sync/errgroup"
)

func Example() {
	job, err := workload.New(workload.Spec{Name: "primes", Size: 4})
	if err != nil {
		panic(err)
	}
	defer job.Close()

	// One goroutine per task; each writes only its own digest.
	digests := make([]string, job.N)
	var g errgroup.Group
	for i := range job.N {
		g.Go(func() (err error) {
			digests[i], err = job.Task(context.Background(), i)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		panic(err)
	}
	fmt.Println(job.Kind, digests, job.Check(digests))
	// Output: CPU-bound [true false true false] <nil>
}

func ExampleMergeSales() {
	job, err := workload.New(workload.Spec{Name: "analysis", Size: 10, Options: workload.Options{Chunk: 2500}})
	if err != nil {
		panic(err)
	}
	defer job.Close()
	digests, err := workload.RunSequential(context.Background(), job)
	if err != nil {
		panic(err)
	}
	groups, _ := workload.MergeSales(digests)
	g := groups[0]
	fmt.Printf("%d tasks; %s %s: %d sales, mean $%.2f\n", job.N, g.Region, g.Product, g.Count, g.Mean()/100)
	fmt.Println(job.Check(digests))
	// Output:
	// 4 tasks; Central Backpack: 272 sales, mean $156.01
	// <nil>
}

// Options are typed; one that the workload does not read is an error, not
// a silent no-op, and so is a value out of range.
func ExampleOptions() {
	_, err := workload.New(workload.Spec{Name: workload.Primes, Size: 7, Options: workload.Options{Grain: 4}})
	fmt.Println(err)
	_, err = workload.New(workload.Spec{Name: workload.Mandelbrot, Size: 100, Options: workload.Options{Grain: 500}})
	fmt.Println(err)
	// Output:
	// workload primes: option Grain (4) is not used by primes; primes uses no options
	// workload mandelbrot: option Grain is 500, want 1..100 (0 for the default, 1)
}
