package measure

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/bench"
	"github.com/go-parallelism/go-parallelism/lib/chart"
	"github.com/go-parallelism/go-parallelism/lib/site"
	"github.com/go-parallelism/go-parallelism/lib/workload"
)

// CPython runs a program of the Python tutorial, or a workload of the
// course, in CPython (the programs in scripts/python) and in Go, on the same
// inputs, and returns both sides' times. The zero value is ready to use.
//
//	cmp, err := measure.CPython{Reps: 2}.Primes(ctx, measure.QuickPrimes)
//	nb.Show(cmp.Chart(), cmp)
//
// Each method starts what the program needs (the local web site of lib/site
// for the downloads), runs the Python program and the Go variants Reps times,
// interleaved, and checks that both sides handled every item. Where Python or
// aiohttp is missing, the Go side still runs and Comparison.Skipped says why
// the CPython side did not.
type CPython struct {
	// Reps is how many times each side runs, interleaved; zero means 3.
	Reps int
	// Python is the interpreter: a path, or a name looked up in PATH. Empty
	// means FindPython's choice ($PYTHON, .venv/bin/python, python3).
	Python string
	// Root is the checkout that holds scripts/python. Empty means the first
	// of the working directory and its parents (or $GONB_DIR/..) that has it.
	Root string
	// Latency is how long the local site waits before each answer; zero
	// means 50 ms.
	Latency time.Duration
}

// QuickPrimes are eight 13-digit primes, the largest below 10¹³: each takes
// CPython about a tenth of a second to check by trial division, where a
// 16-digit number of workload.PrimeFixture takes it seconds. They keep a
// notebook cell short; BENCHMARKS.md has the whole fixture.
var QuickPrimes = []uint64{
	9999999999971, 9999999999863, 9999999999799, 9999999999763,
	9999999999733, 9999999999701, 9999999999659, 9999999999643,
}

// FixtureNumbers are the twenty numbers of workload.PrimeFixture.
func FixtureNumbers() []uint64 {
	ns := make([]uint64, len(workload.PrimeFixture))
	for i, c := range workload.PrimeFixture {
		ns[i] = c.N
	}
	return ns
}

// Pair is one line of a comparison: a CPython variant and its Go
// equivalent, on the same input.
type Pair struct {
	Label       string        // what is compared: "threads · goroutines", "2000 requests"
	CPython, Go string        // the variants: "processes", "goroutines"
	CPythonTime time.Duration // median over the CPython runs; zero if none ran
	GoTime      time.Duration // median over the Go runs
	CPythonRuns int           // runs that succeeded
	GoRuns      int
	Items       int // items each run handled
	// CPythonErrors and GoErrors are the items that failed in the last run
	// of each side (a failed download, a file read back wrong): counted,
	// not thrown.
	CPythonErrors, GoErrors int
}

// Ratio is GoTime / CPythonTime: 0.1 means Go took a tenth of CPython's
// time. It is 0 when a side did not run.
func (p Pair) Ratio() float64 {
	if p.CPythonTime <= 0 || p.GoTime <= 0 {
		return 0
	}
	return float64(p.GoTime) / float64(p.CPythonTime)
}

// Comparison is what a CPython method returns: both sides' figures.
type Comparison struct {
	Name   string
	Python *Python // the interpreter that ran, nil if the CPython side was skipped
	// Skipped is why the CPython side did not run (an *Unavailable), or nil.
	Skipped error
	Pairs   []Pair
	// GIL is false when a CPython run had the GIL off (a free-threaded build).
	GIL bool
	// Wall is the median time of a whole CPython run, interpreter start-up
	// included; the pairs' CPython times are what the program timed itself.
	// It is zero when the comparison joins runs of different sizes.
	Wall time.Duration
	// Go holds every Go run (of the first size, where the comparison joins
	// several); CPython every CPython run's summary line.
	Go      *bench.Result
	CPython []Report
	// Output is what the CPython program printed in its last run, before its
	// summary line.
	Output string
	// Busy is bench.BusyNote's warning for CPU-bound work, or "": other
	// programs took the cores while it ran, so the parallel times (and their
	// ratios) fall short of an idle machine's.
	Busy string
}

// variant is one Go way of doing a program's work. It returns the items it
// handled and how many failed.
type variant struct {
	name string
	run  func(ctx context.Context) (items, failed int, err error)
}

// program is one comparison to run.
type program struct {
	name    string
	script  string
	args    []string
	aiohttp bool      // the script needs aiohttp
	cpu     bool      // the work computes or works the disk: warm the Go side up
	cores   bool      // the work computes: check that the cores were free (bench's CheckCores)
	threads bool      // the script has a "threads" variant (run again without the GIL where possible)
	goSide  []variant // Go's variants
	pairs   []Pair    // Label, CPython and Go set; the rest is filled in
	items   int       // items every run must handle
	check   func(r Report) error
}

