package proc_test

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/proc"
)

// BenchmarkStartup starts and closes a pool of one worker; start-up is the
// time from starting the process to its first message (p50 and p90 are
// reported), and ns/op includes the shutdown.
func BenchmarkStartup(b *testing.B) {
	var starts []time.Duration
	for b.Loop() {
		p, err := proc.NewPool(context.Background(), 1)
		if err != nil {
			b.Fatal(err)
		}
		starts = append(starts, p.StartTimes()...)
		p.Close()
	}
	slices.Sort(starts)
	b.ReportMetric(float64(starts[len(starts)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(starts[len(starts)*9/10].Microseconds())/1000, "p90-ms")
}

// BenchmarkRoundTrip sends one task at a time to one worker: the cost of a
// call that does nothing, pipes and JSON both ways.
func BenchmarkRoundTrip(b *testing.B) {
	p, err := proc.NewPool(context.Background(), 1)
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	ctx := context.Background()
	for b.Loop() {
		if _, err := pid.Call(ctx, p, 0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMapChunks maps a trivial task over 1000 inputs with 2 workers:
// chunks amortise the round trip.
func BenchmarkMapChunks(b *testing.B) {
	p, err := proc.NewPool(context.Background(), 2)
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	args := make([]int, 1000)
	for _, chunk := range []int{1, 10, 100} {
		b.Run("chunk="+itoa(chunk), func(b *testing.B) {
			for b.Loop() {
				if _, err := pid.Map(context.Background(), p, args, chunk); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(args)), "ns/task")
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
