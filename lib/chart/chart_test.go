package chart

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/go-parallelism/go-parallelism/lib/bench"
	"github.com/go-parallelism/go-parallelism/lib/span"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// option returns a chart's option as JSON values, functions left as the
// marked strings Option replaces with code.
func option(t *testing.T, c *Chart) map[string]any {
	t.Helper()
	o, err := c.optionMap()
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("option is not JSON: %v\n%s", err, b)
	}
	return m
}

func path(m any, keys ...any) any {
	for _, k := range keys {
		switch k := k.(type) {
		case string:
			m = m.(map[string]any)[k]
		case int:
			m = m.([]any)[k]
		}
	}
	return m
}

func TestBarsOption(t *testing.T) {
	c := NewBars("times", []string{"w=1", "w=2"}, Series{Name: "seq", Y: []float64{10, 10}}, Series{Name: "par", Y: []float64{10, 5}})
	c.XLabel, c.YLabel = "workers", "time (ms)"
	m := option(t, c)
	if got := path(m, "xAxis", 0, "type"); got != "category" {
		t.Errorf("x axis type %v, want category", got)
	}
	if got := path(m, "xAxis", 0, "data"); len(got.([]any)) != 2 || got.([]any)[1] != "w=2" {
		t.Errorf("x axis data %v", got)
	}
	if got := path(m, "xAxis", 0, "axisLabel", "interval"); got != 0.0 {
		t.Errorf("x axis labels: interval %v, want 0, every one shown", got)
	}
	if got := path(m, "xAxis", 0, "axisLabel", "rotate"); got != nil {
		t.Errorf("two short labels rotated by %v", got)
	}
	if got := path(option(t, NewBars("many", strings.Fields("scrape disk pipe tcp primes text images analysis mandelbrot montecarlo-simulations"))), "xAxis", 0, "axisLabel", "rotate"); got != 30.0 {
		t.Errorf("ten long one-word labels: rotate %v, want 30", got)
	}
	if got := path(m, "series", 1, "name"); got != "par" {
		t.Errorf("second series is %v", got)
	}
	if got := path(m, "series", 1, "data", 1, "value"); got != 5.0 {
		t.Errorf("par at w=2 is %v, want 5", got)
	}
	if path(m, "legend", "show") != true || path(m, "title", "text") != "times" || path(m, "yAxis", 0, "name") != "time (ms)" {
		t.Errorf("legend, title or axis name missing: %v %v %v", path(m, "legend"), path(m, "title"), path(m, "yAxis"))
	}
}

func TestLinesOption(t *testing.T) {
	c := NewLines("speedup", Series{Name: "pool", X: []float64{1, 2, 4}, Y: []float64{1, 1.9, 2}},
		Series{Name: "ideal", X: []float64{1, 2, 4}, Y: []float64{1, 2, 2}, Dashed: true})
	m := option(t, c)
	if got := path(m, "xAxis", 0, "type"); got != "value" {
		t.Errorf("x axis type %v, want value", got)
	}
	if got := path(m, "xAxis", 0, "interval"); got != 1.0 {
		t.Errorf("whole-number x axis from 1 to 4: interval %v, want 1", got)
	}
	pt := path(m, "series", 0, "data", 2, "value").([]any)
	if pt[0] != 4.0 || pt[1] != 2.0 {
		t.Errorf("third point %v, want [4 2]", pt)
	}
	if got := path(m, "series", 1, "lineStyle", "type"); got != "dashed" {
		t.Errorf("ideal line style %v, want dashed", got)
	}
}

// Every kind of chart is drawn on white, as its static image is, so that
// its dark text stays legible inside a dark page.
func TestChartsAreOpaque(t *testing.T) {
	for _, c := range []*Chart{
		NewBars("b", []string{"a"}, Series{Name: "s", Y: []float64{1}}),
		NewLines("l", Series{Name: "s", X: []float64{1}, Y: []float64{1}}),
		Timeline(spans(2, 1)),
		NewHistogram("h", []float64{1, 2}, 2),
	} {
		if got := option(t, c)["backgroundColor"]; got != "#ffffff" {
			t.Errorf("%q: background %v, want #ffffff", c.Title, got)
		}
	}
}