// reps is c.Reps or its default.
func (c CPython) reps() int {
	if c.Reps > 0 {
		return c.Reps
	}
	return 3
}

func (c CPython) latency() time.Duration {
	if c.Latency > 0 {
		return c.Latency
	}
	return 50 * time.Millisecond
}

// root finds the checkout that holds scripts/python.
func (c CPython) root() (string, error) {
	has := func(dir string) bool {
		_, err := os.Stat(filepath.Join(dir, "scripts", "python", "_report.py"))
		return err == nil
	}
	if c.Root != "" {
		if !has(c.Root) {
			return "", fmt.Errorf("measure: CPython.Root %q holds no scripts/python/_report.py", c.Root)
		}
		return c.Root, nil
	}
	var tried []string
	if wd, err := os.Getwd(); err == nil {
		for dir := wd; ; dir = filepath.Dir(dir) {
			if has(dir) {
				return dir, nil
			}
			if filepath.Dir(dir) == dir {
				break
			}
		}
		tried = append(tried, wd+" and its parents")
	}
	if d := os.Getenv("GONB_DIR"); d != "" {
		if dir := filepath.Dir(d); has(dir) {
			return dir, nil
		}
		tried = append(tried, "$GONB_DIR/..")
	}
	return "", fmt.Errorf("measure: no checkout with scripts/python found (tried %s): set CPython.Root", strings.Join(tried, ", "))
}

// Find returns the interpreter c runs: c.Python if set, else FindPython's.
func (c CPython) Find() (*Python, error) {
	if c.Python != "" {
		return ProbePython(c.Python)
	}
	root, err := c.root()
	if err != nil {
		root = ""
	}
	return FindPython(root)
}

// compare runs p: both sides, interleaved, Reps times.
func (c CPython) compare(ctx context.Context, p program) (*Comparison, error) {
	root, err := c.root()
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(root, "scripts", "python")
	cmp := &Comparison{Name: p.name, GIL: true}
	py, err := c.Find()
	if err == nil && p.aiohttp && py.Aiohttp == "" {
		err = &Unavailable{Missing: "aiohttp", Tried: fmt.Sprintf("not importable by %s, CPython %s", py.Name, py.Version), Install: howToInstall}
	}
	var u *Unavailable
	switch {
	case errors.As(err, &u):
		cmp.Skipped = err
	case err != nil:
		return nil, err
	default:
		cmp.Python = py
	}

	// Warm the Go side of CPU-bound work up once: its first run pays for
	// page faults that no later run does. (Downloads open fresh connections
	// in every run, on both sides, as the Python programs do.)
	for _, v := range p.goSide {
		if !p.cpu {
			break
		}
		if _, _, err := v.run(ctx); err != nil {
			return nil, fmt.Errorf("measure: %s, Go %s: %w", p.name, v.name, err)
		}
	}

	var (
		mu            sync.Mutex
		reports       []Report // with the GIL as the interpreter starts
		noGIL         []Report // a free-threaded build with PYTHON_GIL=0
		runErrs       []error
		rep, repNoGIL int
	)
	pyRun := func(env []string, only string, into *[]Report, counter *int) bench.Func {
		return func(ctx context.Context, _ bench.Param) error {
			args := []string{}
			if p.threads {
				// Give each variant its turn at going first.
				args = append(args, "--rotate", strconv.Itoa(*counter))
				if only != "" {
					args = append(args, "--variants", only)
				}
			}
			*counter++
			r, out, err := runScript(ctx, py, dir, p.script, env, append(args, p.args...)...)
			if err == nil && p.check != nil {
				err = p.check(r)
			}
			if bench.Warming(ctx) {
				return err // a measured run reports the same failure
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				runErrs = append(runErrs, err)
				return err
			}
			*into = append(*into, r)
			cmp.Output = out
			return nil
		}
	}
	var vs []bench.Variant
	if cmp.Python != nil {
		env := []string(nil)
		if py.FreeThreaded {
			env = []string{"PYTHON_GIL=1"}
		}
		vs = append(vs, bench.Variant{Name: "CPython", Run: pyRun(env, "", &reports, &rep)})
		if py.FreeThreaded && p.threads {
			vs = append(vs, bench.Variant{Name: "CPython, PYTHON_GIL=0", Run: pyRun([]string{"PYTHON_GIL=0"}, "threads", &noGIL, &repNoGIL)})
		}
	}
	failed := make(map[string]int)
	for _, v := range p.goSide {
		vs = append(vs, bench.Variant{Name: "Go " + v.name, Run: func(ctx context.Context, _ bench.Param) error {
			items, bad, err := v.run(ctx)
			if err == nil && items != p.items {
				err = fmt.Errorf("measure: %s, Go %s handled %d items, want %d", p.name, v.name, items, p.items)
			}
			mu.Lock()
			failed[v.name] = bad
			mu.Unlock()
			return err
		}})
	}
	res, err := bench.Run(ctx, bench.Experiment{Name: p.name, Reps: c.reps(), Variants: vs, CheckCores: p.cores})
	if err != nil {
		return nil, err
	}
	cmp.Go, cmp.CPython = res, append(reports, noGIL...)
	if s, ok := res.Stat("CPython", bench.Param{}); ok {
		cmp.Wall = s.Median
	}
	for _, r := range cmp.CPython {
		cmp.GIL = cmp.GIL && r.GIL
	}
	if len(runErrs) > 0 {
		return cmp, fmt.Errorf("measure: %s: %w", p.name, errors.Join(runErrs...))
	}
	for _, v := range p.goSide {
		if s, ok := res.Stat("Go "+v.name, bench.Param{}); ok && s.Errors > 0 {
			return cmp, fmt.Errorf("measure: %s: %d of the Go %s runs failed", p.name, s.Errors, v.name)
		}
	}

	if p.cores {
		cmp.Busy = bench.BusyNote(res.FreeCores, runtime.GOMAXPROCS(0))
	}
	for _, pr := range p.pairs {
		if s, ok := res.Stat("Go "+pr.Go, bench.Param{}); ok {
			pr.GoTime, pr.GoRuns = s.Median, s.N
		}
		pr.GoErrors, pr.Items = failed[pr.Go], p.items
		pr.CPythonTime, pr.CPythonRuns, pr.CPythonErrors = median(reports, pr.CPython)
		cmp.Pairs = append(cmp.Pairs, pr)
		if pr.CPython == "threads" && len(noGIL) > 0 {
			free := pr
			free.CPython = "threads, no GIL"
			free.Label = strings.Replace(pr.Label, "threads", "threads, no GIL", 1)
			free.CPythonTime, free.CPythonRuns, free.CPythonErrors = median(noGIL, "threads, no GIL")
			if free.CPythonRuns == 0 { // PYTHON_GIL=0 was not honoured
				free.CPythonTime, free.CPythonRuns, free.CPythonErrors = median(noGIL, "threads")
				free.Label = strings.Replace(pr.Label, "threads", "threads, PYTHON_GIL=0", 1)
			}
			cmp.Pairs = append(cmp.Pairs, free)
		}
	}
	return cmp, nil
}

