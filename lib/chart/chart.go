// Package chart draws the course's measurements: bars comparing variants,
// lines of time or speedup against workers (with the ideal line), a
// timeline of which worker ran which task, and a latency histogram.
//
// Every chart renders twice into one HTML fragment: as an interactive
// ECharts chart, whose option is generated with go-echarts, and as a static
// PNG image drawn with gonum.org/v1/plot. The image shows wherever no
// script runs (GitHub, an offline handout, an untrusted notebook); a small
// loader replaces it with the interactive chart only once that has
// rendered. The loader works with require.js on the page (classic Notebook,
// nbconvert's HTML export) and without it (JupyterLab, VS Code).
//
// Both renderings read the same way at a glance, decided once here: the
// same axis ranges and ticks; a log axis for lines whose values lie more
// than 20x apart (and for a sweep of workers as wide), values written on
// bars that do; category names wrapped to fit (slanted only when a word
// does not); lane names thinned to what the height holds; dashed series
// as ideals, across each group on bars. Every value axis names its unit,
// as "time (ms)": YAxis and XAxis set them, the helpers that read a
// bench.Result derive them. Lint reports what still reads badly (an axis
// without a unit, a small bar without its value, a label outside the
// image, a speedup without its ideal), and a rendered chart says so under
// itself and in its data-lint attribute, which the course's checks read.
//
// A Chart is plain data until it is rendered, and knows nothing of where it
// will be shown: HTML gives the fragment, PNG and SVG the image alone,
// Bundle both by MIME type for a viewer that picks one (lib/nb's Show, in
// a notebook), and WriteHTML, WriteSVG and WritePage save them to files.
//
//	c := chart.Speedup(res) // res is a *bench.Result
//	err := c.WriteHTML("speedup.html")
//
// Charts that read a bench.Result use its own figures (Result.Speedup, the
// cores it recorded), never the machine that draws them.
package chart

import (
	"fmt"
	"math"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/span"
)

// ScriptURL is where the loader fetches ECharts from: the jsDelivr copy of
// the version go-echarts v2.6.0 is written for. Point it at a local copy
// for offline use (a browser test does).
var ScriptURL = "https://cdn.jsdelivr.net/npm/echarts@5.4.3/dist/echarts.min.js"

// JupyterPath is where a Jupyter server set up by make lab serves its own
// copy of ECharts (relative to the server's base URL; see scripts/lab.sh).
// In JupyterLab and Notebook 7 the loader asks it first, so the charts are
// interactive on a laptop with no network; elsewhere it uses ScriptURL.
var JupyterPath = "static/go-parallelism/echarts-5.4.3.min.js"

// Palette colours series (and timeline tasks) in order, the same in the
// interactive and the static rendering. These are ECharts' default colours.
var Palette = []string{"#5470c6", "#91cc75", "#fac858", "#ee6666", "#73c0de", "#3ba272", "#fc8452", "#9a60b4", "#ea7ccc"}

// Default size in CSS pixels.
const (
	DefaultWidth  = 800
	DefaultHeight = 400
)

type kind int

const (
	kindBars kind = iota
	kindLines
	kindTimeline
	kindHistogram
)

func (k kind) String() string {
	return [...]string{"bars", "lines", "timeline", "histogram"}[k]
}

// Series is one named set of values. For bars, Y holds one value per
// category and X is unused; for lines, X and Y are the points.
type Series struct {
	Name string
	X, Y []float64
	// Dashed draws a reference line, such as the ideal speedup: through
	// the points on a line chart, across each category's group on a bar
	// chart.
	Dashed bool
}

// Chart is plain data describing one chart. Build one with NewBars,
// NewLines, NewTimeline, NewHistogram or the helpers that read a
// bench.Result, adjust the exported fields if needed, then render it.
type Chart struct {
	Title    string
	Subtitle string
	XLabel   string
	YLabel   string
	// Width and Height in CSS pixels; zero means DefaultWidth/DefaultHeight.
	Width, Height int

	kind       kind
	categories []string // bars: x categories; timeline: worker lanes
	series     []Series
	spans      []span.Span
	// groups name the colours of a lanes chart (NewLanes), notes its bars.
	groups      []string
	groupColors []string
	notes       []string
	// bins are a histogram's bin edges (len(counts)+1).
	bins []float64
	// timeUnit scales durations for the timeline's axis.
	timeUnit time.Duration
	// note is shown instead of the data when there is none.
	note string
}

// NewBars compares values side by side: one group per category, one bar per
// series in each group.
func NewBars(title string, categories []string, series ...Series) *Chart {
	return &Chart{Title: title, kind: kindBars, categories: categories, series: series}
}

