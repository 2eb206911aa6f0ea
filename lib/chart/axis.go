package chart

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// YAxis names the y axis after the quantity it shows and its unit, as
// "time (µs)", and returns c, so that it chains after a constructor:
//
//	chart.NewBars("start one and wait", names, s).YAxis("time", "µs")
//
// Every value axis needs a unit (Lint reports one without); a count's unit
// is "count", a ratio's "x".
func (c *Chart) YAxis(name, unit string) *Chart {
	c.YLabel = axisLabel(name, unit)
	return c
}

// XAxis names the x axis as YAxis names the y axis. Bars have categories on
// their x axis, which need a name at most.
func (c *Chart) XAxis(name, unit string) *Chart {
	c.XLabel = axisLabel(name, unit)
	return c
}

func axisLabel(name, unit string) string {
	if unit == "" {
		return name
	}
	return strings.TrimSpace(name + " (" + unit + ")")
}

// unitRE matches an axis label that ends with its unit in parentheses.
var unitRE = regexp.MustCompile(`^.*\S\s*\(\s*([^()]*[^()\s])\s*\)\s*$`)

// unitOf returns the unit an axis label names, or "".
func unitOf(label string) string {
	m := unitRE.FindStringSubmatch(label)
	if m == nil {
		return ""
	}
	return m[1]
}

// valueAxes names the axes of c that carry numbers (and so need a unit),
// with their labels.
func (c *Chart) valueAxes() map[string]string {
	switch c.kind {
	case kindBars:
		return map[string]string{"y": c.YLabel}
	case kindHistogram, kindLines:
		return map[string]string{"x": c.XLabel, "y": c.YLabel}
	case kindTimeline:
		return map[string]string{"x": c.XLabel}
	}
	return nil
}

// scale is a value axis as both renderings draw it: the same range and the
// same labelled ticks, so that the interactive chart and the image agree.
type scale struct {
	log      bool
	base     float64 // of a log axis: 2 or 10
	min, max float64
	step     float64 // of a linear axis: between labelled ticks
	whole    bool    // counts whole things: no minor tick at 1.5 workers
}

// logSpread is the ratio between the largest and smallest value past which
// a line chart's axis turns logarithmic: on a linear one the small values
// lie flat on the floor (a goroutine's start cost next to a process's).
const logSpread = 20

// logScale returns a logarithmic axis for vals if they are all positive and
// differ by more than spread. Base 2 suits the usual sweeps of workers and
// speedups (1, 2, 4, ... 64); past that range, powers of ten.
func logScale(vals []float64, spread float64) (scale, bool) {
	lo, hi := math.Inf(1), 0.0
	for _, v := range vals {
		if !(v > 0) || math.IsInf(v, 0) {
			return scale{}, false
		}
		lo, hi = min(lo, v), max(hi, v)
	}
	if len(vals) == 0 || hi/lo <= spread {
		return scale{}, false
	}
	base := 2.0
	if hi/lo > 128 {
		base = 10
	}
	exp := func(v float64) float64 { return math.Log(v) / math.Log(base) }
	// Round, so that a value that is a power (8 workers) is not pushed a
	// whole power further by floating-point noise.
	a := math.Floor(exp(lo) + 1e-9)
	b := math.Ceil(exp(hi) - 1e-9)
	if b == a {
		b++
	}
	return scale{log: true, base: base, min: math.Pow(base, a), max: math.Pow(base, b)}, true
}

// linearScale returns an axis from zero (or below, for negative values) to
// a round number above hi, leaving the top fraction room of the plot free
// for value labels; about five labelled ticks.
func linearScale(lo, hi, room float64) scale {
	lo, hi = min(lo, 0), max(hi, 0)
	if hi == lo {
		hi = lo + 1
	}
	top := hi
	if hi > 0 {
		top = hi / (1 - room)
	}
	// The step of 1, 2 or 5 times a power of ten that gives 3 to 7
	// intervals and ends the axis soonest above top.
	var s scale
	for _, raw := range []float64{(top - lo) / 6, (top - lo) / 5, (top - lo) / 4, (top - lo) / 3} {
		step := niceStep(raw)
		c := scale{min: math.Floor(lo/step+1e-9) * step, max: math.Ceil(top/step-1e-9) * step, step: step}
		if s.step == 0 || c.max-c.min < s.max-s.min-1e-9*step {
			s = c
		}
	}
	if s.max <= s.min {
		s.max = s.min + s.step
	}
	return s
}

// rangeScale returns a linear axis over lo..hi widened to round ticks: the
// step of 1, 2 or 5 times a power of ten (at least minStep), 3 to 8 of
// them, that wastes the least room, the larger step on a tie (a
// histogram's bins from 25 to 155 ms: 20 to 160 by 20).
func rangeScale(lo, hi, minStep float64) scale {
	if !(hi > lo) {
		hi = lo + 1
	}
	var s scale
	for n := 3; n <= 8; n++ {
		step := max(niceStep((hi-lo)/float64(n)), minStep)
		c := scale{min: math.Floor(lo/step+1e-9) * step, max: math.Ceil(hi/step-1e-9) * step, step: step}
		if s.step == 0 || c.max-c.min < s.max-s.min-1e-9*step {
			s = c
		}
	}
	return s
}

// xBins is the x axis of a histogram.
func (c *Chart) xBins() scale {
	if len(c.bins) == 0 {
		return rangeScale(0, 1, 0)
	}
	return rangeScale(c.bins[0], c.bins[len(c.bins)-1], 0)
}

// xTime is the time axis of a timeline: from zero to a round number at or
// past the last span's end.
func (c *Chart) xTime() scale {
	var end float64
	for _, s := range c.spans {
		end = max(end, float64(s.End)/float64(max(c.timeUnit, 1)))
	}
	return rangeScale(0, end, 0)
}

