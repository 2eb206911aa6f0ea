package chart

import (
	"fmt"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/bench"
	"github.com/go-parallelism/go-parallelism/lib/span"
)

// Times compares the median wall time of every variant at every point of
// the sweep, as bars.
func Times(res *bench.Result) *Chart {
	if res == nil || len(res.Runs) == 0 {
		return noData(NewBars("median wall time", nil))
	}
	var longest time.Duration
	for _, s := range res.Stats() {
		longest = max(longest, s.Median)
	}
	unit, name := unitFor(longest)
	var cats []string
	for _, p := range res.Sweep {
		cats = append(cats, p.String())
	}
	if len(cats) == 1 && cats[0] == "-" {
		cats[0] = res.Name
	}
	var series []Series
	for _, v := range res.Variants {
		s := Series{Name: v}
		for _, p := range res.Sweep {
			st, _ := res.Stat(v, p)
			s.Y = append(s.Y, float64(st.Median)/float64(unit))
		}
		series = append(series, s)
	}
	c := NewBars(res.Name+": median wall time", cats, series...)
	c.Subtitle = machine(res)
	c.YLabel = "time (" + name + ")"
	c.XLabel = sweptName(res)
	return c
}

// Scaling draws the median wall time of every variant against the swept
// parameter (usually workers), as lines.
func Scaling(res *bench.Result) *Chart {
	if res == nil || len(res.Runs) == 0 {
		return noData(NewLines("median wall time"))
	}
	var longest time.Duration
	for _, s := range res.Stats() {
		longest = max(longest, s.Median)
	}
	unit, name := unitFor(longest)
	x := sweptValue(res)
	var series []Series
	for _, v := range res.Variants {
		s := Series{Name: v}
		for _, p := range res.Sweep {
			if st, ok := res.Stat(v, p); ok && st.N > 0 {
				s.X = append(s.X, x(p))
				s.Y = append(s.Y, float64(st.Median)/float64(unit))
			}
		}
		series = append(series, s)
	}
	c := NewLines(res.Name+": median wall time", series...)
	c.Subtitle = machine(res)
	c.XLabel = sweptAxis(res)
	c.YLabel = "time (" + name + ")"
	return c
}

// Ideal is a dashed reference line on a Speedup chart: what a perfect
// program would gain from more workers.
type Ideal int

const (
	// Computing is the ideal of CPU-bound work: a worker needs a core, so
	// the speedup grows with the workers but never past the cores the run
	// recorded (Result.Machine.NumCPU): min(workers, NumCPU).
	Computing Ideal = iota
	// Waiting is the ideal of I/O-bound work: a worker mostly waits, so p
	// workers overlap p waits whatever the cores, and the speedup is p.
	Waiting
)

// Speedup draws every variant's speedup (Result.Speedup) against the swept
// parameter. When the sweep varies workers it adds the ideal lines asked
// for, Computing if none is, each relative to the point speedups are
// measured from (the fewest workers).
func Speedup(res *bench.Result, ideals ...Ideal) *Chart {
	if res == nil || len(res.Runs) == 0 {
		return noData(NewLines("speedup"))
	}
	gains, err := res.Speedup("")
	if err != nil {
		return noData(NewLines("speedup"))
	}
	x := sweptValue(res)
	var series []Series
	for _, v := range res.Variants {
		s := Series{Name: v}
		for _, g := range gains {
			if g.Variant == v {
				s.X = append(s.X, x(g.Param))
				s.Y = append(s.Y, g.Speedup)
			}
		}
		series = append(series, s)
	}
	title := fmt.Sprintf("%s: speedup over %s", res.Name, res.Baseline)
	if ref, ok := res.Reference(); ok {
		title += fmt.Sprintf(" with %d worker(s)", ref.Workers)
	}
	if sweptName(res) == "workers" {
		if len(ideals) == 0 {
			ideals = []Ideal{Computing}
		}
		for _, i := range ideals {
			series = append(series, ideal(res, i))
		}
	}
	c := NewLines(title, series...)
	c.Subtitle = machine(res)
	c.XLabel = sweptAxis(res)
	c.YLabel = "speedup (x)"
	return c
}

