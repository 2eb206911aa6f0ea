package chart

import (
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
)

// labelSpread is the ratio between the largest bar and the smallest past
// which bars carry their values: past it, the small bars are too short to
// read against the axis (a goroutine's start cost next to a process's). A
// bar of zero counts as infinitely far from the largest.
const labelSpread = 20

// Font sizes in CSS pixels, the same in both renderings: ECharts' defaults.
const (
	titlePx, subtitlePx = 16, 12
	axisPx              = 12 // tick labels, axis names, legend
	valuePx             = 11 // value labels on bars
)

var sansSerifFont = font.Font{Typeface: "Liberation", Variant: "Sans"}

// textWidth is the width in CSS pixels of the widest line of s at px
// pixels, measured with the static rendering's font. Browsers draw
// sans-serif a little wider; callers leave a margin.
func textWidth(s string, px float64) float64 {
	face := font.DefaultCache.Lookup(sansSerifFont, vg.Length(px*pxToPt))
	w := 0.0
	for _, line := range strings.Split(s, "\n") {
		w = max(w, float64(face.Width(line))/pxToPt)
	}
	return w
}

// valueLabels tells whether the bars of c carry their values: when the
// smallest differs from the largest by more than labelSpread (histograms:
// the smallest non-empty bin, as an empty bin reads as empty).
func (c *Chart) valueLabels() bool {
	if c.kind != kindBars && c.kind != kindHistogram {
		return false
	}
	lo, hi := math.Inf(1), 0.0
	for _, s := range c.series {
		if s.Dashed {
			continue
		}
		for _, y := range s.Y {
			a := math.Abs(y)
			if math.IsNaN(a) || math.IsInf(a, 0) || (a == 0 && c.kind == kindHistogram) {
				continue
			}
			lo, hi = min(lo, a), max(hi, a)
		}
	}
	return hi > 0 && lo*labelSpread < hi
}