// median is the median of variant's seconds over rs, the number of reports
// that have it, and its errors in the last one.
func median(rs []Report, variant string) (time.Duration, int, int) {
	var ds []time.Duration
	errs := 0
	for _, r := range rs {
		if v, ok := r.Variants[variant]; ok {
			ds = append(ds, time.Duration(v.Seconds*float64(time.Second)))
			errs = v.Errors
		}
	}
	if len(ds) == 0 {
		return 0, 0, 0
	}
	return bench.Median(ds), len(ds), errs
}

// checkItems is a Report check: every variant handled n items, and its ok
// and errors (where it counts them) add up to n.
func checkItems(name string, n int) func(Report) error {
	return func(r Report) error {
		var errs []error
		for vn, v := range r.Variants {
			if v.Items != n {
				errs = append(errs, fmt.Errorf("CPython %s %s handled %d items, want %d", name, vn, v.Items, n))
			} else if v.OK+v.Errors != 0 && v.OK+v.Errors != n {
				errs = append(errs, fmt.Errorf("CPython %s %s: %d ok and %d errors of %d items", name, vn, v.OK, v.Errors, n))
			}
		}
		return errors.Join(errs...)
	}
}

// Primes checks numbers for primality by trial division: one after the
// other, in threads (goroutines in Go) and in a pool of processes (CPython
// only: goroutines already use every core).
func (c CPython) Primes(ctx context.Context, numbers []uint64) (*Comparison, error) {
	if len(numbers) == 0 {
		return nil, errors.New("measure: CPython.Primes: no numbers; pass some, such as QuickPrimes")
	}
	want := make([]bool, len(numbers))
	args := make([]string, len(numbers))
	for i, n := range numbers {
		args[i] = strconv.FormatUint(n, 10)
	}
	seq := func(ctx context.Context) (int, int, error) {
		for i, n := range numbers {
			want[i] = workload.IsPrime(n)
		}
		return len(numbers), 0, ctx.Err()
	}
	par := func(ctx context.Context) (int, int, error) {
		got := make([]bool, len(numbers))
		var wg sync.WaitGroup
		for i, n := range numbers {
			wg.Go(func() { got[i] = workload.IsPrime(n) })
		}
		wg.Wait()
		if !slices.Equal(got, want) {
			return 0, 0, errors.New("goroutines disagree with the sequential run")
		}
		return len(numbers), 0, ctx.Err()
	}
	check := func(r Report) error {
		if err := checkItems("primes", len(numbers))(r); err != nil {
			return err
		}
		for vn, v := range r.Variants {
			for i, p := range v.Prime {
				if (p == 1) != want[i] {
					return fmt.Errorf("CPython primes %s says %d is prime: %v; Go says %v", vn, numbers[i], p == 1, want[i])
				}
			}
		}
		return nil
	}
	return c.compare(ctx, program{
		name: fmt.Sprintf("prime check of %d numbers", len(numbers)), script: "workload_primes.py", args: args, threads: true, cpu: true, cores: true,
		goSide: []variant{{"sequential", seq}, {"goroutines", par}},
		pairs: []Pair{
			{Label: "sequential", CPython: "sequential", Go: "sequential"},
			{Label: "threads · goroutines", CPython: "threads", Go: "goroutines"},
			{Label: "processes · goroutines", CPython: "processes", Go: "goroutines"},
		},
		items: len(numbers), check: check,
	})
}

