package main

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/go-parallelism/go-parallelism/scripts/browser/charts"
	"github.com/go-parallelism/go-parallelism/scripts/browser/contrast"
	"github.com/go-parallelism/go-parallelism/scripts/browser/jupyter"
)

// Kind is what is wrong, in words a report can print and a test can match.
type Kind string

const (
	Kernel             Kind = "wrong kernel"
	Timeout            Kind = "did not finish"
	NotRun             Kind = "cell did not run"
	CellError          Kind = "cell error"
	SavedChart         Kind = "saved chart"
	LiveChart          Kind = "chart after running"
	NoCharts           Kind = "no charts"
	ProgressNotInPlace Kind = "progress not updated in place"
	LongOutput         Kind = "output too long"
	ExerciseMissing    Kind = "exercise missing"
	ExerciseNotFailing Kind = "exercise check passes before a solution"
	ExerciseNotPassing Kind = "exercise check fails with the solution"
	DarkTheme          Kind = "illegible in the dark theme"
	Wide               Kind = "output wider than the notebook"
	Browser            Kind = "browser"
)

// Problem is one thing wrong in one notebook.
type Problem struct {
	Cell   int    `json:"cell"` // 1-based position in the file; 0 for the whole notebook
	Kind   Kind   `json:"kind"`
	Detail string `json:"detail"`
}

func (p Problem) String() string {
	if p.Cell == 0 {
		return fmt.Sprintf("%s: %s", p.Kind, p.Detail)
	}
	return fmt.Sprintf("cell #%d: %s: %s", p.Cell, p.Kind, p.Detail)
}

// badText is output that means a cell went wrong even if the kernel said
// it finished: the same patterns as scripts/nbrun.py.
var badText = regexp.MustCompile(`(?m)^(panic: |fatal error: |WARNING: DATA RACE|goroutine \d+ \[running\]:)`)

// progressLine matches a lib/nb progress bar: "title [####....] 12/160".
var progressLine = regexp.MustCompile(`(?m)^(.*?)\s*\[[#.]{10,}\]\s*(\d+)/(\d+)`)

// Limits of a cell's output as shown.
const (
	// MaxProgressRepeats is how often one progress bar's title may show in
	// one cell: more means each redraw printed a new line.
	MaxProgressRepeats = 2
	// MaxOutputLines bounds the lines a cell shows.
	MaxOutputLines = 400
)

// checkSaved judges the notebook as saved, opened untrusted: every chart
// must show its static image.
func checkSaved(cells []jupyter.Cell) (problems []Problem, nCharts int) {
	for _, c := range cells {
		nCharts += c.WantCharts()
		for _, p := range charts.Check(charts.Static, c.Charts) {
			problems = append(problems, Problem{c.Index + 1, SavedChart, p.String()})
		}
		if got, want := len(c.Charts), c.WantCharts(); got < want {
			problems = append(problems, Problem{c.Index + 1, SavedChart, fmt.Sprintf("%d of the %d charts in the outputs are not on the page", want-got, want)})
		}
	}
	return problems, nCharts
}

// MaxOverflow is how far, in CSS pixels, an output may run past the width
// of the output area before it counts as too wide.
const MaxOverflow = 2

// runResult is what checkRun finds.
type runResult struct {
	Problems []Problem
	Warnings []Problem // worth a look, not a failure: wide outputs
	Drawn    int       // charts drawn by ECharts
	Progress int       // cells that show a progress bar
}

