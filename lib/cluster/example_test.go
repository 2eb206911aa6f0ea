package cluster_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/cluster"
	"github.com/go-parallelism/go-parallelism/lib/workload"
)

// Map a workload over a work queue on an embedded server, with two worker
// goroutines.
func ExampleMap() {
	ctx := context.Background()
	c, err := cluster.Open(ctx, "") // "" starts an embedded server on 127.0.0.1
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()

	job, err := workload.New(workload.Spec{Name: workload.Primes, Size: 4})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer job.Close()
	res, err := cluster.Map(ctx, c, job, cluster.Goroutines(2), cluster.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("results:", len(res.Digests), "check:", job.Check(res.Digests))
	fmt.Println("redelivered:", res.Redelivered, "stream leader:", res.LeaderBefore)
	// Output:
	// results: 4 check: <nil>
	// redelivered: 0 stream leader: embedded
}

// An item that kills its worker comes back until MaxDeliver, then is a dead
// letter.
func ExampleFaults() {
	ctx := context.Background()
	c, err := cluster.Open(ctx, "")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	job, err := workload.New(workload.Spec{Name: workload.Primes, Size: 4})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer job.Close()
	res, err := cluster.Map(ctx, c, job, cluster.Goroutines(2), cluster.Options{
		AckWait: 100 * time.Millisecond, MaxDeliver: 2, Faults: cluster.Faults{Poison: []int{1}},
	})
	var poison *cluster.PoisonError
	if errors.As(err, &poison) {
		fmt.Printf("item %d given up after %d deliveries\n", poison.Item, poison.Deliveries)
	}
	for _, d := range res.DeadLetters {
		fmt.Println("dead letter: item", d.Item)
	}
	done := 0
	for _, d := range res.Digests {
		if d != "" {
			done++
		}
	}
	fmt.Println("items done:", done, "of", job.N)
	// Output:
	// item 1 given up after 2 deliveries
	// dead letter: item 1
	// items done: 3 of 4
}