// Text formats chapters of the course's corpus (data/corpus.txt), as the
// text workload does: sequentially, in threads (goroutines) and processes.
// Both sides must write the same numbers of words and lines.
func (c CPython) Text(ctx context.Context, chapters int) (*Comparison, error) {
	if chapters < 1 {
		return nil, fmt.Errorf("measure: CPython.Text: chapters = %d, want at least 1", chapters)
	}
	root, err := c.root()
	if err != nil {
		return nil, err
	}
	job, err := workload.New(workload.Spec{Name: workload.Text, Size: chapters})
	if err != nil {
		return nil, err
	}
	defer job.Close()
	var words, lines atomic.Int64
	run := func(parallel bool) func(ctx context.Context) (int, int, error) {
		return func(ctx context.Context) (int, int, error) {
			digests, errs := make([]string, job.N), make([]error, job.N)
			var wg sync.WaitGroup
			for i := range job.N {
				if !parallel {
					digests[i], errs[i] = job.Task(ctx, i)
					continue
				}
				wg.Go(func() { digests[i], errs[i] = job.Task(ctx, i) })
			}
			wg.Wait()
			if err := errors.Join(append(errs, job.Check(digests))...); err != nil {
				return 0, 0, err
			}
			var w, l int
			for _, d := range digests {
				dw, dl, _ := workload.TextStats(d)
				w, l = w+dw, l+dl
			}
			words.Store(int64(w))
			lines.Store(int64(l))
			return job.N, 0, nil
		}
	}
	check := func(r Report) error {
		if err := checkItems("text", chapters)(r); err != nil {
			return err
		}
		for vn, v := range r.Variants {
			if int64(v.Words) != words.Load() || int64(v.Lines) != lines.Load() {
				return fmt.Errorf("CPython text %s wrote %d words in %d lines; Go %d in %d", vn, v.Words, v.Lines, words.Load(), lines.Load())
			}
		}
		return nil
	}
	return c.compare(ctx, program{
		name: fmt.Sprintf("text: %d chapters wrapped", chapters), script: "workload_text.py", threads: true, cpu: true, cores: true,
		args:   []string{filepath.Join(root, "data", "corpus.txt"), strconv.Itoa(chapters)},
		goSide: []variant{{"sequential", run(false)}, {"goroutines", run(true)}},
		pairs: []Pair{
			{Label: "sequential", CPython: "sequential", Go: "sequential"},
			{Label: "threads · goroutines", CPython: "threads", Go: "goroutines"},
			{Label: "processes · goroutines", CPython: "processes", Go: "goroutines"},
		},
		items: chapters, check: check,
	})
}

// Disk writes files of 64 KiB, reads each back and checks it, as the disk
// workload does: sequentially, in threads (goroutines) and processes.
func (c CPython) Disk(ctx context.Context, files int) (*Comparison, error) {
	if files < 1 {
		return nil, fmt.Errorf("measure: CPython.Disk: files = %d, want at least 1", files)
	}
	run := func(parallel bool) func(ctx context.Context) (int, int, error) {
		return func(ctx context.Context) (int, int, error) {
			job, err := workload.New(workload.Spec{Name: workload.Disk, Size: files})
			if err != nil {
				return 0, 0, err
			}
			defer job.Close()
			var bad atomic.Int64
			var wg sync.WaitGroup
			for i := range job.N {
				task := func() {
					if _, err := job.Task(ctx, i); err != nil {
						bad.Add(1)
					}
				}
				if parallel {
					wg.Go(task)
				} else {
					task()
				}
			}
			wg.Wait()
			return job.N, int(bad.Load()), ctx.Err()
		}
	}
	return c.compare(ctx, program{
		name: fmt.Sprintf("disk: %d files of 64 KiB written and read back", files), script: "workload_disk.py", threads: true, cpu: true,
		args:   []string{strconv.Itoa(files)},
		goSide: []variant{{"sequential", run(false)}, {"goroutines", run(true)}},
		pairs: []Pair{
			{Label: "sequential", CPython: "sequential", Go: "sequential"},
			{Label: "threads · goroutines", CPython: "threads", Go: "goroutines"},
			{Label: "processes · goroutines", CPython: "processes", Go: "goroutines"},
		},
		items: files, check: checkItems("disk", files),
	})
}

