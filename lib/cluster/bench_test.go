package cluster_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/cluster"
	"github.com/go-parallelism/go-parallelism/lib/pool"
	"github.com/go-parallelism/go-parallelism/lib/proc"
	"github.com/go-parallelism/go-parallelism/lib/workload"
)

// BenchmarkOverhead runs 2000 tiny items (a Monte Carlo task of 100 points,
// about a microsecond of work) through the in-process pool and through the
// work queue of an embedded server, with one worker: what remains per item
// is the cost of the queue. ns/item counts the whole Map (creating and
// deleting the stream too); wall-us/item only publishing to last result;
// p50-us is the median time from an item's publication to its result.
func BenchmarkOverhead(b *testing.B) {
	ctx := context.Background()
	c, err := cluster.Open(ctx, "")
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	job, err := workload.New(workload.Spec{Name: workload.MonteCarlo, Size: 2000, Options: workload.Options{Samples: 100}})
	if err != nil {
		b.Fatal(err)
	}
	defer job.Close()
	items := make([]int, job.N)
	for i := range items {
		items[i] = i
	}
	perItem := func(b *testing.B) {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*job.N), "ns/item")
	}
	b.Run("pool", func(b *testing.B) {
		for b.Loop() {
			if _, err := pool.Map(ctx, 1, items, job.Task); err != nil {
				b.Fatal(err)
			}
		}
		perItem(b)
	})
	p, err := proc.NewPool(ctx, 1)
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	for _, v := range []struct {
		name     string
		w        cluster.Workers
		inFlight int
	}{
		{"queue/goroutine/inflight=1", cluster.Goroutines(1), 1},
		{"queue/goroutine/inflight=16", cluster.Goroutines(1), 16},
		{"queue/process/inflight=1", cluster.ProcessPool(p), 1},
		{"queue/process/inflight=16", cluster.ProcessPool(p), 16},
	} {
		b.Run(v.name, func(b *testing.B) {
			var walls, lats []time.Duration
			for b.Loop() {
				res, err := cluster.Map(ctx, c, job, v.w, cluster.Options{InFlight: v.inFlight})
				if err != nil {
					b.Fatal(err)
				}
				walls = append(walls, res.Wall)
				lats = append(lats, res.Latency...)
			}
			perItem(b)
			b.ReportMetric(float64(median(walls).Nanoseconds())/float64(job.N)/1e3, "wall-us/item")
			b.ReportMetric(float64(median(lats).Nanoseconds())/1e3, "p50-us")
		})
	}
}

// BenchmarkThroughput runs 64 Monte Carlo tasks of a million points (a few
// milliseconds each) on 1, 2 and 4 worker processes pulling from the queue,
// and on as many goroutines of the in-process pool. The processes are
// started once, outside the timing.
func BenchmarkThroughput(b *testing.B) {
	ctx := context.Background()
	c, err := cluster.Open(ctx, "")
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	job, err := workload.New(workload.Spec{Name: workload.MonteCarlo, Size: 64})
	if err != nil {
		b.Fatal(err)
	}
	defer job.Close()
	items := make([]int, job.N)
	for i := range items {
		items[i] = i
	}
	itemsPerSec := func(b *testing.B) {
		b.ReportMetric(float64(b.N*job.N)/b.Elapsed().Seconds(), "items/s")
	}
	for _, n := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("pool/workers=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := pool.Map(ctx, n, items, job.Task); err != nil {
					b.Fatal(err)
				}
			}
			itemsPerSec(b)
		})
		p, err := proc.NewPool(ctx, n)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("queue/processes=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := cluster.Map(ctx, c, job, cluster.ProcessPool(p), cluster.Options{}); err != nil {
					b.Fatal(err)
				}
			}
			itemsPerSec(b)
		})
		p.Close()
	}
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
