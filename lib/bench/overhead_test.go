package bench

import (
	"context"
	"testing"
	"time"
)

// BenchmarkOverhead times a variant that keeps a core busy for 1ms, once
// directly and once through the harness, alternately, and reports from the
// medians (robust to the odd preempted run):
//
//   - overhead-%: the extra elapsed time of a measured run, counting all the
//     harness does around the variant (sampler hand-off, getrusage,
//     runtime/metrics, trace recorder, collecting spans);
//   - bias-%: how much longer the recorded wall time is than the direct
//     measurement of the same work.
//
// Both must stay under 1%.
func BenchmarkOverhead(b *testing.B) {
	work := func(context.Context, Param) error { spin(time.Millisecond); return nil }
	v := Variant{Name: "spin", Run: work}
	m := newMeter(time.Millisecond)
	defer m.close()
	var direct, total, recorded []time.Duration
	for b.Loop() {
		start := time.Now()
		work(context.Background(), Param{})
		direct = append(direct, time.Since(start))

		start = time.Now()
		r := m.run(context.Background(), v, Param{}, 0)
		total = append(total, time.Since(start))
		recorded = append(recorded, r.Wall)
	}
	d := float64(Median(direct))
	b.ReportMetric(100*(float64(Median(total))-d)/d, "overhead-%")
	b.ReportMetric(100*(float64(Median(recorded))-d)/d, "bias-%")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkRunCost is the harness's fixed cost per run, with an empty variant.
func BenchmarkRunCost(b *testing.B) {
	m := newMeter(time.Millisecond)
	defer m.close()
	v := Variant{Name: "empty", Run: noop}
	for b.Loop() {
		m.run(context.Background(), v, Param{}, 0)
	}
}
