package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/go-parallelism/go-parallelism/scripts/browser/charts"
	"github.com/go-parallelism/go-parallelism/scripts/browser/jupyter"
)

var (
	drawn     = charts.Chart{ID: "a", State: "interactive", ImgDecoded: true, ImgLoaded: true, LiveVisible: true, CanvasW: 800, CanvasH: 400}
	imageOnly = charts.Chart{ID: "b", State: "static", ImgVisible: true, ImgDecoded: true, ImgLoaded: true, ImgW: 800, ImgH: 400}
)

func codeCell(i int, src string, outs ...jupyter.Output) jupyter.Cell {
	return jupyter.Cell{Index: i, Type: "code", Source: src, Ran: true, Outputs: outs}
}

func kindsOf(ps []Problem) []Kind {
	var ks []Kind
	for _, p := range ps {
		ks = append(ks, p.Kind)
	}
	return ks
}

func TestCheckRun(t *testing.T) {
	chartOut := jupyter.Output{Type: "display_data", Mimes: []string{"text/html"}, Charts: 1}
	bar := func(title string) string { return title + " [" + strings.Repeat("#", 30) + "] 40/40\n" }
	for _, tc := range []struct {
		name string
		cell jupyter.Cell
		want []Kind
	}{
		{"fine", codeCell(0, "x", jupyter.Output{Type: "stream", Text: "ok\n"}), nil},
		{"not run", jupyter.Cell{Type: "code", Source: "x"}, []Kind{NotRun}},
		{"empty cell never runs", jupyter.Cell{Type: "code", Source: "  \n"}, nil},
		{"error output", codeCell(0, "x", jupyter.Output{Type: "error", Text: "ERROR: undefined: y"}), []Kind{CellError}},
		{"panic in a stream", codeCell(0, "x", jupyter.Output{Type: "stream", Text: "panic: boom\n\ngoroutine 1 [running]:\n"}), []Kind{CellError}},
		{"race report", codeCell(0, "x", jupyter.Output{Type: "stream", Text: "==================\nWARNING: DATA RACE\n"}), []Kind{CellError}},
		{"a word panic mid-line is fine", codeCell(0, "x", jupyter.Output{Type: "stream", Text: "a worker may panic: it is recovered\n"}), nil},
		{"chart drawn", func() jupyter.Cell { c := codeCell(0, "x", chartOut); c.Charts = []charts.Chart{drawn}; return c }(), nil},
		{"chart not drawn", func() jupyter.Cell { c := codeCell(0, "x", chartOut); c.Charts = []charts.Chart{imageOnly}; return c }(), []Kind{LiveChart}},
		{"chart missing from the page", codeCell(0, "x", chartOut), []Kind{LiveChart}},
		{"one progress bar", func() jupyter.Cell { c := codeCell(0, "x"); c.View.Text = bar("fetch"); return c }(), nil},
		{"two bars", func() jupyter.Cell {
			c := codeCell(0, "x")
			c.View.Text = bar("fetch") + bar("parse")
			return c
		}(), nil},
		{"progress printed line by line", func() jupyter.Cell {
			c := codeCell(0, "x")
			c.View.Text = strings.Repeat(bar("fetch"), 3)
			return c
		}(), []Kind{ProgressNotInPlace}},
		{"long output", func() jupyter.Cell {
			c := codeCell(0, "x")
			c.View.Text = strings.Repeat("line\n", MaxOutputLines+1)
			return c
		}(), []Kind{LongOutput}},
	} {
		ps := checkRun([]jupyter.Cell{tc.cell}).Problems
		if got := kindsOf(ps); !slices.Equal(got, tc.want) {
			t.Errorf("%s: checkRun = %v, want %v", tc.name, ps, tc.want)
		}
	}
}

func TestCheckRunCountsDrawn(t *testing.T) {
	c := codeCell(3, "x", jupyter.Output{Type: "display_data", Charts: 2})
	c.Charts = []charts.Chart{drawn, drawn}
	res := checkRun([]jupyter.Cell{c})
	if len(res.Problems) != 0 || res.Drawn != 2 {
		t.Errorf("checkRun = %v, %d drawn; want no problem, 2 drawn", res.Problems, res.Drawn)
	}
}

func TestCheckRunWarnsOfWideOutput(t *testing.T) {
	c := codeCell(0, "x")
	c.View.Text = "fetch [" + strings.Repeat("#", 30) + "] 40/40\n"
	c.View.Overflow = 150
	res := checkRun([]jupyter.Cell{c})
	if len(res.Problems) != 0 || len(res.Warnings) != 1 || res.Warnings[0].Kind != Wide || res.Progress != 1 {
		t.Errorf("checkRun = %+v; want one %q warning, one progress bar, no problem", res, Wide)
	}
}

