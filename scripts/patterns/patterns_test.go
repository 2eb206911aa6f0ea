package main

import (
	"context"
	"slices"
	"strings"
	"testing"
)

const fixture = "testdata/cells.ipynb"

// The fixture's cells: 4 a good pattern (with a type and its method, and a
// function and a package from a cell that uses the library), 5 an undefined
// name, 6 a declaration of its own that needs a library-using one, 7 a type
// error, 8 a library package without an import of its own, 9 an exercise,
// 10 a test, 11 shell, 12 declarations only, using 4's type.
func TestProgramsClassifiesCells(t *testing.T) {
	progs, problems, sum, err := Programs(fixture, "nb")
	if err != nil {
		t.Fatal(err)
	}
	if sum.Code != 11 || sum.Patterns != 5 {
		t.Errorf("summary %+v, want 11 code cells and 5 pattern cells", sum)
	}
	var cells []int
	for _, p := range progs {
		cells = append(cells, p.Cell)
	}
	if want := []int{4, 5, 7, 12}; !slices.Equal(cells, want) {
		t.Errorf("programs of cells %v, want %v", cells, want)
	}
	if len(problems) != 1 || problems[0].Cell != 6 || problems[0].Kind != NeedsLib || problems[0].Ident != "bars" {
		t.Errorf("problems %v, want cell #6 needing bars", problems)
	}
	last := string(progs[len(progs)-1].Source)
	for _, want := range []string{"type counter struct", "func (c *counter) add()", "func sum(", "func main() {}"} {
		if !strings.Contains(last, want) {
			t.Errorf("cell #12's program lacks %q:\n%s", want, last)
		}
	}
	if strings.Contains(last, "bars") || strings.Contains(last, "lib/chart") {
		t.Errorf("cell #12's program holds what it does not need:\n%s", last)
	}
}

func TestCheckReportsEachBrokenCell(t *testing.T) {
	if testing.Short() {
		t.Skip("builds programs")
	}
	sums, problems, err := Check(context.Background(), Options{Root: "../.."}, fixture)
	if err != nil {
		t.Fatal(err)
	}
	if len(sums) != 1 || sums[0].Patterns != 5 {
		t.Errorf("summaries %+v, want one of 5 pattern cells", sums)
	}
	type want struct {
		cell int
		kind ProblemKind
		text string // in the message: the cell and line, and what is wrong
	}
	wants := []want{
		{5, DoesNotCompile, "cell #5:2: undefined: undefinedName"},
		{6, NeedsLib, "bars"},
		{7, DoesNotCompile, "cell #7:2: cannot use"},
	}
	if len(problems) != len(wants) {
		t.Fatalf("%d problems, want %d: %v", len(problems), len(wants), problems)
	}
	for i, w := range wants {
		p := problems[i]
		if p.Notebook != fixture || p.Cell != w.cell || p.Kind != w.kind || !strings.Contains(p.Message, w.text) {
			t.Errorf("problem %d: %v, want cell #%d %v mentioning %q", i, p, w.cell, w.kind, w.text)
		}
	}
}