// valueLabel is the label of a bar of value v: empty for an empty bin.
func (c *Chart) valueLabel(v float64) string {
	if c.kind == kindHistogram {
		if v == 0 {
			return ""
		}
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return formatValue(v)
}

// barWidth is the width in CSS pixels of one bar (of a bar chart).
func (c *Chart) barWidth() float64 {
	n := 0
	for _, s := range c.series {
		if !s.Dashed {
			n++
		}
	}
	return c.plotWidth() / float64(max(len(c.categories), 1)) * 0.8 / float64(max(n, 1))
}

// verticalLabels tells whether value labels stand upright: when the widest
// is wider than its bar, lying flat it would run into its neighbours.
func (c *Chart) verticalLabels() bool {
	if !c.valueLabels() {
		return false
	}
	return c.widestValueLabel()+2 > c.barWidth()
}

func (c *Chart) widestValueLabel() float64 {
	w := 0.0
	for _, s := range c.series {
		if s.Dashed {
			continue
		}
		for _, y := range s.Y {
			w = max(w, textWidth(c.valueLabel(y), valuePx))
		}
	}
	return w
}

// labelRoom is the fraction of the plot's height kept free above the
// highest value, for its label.
func (c *Chart) labelRoom() float64 {
	need := 0.05 * c.plotHeight() // a little air above the top
	if c.valueLabels() {
		need = valuePx + 8
		if c.verticalLabels() {
			need = c.widestValueLabel() + 8
		}
	}
	return min(need/c.plotHeight(), 0.5)
}

// plotWidth and plotHeight estimate the plot area in CSS pixels: the chart
// less its title, legend, axis labels and names.
func (c *Chart) plotWidth() float64 {
	w, _ := c.size()
	return float64(w) - 110
}

func (c *Chart) plotHeight() float64 {
	_, h := c.size()
	return max(float64(h)-float64(c.headHeight())-float64(c.footHeight()), 60)
}

// formatValue prints v with three significant digits, without trailing
// zeros, and no exponent for everyday magnitudes: 0.000812, 0.05, 1.9,
// 45.6, 1230.
func formatValue(v float64) string {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	a := math.Abs(v)
	if a >= 1e7 || a < 1e-6 {
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
	digits := max(0, 2-int(math.Floor(math.Log10(a))))
	s := strconv.FormatFloat(v, 'f', digits, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
	}
	return s
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

// categoryLabels are the bar chart's category names as drawn: broken at
// spaces onto up to three lines so that each fits the width of its group;
// rotate is true when a single word is still too wide, and the labels are
// then drawn slanted, on one line each.
func (c *Chart) categoryLabels() (labels []string, rotate bool) {
	room := c.plotWidth()/float64(max(len(c.categories), 1)) - 8
	labels = make([]string, len(c.categories))
	for i, cat := range c.categories {
		lines := wrapWords(cat, func(s string) bool { return textWidth(s, axisPx)*1.1 <= room })
		if len(lines) > 3 {
			return slicesClone(c.categories), true
		}
		for _, l := range lines {
			if textWidth(l, axisPx)*1.1 > room {
				return slicesClone(c.categories), true
			}
		}
		labels[i] = strings.Join(lines, "\n")
	}
	return labels, false
}

func slicesClone(s []string) []string { return append([]string(nil), s...) }

// wrapWords breaks s at spaces into lines that fit (a word that does not
// fit alone stays on a line of its own).
func wrapWords(s string, fits func(string) bool) []string {
	var out []string
	cur := ""
	for _, word := range strings.Fields(s) {
		next := strings.TrimSpace(cur + " " + word)
		if cur != "" && !fits(next) {
			out = append(out, cur)
			next = word
		}
		cur = next
	}
	return append(out, cur)
}

// categoryLabelHeight is the height in CSS pixels the category labels take
// below the axis.
func (c *Chart) categoryLabelHeight() float64 {
	labels, rotate := c.categoryLabels()
	h := 0.0
	for _, l := range labels {
		if rotate {
			h = max(h, textWidth(l, axisPx)*math.Sin(math.Pi/6)+axisPx*math.Cos(math.Pi/6))
		} else {
			h = max(h, float64(strings.Count(l, "\n")+1)*(axisPx+3))
		}
	}
	return h
}

// laneStep is how many lanes of a timeline share one label: 1 when every
// lane's name fits, else a round step (2, 5, 10, 20 ...) so that labels
// stand at least 22 pixels apart.
func (c *Chart) laneStep() int {
	n := len(c.categories)
	if n == 0 {
		return 1
	}
	fit := max(int(c.plotHeight()/22), 1)
	if n <= fit {
		return 1
	}
	return int(niceStep(float64(n) / float64(fit)))
}

// legendEntries are the names the legend shows: none for a single series,
// which the axis names already describe.
func (c *Chart) legendNames() []string {
	if c.kind == kindTimeline {
		return c.groups
	}
	if c.kind == kindHistogram {
		return nil
	}
	var names []string
	for _, s := range c.series {
		names = append(names, s.Name)
	}
	if len(names) == 1 {
		return nil
	}
	return names
}

// legendRows lays the legend's names out in rows no wider than width
// pixels: each entry is a swatch, a gap and its name.
func legendRows(names []string, width float64) [][]string {
	var rows [][]string
	used := 0.0
	for _, n := range names {
		w := legendEntryWidth(n)
		if len(rows) == 0 || used+w > width {
			rows = append(rows, nil)
			used = 0
		}
		rows[len(rows)-1] = append(rows[len(rows)-1], n)
		used += w
	}
	return rows
}

func legendEntryWidth(name string) float64 { return 25 + 5 + textWidth(name, axisPx)*1.1 + 14 }

// titleLines is how many lines the title and subtitle take, wrapped to the
// chart's width.
func (c *Chart) titleLines() (title, sub int) {
	w, _ := c.size()
	width := float64(w - 40)
	lines := func(s string, px float64) int {
		if s == "" {
			return 0
		}
		n := 0
		for _, l := range strings.Split(s, "\n") {
			n += len(wrapWords(l, func(s string) bool { return textWidth(s, px)*1.1 <= width }))
		}
		return n
	}
	return lines(c.Title, titlePx), lines(c.subtitle(), subtitlePx)
}

// headHeight is the room in CSS pixels above the plot of the interactive
// chart: the title, the legend, and the top tick label.
func (c *Chart) headHeight() int {
	w, _ := c.size()
	t, s := c.titleLines()
	h := 12 + t*(titlePx+6) + s*(subtitlePx+4)
	if names := c.legendNames(); len(names) > 0 {
		h += 6 + 24*len(legendRows(names, float64(w-40)))
	}
	return h + 24
}

// footHeight is the room below the plot: the x axis labels and its name.
func (c *Chart) footHeight() int {
	h := axisPx + 8.0
	if c.kind == kindBars {
		h = c.categoryLabelHeight() + 8
	}
	if c.XLabel != "" {
		h += axisPx + 12
	}
	return int(math.Ceil(h)) + 12
}
