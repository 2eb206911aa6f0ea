//go:build browser

// The fixtures run in a real JupyterLab, so they need what `make
// lab-selftest` installs first: .venv, the GoNB kernel, Chromium and the
// local ECharts. Run with: go test -tags browser -run Fixture ./cmd/labtest

package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-parallelism/go-parallelism/scripts/browser/jupyter"
)

// want is a problem the broken fixture must produce: its cell (1-based)
// and kind.
type want struct {
	cell int
	kind Kind
}

func TestFixtures(t *testing.T) {
	root, err := filepath.Abs("../../../..")
	if err != nil {
		t.Fatal(err)
	}
	c := config{
		root:      root,
		jupyter:   ".venv/bin/jupyter",
		kernels:   "build/jupyter-batch",
		static:    "build/jupyter/static",
		solutions: "scripts/browser/cmd/labtest/testdata/solutions",
		out:       t.TempDir(),
		ui:        jupyter.Lab,
		timeout:   5 * time.Minute,
		kernel:    "Go (gonb)",
		dark:      "fail",
		darkShot:  true,
		save:      t.TempDir(),
		log:       io.Discard,
	}
	if testing.Verbose() {
		c.log = os.Stderr
	}
	reports, err := run(context.Background(), c, []string{
		"scripts/browser/cmd/labtest/testdata/good.ipynb",
		"scripts/browser/cmd/labtest/testdata/broken.ipynb",
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 2 {
		t.Fatalf("got %d reports, want 2", len(reports))
	}

	good := reports[0]
	for _, p := range good.Problems {
		t.Errorf("good.ipynb: unexpected problem: %s", p)
	}
	if good.Drawn != 1 || good.SavedCharts != 1 || good.Exercises != 1 || good.Progress != 1 {
		t.Errorf("good.ipynb: %d charts drawn, %d saved, %d exercises checked, %d progress bars; want 1 of each",
			good.Drawn, good.SavedCharts, good.Exercises, good.Progress)
	}
	if good.Screenshot == "" || good.Dark == "" {
		t.Errorf("good.ipynb: screenshots %q and %q, want both", good.Screenshot, good.Dark)
	}
	if _, err := os.Stat(filepath.Join(c.save, "good.ipynb")); err != nil {
		t.Errorf("good.ipynb not saved as run: %v", err)
	}

	broken := reports[1]
	expected := []want{
		{4, SavedChart},          // the blank chart, as saved
		{4, LiveChart},           // the blank chart, after running
		{6, LiveChart},           // drawn with its static image beside it
		{8, LiveChart},           // never drawn
		{10, ProgressNotInPlace}, // progress printed line by line
		{13, ExerciseNotFailing}, // the stub already passes
		{13, ExerciseNotPassing}, // the solution fails
		{15, CellError},          // does not compile
	}
	got := map[want]bool{}
	for _, p := range broken.Problems {
		got[want{p.Cell, p.Kind}] = true
	}
	for _, w := range expected {
		if !got[w] {
			t.Errorf("broken.ipynb: no %q reported for cell #%d", w.kind, w.cell)
		}
		delete(got, w)
	}
	for w := range got {
		t.Errorf("broken.ipynb: unexpected %q for cell #%d", w.kind, w.cell)
	}
	if t.Failed() {
		for _, p := range broken.Problems {
			t.Logf("broken.ipynb reported: %s", p)
		}
	}
}
