package chart

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/plot/vg"

	"github.com/go-parallelism/go-parallelism/lib/bench"
	"github.com/go-parallelism/go-parallelism/lib/span"
)

func kinds(ps []Problem) []ProblemKind {
	var out []ProblemKind
	for _, p := range ps {
		out = append(out, p.Kind)
	}
	return out
}

// Charts the course draws, made as its notebooks make them: each must pass.
func readable(t *testing.T) map[string]*Chart {
	t.Helper()
	res := fakeResult(t)
	var many []span.Span
	for w := range 160 {
		many = append(many, span.Span{Task: w, Worker: w, Start: time.Duration(w%7) * time.Millisecond, End: time.Duration(50+w*5%250) * time.Millisecond})
	}
	return map[string]*Chart{
		"times":    Times(res),
		"speedup":  Speedup(res, Waiting, Computing),
		"scaling":  Scaling(res),
		"amdahl":   Amdahl(16, bench.Amdahl{Variant: "pool", Serial: 0.1}),
		"timeline": Timeline(many),
		"latency":  TaskLatency(spans(30, 3)),
		"spread": NewBars("switch to another and back", []string{"goroutine", "OS thread", "OS process"},
			Series{Name: "µs", Y: []float64{0.191, 13.6, 6.35}}).YAxis("time per switch", "µs"),
		"long labels": NewBars("cost of one trivial task", []string{"process, 1 per trip", "process, 10 per trip", "process, 100 per trip", "process, 1000 per trip", "goroutine"},
			Series{Name: "µs", Y: []float64{103, 18.1, 12.4, 9.29, 0.458}}).YAxis("time per task", "µs"),
		"zeros": NewBars("lost increments", strings.Fields("1 2 3 4 5 6 7 8 9 10"),
			Series{Name: "a yield between", Y: []float64{0, 0, 12, 0, 3, 0, 0, 9, 0, 0}},
			Series{Name: "nothing between", Y: []float64{60, 61, 63, 59, 60, 62, 60, 61, 60, 63}}).YAxis("lost", "%"),
		"ideal on bars": NewBars("speedup over sequential", []string{"scrape", "primes"},
			Series{Name: "goroutines", Y: []float64{7.2, 1.9}}, Series{Name: "pool(2)", Y: []float64{2, 1.8}},
			Series{Name: "ideal for computing: 2 CPUs", Y: []float64{2, 2}, Dashed: true}).YAxis("speedup", "x"),
		"far apart": NewLines("lateness of each tick",
			Series{Name: "on the loop", X: []float64{1, 2, 3}, Y: []float64{0.05, 48, 0.1}},
			Series{Name: "sent off", X: []float64{1, 2, 3}, Y: []float64{0.04, 0.06, 0.05}}).XAxis("tick", "number").YAxis("lateness", "ms"),
		"lanes": NewLanes("states", []string{"G1", "it's G2"}, []string{"running", "waiting"}, []Bar{
			{Lane: 0, Group: 0, End: 5 * time.Millisecond}, {Lane: 1, Group: 1, End: 9 * time.Millisecond}}),
	}
}

func TestCourseChartsPassLint(t *testing.T) {
	for name, c := range readable(t) {
		if ps := c.Lint(); len(ps) > 0 {
			t.Errorf("%s: %v", name, ps)
		}
	}
}

