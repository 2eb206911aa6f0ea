// Labtest opens each notebook in JupyterLab (or Notebook 7), in headless
// Chromium, the way a reader does, and checks what the page shows:
//
//   - as saved, opened untrusted (as in a fresh clone, where no output
//     script runs): every chart shows its static image;
//   - after Run > Run All Cells, once the kernel is idle: every code cell
//     ran, no cell shows an error or a panic, every chart is drawn by
//     ECharts with its static image hidden, progress bars were redrawn in
//     place (not printed line after line);
//   - the exercise: its %test cell does not pass with the stub, and passes
//     once the solution (from -solutions) is typed into the exercise cell
//     and both cells are run again.
//
// It starts its own Jupyter server from .venv (nothing is saved: the server
// refuses writes) which serves its own copy of ECharts, as make lab's does
// (build/jupyter/static, see lib/chart's JupyterPath). Every request to a
// CDN fails, so it runs offline and shows the charts need no network. It
// writes one screenshot per notebook into -out, and a report
// (report-<ui>.json) with, per notebook, the time Run All took and the
// charts seen drawn.
//
// Usage (from scripts/browser):
//
//	go run ./cmd/labtest -root ../.. notebooks/00-setup.ipynb ...
//
// Notebook paths are relative to -root. The exit status is 1 if any
// notebook has a problem.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-parallelism/go-parallelism/scripts/browser/chrome"
	"github.com/go-parallelism/go-parallelism/scripts/browser/jupyter"
)

type config struct {
	root      string
	jupyter   string
	kernels   string
	static    string
	solutions string
	out       string
	ui        jupyter.UI
	timeout   time.Duration
	kernel    string
	minCharts int
	dark      string // off, warn or fail
	darkShot  bool   // take a screenshot in the dark theme too
	save      string // folder to write each notebook as run, or ""
	dump      bool   // write what the page showed, cell by cell, as JSON
	log       io.Writer
}

// Report is what labtest found in one notebook.
type Report struct {
	Notebook    string    `json:"notebook"`
	UI          string    `json:"ui"`
	CodeCells   int       `json:"codeCells"`
	RunSeconds  float64   `json:"runSeconds"`  // Run All to kernel idle
	SavedCharts int       `json:"savedCharts"` // charts in the saved notebook
	Drawn       int       `json:"drawn"`       // charts drawn by ECharts after Run All
	Progress    int       `json:"progress"`    // cells showing a progress bar after Run All
	Exercises   int       `json:"exercises"`   // exercises checked against a solution
	Screenshot  string    `json:"screenshot"`
	Dark        string    `json:"darkScreenshot,omitempty"`
	Problems    []Problem `json:"problems"`
	// Warnings are problems that do not fail the notebook (-dark=warn).
	Warnings []Problem `json:"warnings,omitempty"`
}

func main() {
	var c config
	var ui string
	flag.StringVar(&c.root, "root", "../..", "repository root: the server's root, and the base of relative paths")
	flag.StringVar(&c.jupyter, "jupyter", ".venv/bin/jupyter", "jupyter executable")
	flag.StringVar(&c.kernels, "kernels", "build/jupyter-batch", "folder with the kernelspec to use (JUPYTER_PATH)")
	flag.StringVar(&c.static, "static", "build/jupyter/static", "folder the Jupyter server serves as static files (its copy of ECharts)")
	flag.StringVar(&c.solutions, "solutions", "notebooks/solutions", `folder of exercise solutions (<notebook>-<k>.gonb); "" skips the exercise check`)
	flag.StringVar(&c.out, "out", "build/lab", "folder for screenshots and the report")
	flag.StringVar(&ui, "ui", "lab", "front end: lab (JupyterLab) or notebook (Notebook 7)")
	flag.DurationVar(&c.timeout, "timeout", 15*time.Minute, "time allowed per notebook")
	flag.StringVar(&c.kernel, "kernel", "Go (gonb)", "kernel display name every notebook must run with")
	flag.IntVar(&c.minCharts, "min-charts", 0, "fail a notebook with fewer charts drawn than this")
	flag.StringVar(&c.dark, "dark", "fail", "check legibility in the JupyterLab Dark theme: off, warn or fail")
	flag.BoolVar(&c.darkShot, "dark-screenshots", false, "also take a screenshot of each notebook in the dark theme")
	flag.StringVar(&c.save, "save", "", "folder to write each notebook as it stands after the run (solutions in place), for handouts")
	flag.BoolVar(&c.dump, "dump", false, "write what the page showed after Run All, cell by cell, to -out as JSON")
	verbose := flag.Bool("v", false, "show the Jupyter server's log")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: labtest [flags] notebook.ipynb...\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	switch jupyter.UI(ui) {
	case jupyter.Lab, jupyter.Notebook7:
		c.ui = jupyter.UI(ui)
	default:
		fmt.Fprintf(os.Stderr, "labtest: -ui %q: want lab or notebook\n", ui)
		os.Exit(2)
	}
	if c.dark != "off" && c.dark != "warn" && c.dark != "fail" {
		fmt.Fprintf(os.Stderr, "labtest: -dark %q: want off, warn or fail\n", c.dark)
		os.Exit(2)
	}
	c.log = io.Discard
	if *verbose {
		c.log = os.Stderr
	}
	reports, err := run(context.Background(), c, flag.Args())
	if err != nil {
		fmt.Fprintln(os.Stderr, "labtest:", err)
		os.Exit(1)
	}
	failed := summary(os.Stdout, reports)
	if failed > 0 {
		os.Exit(1)
	}
}

