package measure

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/go-parallelism/go-parallelism/lib/bench"
	"github.com/go-parallelism/go-parallelism/lib/site"
)

// pythonOrSkip returns the interpreter the course would use, or skips the
// test with the one-line reason.
func pythonOrSkip(t *testing.T, aiohttp bool) *Python {
	t.Helper()
	py, err := CPython{}.Find()
	if err != nil {
		t.Skip(err)
	}
	if aiohttp && py.Aiohttp == "" {
		t.Skipf("%s has no aiohttp: %s", py.Path, howToInstall)
	}
	return py
}

// bounded is a context that ends after a minute: a program that does not
// end (a consumer that never stops) fails the test instead of hanging it.
func bounded(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// scriptDir is scripts/python of this checkout.
func scriptDir(t *testing.T) string {
	t.Helper()
	root, err := CPython{}.root()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(root, "scripts", "python")
}

func TestMissingInterpreterIsUnavailable(t *testing.T) {
	_, err := CPython{Python: "python-that-is-not-here"}.Find()
	var u *Unavailable
	if !errors.As(err, &u) {
		t.Fatalf("Find with a missing interpreter: err = %v, want an *Unavailable", err)
	}
	msg := err.Error()
	if u.Missing != "python-that-is-not-here" || strings.Contains(msg, "\n") || !strings.Contains(msg, "make setup") {
		t.Fatalf("skip reason %q: want one line naming python-that-is-not-here and how to install it", msg)
	}
}

func TestPYTHONVariableWins(t *testing.T) {
	t.Setenv("PYTHON", "/nowhere/bin/python3")
	_, err := FindPython(t.TempDir())
	var u *Unavailable
	if !errors.As(err, &u) || !strings.Contains(u.Tried, "PYTHON=/nowhere/bin/python3") {
		t.Fatalf("FindPython with PYTHON set to a missing file: err = %v, want an *Unavailable that names PYTHON", err)
	}
}

func TestVenvBeforePath(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the fake interpreter is a shell script")
	}
	root := t.TempDir()
	fake := filepath.Join(root, ".venv", "bin", "python")
	if err := os.MkdirAll(filepath.Dir(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	script := "#!/bin/sh\necho '{\"version\": \"3.99.0\", \"implementation\": \"CPython\", \"free_threaded\": false, \"aiohttp\": \"\"}'\n"
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PYTHON", "")
	py, err := FindPython(root)
	if err != nil || py.Path != fake || py.Name != filepath.Join(".venv", "bin", "python") || py.Version != "3.99.0" {
		t.Fatalf("FindPython(root with .venv) = %+v, %v; want the .venv interpreter", py, err)
	}
	// A broken interpreter is named as it was found, without the machine's
	// directories, so that a saved notebook shows no local path.
	if err := os.WriteFile(fake, []byte("#!/bin/sh\nexit 3\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err = FindPython(root)
	var u *Unavailable
	if !errors.As(err, &u) || strings.Contains(err.Error(), root) || !strings.Contains(err.Error(), ".venv") {
		t.Fatalf("a broken .venv interpreter: err = %v, want an *Unavailable naming .venv/bin/python, not %s", err, root)
	}
}

func TestSkippedCPythonStillRunsGo(t *testing.T) {
	defer goleak.VerifyNone(t)
	cmp, err := CPython{Python: "python-that-is-not-here", Reps: 1}.Primes(context.Background(), []uint64{1_000_003, 15})
	if err != nil {
		t.Fatal(err)
	}
	var u *Unavailable
	if !errors.As(cmp.Skipped, &u) || cmp.Python != nil {
		t.Fatalf("Skipped = %v, Python = %v; want an *Unavailable and no interpreter", cmp.Skipped, cmp.Python)
	}
	if len(cmp.Pairs) != 3 {
		t.Fatalf("%d pairs, want 3", len(cmp.Pairs))
	}
	for _, p := range cmp.Pairs {
		if p.GoRuns != 1 || p.GoTime <= 0 || p.CPythonRuns != 0 || p.Ratio() != 0 {
			t.Errorf("pair %+v: want one Go run and no CPython run", p)
		}
	}
	if s := cmp.String(); !strings.Contains(s, "CPython side skipped: python-that-is-not-here is missing") {
		t.Errorf("the table does not say why the CPython side was skipped:\n%s", s)
	}
}

func TestMissingAiohttpSkipsAsyncio(t *testing.T) {
	defer goleak.VerifyNone(t)
	pythonOrSkip(t, false)
	// A module named aiohttp that fails to import hides the real one.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "aiohttp.py"), []byte("raise ImportError('hidden by the test')\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PYTHONPATH", dir)
	cmp, err := CPython{Reps: 1, Latency: 5 * time.Millisecond}.Asyncio(bounded(t), 20)
	if err != nil {
		t.Fatal(err)
	}
	var u *Unavailable
	if !errors.As(cmp.Skipped, &u) || u.Missing != "aiohttp" {
		t.Fatalf("Skipped = %v, want aiohttp missing", cmp.Skipped)
	}
	if root, _ := (CPython{}).root(); strings.Contains(cmp.Skipped.Error(), root) {
		t.Errorf("the skip reason shows a local path: %v", cmp.Skipped)
	}
	if p := cmp.Pairs[0]; p.GoRuns != 1 || p.Items != 20 || p.GoErrors != 0 {
		t.Fatalf("Go side: %+v, want one run of 20 downloads without errors", p)
	}
}

func TestBadArguments(t *testing.T) {
	ctx := context.Background()
	c := CPython{Python: "python-that-is-not-here"}
	for name, err := range map[string]error{
		"Primes(nil)": func() error { _, err := c.Primes(ctx, nil); return err }(),
		"Text(0)":     func() error { _, err := c.Text(ctx, 0); return err }(),
		"Disk(-1)":    func() error { _, err := c.Disk(ctx, -1); return err }(),
		"Asyncio()":   func() error { _, err := c.Asyncio(ctx); return err }(),
		"Asyncio(0)":  func() error { _, err := c.Asyncio(ctx, 0); return err }(),
		"Root":        func() error { _, err := CPython{Root: t.TempDir()}.Threading(ctx); return err }(),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestCheckItems(t *testing.T) {
	ok := Report{Variants: map[string]VariantReport{"asyncio": {Items: 160, OK: 150, Errors: 10}}}
	if err := checkItems("asyncio", 160)(ok); err != nil {
		t.Errorf("160 items, 150 ok and 10 errors: %v", err)
	}
	for _, bad := range []VariantReport{{Items: 159, OK: 159}, {Items: 160, OK: 150, Errors: 5}} {
		r := Report{Variants: map[string]VariantReport{"asyncio": bad}}
		if err := checkItems("asyncio", 160)(r); err == nil {
			t.Errorf("%+v of 160 items passed the check", bad)
		}
	}
}

func TestFailingProgramIsProgramError(t *testing.T) {
	py := pythonOrSkip(t, false)
	_, _, err := runScript(bounded(t), py, scriptDir(t), "workload_primes.py", nil, "--variants", "nonsense", "7")
	var pe *ProgramError
	if !errors.As(err, &pe) || pe.Script != "workload_primes.py" || !strings.Contains(pe.Stderr, "nonsense") {
		t.Fatalf("a program that exits with an error: err = %v, want a *ProgramError with its stderr", err)
	}
}

// deadURL is a URL on a port where nothing listens.
func deadURL(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr + "/download/gone"
}

// TestTutorialProgramsCountErrors runs the tutorial's programs with one URL
// that cannot be reached: each still ends, prints its summary, and accounts
// for every item.
func TestTutorialProgramsCountErrors(t *testing.T) {
	defer goleak.VerifyNone(t)
	py := pythonOrSkip(t, false)
	srv, err := site.Start(site.Options{Latency: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	dead, sites := deadURL(t), srv.Sites()
	cases := []struct {
		script, variant string
		args            []string
		items, errs     int
		aiohttp         bool
	}{
		{"tutorial_threading.py", "threads", []string{sites[0], dead, sites[1]}, 3, 1, false},
		{"tutorial_dummy.py", "thread pool", []string{sites[0], sites[1], dead, sites[2]}, 4, 1, false},
		{"tutorial_asyncio.py", "asyncio", []string{"160", srv.Downloads(1)[0], dead}, 160, 80, true},
		{"tutorial_asyncio.py", "asyncio", []string{"160", srv.URL() + "/no/such/page"}, 160, 160, true},
	}
	for _, c := range cases {
		if c.aiohttp && py.Aiohttp == "" {
			t.Logf("%s skipped: %s has no aiohttp", c.script, py.Path)
			continue
		}
		r, _, err := runScript(bounded(t), py, scriptDir(t), c.script, nil, c.args...)
		if err != nil {
			t.Fatalf("%s: %v", c.script, err)
		}
		v, ok := r.Variants[c.variant]
		if !ok || v.Items != c.items || v.Errors != c.errs || v.OK != c.items-c.errs {
			t.Errorf("%s %v: %+v, want %d items of which %d errors", c.script, c.args[:1], r.Variants, c.items, c.errs)
		}
	}
}

// TestTutorialPrograms runs each of the tutorial's programs against the
// local site in both languages and checks that every item was handled.
func TestTutorialPrograms(t *testing.T) {
	defer goleak.VerifyNone(t)
	py := pythonOrSkip(t, false)
	ctx := bounded(t)
	c := CPython{Reps: 1, Latency: 10 * time.Millisecond}
	runs := map[string]func() (*Comparison, error){
		"Threading":       func() (*Comparison, error) { return c.Threading(ctx) },
		"Dummy":           func() (*Comparison, error) { return c.Dummy(ctx) },
		"MultiProcessing": func() (*Comparison, error) { return c.MultiProcessing(ctx) },
	}
	if py.Aiohttp != "" {
		runs["Asyncio"] = func() (*Comparison, error) { return c.Asyncio(ctx, 160) }
	}
	want := map[string]int{"Threading": 3, "Dummy": 4, "MultiProcessing": 7, "Asyncio": 160}
	for name, run := range runs {
		cmp, err := run()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if cmp.Skipped != nil || len(cmp.CPython) != 1 {
			t.Fatalf("%s: skipped %v, %d CPython runs; want 1", name, cmp.Skipped, len(cmp.CPython))
		}
		for _, p := range cmp.Pairs {
			if p.Items != want[name] || p.CPythonRuns != 1 || p.GoRuns != 1 || p.CPythonErrors != 0 || p.GoErrors != 0 {
				t.Errorf("%s: %+v, want %d items, one clean run each", name, p, want[name])
			}
		}
		if cmp.Output == "" {
			t.Errorf("%s: the program printed nothing before its summary", name)
		}
	}
}

// TestWorkloadsAgree runs the CPU and disk workloads in both languages; the
// checks inside compare their results (which numbers are prime, how many
// words and lines, how many files read back right).
func TestWorkloadsAgree(t *testing.T) {
	defer goleak.VerifyNone(t)
	pythonOrSkip(t, false)
	ctx := bounded(t)
	c := CPython{Reps: 1}
	for name, run := range map[string]func() (*Comparison, error){
		"Primes": func() (*Comparison, error) { return c.Primes(ctx, []uint64{1_000_003, 1_000_001, 2, 1}) },
		"Text":   func() (*Comparison, error) { return c.Text(ctx, 6) },
		"Disk":   func() (*Comparison, error) { return c.Disk(ctx, 12) },
	} {
		cmp, err := run()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(cmp.Pairs) < 3 {
			t.Fatalf("%s: %d pairs, want sequential, threads and processes", name, len(cmp.Pairs))
		}
		for _, p := range cmp.Pairs {
			if p.CPythonRuns != 1 || p.CPythonErrors != 0 || p.GoErrors != 0 {
				t.Errorf("%s: %+v, want one clean CPython run", name, p)
			}
		}
	}
}

// TestFreeThreadedBuildRunsThreadsTwice pretends the interpreter is a
// free-threaded build: the runner must run the program with PYTHON_GIL=1 and
// its thread variant again with PYTHON_GIL=0.
func TestFreeThreadedBuildRunsThreadsTwice(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the fake interpreter is a shell script")
	}
	py := pythonOrSkip(t, false)
	dir := t.TempDir()
	log, fake := filepath.Join(dir, "log"), filepath.Join(dir, "python3t")
	script := `#!/bin/sh
if [ "$1" = "-c" ]; then
  echo '{"version": "3.13.0", "implementation": "CPython", "free_threaded": true, "aiohttp": ""}'
  exit 0
fi
echo "PYTHON_GIL=$PYTHON_GIL $*" >> '` + log + `'
exec '` + py.Path + `' "$@"
`
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	cmp, err := CPython{Python: fake, Reps: 1}.Primes(bounded(t), []uint64{1_000_003, 15})
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	calls := string(b)
	if !strings.Contains(calls, "PYTHON_GIL=1 ") || !strings.Contains(calls, "PYTHON_GIL=0 ") || !strings.Contains(calls, "--variants threads") {
		t.Fatalf("calls of the interpreter:\n%s\nwant one with PYTHON_GIL=1 and one with PYTHON_GIL=0 for the threads", calls)
	}
	if len(cmp.Pairs) != 4 || !strings.Contains(cmp.Pairs[2].Label, "PYTHON_GIL=0") || cmp.Pairs[2].CPythonRuns != 1 {
		t.Fatalf("pairs %+v: want a fourth, for the threads run with PYTHON_GIL=0", cmp.Pairs)
	}
}

func TestRatioAndTable(t *testing.T) {
	cmp := &Comparison{Name: "x", GIL: true, Python: &Python{Version: "3.11.7"},
		Pairs: []Pair{{Label: "sequential", CPython: "sequential", Go: "sequential", CPythonTime: 2 * time.Second, GoTime: 50 * time.Millisecond, CPythonRuns: 1, GoRuns: 1, Items: 8}}}
	if r := cmp.Pairs[0].Ratio(); r != 0.025 {
		t.Fatalf("Ratio = %v, want 0.025", r)
	}
	for _, s := range []string{cmp.String(), cmp.HTML(), cmp.Markdown()} {
		if !strings.Contains(s, "0.025") || !strings.Contains(s, "40× as fast") {
			t.Errorf("table lacks the ratio 0.025 and 40× as fast:\n%s", s)
		}
	}
	if got := cmp.Chart().Categories(); len(got) != 1 || got[0] != "sequential" {
		t.Errorf("chart categories %v", got)
	}
}

// TestCPythonReport measures the tables of BENCHMARKS.md (section "Go and
// CPython") in one run of several minutes, and prints them as Markdown:
//
//	MEASURE_CPYTHON_REPORT=1 go test -run CPythonReport -v -timeout 30m ./lib/measure
func TestCPythonReport(t *testing.T) {
	if os.Getenv("MEASURE_CPYTHON_REPORT") == "" {
		t.Skip("set MEASURE_CPYTHON_REPORT=1 to measure the tables of BENCHMARKS.md (several minutes)")
	}
	py := pythonOrSkip(t, true)
	ctx := context.Background()
	fmt.Printf("%s; %s\n\n", py, bench.ThisMachine())
	runs := []struct {
		title string
		run   func() (*Comparison, error)
	}{
		{"Prime check of the 20-number fixture (workload.PrimeFixture)", func() (*Comparison, error) {
			return CPython{Reps: 2}.Primes(ctx, FixtureNumbers())
		}},
		{"The tutorial's asyncio program, 100 ms per answer", func() (*Comparison, error) {
			return CPython{Reps: 1, Latency: 100 * time.Millisecond}.Asyncio(ctx, 160, 2000, 10_000)
		}},
		{"Text, 1000 chapters", func() (*Comparison, error) { return CPython{Reps: 3}.Text(ctx, 1000) }},
		{"Disk, 1000 files of 64 KiB", func() (*Comparison, error) { return CPython{Reps: 3}.Disk(ctx, 1000) }},
	}
	for _, r := range runs {
		cmp, err := r.run()
		if err != nil {
			t.Fatalf("%s: %v", r.title, err)
		}
		fmt.Printf("### %s\n\n%s\n", r.title, cmp.Markdown())
	}
}

func TestExcerpt(t *testing.T) {
	for _, c := range []struct{ out, want string }{
		{"", ""},
		{"one\n", "one\n"},
		{"a\nb\nc\n", "a\nb\nc\n"},
		{"a\nb\nc\nd\ne\n", "a\nb\n...\ne\n"},
	} {
		if got := (&Comparison{Output: c.out}).Excerpt(2); got != c.want {
			t.Errorf("Excerpt(2) of %q = %q, want %q", c.out, got, c.want)
		}
	}
}

func TestQuickPrimesArePrimesBelow1e13(t *testing.T) {
	for i, n := range QuickPrimes {
		if !new(big.Int).SetUint64(n).ProbablyPrime(20) || n >= 1e13 || (i > 0 && n >= QuickPrimes[i-1]) {
			t.Errorf("QuickPrimes[%d] = %d: want primes below 10¹³, largest first", i, n)
		}
	}
	last := QuickPrimes[len(QuickPrimes)-1]
	for n := last; n < 1e13; n += 2 {
		if new(big.Int).SetUint64(n).ProbablyPrime(20) != slices.Contains(QuickPrimes, n) {
			t.Errorf("%d: prime %v, in QuickPrimes %v; want the primes from %d to 10¹³, all of them", n, !slices.Contains(QuickPrimes, n), slices.Contains(QuickPrimes, n), last)
		}
	}
	if got := FixtureNumbers(); len(got) != 20 || got[0] != 9007199254740881 {
		t.Errorf("FixtureNumbers() = %v, want the 20 numbers of workload.PrimeFixture", got)
	}
}

func TestBusyNoteShows(t *testing.T) {
	cmp := &Comparison{Name: "x", Python: &Python{Version: "3.11.7"}, GIL: true, Busy: bench.BusyNote(0.5, 2)}
	if cmp.Busy == "" || !strings.Contains(cmp.String(), cmp.Busy) || !strings.Contains(cmp.HTML(), "other programs") {
		t.Errorf("a busy note %q is not under the tables:\n%s", cmp.Busy, cmp.String())
	}
}