func TestLintRejectsMissingUnits(t *testing.T) {
	for name, tc := range map[string]struct {
		c    *Chart
		want int
	}{
		"bars, no y name":       {NewBars("b", []string{"a"}, Series{Name: "s", Y: []float64{1}}), 1},
		"bars, y name, no unit": {NewBars("b", []string{"a"}, Series{Name: "s", Y: []float64{1}}).YAxis("milliseconds", ""), 1},
		"lines, neither":        {NewLines("l", Series{Name: "s", X: []float64{1, 2}, Y: []float64{1, 2}}), 2},
		"lines, x without":      {NewLines("l", Series{Name: "s", X: []float64{1, 2}, Y: []float64{1, 2}}).XAxis("workers", "").YAxis("time", "ms"), 1},
		"histogram, no x":       {NewHistogram("h", []float64{1, 2, 3}, 0), 1},
		"bars with units":       {NewBars("b", []string{"a"}, Series{Name: "s", Y: []float64{1}}).YAxis("time", "ms"), 0},
		"histogram with x":      {NewHistogram("h", []float64{1, 2, 3}, 0).XAxis("size", "KiB"), 0},
	} {
		got := kinds(tc.c.Lint())
		if n := strings.Count(strings.Repeat("x", len(got)), "x"); n != tc.want || (n > 0 && !slices.Equal(got, slices.Repeat([]ProblemKind{MissingUnit}, n))) {
			t.Errorf("%s: %v, want %d missing unit(s)", name, tc.c.Lint(), tc.want)
		}
	}
}

func TestLintRejectsSpeedupWithoutIdeal(t *testing.T) {
	c := NewBars("speedup", []string{"a", "b"}, Series{Name: "s", Y: []float64{2, 3}}).YAxis("speedup", "x")
	if got := kinds(c.Lint()); !slices.Equal(got, []ProblemKind{NoIdeal}) {
		t.Errorf("speedup bars without an ideal: %v", c.Lint())
	}
	c.Add(Series{Name: "ideal", Y: []float64{2, 2}, Dashed: true})
	if ps := c.Lint(); len(ps) > 0 {
		t.Errorf("with a dashed ideal: %v", ps)
	}
}

// smallBars reads the option ECharts gets: a bar under 2% of a linear axis
// without a label fails; with a label, or on a log axis, it passes.
func TestLintRejectsSmallBarsWithoutLabels(t *testing.T) {
	bar := func(v float64, label bool) any {
		item := map[string]any{"value": v}
		if label {
			item["label"] = map[string]any{"show": true}
		}
		return item
	}
	opt := func(yType string, small any) map[string]any {
		return map[string]any{
			"yAxis":  []any{map[string]any{"type": yType, "max": 120.0}},
			"series": []any{map[string]any{"type": "bar", "name": "s", "data": []any{bar(100, false), small}}},
		}
	}
	if got := smallBars(opt("value", bar(1.5, false))); len(got) != 1 || got[0].Kind != SmallBar || !strings.Contains(got[0].Detail, "bar 2: 1.5") {
		t.Errorf("a bar of 1.5 on an axis to 120 without a label: %v", got)
	}
	if got := smallBars(opt("value", bar(0, false))); len(got) != 1 {
		t.Errorf("a bar of 0 without a label: %v", got)
	}
	if got := smallBars(opt("value", bar(1.5, true))); len(got) != 0 {
		t.Errorf("a small bar with its label: %v", got)
	}
	if got := smallBars(opt("log", bar(1.5, false))); len(got) != 0 {
		t.Errorf("a small bar on a log axis: %v", got)
	}
	// Histogram bins: [lower, upper, count, labelled]; an empty bin passes.
	hist := map[string]any{
		"yAxis": []any{map[string]any{"type": "value", "max": 60.0}},
		"series": []any{map[string]any{"type": "custom", "data": []any{
			map[string]any{"value": []any{0.0, 1.0, 59.0, 0.0}}, map[string]any{"value": []any{1.0, 2.0, 0.0, 0.0}},
			map[string]any{"value": []any{2.0, 3.0, 1.0, 0.0}}}}},
	}
	if got := smallBars(hist); len(got) != 1 || !strings.Contains(got[0].Detail, "bar 3") {
		t.Errorf("a bin of 1 of 60 without its count: %v", got)
	}
	// A timeline's spans have four values too, on a y axis of lanes.
	hist["yAxis"] = []any{map[string]any{"type": "category"}}
	if got := smallBars(hist); len(got) != 0 {
		t.Errorf("timeline read as bars: %v", got)
	}
	// The static image: a small bar whose value was not written.
	c := NewBars("b", []string{"a", "b"}, Series{Name: "s", Y: []float64{100, 1}}).YAxis("time", "ms")
	if got := c.smallBarsStatic(nil); len(got) != 1 || got[0].Kind != SmallBar {
		t.Errorf("static image with no text at all: %v", got)
	}
	if got := c.smallBarsStatic([]textBox{{text: "1"}}); len(got) != 0 {
		t.Errorf("static image with the value written: %v", got)
	}
}

