package chart_test

import (
	"fmt"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/bench"
	"github.com/go-parallelism/go-parallelism/lib/chart"
	"github.com/go-parallelism/go-parallelism/lib/span"
)

func Example() {
	spans := []span.Span{
		{Task: 0, Worker: 0, Start: 0, End: 3 * time.Millisecond},
		{Task: 1, Worker: 1, Start: 0, End: 2 * time.Millisecond},
		{Task: 2, Worker: 1, Start: 2 * time.Millisecond, End: 4 * time.Millisecond},
	}
	c := chart.Timeline(spans)
	// In a notebook cell, nb.Show(c) shows it: the interactive chart over
	// its static image.
	fmt.Println(c.Kind(), c.Title, c.Categories())
	// Output: timeline 3 tasks on 2 workers [w0 w1]
}

func ExampleNewLines() {
	ideal := chart.Series{Name: "ideal", X: []float64{1, 2, 4}, Y: []float64{1, 2, 2}, Dashed: true}
	measured := chart.Series{Name: "pool", X: []float64{1, 2, 4}, Y: []float64{1, 1.8, 1.9}}
	c := chart.NewLines("speedup on 2 cores", measured, ideal).XAxis("workers", "count").YAxis("speedup", "x")
	if err := c.WriteHTML("speedup.html"); err != nil { // a page that works without a notebook
		fmt.Println(err)
	}
}

// Speedup reads a bench.Result: here one with known times, as if measured
// on 2 cores, of a pool that halves its time with each core it gets.
func ExampleSpeedup() {
	res := &bench.Result{Name: "primes", Machine: bench.Machine{NumCPU: 2, GOMAXPROCS: 2},
		Variants: []string{"pool"}, Baseline: "pool", Reps: 1, Sweep: bench.Workers(1, 2, 4)}
	for _, p := range res.Sweep {
		res.Runs = append(res.Runs, bench.Record{Variant: "pool", Param: p, Wall: time.Second / time.Duration(min(p.Workers, 2))})
	}
	c := chart.Speedup(res)
	fmt.Println(c.Title)
	for _, s := range c.Series() {
		fmt.Println(s.Name, s.X, s.Y)
	}
	// Output:
	// primes: speedup over pool with 1 worker(s)
	// pool [1 2 4] [1 2 2]
	// ideal for computing: min(workers, 2 CPUs) [1 2 4] [1 2 2]
}

// Lint says what reads badly: here, bars of a start-up cost whose axis does
// not say in what unit.
func ExampleChart_Lint() {
	c := chart.NewBars("start one and wait", []string{"goroutine", "OS thread", "process"},
		chart.Series{Name: "start", Y: []float64{0.35, 61, 1100}})
	for _, p := range c.Lint() {
		fmt.Println(p.Kind)
	}
	c.YAxis("time", "µs")
	fmt.Println(len(c.Lint()), "problems once the axis names its unit")
	// Output:
	// axis without a unit
	// 0 problems once the axis names its unit
}
