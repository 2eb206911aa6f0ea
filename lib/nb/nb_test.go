package nb

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/go-parallelism/go-parallelism/lib/bench"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestSaveLoad(t *testing.T) {
	old := Dir
	Dir = filepath.Join(t.TempDir(), "results")
	defer func() { Dir = old }()
	res := &bench.Result{Name: "x", Variants: []string{"a"}, Reps: 3}
	if err := Save("t-1", res); err != nil {
		t.Fatal(err)
	}
	var back bench.Result
	if err := Load("t-1", &back); err != nil {
		t.Fatal(err)
	}
	if back.Name != "x" || back.Reps != 3 {
		t.Errorf("loaded %+v", back)
	}
	if err := Load("missing", &back); err == nil || !strings.Contains(err.Error(), "run the cell") {
		t.Errorf("Load of a missing key: %v", err)
	}
	if err := Save("../escape", res); err == nil || !strings.Contains(err.Error(), `bad key "../escape"`) {
		t.Errorf("Save with a path in the key: %v; want a bad key error", err)
	}
}

func TestProgressCounts(t *testing.T) {
	p := NewProgress("fetch", 100)
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Go(func() {
			if i%10 == 0 {
				p.Add("failed")
			} else {
				p.Add("ok")
			}
		})
	}
	wg.Wait()
	var out bytes.Buffer
	p.Out = &out
	p.Done()
	p.Done() // a second call does nothing
	if got := p.Finished(); got != 100 {
		t.Errorf("Finished() = %d; want 100", got)
	}
	c := p.Counts()
	if c["ok"] != 90 || c["failed"] != 10 {
		t.Errorf("Counts() = %v; want ok 90, failed 10", c)
	}
	line := out.String()
	if strings.Count(line, "\n") != 1 {
		t.Errorf("Done printed %q; want one line", line)
	}
	for _, want := range []string{"fetch [", strings.Repeat("#", 30), "100/100", "ok 90", "failed 10"} {
		if !strings.Contains(line, want) {
			t.Errorf("line %q lacks %q", line, want)
		}
	}
}

func TestProgressBar(t *testing.T) {
	p := NewProgress("half", 10)
	for range 5 {
		p.Add("ok")
	}
	s := p.String()
	if !strings.Contains(s, "["+strings.Repeat("#", 15)+strings.Repeat(".", 15)+"] 5/10") {
		t.Errorf("String() = %q; want a half-full bar", s)
	}
	p.Out = &bytes.Buffer{}
	p.Done()
	empty := NewProgress("none", 0)
	if s := empty.String(); !strings.Contains(s, "0/0") {
		t.Errorf("String() = %q for no items", s)
	}
	empty.Out = &bytes.Buffer{}
	empty.Done()
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("GONB_DIR", filepath.Join(dir, "notebooks"))
	shown, err := WriteFile("traces/a.trace", []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	if shown != filepath.Join("build", "traces", "a.trace") {
		t.Errorf("shown = %q, want build/traces/a.trace", shown)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "build", "traces", "a.trace")); err != nil || string(b) != "x" {
		t.Errorf("file holds %q, %v; want x", b, err)
	}
	for _, bad := range []string{"", "/etc/x", "../x"} {
		if _, err := WriteFile(bad, nil); err == nil || !strings.Contains(err.Error(), "want a relative path") {
			t.Errorf("WriteFile(%q) = %v, want an error asking for a relative path", bad, err)
		}
	}
}