// tidy rounds the ends and step of a linear scale to 12 significant
// digits: 6 * 0.2 is 1.2000000000000002, which ECharts would measure for
// room as it stands (and the reader would see in a tooltip).
func (s scale) tidy() scale {
	if s.log {
		return s
	}
	r := func(v float64) float64 { f, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 12, 64), 64); return f }
	s.min, s.max, s.step = r(s.min), r(s.max), r(s.step)
	return s
}

type tick struct {
	value float64
	label string // empty for a minor tick
}

// ticks are the scale's ticks: every step of a linear axis, every power of
// a log axis, each with its label, plus unlabelled minor ticks between.
func (s scale) ticks() []tick {
	var ts []tick
	if s.log {
		for v := s.min; v <= s.max*(1+1e-9); v *= s.base {
			ts = append(ts, tick{v, formatTick(v, 0, true)})
			if s.base == 10 && v < s.max*(1-1e-9) {
				for _, m := range []float64{2, 5} {
					ts = append(ts, tick{value: v * m})
				}
			}
		}
		return ts
	}
	n := int(math.Round((s.max - s.min) / s.step))
	for i := 0; i <= n; i++ {
		v := s.min + float64(i)*s.step
		v = math.Round(v/s.step) * s.step // no 0.30000000000000004
		ts = append(ts, tick{v, formatTick(v, s.step, false)})
		if i < n && !(s.whole && s.step == 1) {
			ts = append(ts, tick{value: v + s.step/2})
		}
	}
	return ts
}

// formatTick writes an axis label as ECharts does: digits grouped with
// commas, as many decimals as the step needs (log axes: as the value
// needs), but no trailing zeros.
func formatTick(v, step float64, log bool) string {
	decimals := 0
	switch {
	case log && v < 1:
		decimals = int(math.Ceil(-math.Log10(v) - 1e-9))
	case !log && step < 1:
		decimals = int(math.Ceil(-math.Log10(step) - 1e-9))
		// A step of 0.25 needs two decimals, not one.
		for decimals < 10 && math.Abs(step*math.Pow(10, float64(decimals))-math.Round(step*math.Pow(10, float64(decimals)))) > 1e-6 {
			decimals++
		}
	}
	s := strconv.FormatFloat(math.Abs(v), 'f', decimals, 64)
	if strings.Contains(s, ".") { // 1.5 and 2, as ECharts writes them, not 2.0
		s = strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
	}
	whole, frac, _ := strings.Cut(s, ".")
	for i := len(whole) - 3; i > 0; i -= 3 {
		whole = whole[:i] + "," + whole[i:]
	}
	if frac != "" {
		whole += "." + frac
	}
	if v < 0 && strings.Trim(whole, "0.,") != "" {
		whole = "-" + whole
	}
	return whole
}

// yValues are the values on a bar, histogram or line chart's y axis.
func (c *Chart) yValues(dashed bool) []float64 {
	var out []float64
	for _, s := range c.series {
		if s.Dashed && !dashed {
			continue
		}
		for _, y := range s.Y {
			if !math.IsNaN(y) && !math.IsInf(y, 0) {
				out = append(out, y)
			}
		}
	}
	return out
}

// yScale is the y axis of a bar, histogram or line chart.
func (c *Chart) yScale() scale {
	all := c.yValues(true)
	if c.kind == kindLines {
		if s, ok := logScale(all, logSpread); ok {
			return s
		}
	}
	lo, hi := 0.0, 0.0
	for _, v := range all {
		lo, hi = min(lo, v), max(hi, v)
	}
	return linearScale(lo, hi, c.labelRoom())
}

// xScale is the x axis of a line chart. A geometric sweep (at most
// maxSweepPoints distinct values, each at least 1.5 times the one before:
// 1, 2, 4, 8 workers, not ticks 1, 2, 3) that spans more than logSpread (1 to 64 workers) gets a
// log axis, and so does one of 4x or more under a log y axis, so that an
// ideal speedup stays a straight line; otherwise the axis is linear, from
// round number to round number (whole steps for whole numbers).
func (c *Chart) xScale() scale {
	xs := c.distinctX()
	if len(xs) <= maxSweepPoints && geometric(xs) {
		if s, ok := logScale(xs, logSpread); ok {
			return s
		}
		if c.yScale().log {
			if s, ok := logScale(xs, 4-1e-9); ok {
				return s
			}
		}
	}
	if len(xs) == 0 {
		return rangeScale(0, 1, 0)
	}
	lo, hi := xs[0], xs[0]
	for _, x := range xs {
		lo, hi = min(lo, x), max(hi, x)
	}
	minStep := 0.0
	if c.integerX() {
		minStep = 1
	}
	sc := rangeScale(lo, hi, minStep)
	sc.whole = minStep == 1
	return sc
}

// maxSweepPoints is the most distinct x values that read as a sweep (1, 2,
// 4, 8 workers) rather than a series of samples.
const maxSweepPoints = 12

// geometric tells whether the values, in order, grow by at least half at
// each step.
func geometric(xs []float64) bool {
	sorted := slices.Sorted(slices.Values(xs))
	for i := 1; i < len(sorted); i++ {
		if sorted[i] < 1.5*sorted[i-1] {
			return false
		}
	}
	return len(sorted) > 1
}

func (c *Chart) distinctX() []float64 {
	seen := map[float64]bool{}
	var xs []float64
	for _, s := range c.series {
		for i, x := range s.X {
			if i < len(s.Y) && !seen[x] && !math.IsNaN(x) && !math.IsInf(x, 0) {
				seen[x] = true
				xs = append(xs, x)
			}
		}
	}
	return xs
}