func spans(n, workers int) []span.Span {
	var out []span.Span
	for i := range n {
		w := i % workers
		start := time.Duration(i/workers) * time.Millisecond
		out = append(out, span.Span{Task: i, Worker: w, Start: start, End: start + 900*time.Microsecond})
	}
	return out
}

func TestTimelineOption(t *testing.T) {
	sp := spans(12, 3)
	sp[5].Err = "boom"
	c := Timeline(sp)
	if c.Title != "12 tasks on 3 workers" || c.XLabel != "time (ms)" {
		t.Errorf("title %q, x label %q", c.Title, c.XLabel)
	}
	if got := c.Categories(); strings.Join(got, ",") != "w0,w1,w2" {
		t.Errorf("lanes %v", got)
	}
	s, err := c.Option()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"renderItem":function`, `"formatter":function`, `"type":"custom"`, `"data":["w0","w1","w2"]`, `"name":"error: boom"`} {
		if !strings.Contains(s, want) {
			t.Errorf("timeline option lacks %s", want)
		}
	}
	if strings.Contains(s, "__f__") || strings.Contains(s, `\"`) {
		t.Errorf("function markers or escaped quotes left in the option")
	}
	// Task 4 ran on worker 1 from 1ms to 1.9ms.
	if !strings.Contains(s, `"value":[1,1,1.9,4]`) {
		t.Errorf("task 4 not found as [lane, start, end, task]:\n%s", s)
	}
}

func TestHistogram(t *testing.T) {
	c := NewHistogram("h", []float64{1, 2, 2, 3, 3, 3, 4, math.NaN(), math.Inf(1)}, 3)
	ys := c.Series()[0].Y
	if len(ys) != 3 || ys[0]+ys[1]+ys[2] != 7 {
		t.Fatalf("counts %v, want 3 bins holding 7 finite values", ys)
	}
	// Bins [1,2) [2,3) [3,4], the top one closed: 1 | 2 2 | 3 3 3 4.
	if want := []float64{1, 2, 4}; ys[0] != want[0] || ys[1] != want[1] || ys[2] != want[2] {
		t.Errorf("counts %v, want %v", ys, want)
	}
	if got := strings.Join(c.Categories(), " "); got != "1–2 2–3 3–4" {
		t.Errorf("bin labels %q, want round edges 1–2 2–3 3–4", got)
	}
	odd := NewHistogram("odd", []float64{20.13, 21.7, 24.87}, 3)
	if got := strings.Join(odd.Categories(), " "); got != "20–22 22–24 24–26" {
		t.Errorf("bin labels %q, want steps of 2 from 20", got)
	}
	if e := NewHistogram("empty", nil, 0); e.note == "" || len(e.Series()) != 0 {
		t.Errorf("empty histogram: note %q, series %v", e.note, e.Series())
	}
	lat := NewLatency("lat", []time.Duration{time.Millisecond, 2 * time.Millisecond}, 2)
	if lat.XLabel != "latency (ms)" {
		t.Errorf("latency label %q", lat.XLabel)
	}
	// Ten tasks of 900µs each: every one in a single bin.
	if got := TaskLatency(spans(10, 2)).Series()[0].Y; got[0] != 10 {
		t.Errorf("task latency bins %v, want all 10 in the first", got)
	}
}

// wellFormed fails unless b parses as XML with an <svg> root.
func wellFormed(t *testing.T, b []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	root := ""
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
		}
	}
	if root != "svg" {
		t.Fatalf("root element %q, want svg", root)
	}
}

func allKinds() []*Chart {
	return []*Chart{
		NewBars("bars", []string{"a", "b"}, Series{Name: "s", Y: []float64{1, 2}}),
		NewLines("lines", Series{Name: "s", X: []float64{1, 2}, Y: []float64{1, 2}}),
		Timeline(spans(20, 4)),
		NewHistogram("histogram", []float64{1, 2, 3, 4, 5}, 0),
	}
}