func (c config) path(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.root, p)
}

// run checks each notebook and writes the report; the error is for what
// stopped the whole run (no browser, no server).
func run(ctx context.Context, c config, notebooks []string) ([]Report, error) {
	root, err := filepath.Abs(c.root)
	if err != nil {
		return nil, err
	}
	c.root = root
	if err := os.MkdirAll(c.path(c.out), 0o755); err != nil {
		return nil, err
	}
	srv, err := jupyter.StartServer(ctx, jupyter.ServerOptions{
		Jupyter:    c.path(c.jupyter),
		Root:       c.root,
		KernelPath: []string{c.path(c.kernels)},
		Static:     []string{c.path(c.static)},
		Log:        c.log,
	})
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	b, err := chrome.Start(ctx, chrome.Options{})
	if err != nil {
		return nil, err
	}
	defer b.Close()

	var reports []Report
	for _, nb := range notebooks {
		rel := nb
		if filepath.IsAbs(nb) {
			if rel, err = filepath.Rel(c.root, nb); err != nil {
				return reports, err
			}
		}
		r := checkNotebook(ctx, c, srv, b, filepath.ToSlash(rel))
		printReport(os.Stdout, r)
		reports = append(reports, r)
		// Free the kernel's memory before the next notebook.
		sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		srv.ShutdownKernels(sctx)
		cancel()
	}
	js, _ := json.MarshalIndent(reports, "", "  ")
	return reports, os.WriteFile(filepath.Join(c.path(c.out), "report-"+string(c.ui)+".json"), js, 0o644)
}

