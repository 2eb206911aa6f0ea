package chart_test

import (
	"fmt"
	"time"

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
	c := chart.NewLines("speedup on 2 cores", measured, ideal)
	c.XLabel, c.YLabel = "workers", "speedup (x)"
	if err := c.WriteHTML("speedup.html"); err != nil { // a page that works without a notebook
		fmt.Println(err)
	}
}