func TestStaticSVG(t *testing.T) {
	for _, c := range allKinds() {
		svg, err := c.SVG()
		if err != nil {
			t.Fatalf("%s: %v", c.Kind(), err)
		}
		wellFormed(t, svg)
		if len(svg) < 2000 || len(svg) > 60000 {
			t.Errorf("%s: SVG is %d bytes, want between 2 KB and 60 KB", c.Kind(), len(svg))
		}
		if !bytes.Contains(svg, []byte(">"+c.Title+"<")) {
			t.Errorf("%s: SVG lacks the title %q", c.Kind(), c.Title)
		}
		if !bytes.Contains(svg, []byte("sans-serif")) {
			t.Errorf("%s: SVG fonts have no generic fallback", c.Kind())
		}
	}
	// A timeline draws one rectangle per task, in the task's colour.
	svg, _ := Timeline(spans(20, 4)).SVG()
	if n := bytes.Count(svg, []byte("fill:#5470C6")); n < 3 {
		t.Errorf("timeline: %d rectangles in the first palette colour, want 3 (tasks 0, 9, 18)", n)
	}
}

func TestStaticTimelineStaysSmall(t *testing.T) {
	// 20,000 tasks of 10µs on 4 workers: far more bars than pixels.
	var sp []span.Span
	for i := range 20000 {
		start := time.Duration(i/4) * 10 * time.Microsecond
		sp = append(sp, span.Span{Task: i, Worker: i % 4, Start: start, End: start + 9*time.Microsecond})
	}
	svg, err := Timeline(sp).SVG()
	if err != nil {
		t.Fatal(err)
	}
	wellFormed(t, svg)
	if len(svg) > 100_000 {
		t.Errorf("SVG of a 20,000-task timeline is %d bytes, want under 100 KB", len(svg))
	}
}

var dataURI = regexp.MustCompile(`src="data:image/png;base64,([A-Za-z0-9+/=]+)"`)

// wellFormedPNG fails unless b decodes as a PNG at twice the chart's CSS
// size, and is small enough to keep notebooks light.
func wellFormedPNG(t *testing.T, c *Chart, b []byte) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: not a PNG: %v", c.Kind(), err)
	}
	w, h := c.size()
	if got := img.Bounds().Size(); got.X != 2*w || got.Y != 2*h {
		t.Errorf("%s: PNG is %dx%d, want %dx%d (2x for high-DPI screens)", c.Kind(), got.X, got.Y, 2*w, 2*h)
	}
	if len(b) > 100_000 {
		t.Errorf("%s: PNG is %d bytes, want under 100 KB", c.Kind(), len(b))
	}
}

func TestHTMLHasFallbackAndLoader(t *testing.T) {
	for _, c := range allKinds() {
		h, err := c.HTML()
		if err != nil {
			t.Fatal(err)
		}
		m := dataURI.FindStringSubmatch(h)
		if m == nil {
			t.Fatalf("%s: no data-URI image in the HTML", c.Kind())
		}
		img, err := base64.StdEncoding.DecodeString(m[1])
		if err != nil {
			t.Fatal(err)
		}
		wellFormedPNG(t, c, img)
		for _, want := range []string{
			`class="gp-chart"`, `class="gp-chart-static"`, `class="gp-chart-live"`, `width="800" height="400"`,
			"define.amd", "require.config", "require(['echarts']", "createElement('script')",
			"'finished'", "img.style.display = 'none'", jsString(ScriptURL),
			"jupyter-config-data", jsString(JupyterPath),
		} {
			if !strings.Contains(h, want) {
				t.Errorf("%s: HTML lacks %s", c.Kind(), want)
			}
		}
		if n := strings.Count(h, "</script>"); n != 1 {
			t.Errorf("%s: %d </script> in the fragment, want 1", c.Kind(), n)
		}
		for _, line := range strings.Split(h, "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "%") {
				t.Errorf("%s: a line starts with %%, which GoNB would take for a command: %q", c.Kind(), line)
			}
		}
		// The image must show without any style: it is never hidden by default.
		tag := h[strings.Index(h, "<img"):]
		tag = tag[:strings.Index(tag, ">")]
		if strings.Contains(tag, "display:none") || strings.Contains(tag, "hidden") {
			t.Errorf("%s: fallback image hidden by default: %s", c.Kind(), tag[:80])
		}
	}
}