func checkNotebook(ctx context.Context, c config, srv *jupyter.Server, b *chrome.Browser, rel string) (r Report) {
	r = Report{Notebook: rel, UI: string(c.ui)}
	fail := func(k Kind, err error) { r.Problems = append(r.Problems, Problem{0, k, err.Error()}) }
	tab, err := b.NewTab()
	if err != nil {
		fail(Browser, err)
		return r
	}
	defer tab.Close()
	ctx, cancel := context.WithTimeout(tab.Context(), c.timeout)
	defer cancel()
	stem := strings.TrimSuffix(filepath.Base(rel), ".ipynb")
	t0 := time.Now()
	step := func(what string) { fmt.Fprintf(os.Stderr, "  %s: %s (%.1f s)\n", rel, what, time.Since(t0).Seconds()) }
	defer func() {
		// One screenshot whatever happened: a person can look.
		sctx, scancel := context.WithTimeout(tab.Context(), 2*time.Minute)
		defer scancel()
		if png, err := shoot(sctx, tab); err == nil {
			file := filepath.Join(c.path(c.out), stem+"-"+string(c.ui)+".png")
			if err := os.WriteFile(file, png, 0o644); err == nil {
				r.Screenshot, _ = filepath.Rel(c.root, file)
			}
		} else {
			fmt.Fprintf(os.Stderr, "labtest: %s: no screenshot: %v\n", rel, err)
		}
	}()

	nb, err := jupyter.Open(ctx, srv.NotebookURL(c.ui, rel))
	if err != nil {
		fail(Browser, err)
		return r
	}
	nb.HideSidebars(ctx)
	step("opened")

	// 1. As saved and untrusted.
	sctx, scancel := context.WithTimeout(ctx, time.Minute)
	saved, err := nb.Settle(sctx)
	scancel()
	if err != nil {
		fail(Browser, err)
	}
	ps, n := checkSaved(saved)
	r.Problems = append(r.Problems, ps...)
	r.SavedCharts = n
	step(fmt.Sprintf("saved view checked: %d charts", n))

	// 2. Run All.
	st, err := nb.WaitKernel(ctx)
	if err != nil {
		fail(Kernel, err)
		return r
	}
	if st.Kernel != c.kernel {
		fail(Kernel, fmt.Errorf("the notebook opened with %q, want %q", st.Kernel, c.kernel))
		return r
	}
	r.CodeCells = st.Code
	if err := nb.Watch(ctx); err != nil {
		fail(Browser, err)
		return r
	}
	start := time.Now()
	if err := nb.RunAll(ctx); err != nil {
		fail(Browser, err)
		return r
	}
	_, err = nb.WaitRun(ctx, nil)
	r.RunSeconds = time.Since(start).Seconds()
	if err != nil {
		fail(Timeout, err)
	}
	after, err := waitCharts(ctx, nb)
	if err != nil {
		fail(Browser, err)
		return r
	}
	if c.dump {
		js, _ := json.MarshalIndent(after, "", " ")
		os.WriteFile(filepath.Join(c.path(c.out), stem+"-"+string(c.ui)+"-cells.json"), js, 0o644)
	}
	res := checkRun(after)
	r.Drawn, r.Progress = res.Drawn, res.Progress
	r.Problems = append(r.Problems, res.Problems...)
	r.Warnings = append(r.Warnings, res.Warnings...)
	step(fmt.Sprintf("ran all in %.1f s: %d charts drawn, %d progress bars", r.RunSeconds, r.Drawn, r.Progress))
	if r.Drawn < c.minCharts {
		fail(NoCharts, fmt.Errorf("%d charts drawn, want at least %d", r.Drawn, c.minCharts))
	}

	// 3. The exercise, before and with its solution.
	checkExercises(ctx, c, nb, after, stem, &r)
	step(fmt.Sprintf("%d exercise(s) checked with the solution", r.Exercises))

	if c.save != "" {
		if err := save(ctx, nb, filepath.Join(c.path(c.save), filepath.Base(rel))); err != nil {
			fail(Browser, err)
		}
	}

	// 4. The dark theme.
	if c.dark != "off" && c.ui == jupyter.Lab {
		checkDark(ctx, c, nb, stem, &r)
		step("dark theme checked")
	}
	return r
}

// save writes the notebook as the page holds it to file.
func save(ctx context.Context, nb *jupyter.Notebook, file string) error {
	js, err := nb.JSON(ctx)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	return os.WriteFile(file, js, 0o644)
}

func checkExercises(ctx context.Context, c config, nb *jupyter.Notebook, after []jupyter.Cell, stem string, r *Report) {
	fail := func(k Kind, err error) { r.Problems = append(r.Problems, Problem{0, k, err.Error()}) }
	if c.solutions == "" {
		return
	}
	exs, ps := exercises(after)
	r.Problems = append(r.Problems, ps...)
	for k, ex := range exs {
		if passed, _ := testVerdict(after[ex.Test]); passed {
			r.Problems = append(r.Problems, Problem{ex.Test + 1, ExerciseNotFailing, "the %test cell passed with the exercise's stub"})
		}
		sol, err := os.ReadFile(filepath.Join(c.path(c.solutions), fmt.Sprintf("%s-%d.gonb", stem, k+1)))
		if err != nil {
			r.Problems = append(r.Problems, Problem{ex.Cell + 1, ExerciseMissing, err.Error()})
			continue
		}
		err = errors.Join(nb.SetSource(ctx, ex.Cell, string(sol)), nb.Run(ctx, ex.Cell), nb.Run(ctx, ex.Test))
		if err != nil {
			fail(Browser, err)
			continue
		}
		cells, err := nb.Cells(ctx)
		if err != nil {
			fail(Browser, err)
			continue
		}
		if msg := cellError(cells[ex.Cell]); msg != "" {
			r.Problems = append(r.Problems, Problem{ex.Cell + 1, CellError, "with the solution: " + msg})
		}
		if passed, text := testVerdict(cells[ex.Test]); !passed {
			r.Problems = append(r.Problems, Problem{ex.Test + 1, ExerciseNotPassing, jupyter.Tail(text, 600)})
		}
		r.Exercises++
	}
}

