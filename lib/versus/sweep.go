package versus

import (
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/bench"
	"github.com/go-parallelism/go-parallelism/lib/chart"
)

// SweepSpeedup compares the median time of variant at each point of res's
// sweep over Workers with its time at the first point, which bench's
// Speedup does not do (it compares variants at the same point). label names
// what Workers stands for in the experiment, such as "GOMAXPROCS". It returns
// one line of text per point and a line chart of the speedups, with the
// ideal speedup (Workers over the first point's, at most the machine's
// cores) dashed. The text ends with BusyNote's warning if some point kept
// fewer cores busy than it could (the variant must be CPU-bound, with at
// least as many tasks as cores, for this to mean anything).
func SweepSpeedup(res *bench.Result, variant, label string) (string, *chart.Chart) {
	var b strings.Builder
	var xs, ys, ideal []float64
	var first bench.Stat
	var note string
	for _, p := range res.Sweep {
		s, ok := res.Stat(variant, p)
		if !ok || s.Median <= 0 {
			continue
		}
		if len(xs) == 0 {
			first = s
		}
		sp := float64(first.Median) / float64(s.Median)
		xs, ys = append(xs, float64(p.Workers)), append(ys, sp)
		ideal = append(ideal, float64(min(p.Workers, runtime.NumCPU()))/float64(max(1, min(first.Param.Workers, runtime.NumCPU()))))
		fmt.Fprintf(&b, "  %s=%d: %8v, %.2f× as fast as %s=%d\n", label, p.Workers, s.Median.Round(time.Millisecond), sp, label, first.Param.Workers)
		if note == "" {
			note = BusyNote(res, variant, p, min(max(p.Workers, 1), runtime.NumCPU()))
		}
	}
	b.WriteString(note)
	c := chart.NewLines(fmt.Sprintf("%s: speedup over %s=%d", res.Name, label, first.Param.Workers),
		chart.Series{Name: variant, X: xs, Y: ys},
		chart.Series{Name: fmt.Sprintf("ideal: %s, at most the %d cores", label, runtime.NumCPU()), X: xs, Y: ideal, Dashed: true})
	c.XLabel, c.YLabel = label, "speedup"
	return b.String(), c
}