// get downloads url with c and reads the body; a status other than 200 is
// an error.
func get(ctx context.Context, c *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", url, resp.Status)
	}
	return nil
}

// AiohttpConns is how many connections aiohttp's ClientSession opens to a
// host at most by default (its TCPConnector's limit).
const AiohttpConns = 100

// client is a fresh client for one run, as each run of the Python program
// opens its own session; conns > 0 limits its connections.
func client(conns int) *http.Client {
	c := site.NewClient(30 * time.Second)
	if conns > 0 {
		t := c.Transport.(*http.Transport).Clone()
		t.MaxConnsPerHost, t.MaxIdleConnsPerHost = conns, conns
		c.Transport = t
	}
	return c
}

// downloadAll downloads every url in a goroutine of its own and counts the
// failures.
func downloadAll(ctx context.Context, conns int, urls []string) (int, int, error) {
	c := client(conns)
	defer c.CloseIdleConnections()
	var failed atomic.Int64
	var wg sync.WaitGroup
	for _, u := range urls {
		wg.Go(func() {
			if get(ctx, c, u) != nil {
				failed.Add(1)
			}
		})
	}
	wg.Wait()
	return len(urls), int(failed.Load()), ctx.Err()
}

// Asyncio runs the tutorial's asyncio program (aiohttp, one task per
// download, gathered) against the local site, once per count of requests,
// and Go's equivalent: a goroutine per download, with site.NewClient's
// connections (up to site.MaxConns) and with at most AiohttpConns, the
// limit aiohttp's session keeps by default.
func (c CPython) Asyncio(ctx context.Context, requests ...int) (*Comparison, error) {
	if len(requests) == 0 {
		return nil, errors.New("measure: CPython.Asyncio: no request counts; pass some, such as 160")
	}
	srv, err := site.Start(site.Options{Latency: c.latency()})
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	var all *Comparison
	for _, n := range requests {
		if n < 1 || n > 100_000 {
			return nil, fmt.Errorf("measure: CPython.Asyncio: requests = %d, want 1 to 100000", n)
		}
		urls := srv.Downloads(n)
		label := strconv.Itoa(n) + " requests"
		cmp, err := c.compare(ctx, program{
			name: fmt.Sprintf("%d downloads, %v each", n, c.latency()), script: "tutorial_asyncio.py", aiohttp: true,
			args: append([]string{strconv.Itoa(n)}, urls[:min(2, n)]...),
			goSide: []variant{
				{"goroutines", func(ctx context.Context) (int, int, error) { return downloadAll(ctx, 0, urls) }},
				{fmt.Sprintf("goroutines, %d conns", AiohttpConns), func(ctx context.Context) (int, int, error) {
					return downloadAll(ctx, AiohttpConns, urls)
				}},
			},
			pairs: []Pair{
				{Label: label + ": asyncio · goroutines", CPython: "asyncio", Go: "goroutines"},
				{Label: fmt.Sprintf("%s: asyncio · goroutines, %d conns", label, AiohttpConns), CPython: "asyncio", Go: fmt.Sprintf("goroutines, %d conns", AiohttpConns)},
			},
			items: n, check: checkItems("asyncio", n),
		})
		if err != nil {
			return cmp, err
		}
		if all == nil {
			all = cmp
			all.Name = fmt.Sprintf("the tutorial's asyncio downloads, %v each", c.latency())
			continue
		}
		all.Wall = 0 // one figure for runs of different lengths would mislead
		all.Pairs = append(all.Pairs, cmp.Pairs...)
		all.CPython = append(all.CPython, cmp.CPython...)
		all.Output = cmp.Output
	}
	return all, nil
}

// tutorial runs one of the tutorial's small programs against a fresh site.
func (c CPython) tutorial(ctx context.Context, name, script, pyVariant string, args func(*site.Server) []string, goName string, goRun func(context.Context, *site.Server) (int, int, error), items int, check func(Report) error) (*Comparison, error) {
	srv, err := site.Start(site.Options{Latency: c.latency()})
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	return c.compare(ctx, program{
		name: name, script: script, args: args(srv),
		goSide: []variant{{goName, func(ctx context.Context) (int, int, error) { return goRun(ctx, srv) }}},
		pairs:  []Pair{{Label: pyVariant + " · " + goName, CPython: pyVariant, Go: goName}},
		items:  items, check: check,
	})
}

// Threading runs the tutorial's producer/consumer (one consumer thread
// taking three URLs off a queue) and Go's: one consumer goroutine ranging
// over a channel that the producer closes.
func (c CPython) Threading(ctx context.Context) (*Comparison, error) {
	urls := func(s *site.Server) []string { return s.Sites()[:3] }
	return c.tutorial(ctx, "the tutorial's Threading: a producer, a queue, a consumer", "tutorial_threading.py", "threads",
		urls, "goroutine + channel", func(ctx context.Context, s *site.Server) (int, int, error) {
			cl := client(0)
			defer cl.CloseIdleConnections()
			queue := make(chan string)
			go func() { // the producer
				defer close(queue) // no more URLs: the consumer's loop ends
				for _, u := range urls(s) {
					queue <- u
				}
			}()
			items, failed := 0, 0
			for u := range queue { // the consumer, here in the calling goroutine
				items++
				if get(ctx, cl, u) != nil {
					failed++
				}
			}
			return items, failed, ctx.Err()
		}, 3, checkItems("threading", 3))
}