// checkRun judges the cells after Run All: each ran, none failed, every
// chart drawn with its image hidden, progress redrawn in place.
func checkRun(cells []jupyter.Cell) runResult {
	var res runResult
	problems, drawn := &res.Problems, &res.Drawn
	for _, c := range cells {
		if c.Type != "code" || strings.TrimSpace(c.Source) == "" {
			continue
		}
		add := func(k Kind, format string, args ...any) {
			*problems = append(*problems, Problem{c.Index + 1, k, fmt.Sprintf(format, args...)})
		}
		if !c.Ran {
			add(NotRun, "no execution count after Run All (source starts %q)", firstLine(c.Source))
			continue
		}
		if msg := cellError(c); msg != "" {
			add(CellError, "%s", msg)
		}
		for _, p := range charts.Check(charts.Interactive, c.Charts) {
			add(LiveChart, "%s", p)
		}
		if got, want := len(c.Charts), c.WantCharts(); got < want {
			add(LiveChart, "%d of the %d charts in the outputs are not on the page", want-got, want)
		}
		*drawn += charts.Count(c.Charts)
		seen := map[string]int{}
		for _, m := range progressLine.FindAllStringSubmatch(c.View.Text, -1) {
			seen[strings.TrimSpace(m[1])]++
		}
		if len(seen) > 0 {
			res.Progress++
		}
		if c.View.Overflow > MaxOverflow {
			res.Warnings = append(res.Warnings, Problem{c.Index + 1, Wide, fmt.Sprintf("an output runs %.0f px past the output area and scrolls sideways", c.View.Overflow)})
		}
		for title, n := range seen {
			if n > MaxProgressRepeats {
				add(ProgressNotInPlace, "the bar %q shows %d times", title, n)
			}
		}
		if n := strings.Count(c.View.Text, "\n"); n > MaxOutputLines {
			add(LongOutput, "%d lines shown, at most %d allowed", n, MaxOutputLines)
		}
	}
	return res
}

// checkInks reports text drawn with too little contrast on its background.
func checkInks(inks []jupyter.Ink) []Problem {
	var out []Problem
	seen := map[string]bool{}
	for _, k := range inks {
		r, err := contrast.Ratio(k.FG, k.BG)
		if err != nil {
			out = append(out, Problem{k.Cell + 1, DarkTheme, err.Error()})
			continue
		}
		key := fmt.Sprint(k.Cell, k.FG, k.BG, strings.Fields(k.What)[0])
		if r >= contrast.Min || seen[key] {
			continue
		}
		seen[key] = true // one report per kind of element and colour pair
		out = append(out, Problem{k.Cell + 1, DarkTheme, fmt.Sprintf("%s: %s on %s, contrast %.1f, want at least %.0f", k.What, k.FG, k.BG, r, contrast.Min)})
	}
	return out
}

func cellError(c jupyter.Cell) string {
	var text []string
	failed := false
	for _, o := range c.Outputs {
		if o.Type == "error" {
			failed = true
		}
		text = append(text, o.Text)
	}
	all := strings.Join(text, "\n")
	if !failed && !badText.MatchString(all) {
		return ""
	}
	return jupyter.Tail(all, 600)
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > 60 {
		s = s[:60] + "..."
	}
	return s
}

// exercise is a cell tagged "exercise" and the %test cell that checks it.
type exercise struct {
	Cell, Test int // indexes into the cells
}

// exercises finds each exercise cell and the first %test cell after it.
func exercises(cells []jupyter.Cell) ([]exercise, []Problem) {
	var out []exercise
	var problems []Problem
	for i, c := range cells {
		if !hasTag(c, "exercise") {
			continue
		}
		test := -1
		for j := i + 1; j < len(cells); j++ {
			if cells[j].Type == "code" && strings.HasPrefix(strings.TrimSpace(cells[j].Source), "%test") {
				test = j
				break
			}
		}
		if test < 0 {
			problems = append(problems, Problem{i + 1, ExerciseMissing, "no %test cell after the exercise"})
			continue
		}
		out = append(out, exercise{i, test})
	}
	if len(out) == 0 && len(problems) == 0 {
		problems = append(problems, Problem{0, ExerciseMissing, `no cell tagged "exercise"`})
	}
	return out, problems
}

func hasTag(c jupyter.Cell, tag string) bool {
	for _, t := range c.Tags {
		if t == tag {
			return true
		}
	}
	return false
}

// testVerdict reads a %test cell's output: passed (every test passed, none
// skipped or failed), and the output as text.
func testVerdict(c jupyter.Cell) (passed bool, text string) {
	var b strings.Builder
	for _, o := range c.Outputs {
		b.WriteString(o.Text)
	}
	text = b.String()
	passed = strings.Contains(text, "--- PASS") && !strings.Contains(text, "--- SKIP") && !strings.Contains(text, "--- FAIL")
	return passed, text
}