func TestLintRejectsLabelsOutside(t *testing.T) {
	for name, c := range map[string]*Chart{
		"a title word too long to wrap": NewBars(strings.Repeat("x", 150), []string{"a"}, Series{Name: "s", Y: []float64{1}}).YAxis("time", "ms"),
		"a legend entry wider than the chart": NewLines("l",
			Series{Name: strings.Repeat("y", 160), X: []float64{1, 2}, Y: []float64{1, 2}},
			Series{Name: "b", X: []float64{1, 2}, Y: []float64{2, 3}}).XAxis("workers", "count").YAxis("time", "ms"),
	} {
		if got := kinds(c.Lint()); !slices.Contains(got, LabelOutside) {
			t.Errorf("%s: %v, want a label outside", name, c.Lint())
		}
	}
}

func TestLintRejectsLabelsOverEachOther(t *testing.T) {
	c := NewBars("b", []string{"a"}, Series{Name: "s", Y: []float64{1}}).YAxis("time", "ms")
	boxes := []textBox{
		{text: "w1", min: vg.Point{X: 10, Y: 10}, max: vg.Point{X: 30, Y: 20}, square: true},
		{text: "w2", min: vg.Point{X: 12, Y: 14}, max: vg.Point{X: 32, Y: 24}, square: true},
		{text: "w3", min: vg.Point{X: 10, Y: 30}, max: vg.Point{X: 30, Y: 40}, square: true},
		{text: "slanted", min: vg.Point{X: 11, Y: 31}, max: vg.Point{X: 40, Y: 50}},
	}
	o, err := c.optionMap()
	if err != nil {
		t.Fatal(err)
	}
	got := c.lint(o, boxes)
	if len(got) != 1 || got[0].Kind != LabelsOverlap || !strings.Contains(got[0].Detail, `"w1" and "w2"`) {
		t.Errorf("w1 over w2 (and a slanted text's box over w3): %v", got)
	}
}

// The recorder measures text where the renderer puts it, rotations
// included: a rotated axis name is tall, not wide.
func TestRecorderFollowsRotation(t *testing.T) {
	c := NewBars("t", []string{"a"}, Series{Name: "s", Y: []float64{1}}).YAxis("a rather long axis name", "ms")
	boxes, err := c.draw(nullCanvas{600, 300})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range boxes {
		if b.text == c.YLabel {
			if w, h := b.max.X-b.min.X, b.max.Y-b.min.Y; !(h > 3*w) {
				t.Errorf("y axis name box %vx%v: want taller than wide", w, h)
			}
			return
		}
	}
	t.Errorf("y axis name not among the texts drawn")
}

func TestHTMLCarriesLint(t *testing.T) {
	bad, err := NewBars("b", []string{"a"}, Series{Name: "s", Y: []float64{1}}).Bundle()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(bad["text/html"], `data-lint="[`) || !strings.Contains(bad["text/html"], `class="gp-chart-lint"`) ||
		!strings.Contains(bad["text/plain"], "chart check: axis without a unit") {
		t.Errorf("a chart without a unit does not say so:\n%s\n%s", bad["text/html"][:200], bad["text/plain"])
	}
	good, err := NewBars("b", []string{"a"}, Series{Name: "s", Y: []float64{1}}).YAxis("time", "ms").HTML()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(good, "data-lint") || strings.Contains(good, "gp-chart-lint") {
		t.Errorf("a chart that reads well carries lint")
	}
}