// Dummy runs the tutorial's ThreadPool map over four sites and Go's: a
// goroutine per site, the results in the order of the sites.
func (c CPython) Dummy(ctx context.Context) (*Comparison, error) {
	return c.tutorial(ctx, "the tutorial's Dummy: a thread pool maps urlopen over four sites", "tutorial_dummy.py", "thread pool",
		(*site.Server).Sites, "goroutines", func(ctx context.Context, s *site.Server) (int, int, error) {
			return downloadAll(ctx, 0, s.Sites())
		}, 4, checkItems("dummy", 4))
}

// MultiProcessing runs the tutorial's process pool that maps the seven
// scientists to their ages (in 2019, as the tutorial) and Go's: a goroutine
// per scientist. Both read the scientists from the local site first.
func (c CPython) MultiProcessing(ctx context.Context) (*Comparison, error) {
	check := func(r Report) error {
		if err := checkItems("multiprocessing", len(site.Scientists))(r); err != nil {
			return err
		}
		for _, s := range site.Scientists {
			if age, ok := r.Ages[s.Name]; !ok || age != 2019-s.Born {
				return fmt.Errorf("CPython multiprocessing: %s is %d (found: %v), want %d", s.Name, age, ok, 2019-s.Born)
			}
		}
		return nil
	}
	return c.tutorial(ctx, "the tutorial's MultiProcessing: a process pool maps seven scientists to their ages", "tutorial_multiprocessing.py", "process pool",
		func(s *site.Server) []string { return []string{s.ScientistsURL()} },
		"goroutines", func(ctx context.Context, s *site.Server) (int, int, error) {
			ages := make([]int, len(site.Scientists))
			var wg sync.WaitGroup
			for i, sc := range site.Scientists {
				wg.Go(func() { ages[i] = 2019 - sc.Born })
			}
			wg.Wait()
			return len(ages), 0, ctx.Err()
		}, len(site.Scientists), check)
}

// Excerpt is what the CPython program printed: its first n lines, and its
// last line if there were more.
func (c *Comparison) Excerpt(n int) string {
	if c.Output == "" {
		return ""
	}
	lines := strings.SplitAfter(strings.TrimRight(c.Output, "\n"), "\n")
	if len(lines) <= n+1 {
		return strings.Join(lines, "") + "\n"
	}
	return strings.Join(lines[:n], "") + "...\n" + lines[len(lines)-1] + "\n"
}

// Chart draws the comparison as grouped bars: per pair, CPython's time and
// Go's, in seconds.
func (c *Comparison) Chart() *chart.Chart {
	labels := make([]string, len(c.Pairs))
	py, gosec := make([]float64, len(c.Pairs)), make([]float64, len(c.Pairs))
	for i, p := range c.Pairs {
		labels[i], py[i], gosec[i] = p.Label, p.CPythonTime.Seconds(), p.GoTime.Seconds()
	}
	pyName := "CPython"
	if c.Python != nil {
		pyName += " " + c.Python.Version
	}
	ch := chart.NewBars(c.Name+" (seconds, less is better)", labels,
		chart.Series{Name: pyName, Y: py}, chart.Series{Name: "Go", Y: gosec})
	return ch.YAxis("time", "s")
}

// rows are the comparison's table: a header, then one row per pair.
func (c *Comparison) rows() [][]string {
	rows := [][]string{{"CPython · Go", "CPython", "Go", "Go / CPython", "Go is", "items", "errors (CPython, Go)"}}
	for _, p := range c.Pairs {
		py, ratio, faster := "skipped", "-", "-"
		if p.CPythonRuns > 0 {
			py = round(p.CPythonTime).String()
			ratio = strconv.FormatFloat(p.Ratio(), 'g', 2, 64)
			faster = times(1 / p.Ratio())
		}
		errs := fmt.Sprintf("%d, %d", p.CPythonErrors, p.GoErrors)
		rows = append(rows, []string{p.Label, py, round(p.GoTime).String(), ratio, faster, strconv.Itoa(p.Items), errs})
	}
	return rows
}

