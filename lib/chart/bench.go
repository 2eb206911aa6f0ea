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
	c.XLabel = sweptName(res)
	c.YLabel = "time (" + name + ")"
	return c
}

// Speedup draws every variant's speedup over the result's baseline against
// the swept parameter, with the ideal speedup when workers are swept: the
// number of workers, but never more than the machine's cores.
func Speedup(res *bench.Result) *Chart {
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
	if sweptName(res) == "workers" {
		ideal := Series{Name: fmt.Sprintf("ideal (%d CPUs)", res.Machine.NumCPU), Dashed: true}
		for _, p := range res.Sweep {
			ideal.X = append(ideal.X, float64(p.Workers))
			ideal.Y = append(ideal.Y, float64(min(p.Workers, max(res.Machine.NumCPU, 1))))
		}
		series = append(series, ideal)
	}
	c := NewLines(fmt.Sprintf("%s: speedup over %s", res.Name, res.Baseline), series...)
	c.Subtitle = machine(res)
	c.XLabel = sweptName(res)
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
