package chart

import (
	"math"
	"strconv"
)

// labelSpread is the ratio between the largest and the smallest bar above
// which bars carry their values: past it, the small bars are too short to
// read against the axis (a goroutine's start cost next to a process's).
const labelSpread = 20

// valueLabels tells whether the bars of c differ by more than labelSpread.
func (c *Chart) valueLabels() bool {
	if c.kind != kindBars {
		return false
	}
	lo, hi := math.Inf(1), 0.0
	for _, s := range c.series {
		for _, y := range s.Y {
			if y > 0 {
				lo, hi = min(lo, y), max(hi, y)
			}
		}
	}
	return hi > 0 && hi/lo > labelSpread
}

// formatValue prints v with three significant digits and no exponent for
// everyday magnitudes: 0.000812, 1.23, 45.6, 1230.
func formatValue(v float64) string {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	a := math.Abs(v)
	if a >= 1e7 || a < 1e-6 {
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
	digits := max(0, 2-int(math.Floor(math.Log10(a))))
	return strconv.FormatFloat(v, 'f', digits, 64)
}

// niceStep rounds a positive step up to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if raw <= 0 || math.IsNaN(raw) || math.IsInf(raw, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if raw <= m*p*(1+1e-9) {
			return m * p
		}
	}
	return 10 * p
}

// formatEdge prints a bin edge with as many decimals as the bin width needs.
func formatEdge(v, width float64) string {
	return strconv.FormatFloat(v, 'f', max(0, -int(math.Floor(math.Log10(width)))), 64)
}