// notes are the lines under the table: the interpreter, or why it did not run.
func (c *Comparison) notes() []string {
	if c.Skipped != nil {
		return append([]string{c.Skipped.Error()}, nonEmpty(c.Busy)...)
	}
	runs := 0
	if len(c.Pairs) > 0 {
		runs = c.Pairs[0].CPythonRuns
	}
	gil := "GIL on"
	if !c.GIL {
		gil = "GIL off in some runs"
	}
	note := fmt.Sprintf("%s, %s; median of %d runs each, interleaved", c.Python, gil, runs)
	if runs == 1 {
		note = fmt.Sprintf("%s, %s; one run each", c.Python, gil)
	}
	if c.Wall > 0 {
		note += fmt.Sprintf("; a whole CPython run, interpreter start included: %v", round(c.Wall))
	}
	notes := []string{note}
	if c.Busy != "" {
		notes = append(notes, c.Busy)
	}
	return notes
}

// HTML shows the ratios as a table, for a notebook.
func (c *Comparison) HTML() string {
	return bench.HTMLTable(c.Name, c.rows(), c.notes()...)
}

// String shows the ratios as aligned text.
func (c *Comparison) String() string {
	var b strings.Builder
	rows := c.rows()
	width := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, cell := range r {
			width[i] = max(width[i], len([]rune(cell)))
		}
	}
	b.WriteString(c.Name + "\n")
	for _, r := range rows {
		for i, cell := range r {
			pad := strings.Repeat(" ", width[i]-len([]rune(cell)))
			if i == 0 {
				b.WriteString(cell + pad)
			} else {
				b.WriteString("  " + pad + cell)
			}
		}
		b.WriteString("\n")
	}
	for _, n := range c.notes() {
		b.WriteString(n + "\n")
	}
	return b.String()
}

// Markdown gives the ratios as a Markdown table, for BENCHMARKS.md.
func (c *Comparison) Markdown() string {
	var b strings.Builder
	for i, r := range c.rows() {
		b.WriteString("| " + strings.Join(r, " | ") + " |\n")
		if i == 0 {
			b.WriteString(strings.Repeat("|---", len(r)) + "|\n")
		}
	}
	for _, n := range c.notes() {
		b.WriteString("\n" + n + "\n")
	}
	return b.String()
}

// nonEmpty is []string{s}, or nothing if s is "".
func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// round keeps three significant digits of d.
func round(d time.Duration) time.Duration {
	for r := time.Duration(1); r < time.Hour; r *= 10 {
		if d < 1000*r {
			return d.Round(r)
		}
	}
	return d
}

// times gives a factor as "37×", "1.9×", or "0.8×".
func times(x float64) string {
	switch {
	case x >= 10:
		return strconv.FormatFloat(x, 'f', 0, 64) + "× as fast"
	default:
		return strconv.FormatFloat(x, 'f', 1, 64) + "× as fast"
	}
}

// Python is a CPython interpreter found on this machine.
type Python struct {
	Path    string // the interpreter, as it is run
	Name    string // how it was found: "PYTHON=...", ".venv/bin/python", "python3"
	Version string // "3.11.7"
	// FreeThreaded is true for a free-threaded build (3.13t and later),
	// whose threads can run Python code in parallel, without the GIL.
	FreeThreaded bool
	// Aiohttp is the version of aiohttp this interpreter imports, "" if none.
	Aiohttp string
}

// String gives "CPython 3.11.7 (GIL), aiohttp 3.14.5".
func (p *Python) String() string {
	s := "CPython " + p.Version
	if p.FreeThreaded {
		s += " (free-threaded build)"
	} else {
		s += " (GIL)"
	}
	if p.Aiohttp != "" {
		s += ", aiohttp " + p.Aiohttp
	} else {
		s += ", no aiohttp"
	}
	return s
}

// Unavailable is the error when the CPython side cannot run here: the
// interpreter, or a module a program needs, is missing. Its message is one
// line that says what is missing and how to install it.
type Unavailable struct {
	Missing string // what is missing: an interpreter's name or path, or a module
	Tried   string // where it was looked for
	Install string // how to install it
}

func (e *Unavailable) Error() string {
	return fmt.Sprintf("CPython side skipped: %s is missing (%s); %s", e.Missing, e.Tried, e.Install)
}

// howToInstall is the advice for a missing interpreter or aiohttp.
const howToInstall = "run `make setup` (it installs scripts/python/requirements.txt into .venv), or set PYTHON to a Python 3 that has them"

// FindPython finds the interpreter the course's set-up provides: $PYTHON if
// set, else .venv/bin/python in the checkout root (if present), else python3
// on PATH. It runs it once to learn its version, whether it is a
// free-threaded build, and aiohttp's version. A missing interpreter is an
// *Unavailable error.
func FindPython(root string) (*Python, error) {
	if p := os.Getenv("PYTHON"); p != "" {
		return probePython(p, "PYTHON="+p)
	}
	if root != "" {
		venv := filepath.Join(".venv", "bin", "python")
		if _, err := os.Stat(filepath.Join(root, venv)); err == nil {
			return probePython(filepath.Join(root, venv), venv)
		}
	}
	return probePython("python3", "python3")
}