func TestScriptURLAndEscaping(t *testing.T) {
	old := ScriptURL
	ScriptURL = "http://127.0.0.1:1/echarts.min.js"
	defer func() { ScriptURL = old }()
	c := NewBars(`</script><script>alert("x")</script>`, []string{"a"}, Series{Name: "s", Y: []float64{1}})
	h, err := c.HTML()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h, `"http://127.0.0.1:1/echarts.min.js"`) {
		t.Error("ScriptURL not used")
	}
	if strings.Contains(h, "<script>alert") || strings.Count(h, "</script>") != 1 || !strings.Contains(h, `\u003c/script>`) {
		t.Errorf("title broke out of the script:\n%s", h)
	}
}

func TestFromBench(t *testing.T) {
	res := &bench.Result{Name: "demo", Machine: bench.Machine{NumCPU: 2, GOMAXPROCS: 2, GoVersion: "go1.x", GOOS: "linux", GOARCH: "amd64"},
		Variants: []string{"seq", "par"}, Sweep: bench.Workers(1, 2, 4), Baseline: "seq", Reps: 1}
	for _, w := range []int{1, 2, 4} {
		res.Runs = append(res.Runs,
			bench.Record{Variant: "seq", Param: bench.Param{Workers: w}, Wall: 40 * time.Millisecond},
			bench.Record{Variant: "par", Param: bench.Param{Workers: w}, Wall: 40 * time.Millisecond / time.Duration(min(w, 2))})
	}
	times := Times(res)
	if times.Kind() != "bars" || strings.Join(times.Categories(), ",") != "workers=1,workers=2,workers=4" || times.YLabel != "time (ms)" {
		t.Errorf("Times: kind %s, categories %v, y label %q", times.Kind(), times.Categories(), times.YLabel)
	}
	if got := times.Series()[1].Y; got[1] != 20 {
		t.Errorf("Times: par at 2 workers = %v ms, want 20", got[1])
	}
	sp := Speedup(res)
	if len(sp.Series()) != 3 || !sp.Series()[2].Dashed {
		t.Fatalf("Speedup: want seq, par and a dashed ideal line; got %+v", sp.Series())
	}
	if got := sp.Series()[1].Y; got[0] != 1 || got[1] != 2 || got[2] != 2 {
		t.Errorf("Speedup of par: %v, want [1 2 2]", got)
	}
	if got := sp.Series()[2].Y; got[2] != 2 {
		t.Errorf("ideal at 4 workers on 2 CPUs: %v, want 2", got[2])
	}
	if !strings.Contains(sp.Subtitle, "2 CPUs") || sp.XLabel != "workers (count)" {
		t.Errorf("Speedup subtitle %q, x label %q", sp.Subtitle, sp.XLabel)
	}
	sc := Scaling(res)
	if got := sc.Series()[0].X; len(got) != 3 || got[2] != 4 {
		t.Errorf("Scaling x values %v", got)
	}
	for _, c := range []*Chart{Times(nil), Speedup(&bench.Result{}), Scaling(nil), Timeline(nil)} {
		if _, err := c.HTML(); err != nil || c.note == "" {
			t.Errorf("%s of nothing: err %v, note %q", c.Kind(), err, c.note)
		}
	}
}

// The ideal lines use the cores the run recorded, not this machine's, and
// start from the point speedups are measured from.
func TestSpeedupIdeals(t *testing.T) {
	res := &bench.Result{Name: "io", Machine: bench.Machine{NumCPU: 64, GOMAXPROCS: 64},
		Variants: []string{"pool"}, Sweep: bench.Workers(2, 4, 128), Baseline: "pool", Reps: 1}
	for _, p := range res.Sweep {
		res.Runs = append(res.Runs, bench.Record{Variant: "pool", Param: p, Wall: time.Second / time.Duration(p.Workers)})
	}
	c := Speedup(res, Waiting, Computing)
	s := c.Series()
	if len(s) != 3 || s[0].Dashed || !s[1].Dashed || !s[2].Dashed {
		t.Fatalf("want the measured line, then 2 dashed ideals; got %+v", s)
	}
	if want := []float64{1, 2, 64}; !slices.Equal(s[1].Y, want) {
		t.Errorf("waiting ideal %v, want %v", s[1].Y, want)
	}
	if want := []float64{1, 2, 32}; !slices.Equal(s[2].Y, want) {
		t.Errorf("computing ideal on 64 recorded CPUs %v, want %v", s[2].Y, want)
	}
	if want := []float64{1, 2, 64}; !slices.Equal(s[0].Y, want) {
		t.Errorf("measured speedups %v, want %v", s[0].Y, want)
	}
	if !strings.Contains(c.Title, "with 2 worker(s)") || !strings.Contains(s[2].Name, "64 CPUs") {
		t.Errorf("title %q, ideal %q", c.Title, s[2].Name)
	}
	if n := len(Speedup(res).Series()); n != 2 {
		t.Errorf("Speedup with no ideal asked: %d series, want measured + computing", n)
	}
}