// ideal is the dashed line of i over res's sweep of workers.
func ideal(res *bench.Result, i Ideal) Series {
	cpus := max(res.Machine.NumCPU, 1)
	gain := func(workers int) float64 { return float64(workers) }
	s := Series{Name: "ideal for waiting: workers", Dashed: true}
	if i == Computing {
		gain = func(workers int) float64 { return float64(min(workers, cpus)) }
		s.Name = fmt.Sprintf("ideal for computing: min(workers, %d CPUs)", cpus)
	}
	ref := res.Sweep[0].Workers
	for _, p := range res.Sweep {
		ref = min(ref, p.Workers)
	}
	ref = max(ref, 1)
	for _, p := range res.Sweep {
		s.X = append(s.X, float64(p.Workers))
		s.Y = append(s.Y, gain(p.Workers)/gain(ref))
	}
	return s
}

// Amdahl draws the speedup Amdahl's law predicts (Amdahl.Predict) on 1 to
// maxCores cores for every fit, with the ideal line (speedup = cores)
// dashed. Name each fit's Variant after what it measured (for example
// "primes").
func Amdahl(maxCores int, fits ...bench.Amdahl) *Chart {
	maxCores = max(maxCores, 2)
	var series []Series
	for _, a := range fits {
		s := Series{Name: fmt.Sprintf("%s, s = %.3f", a.Variant, a.Serial)}
		for p := 1; p <= maxCores; p++ {
			s.X = append(s.X, float64(p))
			s.Y = append(s.Y, a.Predict(p))
		}
		series = append(series, s)
	}
	ideal := Series{Name: "ideal: s = 0", Dashed: true}
	for p := 1; p <= maxCores; p++ {
		ideal.X = append(ideal.X, float64(p))
		ideal.Y = append(ideal.Y, float64(p))
	}
	series = append(series, ideal)
	c := NewLines("Amdahl's law: predicted speedup from the measured serial fraction", series...)
	c.XLabel = "cores (count)"
	c.YLabel = "speedup (x)"
	return c
}

// Timeline draws spans (for example Result.Spans of one run) with a title
// that counts tasks and workers.
func Timeline(spans []span.Span) *Chart {
	workers := map[int]bool{}
	for _, s := range spans {
		workers[s.Worker] = true
	}
	return NewTimeline(fmt.Sprintf("%d tasks on %d workers", len(spans), len(workers)), spans)
}

// TaskLatency is a histogram of how long each task took.
func TaskLatency(spans []span.Span) *Chart {
	ds := make([]time.Duration, len(spans))
	for i, s := range spans {
		ds[i] = s.End - s.Start
	}
	return NewLatency(fmt.Sprintf("task latency, %d tasks", len(spans)), ds, 0)
}

func noData(c *Chart) *Chart {
	c.note = "no data"
	return c
}

func machine(res *bench.Result) string {
	m := res.Machine
	return fmt.Sprintf("%d CPUs, GOMAXPROCS=%d, %s, %s/%s; median of %d runs", m.NumCPU, m.GOMAXPROCS, m.GoVersion, m.GOOS, m.GOARCH, res.Reps)
}

// sweptName names the parameter that varies across the sweep.
func sweptName(res *bench.Result) string {
	vary := func(f func(bench.Param) int) bool {
		for _, p := range res.Sweep {
			if f(p) != f(res.Sweep[0]) {
				return true
			}
		}
		return false
	}
	switch {
	case vary(func(p bench.Param) int { return p.Workers }):
		return "workers"
	case vary(func(p bench.Param) int { return p.Tasks }):
		return "tasks"
	case vary(func(p bench.Param) int { return p.Size }):
		return "size"
	}
	return ""
}

// sweptAxis names the x axis of a chart over the sweep, with its unit.
func sweptAxis(res *bench.Result) string {
	switch n := sweptName(res); n {
	case "workers", "tasks":
		return n + " (count)"
	case "size":
		return "size (n)"
	}
	return "point of the sweep (index)"
}

// sweptValue returns the x coordinate of a sweep point.
func sweptValue(res *bench.Result) func(bench.Param) float64 {
	switch sweptName(res) {
	case "workers":
		return func(p bench.Param) float64 { return float64(p.Workers) }
	case "tasks":
		return func(p bench.Param) float64 { return float64(p.Tasks) }
	case "size":
		return func(p bench.Param) float64 { return float64(p.Size) }
	}
	index := map[bench.Param]float64{}
	for i, p := range res.Sweep {
		index[p] = float64(i)
	}
	return func(p bench.Param) float64 { return index[p] }
}