// Themes the legibility check switches between.
const (
	darkTheme  = "JupyterLab Dark"
	lightTheme = "JupyterLab Light"
)

// checkDark switches to the dark theme, checks the contrast of tables and
// charts, takes a second screenshot, and switches back.
func checkDark(ctx context.Context, c config, nb *jupyter.Notebook, stem string, r *Report) {
	report := func(ps ...Problem) {
		if c.dark == "fail" {
			r.Problems = append(r.Problems, ps...)
		} else {
			r.Warnings = append(r.Warnings, ps...)
		}
	}
	if err := nb.Command(ctx, "apputils:change-theme", map[string]string{"theme": darkTheme}); err != nil {
		report(Problem{0, DarkTheme, err.Error()})
		return
	}
	defer nb.Command(ctx, "apputils:change-theme", map[string]string{"theme": lightTheme})
	// JupyterLab names the theme on <body> once its stylesheet applies.
	if err := nb.WaitTheme(ctx, darkTheme); err != nil {
		report(Problem{0, DarkTheme, err.Error()})
		return
	}
	inks, err := nb.Inks(ctx)
	if err != nil {
		report(Problem{0, DarkTheme, err.Error()})
		return
	}
	report(checkInks(inks)...)
	if !c.darkShot {
		return
	}
	if png, err := nb.Screenshot(ctx); err == nil {
		file := filepath.Join(c.path(c.out), stem+"-lab-dark.png")
		if os.WriteFile(file, png, 0o644) == nil {
			r.Dark, _ = filepath.Rel(c.root, file)
		}
	}
}

// waitCharts gives the charts drawn by the last cells up to 20 s to
// finish, and returns the cells.
func waitCharts(ctx context.Context, nb *jupyter.Notebook) ([]jupyter.Cell, error) {
	deadline := time.Now().Add(20 * time.Second)
	for {
		cells, err := nb.Cells(ctx)
		if err != nil {
			return nil, err
		}
		if len(checkRun(cells).Problems) == 0 || time.Now().After(deadline) {
			return cells, nil
		}
		select {
		case <-ctx.Done():
			return cells, nil
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func shoot(ctx context.Context, tab *chrome.Tab) ([]byte, error) {
	nb := jupyter.Attach(tab.Context())
	return nb.Screenshot(ctx)
}

func printReport(w io.Writer, r Report) {
	status := "ok  "
	if len(r.Problems) > 0 {
		status = "FAIL"
	}
	fmt.Fprintf(w, "%s %s [%s]: %d code cells run in %.1f s; %d charts drawn (%d static in the saved notebook); %d progress bars; %d exercise(s) checked",
		status, r.Notebook, r.UI, r.CodeCells, r.RunSeconds, r.Drawn, r.SavedCharts, r.Progress, r.Exercises)
	if r.Screenshot != "" {
		fmt.Fprintf(w, "; screenshot %s", r.Screenshot)
	}
	fmt.Fprintln(w)
	for _, p := range r.Problems {
		fmt.Fprintf(w, "       %s\n", p)
	}
	// Warnings repeat (the same chart colours in every cell): one line per
	// kind, with the first instance; the report file has them all.
	var kinds []Kind
	byKind := map[Kind][]Problem{}
	for _, p := range r.Warnings {
		if byKind[p.Kind] == nil {
			kinds = append(kinds, p.Kind)
		}
		byKind[p.Kind] = append(byKind[p.Kind], p)
	}
	for _, k := range kinds {
		ps := byKind[k]
		fmt.Fprintf(w, "       warning: %s (%d times), first in cell #%d: %s\n", k, len(ps), ps[0].Cell, ps[0].Detail)
	}
}

func summary(w io.Writer, reports []Report) (failed int) {
	fmt.Fprintf(w, "\n%-45s %8s %7s %s\n", "notebook", "run all", "charts", "status")
	total := 0.0
	for _, r := range reports {
		status := "ok"
		if len(r.Problems) > 0 {
			status = fmt.Sprintf("FAILED (%d problems)", len(r.Problems))
			failed++
		}
		total += r.RunSeconds
		fmt.Fprintf(w, "%-45s %7.1fs %7d %s\n", r.Notebook+" ["+r.UI+"]", r.RunSeconds, r.Drawn, status)
	}
	fmt.Fprintf(w, "%-45s %7.1fs\n", "total", total)
	return failed
}