// Lines far apart get a log axis in both renderings; close ones stay linear.
func TestLogAxisForLinesFarApart(t *testing.T) {
	far := readable(t)["far apart"]
	if got := path(option(t, far), "yAxis", 0, "type"); got != "log" {
		t.Errorf("lines 1200x apart: y axis %v, want log", got)
	}
	if got := path(option(t, far), "yAxis", 0, "min"); got != 0.01 {
		t.Errorf("log axis from %v, want 0.01", got)
	}
	svg, err := far.SVG()
	if err != nil {
		t.Fatal(err)
	}
	for _, tick := range []string{">0.01<", ">0.1<", ">1<", ">10<", ">100<"} {
		if !bytes.Contains(svg, []byte(tick)) {
			t.Errorf("static log axis lacks the tick %s", tick)
		}
	}
	// Ticks 1, 2, 3 are not a sweep: a linear x axis, even under a log y.
	if got := path(option(t, far), "xAxis", 0, "type"); got != "value" {
		t.Errorf("ticks 1 to 3: x axis %v, want value", got)
	}
	// Workers 1 to 16 under a log y axis: log x too, so that the ideal is straight.
	sweep16 := NewLines("s", Series{Name: "s", X: []float64{1, 2, 4, 8, 16}, Y: []float64{1, 2, 4, 8, 19}},
		Series{Name: "ideal", X: []float64{1, 2, 4, 8, 16}, Y: []float64{1, 2, 4, 8, 16}, Dashed: true},
		Series{Name: "floor", X: []float64{1, 16}, Y: []float64{0.9, 0.9}, Dashed: true}).XAxis("workers", "count").YAxis("speedup", "x")
	if y, x := path(option(t, sweep16), "yAxis", 0, "type"), path(option(t, sweep16), "xAxis", 0, "type"); y != "log" || x != "log" {
		t.Errorf("workers 1 to 16, speedups 0.9 to 19: axes %v by %v, want log by log", x, y)
	}
	close := NewLines("c", Series{Name: "s", X: []float64{1, 2}, Y: []float64{10, 150}}).XAxis("workers", "count").YAxis("time", "ms")
	if got := path(option(t, close), "yAxis", 0, "type"); got != "value" {
		t.Errorf("lines 15x apart: y axis %v, want value", got)
	}
	// A sweep of workers from 1 to 64: a log x axis too, base 2.
	sweep := readable(t)["speedup"]
	if sweep.Series()[0].X[len(sweep.Series()[0].X)-1] >= 64 {
		if got := path(option(t, sweep), "xAxis", 0, "logBase"); got != 2.0 {
			t.Errorf("x axis of 1 to 64 workers: logBase %v", got)
		}
	}
	if got := path(option(t, NewLines("s", Series{Name: "s", X: []float64{1, 2, 8, 32, 64}, Y: []float64{1, 2, 7, 20, 27}}).XAxis("workers", "count").YAxis("speedup", "x")), "xAxis", 0, "logBase"); got != 2.0 {
		t.Errorf("x axis of 1 to 64 workers: logBase %v, want 2", got)
	}
}

// Both renderings label the same lanes of a crowded timeline.
func TestLaneLabelsThinnedAlike(t *testing.T) {
	c := readable(t)["timeline"]
	step := c.laneStep()
	if step < 2 {
		t.Fatalf("160 lanes, step %d", step)
	}
	if got := path(option(t, c), "yAxis", 0, "axisLabel", "interval"); got != float64(step-1) {
		t.Errorf("interactive lane labels: interval %v, want %d", got, step-1)
	}
	svg, err := c.SVG()
	if err != nil {
		t.Fatal(err)
	}
	shown := 0
	for i, l := range c.Categories() {
		if bytes.Contains(svg, []byte(">"+l+"<")) {
			shown++
			if i%step != 0 {
				t.Errorf("static image labels lane %s, not a multiple of %d", l, step)
			}
		}
	}
	if want := (160 + step - 1) / step; shown != want {
		t.Errorf("static image labels %d lanes, want %d", shown, want)
	}
}

