// Patterns checks that every pattern cell of the course's notebooks compiles
// as a plain main.go, without the course library: a reader can copy it.
//
// A pattern cell is a code cell that is not the preamble, shell, a %test
// or an exercise (tagged exercise, check or solution), and that neither
// imports the library nor uses a library package an earlier cell imported.
// Each becomes a program of its own: the cell's declarations, the earlier
// declarations it needs (by name, transitively, with their methods) and its
// body after %% as func main. All of them go in one temporary module outside
// the course's, which requires only golang.org/x/sync and go-echarts at the
// course's versions, so the library cannot be found; goimports adds the
// imports the kernel would, and one go build checks them all.
//
//	go run ./scripts/patterns notebooks/*.ipynb
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

func main() {
	root := flag.String("root", ".", "the course's module, whose go.mod and go.sum give the versions")
	goimports := flag.String("goimports", "", "goimports to run (default: the course's go tool goimports)")
	keep := flag.Bool("keep", false, "keep the temporary module, and print where it is")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: patterns [-root dir] [-goimports path] [-keep] notebook.ipynb...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	start := time.Now()
	sums, problems, err := Check(context.Background(), Options{Root: *root, Goimports: *goimports, Keep: *keep}, flag.Args()...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "patterns:", err)
		os.Exit(1)
	}
	total := 0
	for _, s := range sums {
		fmt.Printf("%-50s %3d code cells, %3d pattern cells\n", s.Notebook, s.Code, s.Patterns)
		total += s.Patterns
	}
	if len(problems) > 0 {
		fmt.Printf("%d of %d pattern cells would not compile as a plain main.go without the course library:\n", len(problems), total)
		for _, p := range problems {
			fmt.Println("  " + strings.ReplaceAll(p.String(), "\n", "\n    "))
		}
		os.Exit(1)
	}
	fmt.Printf("all %d pattern cells compile as a plain main.go without the course library (%.1f s)\n", total, time.Since(start).Seconds())
}

// Options say where the course is and which goimports to run.
type Options struct {
	Root      string // the course's module
	Goimports string // empty: the course's go tool goimports
	Keep      bool   // keep the temporary module
}

// Check makes a program of each pattern cell of the notebooks, builds them
// all, and returns a summary per notebook and the cells that failed.
func Check(ctx context.Context, o Options, notebooks ...string) ([]Summary, []Problem, error) {
	tmp, err := os.MkdirTemp("", "patterns")
	if err != nil {
		return nil, nil, err
	}
	if o.Keep {
		fmt.Println("programs in", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	var (
		sums     []Summary
		problems []Problem
		progs    = map[string]Program{} // by package path
	)
	for i, nb := range notebooks {
		dir := fmt.Sprintf("nb%02d", i)
		ps, probs, sum, err := Programs(nb, dir)
		if err != nil {
			return nil, nil, err
		}
		sums = append(sums, sum)
		problems = append(problems, probs...)
		for _, p := range ps {
			if err := os.MkdirAll(filepath.Join(tmp, p.Dir), 0o755); err != nil {
				return nil, nil, err
			}
			if err := os.WriteFile(filepath.Join(tmp, p.Dir, "main.go"), p.Source, 0o644); err != nil {
				return nil, nil, err
			}
			progs[modulePath+"/"+p.Dir] = p
		}
	}
	if len(progs) == 0 {
		return sums, problems, nil
	}
	var imported []string
	for _, p := range progs {
		imported = append(imported, p.Imports...)
	}
	if err := writeModule(o.Root, tmp, imported); err != nil {
		return nil, nil, err
	}
	env := append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
	imp := o.Goimports
	if imp == "" {
		cmd := exec.CommandContext(ctx, "go", "tool", "-n", "goimports")
		cmd.Dir = o.Root
		out, err := cmd.Output()
		if err != nil {
			return nil, nil, fmt.Errorf("go tool -n goimports: %w", err)
		}
		imp = strings.TrimSpace(string(out))
	}
	cmd := exec.CommandContext(ctx, imp, "-w", ".")
	cmd.Dir, cmd.Env = tmp, env
	// A file goimports cannot fix is left as it is: go build names its errors.
	_ = cmd.Run()
	cmd = exec.CommandContext(ctx, "go", "build", "./...")
	cmd.Dir, cmd.Env = tmp, env
	out, err := cmd.CombinedOutput()
	if err == nil {
		return sums, problems, nil
	}
	if _, ok := err.(*exec.ExitError); !ok {
		return nil, nil, fmt.Errorf("go build: %w", err)
	}
	failed := buildErrors(out)
	if len(failed) == 0 {
		return nil, nil, fmt.Errorf("go build failed, and named no program:\n%s", out)
	}
	for pkg, msg := range failed {
		p, ok := progs[pkg]
		if !ok {
			return nil, nil, fmt.Errorf("go build failed outside the programs:\n%s", out)
		}
		problems = append(problems, Problem{p.Notebook, p.Cell, DoesNotCompile, "", msg})
	}
	sortProblems(problems)
	return sums, problems, nil
}

// modulePath is the temporary module's path; a program's package is
// modulePath/nbNN/cellNNN.
const modulePath = "patterns"

// writeModule writes a go.mod that requires golang.org/x/sync and
// go-echarts, and any other module of the course's go.mod that a pattern
// cell imports by name (a reader would go get it), at the course's
// versions; and the course's go.sum. The course's own module is never required.
func writeModule(root, dir string, imported []string) error {
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return err
	}
	var goLine string
	versions := map[string]string{}
	for l := range strings.Lines(string(mod)) {
		f := strings.Fields(l)
		if len(f) >= 2 && f[0] == "go" {
			goLine = l
		}
		if len(f) >= 2 && f[0] == "require" {
			f = f[1:]
		}
		if len(f) >= 2 && strings.HasPrefix(f[1], "v") && strings.Contains(f[0], ".") {
			versions[f[0]] = f[1]
		}
	}
	need := map[string]bool{"golang.org/x/sync": true, "github.com/go-echarts/go-echarts/v2": true}
	for _, p := range imported {
		best := ""
		for m := range versions {
			if (p == m || strings.HasPrefix(p, m+"/")) && len(m) > len(best) {
				best = m
			}
		}
		if best != "" {
			need[best] = true
		}
	}
	if goLine == "" {
		return fmt.Errorf("%s: no go line", filepath.Join(root, "go.mod"))
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "module %s\n\n%s\nrequire (\n", modulePath, goLine)
	for _, m := range slices.Sorted(maps.Keys(need)) {
		if versions[m] == "" {
			return fmt.Errorf("%s: %s not required", filepath.Join(root, "go.mod"), m)
		}
		fmt.Fprintf(&b, "\t%s %s\n", m, versions[m])
	}
	b.WriteString(")\n")
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), b.Bytes(), 0o644); err != nil {
		return err
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644)
}

// buildErrors groups go build's output by the package each "# pkg" header names.
func buildErrors(out []byte) map[string]string {
	failed := map[string]string{}
	pkg := ""
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		l := sc.Text()
		if p, ok := strings.CutPrefix(l, "# "); ok {
			pkg = p
			continue
		}
		if pkg == "" || strings.TrimSpace(l) == "" {
			continue
		}
		if failed[pkg] != "" {
			failed[pkg] += "\n"
		}
		failed[pkg] += l
	}
	return failed
}
