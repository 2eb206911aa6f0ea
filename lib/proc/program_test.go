package proc_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A plain program (not a test binary) re-executes itself as workers too.
func TestPlainProgram(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	bin := filepath.Join(t.TempDir(), "ages")
	if out, err := exec.CommandContext(ctx, goCmd, "build", "-o", bin, "./testdata/ages").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.CommandContext(ctx, bin).CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := "main starts\nAda Lovelace 210 true\nEmmy Noether 143 true\nMarie Curie 158 true\n" +
		"Tu Youyou 95 true\nAda Yonath 86 true\nVera Rubin 97 true\nSally Ride 74 true\n"
	if string(out) != want {
		t.Fatalf("output:\n%s\nwant:\n%s", out, want)
	}
	if strings.Count(string(out), "main starts") != 1 {
		t.Fatal("a worker's output reached the terminal")
	}
}

// The start-up benchmark's programs build and run (see BENCHMARKS.md).
func TestStartBench(t *testing.T) {
	if testing.Short() {
		t.Skip("builds programs")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()
	for _, p := range []string{"bare", "startbench"} {
		if out, err := exec.CommandContext(ctx, goCmd, "build", "-o", filepath.Join(dir, p), "./testdata/"+p).CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", p, err, out)
		}
	}
	for _, args := range [][]string{{"-n", "3"}, {"-n", "3", "-bare", filepath.Join(dir, "bare")}, {"-n", "3", "-vs", filepath.Join(dir, "bare")}} {
		out, err := exec.CommandContext(ctx, filepath.Join(dir, "startbench"), args...).CombinedOutput()
		if err != nil || !strings.HasPrefix(string(out), "3 starts: p50 ") && !strings.HasPrefix(string(out), "3 pairs: worker p50 ") {
			t.Fatalf("startbench %v: %v\n%s", args, err, out)
		}
	}
}
