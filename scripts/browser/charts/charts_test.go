package charts

import (
	"slices"
	"testing"
)

var (
	imageOnly = Chart{ID: "a", State: "static", ImgVisible: true, ImgDecoded: true, ImgW: 800, ImgH: 400}
	drawn     = Chart{ID: "b", State: "interactive", ImgDecoded: true, LiveVisible: true, CanvasW: 800, CanvasH: 400}
	both      = Chart{ID: "c", State: "interactive", ImgVisible: true, ImgDecoded: true, ImgW: 800, ImgH: 400, LiveVisible: true, CanvasW: 800, CanvasH: 400}
	blank     = Chart{ID: "d", State: "static", ImgVisible: true, ImgW: 0, ImgH: 0}
	sliver    = Chart{ID: "e", State: "interactive", LiveVisible: true, CanvasW: 800, CanvasH: 3}
	broken    = Chart{ID: "f", State: "static", ImgVisible: true, ImgW: 800, ImgH: 400} // image never decoded
	// Drawn, but lib/chart found it hard to read.
	unreadable = func() Chart { c := drawn; c.Lint = []string{"axis without a unit: the y axis has no name"}; return c }()
	// Drawn, with two labels past the canvas's edges.
	clipped = func() Chart {
		c := drawn
		c.Outside = []string{`"time (ms)" at -30..20 x 180..192 in 800x400`, `"w159" at 10..40 x 398..410 in 800x400`}
		return c
	}()
)

func kinds(ps []Problem) []Kind {
	var out []Kind
	for _, p := range ps {
		out = append(out, p.Kind)
	}
	return out
}

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name  string
		mode  Mode
		chart Chart
		want  []Kind
	}{
		{"static image in static view", Static, imageOnly, nil},
		{"drawing in static view", Static, drawn, []Kind{NoImage, LiveShown}},
		{"blank in static view", Static, blank, []Kind{Blank}},
		{"undecoded image in static view", Static, broken, []Kind{Blank}},
		{"drawing in interactive view", Interactive, drawn, nil},
		{"image only in interactive view", Interactive, imageOnly, []Kind{NotInteractive}},
		{"image over drawing", Interactive, both, []Kind{FallbackShown}},
		{"blank in interactive view", Interactive, blank, []Kind{Blank}},
		{"drawing too small", Interactive, sliver, []Kind{Blank}},
		{"hard to read, static view", Static, func() Chart { c := imageOnly; c.Lint = unreadable.Lint; return c }(), []Kind{Unreadable}},
		{"hard to read, interactive view", Interactive, unreadable, []Kind{Unreadable}},
		{"label outside the drawing", Interactive, clipped, []Kind{TextOutside, TextOutside}},
		{"label outside a drawing not shown", Static, func() Chart { c := imageOnly; c.Outside = clipped.Outside; return c }(), nil},
	} {
		got := kinds(Check(tc.mode, []Chart{tc.chart}))
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: Check = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestCheckNamesTheChart(t *testing.T) {
	ps := Check(Interactive, []Chart{drawn, imageOnly})
	if len(ps) != 1 || ps[0].Chart != 1 {
		t.Fatalf("Check = %v, want one problem for chart index 1", ps)
	}
	if s := ps[0].String(); s != `chart 2: not drawn interactively (a: state "static", image visible true decoded true 800x400, live visible false canvas 0x0)` {
		t.Errorf("String() = %q", s)
	}
}

func TestCount(t *testing.T) {
	if n := Count([]Chart{drawn, imageOnly, both, sliver}); n != 2 {
		t.Errorf("Count = %d, want 2", n)
	}
}
