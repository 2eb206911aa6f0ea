package scaling

import (
	"fmt"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/go-parallelism/go-parallelism/lib/bench"
	"github.com/go-parallelism/go-parallelism/lib/chart"
	"github.com/go-parallelism/go-parallelism/lib/workload"
)

// Speedups returns one series per variant of res, a sweep over workers:
// its speedup at each worker count over a single reference, the median
// time of res's baseline variant at the smallest worker count (one worker
// in the usual sweep, which is sequential code plus a little overhead).
// Unlike bench's Speedup, which compares variants at the same point of the
// sweep, this shows how each variant gains as workers are added.
func Speedups(res *bench.Result) ([]chart.Series, error) {
	if res == nil || len(res.Sweep) == 0 {
		return nil, fmt.Errorf("scaling: no sweep to compute speedups from")
	}
	first := res.Sweep[0]
	for _, p := range res.Sweep {
		if p.Workers < 1 {
			return nil, fmt.Errorf("scaling: speedups need a sweep over workers, got %v", p)
		}
		if p.Workers < first.Workers {
			first = p
		}
	}
	ref, ok := res.Stat(res.Baseline, first)
	if !ok || ref.N == 0 || ref.Median <= 0 {
		return nil, fmt.Errorf("scaling: %s has no successful run at %v", res.Baseline, first)
	}
	var out []chart.Series
	for _, v := range res.Variants {
		s := chart.Series{Name: v}
		for _, p := range res.Sweep {
			if st, ok := res.Stat(v, p); ok && st.N > 0 && st.Median > 0 {
				s.X = append(s.X, float64(p.Workers))
				s.Y = append(s.Y, float64(ref.Median)/float64(st.Median))
			}
		}
		out = append(out, s)
	}
	return out, nil
}

// SpeedupChart draws Speedups against workers with dashed reference lines.
// For CPU-bound work the ideal is one core per worker, so the speedup can
// reach the number of workers but never the number of cores: min(p, NumCPU).
// For I/O-bound work a worker mostly waits, so p workers can overlap p waits
// whatever the cores: the ideal is p, and the core count is drawn too, to
// show the work is not bounded by it.
func SpeedupChart(res *bench.Result, kind workload.Kind) *chart.Chart {
	series, err := Speedups(res)
	if err != nil {
		c := chart.NewLines("speedup: " + err.Error())
		return c
	}
	cpus := max(res.Machine.NumCPU, 1)
	capped := chart.Series{Name: fmt.Sprintf("ideal for computing: min(workers, %d CPUs)", cpus), Dashed: true}
	linear := chart.Series{Name: "ideal for waiting: workers", Dashed: true}
	for _, p := range res.Sweep {
		capped.X = append(capped.X, float64(p.Workers))
		capped.Y = append(capped.Y, float64(min(p.Workers, cpus)))
		linear.X = append(linear.X, float64(p.Workers))
		linear.Y = append(linear.Y, float64(p.Workers))
	}
	if kind == workload.IO {
		series = append(series, linear, capped)
	} else {
		series = append(series, capped)
	}
	c := chart.NewLines(fmt.Sprintf("%s (%s): speedup over %s with 1 worker", res.Name, kind, res.Baseline), series...)
	c.Subtitle = fmt.Sprintf("%s; median of %d runs", res.Machine, res.Reps)
	c.XLabel = "workers"
	c.YLabel = "speedup (x)"
	return c
}

// Predict is Amdahl's law: the speedup on cores cores of a program whose
// serial fraction is serial, 1 / (s + (1-s)/p).
func Predict(serial float64, cores int) float64 {
	if cores < 1 {
		return math.NaN()
	}
	return 1 / (serial + (1-serial)/float64(cores))
}

// Predictions formats, for every fit, its serial fraction, the limit 1/s,
// and the speedups Amdahl's law predicts on each of the given core counts.
func Predictions(fits []bench.Amdahl, cores ...int) string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "variant\tserial fraction\tlimit 1/s\t")
	for _, p := range cores {
		fmt.Fprintf(tw, "%d cores\t", p)
	}
	fmt.Fprintln(tw)
	for _, a := range fits {
		limit := "none"
		if a.Serial > 0 {
			limit = fmt.Sprintf("%.0fx", 1/a.Serial)
		}
		fmt.Fprintf(tw, "%s\t%.3f\t%s\t", a.Variant, a.Serial, limit)
		for _, p := range cores {
			fmt.Fprintf(tw, "%.1fx\t", Predict(a.Serial, p))
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	return b.String()
}

// AmdahlChart draws the speedup Amdahl's law predicts on 1 to maxCores
// cores for every fit, with the ideal line (speedup = cores) dashed. Name
// each fit's Variant after what it measured (for example "primes").
func AmdahlChart(maxCores int, fits ...bench.Amdahl) *chart.Chart {
	maxCores = max(maxCores, 2)
	var series []chart.Series
	for _, a := range fits {
		s := chart.Series{Name: fmt.Sprintf("%s, s = %.3f", a.Variant, a.Serial)}
		for p := 1; p <= maxCores; p++ {
			s.X = append(s.X, float64(p))
			s.Y = append(s.Y, Predict(a.Serial, p))
		}
		series = append(series, s)
	}
	ideal := chart.Series{Name: "ideal: s = 0", Dashed: true}
	for p := 1; p <= maxCores; p++ {
		ideal.X = append(ideal.X, float64(p))
		ideal.Y = append(ideal.Y, float64(p))
	}
	series = append(series, ideal)
	c := chart.NewLines("Amdahl's law: predicted speedup from the measured serial fraction", series...)
	c.XLabel = "cores"
	c.YLabel = "speedup (x)"
	return c
}