// probe prints what ProbePython needs to know, as JSON, with the standard
// library only.
const probe = `import json, platform, sysconfig
try:
    import aiohttp
    aio = aiohttp.__version__
except Exception:
    aio = ""
print(json.dumps({"version": platform.python_version(), "implementation": platform.python_implementation(),
    "free_threaded": bool(sysconfig.get_config_var("Py_GIL_DISABLED")), "aiohttp": aio}))`

// ProbePython runs the interpreter named by path (a path, or a name looked
// up in PATH) and reports what it is. An interpreter that is not found, does
// not run, or is not CPython 3 is an *Unavailable error.
func ProbePython(path string) (*Python, error) { return probePython(path, path) }

// probePython is ProbePython, with name for the interpreter in messages: how
// it was found, without the machine's directories.
func probePython(path, name string) (*Python, error) {
	exe, err := exec.LookPath(path)
	if err != nil {
		missing, tried := path, "looked for "+name
		if strings.HasPrefix(name, "PYTHON=") {
			tried = name
		}
		return nil, &Unavailable{Missing: missing, Tried: tried, Install: howToInstall}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, exe, "-c", probe)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var got struct {
		Version        string `json:"version"`
		Implementation string `json:"implementation"`
		FreeThreaded   bool   `json:"free_threaded"`
		Aiohttp        string `json:"aiohttp"`
	}
	if err == nil {
		err = json.Unmarshal(lastLine(out), &got)
	}
	if err != nil {
		return nil, &Unavailable{Missing: "a working Python 3", Tried: fmt.Sprintf("%s failed: %v %s", name, err, tail(stderr.Bytes(), 1)), Install: howToInstall}
	}
	if got.Implementation != "CPython" || !strings.HasPrefix(got.Version, "3.") {
		return nil, &Unavailable{Missing: "CPython 3", Tried: fmt.Sprintf("%s is %s %s", name, got.Implementation, got.Version), Install: howToInstall}
	}
	return &Python{Path: exe, Name: name, Version: got.Version, FreeThreaded: got.FreeThreaded, Aiohttp: got.Aiohttp}, nil
}

// Report is the summary line a program of scripts/python prints last.
type Report struct {
	Program           string                   `json:"program"`
	Python            string                   `json:"python"`
	Implementation    string                   `json:"implementation"`
	GIL               bool                     `json:"gil"`
	FreeThreadedBuild bool                     `json:"free_threaded_build"`
	Variants          map[string]VariantReport `json:"variants"`
	// Ages are the multiprocessing program's results, by name.
	Ages map[string]int `json:"ages,omitempty"`
}

// VariantReport is what one variant of a program did. Every variant reports
// Seconds and Items; the other fields belong to some programs only.
type VariantReport struct {
	Seconds float64 `json:"seconds"`
	Items   int     `json:"items"`
	OK      int     `json:"ok"`
	Errors  int     `json:"errors"`
	Primes  int     `json:"primes"` // primes: how many numbers were prime
	Prime   []int   `json:"prime"`  // primes: 1 or 0 per number
	Words   int     `json:"words"`  // text: words written
	Lines   int     `json:"lines"`  // text: lines written
}

// ProgramError is the error when a program of scripts/python fails: it
// exits with an error, or does not end with its summary line.
type ProgramError struct {
	Script string
	Err    error
	Stderr string // the last lines the program wrote to its standard error
}

func (e *ProgramError) Error() string {
	s := fmt.Sprintf("%s: %v", e.Script, e.Err)
	if e.Stderr != "" {
		s += ": " + e.Stderr
	}
	return s
}

func (e *ProgramError) Unwrap() error { return e.Err }

// runScript runs script (a file of dir) with py and returns its summary line
// and the rest of its output.
func runScript(ctx context.Context, py *Python, dir, script string, env []string, args ...string) (Report, string, error) {
	cmd := exec.CommandContext(ctx, py.Path, append([]string{filepath.Join(dir, script)}, args...)...)
	// The site is on loopback: never send its requests to a proxy.
	cmd.Env = append(os.Environ(), append([]string{"NO_PROXY=127.0.0.1,localhost", "no_proxy=127.0.0.1,localhost"}, env...)...)
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var r Report
	if err == nil {
		if jerr := json.Unmarshal(lastLine(stdout.Bytes()), &r); jerr != nil || r.Variants == nil {
			err = errors.New("no summary line at the end of its output")
		}
	}
	if err != nil {
		return r, "", &ProgramError{Script: script, Err: err, Stderr: tail(stderr.Bytes(), 3)}
	}
	out := bytes.TrimRight(stdout.Bytes(), "\n")
	if k := bytes.LastIndexByte(out, '\n'); k >= 0 {
		out = out[:k+1]
	} else {
		out = nil
	}
	return r, string(out), nil
}

// lastLine is the last non-empty line of b.
func lastLine(b []byte) []byte {
	b = bytes.TrimRight(b, " \r\n")
	return b[bytes.LastIndexByte(b, '\n')+1:]
}

// tail is the last n lines of b, joined with " | ".
func tail(b []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