// NewLines draws each series as a line through its (X, Y) points.
func NewLines(title string, series ...Series) *Chart {
	return &Chart{Title: title, kind: kindLines, series: series}
}

// NewHistogram counts values into bins equal-width bins (bins <= 0 picks
// a number from the count of values) and draws the counts as bars.
func NewHistogram(title string, values []float64, bins int) *Chart {
	c := &Chart{Title: title, kind: kindHistogram, YLabel: "values (count)"}
	var finite []float64
	for _, v := range values {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			finite = append(finite, v)
		}
	}
	if len(finite) == 0 {
		c.note = "no data"
		return c
	}
	if bins <= 0 {
		bins = int(math.Ceil(math.Log2(float64(len(finite))))) + 1 // Sturges
	}
	lo, hi := finite[0], finite[0]
	for _, v := range finite {
		lo, hi = min(lo, v), max(hi, v)
	}
	if hi == lo {
		hi = lo + 1
	}
	// Round the bins to a step of 1, 2 or 5 times a power of ten, so that
	// their edges read as plain numbers (20-25, not 20.13-24.87).
	width := niceStep((hi - lo) / float64(bins))
	lo = math.Floor(lo/width) * width
	bins = max(1, int(math.Ceil((hi-lo)/width-1e-9))) // the top bin is closed: it holds hi
	hi = lo + float64(bins)*width
	counts := make([]float64, bins)
	for _, v := range finite {
		i := min(int((v-lo)/width), bins-1)
		counts[i]++
	}
	centres := make([]float64, bins)
	for i := range bins {
		lower := lo + float64(i)*width
		centres[i] = lower + width/2
		c.bins = append(c.bins, lower)
		c.categories = append(c.categories, formatEdge(lower, width)+"–"+formatEdge(lower+width, width))
	}
	c.bins = append(c.bins, hi)
	c.series = []Series{{Name: "count", X: centres, Y: counts}}
	return c
}

// NewLatency is a histogram of durations, in a unit chosen to suit them.
func NewLatency(title string, ds []time.Duration, bins int) *Chart {
	unit, name := unitFor(maxDuration(ds))
	vs := make([]float64, len(ds))
	for i, d := range ds {
		vs[i] = float64(d) / float64(unit)
	}
	c := NewHistogram(title, vs, bins)
	c.XLabel = "latency (" + name + ")"
	c.YLabel = "tasks (count)"
	return c
}

// NewTimeline draws one lane per worker and one bar per task, from when it
// started to when it ended, coloured by task.
func NewTimeline(title string, spans []span.Span) *Chart {
	c := &Chart{Title: title, kind: kindTimeline, spans: spans, YLabel: "worker"}
	if len(spans) == 0 {
		c.note = "no spans recorded"
	}
	var end time.Duration
	workers := 0
	for _, s := range spans {
		end = max(end, s.End)
		workers = max(workers, s.Worker+1)
	}
	unit, name := unitFor(end)
	c.timeUnit = unit
	c.XLabel = "time (" + name + ")"
	for w := range workers {
		c.categories = append(c.categories, fmt.Sprintf("w%d", w))
	}
	return c
}

// Add appends series to a bar or line chart and returns c: a dashed one
// draws an ideal (or any reference) to hold the others against, as a line
// on a line chart and across each group of bars on a bar chart.
func (c *Chart) Add(series ...Series) *Chart {
	c.series = append(c.series, series...)
	return c
}

// Kind names the chart's kind: "bars", "lines", "timeline" or "histogram".
func (c *Chart) Kind() string { return c.kind.String() }

// Series returns the chart's series (nil for a timeline).
func (c *Chart) Series() []Series { return c.series }

// Categories returns the bar groups, histogram bins or timeline lanes.
func (c *Chart) Categories() []string { return c.categories }

// Spans returns a timeline's spans.
func (c *Chart) Spans() []span.Span { return c.spans }

func (c *Chart) size() (w, h int) {
	w, h = c.Width, c.Height
	if w <= 0 {
		w = DefaultWidth
	}
	if h <= 0 {
		h = DefaultHeight
	}
	return w, h
}

// unitFor picks the unit in which d reads as a number between 1 and 1000.
func unitFor(d time.Duration) (time.Duration, string) {
	switch {
	case d >= time.Second:
		return time.Second, "s"
	case d >= time.Millisecond:
		return time.Millisecond, "ms"
	case d >= time.Microsecond:
		return time.Microsecond, "µs"
	default:
		return 1, "ns"
	}
}

func maxDuration(ds []time.Duration) time.Duration {
	var m time.Duration
	for _, d := range ds {
		m = max(m, d)
	}
	return m
}

func seriesColor(i int) string { return Palette[((i%len(Palette))+len(Palette))%len(Palette)] }