func TestAmdahl(t *testing.T) {
	c := Amdahl(16, bench.Amdahl{Variant: "a", Serial: 0.1}, bench.Amdahl{Variant: "b"})
	s := c.Series()
	if len(s) != 3 || len(s[0].X) != 16 || !s[2].Dashed {
		t.Fatalf("Amdahl: %+v", s)
	}
	if got, want := s[0].Y[15], 1/(0.1+0.9/16); math.Abs(got-want) > 1e-9 {
		t.Errorf("a on 16 cores: %v, want %v", got, want)
	}
	if s[1].Y[15] != 16 || s[0].Name != "a, s = 0.100" {
		t.Errorf("b on 16 cores: %v; name %q", s[1].Y[15], s[0].Name)
	}
}

func TestFilesAndBundle(t *testing.T) {
	dir := t.TempDir()
	c := allKinds()[0]
	if err := c.WriteHTML(filepath.Join(dir, "c.html")); err != nil {
		t.Fatal(err)
	}
	page, _ := os.ReadFile(filepath.Join(dir, "c.html"))
	if !bytes.HasPrefix(page, []byte("<!DOCTYPE html>")) || !bytes.Contains(page, []byte(`<meta charset="utf-8">`)) {
		t.Errorf("page head wrong: %.120s", page)
	}
	if err := c.WriteSVG(filepath.Join(dir, "c.svg")); err != nil {
		t.Fatal(err)
	}
	svg, _ := os.ReadFile(filepath.Join(dir, "c.svg"))
	wellFormed(t, svg)
	if err := c.WriteHTML(filepath.Join(dir, "missing", "c.html")); err == nil {
		t.Error("WriteHTML into a missing directory: no error")
	}
	b, err := c.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != 3 || !strings.Contains(b["text/html"], "gp-chart") || b["text/plain"] == "" {
		t.Errorf("bundle has %d entries, want text/html, image/png and text/plain", len(b))
	}
	img, err := base64.StdEncoding.DecodeString(b["image/png"])
	if err != nil {
		t.Fatalf("image/png is not base64: %v", err)
	}
	wellFormedPNG(t, c, img)
}

func TestWrap(t *testing.T) {
	c := NewBars("t", []string{"a"}, Series{Name: "s", Y: []float64{1}})
	c.Subtitle = strings.Repeat("a long subtitle that goes on ", 12)
	svg, err := c.SVG()
	if err != nil {
		t.Fatal(err)
	}
	wellFormed(t, svg)
	if n := bytes.Count(svg, []byte("a long subtitle")); n != 12 {
		t.Errorf("subtitle words lost: %d of 12 found", n)
	}
	if n := bytes.Count(svg, []byte("<text")); n < 3+1 {
		t.Errorf("long subtitle not wrapped onto several lines (%d text elements)", n)
	}
}

func TestStaticTimelineThinsCrowdedLaneLabels(t *testing.T) {
	var spans []span.Span
	for w := range 160 {
		spans = append(spans, span.Span{Task: w, Worker: w, Start: time.Duration(w) * time.Millisecond, End: time.Duration(w+20) * time.Millisecond})
	}
	svg, err := NewTimeline("many lanes", spans).SVG()
	if err != nil {
		t.Fatal(err)
	}
	labels := 0
	for w := range 160 {
		if bytes.Contains(svg, []byte(">w"+strconv.Itoa(w)+"<")) {
			labels++
		}
	}
	if labels == 0 || labels > 20 {
		t.Errorf("static timeline prints %d of 160 lane labels, want 1..20", labels)
	}
}