// Long category names wrap at spaces rather than slant; one word too long
// for its group slants.
func TestCategoryLabelsWrap(t *testing.T) {
	c := readable(t)["long labels"]
	c.Width = 500
	labels, rotate := c.categoryLabels()
	if rotate || !strings.Contains(labels[0], "\n") {
		t.Errorf("labels %q, rotate %v: want wrapped, not slanted", labels, rotate)
	}
	if got := path(option(t, c), "xAxis", 0, "data", 0); got != labels[0] {
		t.Errorf("interactive label %q, want %q", got, labels[0])
	}
}

func TestBarReference(t *testing.T) {
	c := readable(t)["ideal on bars"]
	m := option(t, c)
	s := path(m, "series", 2).(map[string]any)
	if s["type"] != "custom" || s["name"] != "ideal for computing: 2 CPUs" {
		t.Errorf("third series %v, want the ideal as a custom series", s)
	}
	svg, err := c.SVG()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(svg, []byte("stroke-dasharray")) {
		t.Errorf("static image has no dashed line")
	}
}

// Functions may hold quotes and backslashes: a lane named "it's".
func TestFunctionsKeepQuotes(t *testing.T) {
	opt, err := readable(t)["lanes"].Option()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(opt, `'it\'s G2'`) || strings.Contains(opt, `\\'`) || strings.Contains(opt, "__f__") {
		t.Errorf("lane name not quoted as JavaScript: %s", opt)
	}
}

// fakeResult is a run of an I/O-bound pool over 1 to 64 workers on 2 CPUs,
// against a sequential baseline.
func fakeResult(t *testing.T) *bench.Result {
	t.Helper()
	res := &bench.Result{Name: "scrape(64)", Machine: bench.Machine{NumCPU: 2, GOMAXPROCS: 2, GoVersion: "go1.x", GOOS: "linux", GOARCH: "amd64"},
		Variants: []string{"sequential", "pool"}, Sweep: bench.Workers(1, 2, 4, 8, 16, 32, 64), Baseline: "pool", Reps: 1}
	for _, p := range res.Sweep {
		res.Runs = append(res.Runs,
			bench.Record{Variant: "sequential", Param: p, Wall: 1280 * time.Millisecond},
			bench.Record{Variant: "pool", Param: p, Wall: 1280 * time.Millisecond / time.Duration(min(p.Workers, 40))})
	}
	return res
}

// A trace of a contended mutex: a hundred thousand stretches, most far
// narrower than a pixel. The interactive option merges them, as the static
// image does, and stays small; wide spans stay whole.
func TestManySpansMerged(t *testing.T) {
	var bars []Bar
	at := time.Duration(0)
	for i := range 100_000 {
		d := time.Microsecond
		bars = append(bars, Bar{Lane: i % 4, Group: i % 2, Start: at, End: at + d})
		at += d / 4
	}
	bars = append(bars, Bar{Lane: 0, Group: 1, Start: at, End: at + 20*time.Millisecond, Note: "the long one"})
	c := NewLanes("contended", []string{"G1", "G2", "G3", "G4"}, []string{"running", "waiting"}, bars)
	opt, err := c.Option()
	if err != nil {
		t.Fatal(err)
	}
	if len(opt) > 500_000 {
		t.Errorf("option of %d bytes for 100,001 spans, want under 500 KB", len(opt))
	}
	if !strings.Contains(opt, "the long one") || !strings.Contains(opt, "stretches too short to draw apart, mostly") {
		t.Errorf("the long span or the merged runs lost")
	}
	if few, _ := readable(t)["lanes"].interactiveSpans(); len(few) != 2 {
		t.Errorf("two spans became %d", len(few))
	}
}
