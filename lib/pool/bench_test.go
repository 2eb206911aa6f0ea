package pool_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/go-parallelism/go-parallelism/lib/pool"
)

// primes are large primes (about 10^13): checking one by trial division
// takes a few milliseconds of pure CPU.
var primes = []int64{
	10000000000037, 10000000000051, 10000000000099, 10000000000129,
	10000000000183, 10000000000259, 10000000000267, 10000000000273,
	10000000000279, 10000000000303, 10000000000331, 10000000000357,
	10000000000399, 10000000000403, 10000000000433, 10000000000459,
}

func isPrime(n int64) bool {
	if n < 2 || n%2 == 0 {
		return n == 2
	}
	for d := int64(3); d*d <= n; d += 2 {
		if n%d == 0 {
			return false
		}
	}
	return true
}

func check(_ context.Context, i int) (bool, error) { return isPrime(primes[i]), nil }

// BenchmarkPrimes compares the ways to run the same CPU-bound tasks. On a
// machine with c cores the goroutine models should take about 1/c of the
// sequential time.
func BenchmarkPrimes(b *testing.B) {
	ctx := context.Background()
	n, cores := len(primes), runtime.GOMAXPROCS(0)
	b.Run("sequential", func(b *testing.B) {
		for b.Loop() {
			for i := range n {
				check(ctx, i)
			}
		}
	})
	b.Run("spawn", func(b *testing.B) {
		for b.Loop() {
			pool.Spawn(ctx, n, check)
		}
	})
	b.Run("workers", func(b *testing.B) {
		for b.Loop() {
			pool.Workers(ctx, cores, n, check)
		}
	})
	b.Run("map", func(b *testing.B) {
		for b.Loop() {
			pool.Map(ctx, cores, primes, func(_ context.Context, p int64) (bool, error) { return isPrime(p), nil })
		}
	})
	b.Run("group", func(b *testing.B) {
		for b.Loop() {
			pool.Group(ctx, cores, n, check)
		}
	})
	b.Run("limit", func(b *testing.B) {
		for b.Loop() {
			pool.Limit(ctx, cores, n, check)
		}
	})
}

// BenchmarkOverhead measures what each model costs per task when the task
// itself does nothing.
func BenchmarkOverhead(b *testing.B) {
	ctx := context.Background()
	nop := func(context.Context, int) (int, error) { return 0, nil }
	const n = 1000
	b.Run("spawn", func(b *testing.B) {
		for b.Loop() {
			pool.Spawn(ctx, n, nop)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/task")
	})
	b.Run("workers", func(b *testing.B) {
		for b.Loop() {
			pool.Workers(ctx, 2, n, nop)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/task")
	})
}