func TestCheckSaved(t *testing.T) {
	out := jupyter.Output{Type: "display_data", Charts: 2}
	shown := codeCell(0, "x", out)
	shown.Charts = []charts.Chart{imageOnly, imageOnly}
	if ps, n := checkSaved([]jupyter.Cell{shown}); len(ps) != 0 || n != 2 {
		t.Errorf("two static images: checkSaved = %v, %d; want none, 2", ps, n)
	}
	sanitized := codeCell(4, "x", out) // the page shows none of the two
	ps, _ := checkSaved([]jupyter.Cell{sanitized})
	if len(ps) != 1 || ps[0].Kind != SavedChart || ps[0].Cell != 5 || !strings.Contains(ps[0].Detail, "2 of the 2") {
		t.Errorf("charts missing: checkSaved = %v", ps)
	}
	live := codeCell(0, "x", jupyter.Output{Charts: 1})
	live.Charts = []charts.Chart{drawn}
	if ps, _ := checkSaved([]jupyter.Cell{live}); !slices.Contains(kindsOf(ps), SavedChart) {
		t.Errorf("drawn where no script may run: checkSaved = %v", ps)
	}
}

func TestExercises(t *testing.T) {
	ex := codeCell(1, "func F() {}")
	ex.Tags = []string{"exercise"}
	cells := []jupyter.Cell{codeCell(0, "x"), ex, {Index: 2, Type: "markdown", Source: "%test"}, codeCell(3, "%test\nfunc TestF(t *testing.T) {}")}
	got, ps := exercises(cells)
	if len(ps) != 0 || !slices.Equal(got, []exercise{{1, 3}}) {
		t.Errorf("exercises = %v, %v; want [{1 3}]", got, ps)
	}
	if _, ps := exercises(cells[:3]); len(ps) != 1 || ps[0].Kind != ExerciseMissing {
		t.Errorf("no %%test cell: problems %v, want one %q", ps, ExerciseMissing)
	}
	if _, ps := exercises([]jupyter.Cell{codeCell(0, "x")}); len(ps) != 1 || ps[0].Kind != ExerciseMissing {
		t.Errorf("no exercise: problems %v, want one %q", ps, ExerciseMissing)
	}
}

func TestTestVerdict(t *testing.T) {
	for _, tc := range []struct {
		out  string
		pass bool
	}{
		{"=== RUN   TestF\n--- PASS: TestF (0.00s)\nPASS\n", true},
		{"=== RUN   TestF\n    x.go:3: exercise not done yet\n--- SKIP: TestF (0.00s)\nPASS\n", false},
		{"=== RUN   TestF\n--- FAIL: TestF (0.00s)\nFAIL\n", false},
		{"=== RUN   TestF\n--- PASS: TestF (0.00s)\n=== RUN   TestG\n--- FAIL: TestG (0.00s)\n", false},
		{"", false},
	} {
		c := codeCell(0, "%test", jupyter.Output{Type: "stream", Text: tc.out})
		if got, _ := testVerdict(c); got != tc.pass {
			t.Errorf("testVerdict(%q) = %v, want %v", tc.out, got, tc.pass)
		}
	}
}

func TestCheckInks(t *testing.T) {
	inks := []jupyter.Ink{
		{Cell: 2, What: "chart 1 title", FG: "#464646", BG: "rgb(17, 17, 17)"},               // illegible
		{Cell: 2, What: "chart 1 axis labels", FG: "#6E7079", BG: "rgb(17, 17, 17)"},         // illegible
		{Cell: 3, What: `table 1 cell "a"`, FG: "rgb(230, 230, 230)", BG: "rgb(17, 17, 17)"}, // fine
		{Cell: 3, What: `table 1 cell "b"`, FG: "rgb(230, 230, 230)", BG: "rgb(245, 245, 245)"},
		{Cell: 3, What: `table 1 cell "c"`, FG: "rgb(230, 230, 230)", BG: "rgb(245, 245, 245)"}, // same pair: one report
		{Cell: 4, What: "chart 1 title", FG: "red", BG: "#fff"},
	}
	ps := checkInks(inks)
	var cells []int
	for _, p := range ps {
		if p.Kind != DarkTheme {
			t.Errorf("kind %q, want %q", p.Kind, DarkTheme)
		}
		cells = append(cells, p.Cell)
	}
	if !slices.Equal(cells, []int{3, 4, 5}) {
		t.Errorf("problems in cells %v, want [3 4 5]: %v", cells, ps)
	}
}
