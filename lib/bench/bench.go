// Package bench times named variants of a program over a parameter sweep.
//
// An Experiment runs every Variant at every Param of its Sweep: first the
// warm-up runs, which are thrown away (at least one, of the first variant,
// since a program's first run is slower), then Reps measured runs, interleaved
// across variants so that a slow drift of the machine (another process,
// thermal throttling) touches every variant alike. Each measured run records
// wall time, CPU time (user+sys of this process and of its waited-for
// children), the peak number of goroutines, heap use, the error, and the
// per-task spans that the variant marked with lib/span.
//
//	res, err := bench.Run(ctx, bench.Experiment{
//		Name: "primes", Reps: 3, Warmup: 1,
//		Sweep: bench.Workers(1, 2, 4),
//		Variants: []bench.Variant{
//			{Name: "sequential", Run: seq},
//			{Name: "goroutines", Run: par},
//		},
//	})
//	fmt.Println(res)
//
// A Result is plain data: it prints as an aligned table, formats as an HTML
// table, and exports CSV and JSON. Everything derived from timings is
// computed here, once: speedup (Result.Speedup, the one definition the
// library uses), efficiency, Amdahl's serial fraction and what it predicts
// (Result.Amdahl, Amdahl.Predict), and whether other programs took the
// cores while it ran (FreeCores, BusyNote).
package bench

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/span"
)

// Param is one point of a sweep. A variant reads the fields it needs and
// ignores the others; zero means "not swept".
type Param struct {
	Workers int `json:"workers,omitempty"`
	Tasks   int `json:"tasks,omitempty"`
	Size    int `json:"size,omitempty"`
}

// String gives "workers=4 tasks=100", or "-" for the zero Param.
func (p Param) String() string {
	var parts []string
	if p.Workers != 0 {
		parts = append(parts, fmt.Sprintf("workers=%d", p.Workers))
	}
	if p.Tasks != 0 {
		parts = append(parts, fmt.Sprintf("tasks=%d", p.Tasks))
	}
	if p.Size != 0 {
		parts = append(parts, fmt.Sprintf("size=%d", p.Size))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, " ")
}

// Sweep is the list of parameters an experiment runs at, in order.
type Sweep []Param

// Workers returns a sweep over worker counts.
func Workers(n ...int) Sweep { return sweepOf(n, func(v int) Param { return Param{Workers: v} }) }

// Tasks returns a sweep over task counts.
func Tasks(n ...int) Sweep { return sweepOf(n, func(v int) Param { return Param{Tasks: v} }) }

// Sizes returns a sweep over problem sizes.
func Sizes(n ...int) Sweep { return sweepOf(n, func(v int) Param { return Param{Size: v} }) }

func sweepOf(n []int, f func(int) Param) Sweep {
	s := make(Sweep, len(n))
	for i, v := range n {
		s[i] = f(v)
	}
	return s
}

// Cross returns every combination of a point of s with a point of t, s
// varying slowest; a field set in both takes t's value.
//
//	bench.Workers(1, 2).Cross(bench.Tasks(10, 100))
func (s Sweep) Cross(t Sweep) Sweep {
	out := make(Sweep, 0, len(s)*len(t))
	for _, a := range s {
		for _, b := range t {
			p := a
			if b.Workers != 0 {
				p.Workers = b.Workers
			}
			if b.Tasks != 0 {
				p.Tasks = b.Tasks
			}
			if b.Size != 0 {
				p.Size = b.Size
			}
			out = append(out, p)
		}
	}
	return out
}

// Func is the code a variant times. It must honour ctx, and may mark its
// tasks with span.Task(ctx, task, worker) to feed timelines.
type Func func(ctx context.Context, p Param) error

// Variant is one named way of doing the job.
type Variant struct {
	Name string
	Run  Func
}

// Experiment describes what to run. Name, Variants and Reps are required.
type Experiment struct {
	Name     string
	Variants []Variant
	// Sweep lists the parameters; empty means one run at the zero Param.
	Sweep Sweep
	// Reps is the number of measured runs per variant and parameter (>= 1).
	Reps int
	// Warmup is the number of unmeasured runs of every variant before them
	// at each point (>= 0). With 0, the first variant still runs once,
	// unmeasured, before the first measured run.
	Warmup int
	// Baseline names the variant others are compared with in tables and
	// speedups; empty means the first variant.
	Baseline string
	// Timeout bounds each run through its ctx; zero means no bound beyond
	// ctx. A variant must return when its ctx is done: the harness cannot
	// stop one that ignores it.
	Timeout time.Duration
	// Progress, if set, is called after every run and once at the end;
	// nil means DefaultProgress (which lib/nb sets in a notebook).
	Progress func(Progress)
	// SampleEvery is the goroutine and heap sampling period; zero means 1ms.
	SampleEvery time.Duration
	// CheckCores asks for a FreeCores reading of 50 ms before the first run
	// and after each point of the sweep; the lowest is kept in
	// Result.FreeCores, and the result's table ends with BusyNote's note
	// when other programs took the cores. It adds 50 ms of computing per
	// reading, between runs.
	CheckCores bool
}

// Validate reports the first problem with e, or nil. Each error names the
// field, its value and what is allowed.
func (e *Experiment) Validate() error {
	if e.Name == "" {
		return errors.New(`bench: Experiment.Name is "", want a name (it heads the table and the progress line)`)
	}
	if len(e.Variants) == 0 {
		return fmt.Errorf("bench: experiment %q has no Variants, want at least one", e.Name)
	}
	if e.Reps < 1 {
		return fmt.Errorf("bench: Reps is %d, want at least 1", e.Reps)
	}
	if e.Warmup < 0 {
		return fmt.Errorf("bench: Warmup is %d, want 0 or more", e.Warmup)
	}
	if e.Timeout < 0 {
		return fmt.Errorf("bench: Timeout is %v, want 0 (no bound) or more", e.Timeout)
	}
	if e.SampleEvery < 0 {
		return fmt.Errorf("bench: SampleEvery is %v, want 0 (1ms) or more", e.SampleEvery)
	}
	seen := map[string]bool{}
	var names []string
	for i, v := range e.Variants {
		if v.Name == "" {
			return fmt.Errorf(`bench: Variants[%d].Name is "", want a name`, i)
		}
		if seen[v.Name] {
			return fmt.Errorf("bench: duplicate variant name %q, want each name once", v.Name)
		}
		seen[v.Name] = true
		names = append(names, v.Name)
		if v.Run == nil {
			return fmt.Errorf("bench: variant %q has a nil Run function", v.Name)
		}
	}
	if e.Baseline != "" && !seen[e.Baseline] {
		return fmt.Errorf("bench: baseline %q is not one of the variants %v", e.Baseline, names)
	}
	for _, p := range e.Sweep {
		if p.Workers < 0 || p.Tasks < 0 || p.Size < 0 {
			return fmt.Errorf("bench: negative value in sweep point %v, want 1 or more", p)
		}
		if p == (Param{}) {
			return errors.New("bench: sweep point with every field zero (use Workers(1), not Workers(0))")
		}
	}
	return nil
}

// Run performs the experiment. It returns an error for an invalid
// experiment, and ctx's error, with the runs finished so far, if ctx ends
// first. A variant's own errors (and panics) are recorded in its runs, not
// returned.
func Run(ctx context.Context, e Experiment) (*Result, error) {
	if err := e.Validate(); err != nil {
		return nil, err
	}
	sweep := e.Sweep
	if len(sweep) == 0 {
		sweep = Sweep{{}}
	}
	baseline := e.Baseline
	if baseline == "" {
		baseline = e.Variants[0].Name
	}
	res := &Result{
		Name:     e.Name,
		Machine:  ThisMachine(),
		Baseline: baseline,
		Reps:     e.Reps,
		Warmup:   e.Warmup,
		Started:  time.Now(),
	}
	for _, v := range e.Variants {
		res.Variants = append(res.Variants, v.Name)
	}
	res.Sweep = append(res.Sweep, sweep...)

	every := e.SampleEvery
	if every == 0 {
		every = time.Millisecond
	}
	m := newMeter(every)
	defer m.close()
	cold := 0
	if e.Warmup == 0 {
		cold = 1
	}
	prog := newProgress(e.Name, cold+len(sweep)*len(e.Variants)*(e.Reps+e.Warmup), e.Progress)
	defer prog.close()

	if e.CheckCores {
		res.FreeCores = freeCores()
	}
	// The first run of a program pays alone for a cold start (page faults,
	// a heap still growing): without warm-up rounds it would be the first
	// measured run, usually the baseline every speedup divides.
	if cold == 1 {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		m.run(warming(ctx), e.Variants[0], sweep[0], e.Timeout)
		prog.step(e.Variants[0].Name, sweep[0], "warm-up")
	}
	for _, p := range sweep {
		for _, v := range e.Variants {
			for range e.Warmup {
				if err := ctx.Err(); err != nil {
					return res, err
				}
				m.run(warming(ctx), v, p, e.Timeout)
				prog.step(v.Name, p, "warm-up")
			}
		}
		for rep := range e.Reps {
			for _, v := range e.Variants {
				if err := ctx.Err(); err != nil {
					return res, err
				}
				r := m.run(ctx, v, p, e.Timeout)
				r.Rep = rep
				res.Runs = append(res.Runs, r)
				prog.step(v.Name, p, r.summary())
			}
		}
		if e.CheckCores {
			res.FreeCores = min(res.FreeCores, freeCores()) // other programs come and go
		}
	}
	res.Elapsed = time.Since(res.Started)
	return res, nil
}

type warmingKey struct{}

func warming(ctx context.Context) context.Context {
	return context.WithValue(ctx, warmingKey{}, true)
}

// Warming reports whether the run that got ctx is a warm-up, whose
// measurements are thrown away. A variant that keeps data of its own per
// run (a child program's report) keeps none from a warm-up.
func Warming(ctx context.Context) bool {
	w, _ := ctx.Value(warmingKey{}).(bool)
	return w
}

// Record is one measured run.
type Record struct {
	Variant string `json:"variant"`
	Param   Param  `json:"param"`
	Rep     int    `json:"rep"`
	// Wall is the elapsed time of the call to the variant.
	Wall time.Duration `json:"wall_ns"`
	// CPU is user+sys time of this process and of the child processes it
	// waited for during the run. CPU/Wall is the parallelism achieved.
	CPU time.Duration `json:"cpu_ns"`
	// Goroutines is the largest goroutine count seen during the run,
	// sampled every SampleEvery and at both ends (the harness's own sampler
	// goroutine is not counted).
	Goroutines int `json:"goroutines"`
	// HeapAlloc is the number of bytes allocated on the heap during the run,
	// from runtime/metrics. The runtime counts small allocations when a
	// per-P cache is flushed, so a run that allocates a few KiB may show 0
	// and the next one more: compare medians, and only large amounts.
	HeapAlloc uint64 `json:"heap_alloc_bytes"`
	// HeapPeak is the largest heap (live and not yet swept objects) sampled.
	HeapPeak uint64 `json:"heap_peak_bytes"`
	// ChildMaxRSS is the peak resident set of the largest child process
	// waited for so far, set only when child processes used CPU during the
	// run. The kernel keeps only a running maximum over the whole life of
	// this process, so it never goes down from one run to the next.
	ChildMaxRSS uint64 `json:"child_max_rss_bytes,omitempty"`
	// Err is the variant's error (or panic), empty on success.
	Err string `json:"err,omitempty"`
	// Spans are the tasks the variant marked with lib/span.
	Spans []span.Span `json:"spans,omitempty"`
}

// Parallelism is CPU time over wall time: about 1 for one busy core, about
// N when N cores were busy throughout, below 1 when waiting on I/O.
func (r Record) Parallelism() float64 {
	if r.Wall <= 0 {
		return 0
	}
	return float64(r.CPU) / float64(r.Wall)
}

func (r Record) summary() string {
	if r.Err != "" {
		return "error: " + r.Err
	}
	return fmtDuration(r.Wall)
}

// Machine says where a result was measured.
type Machine struct {
	NumCPU     int    `json:"num_cpu"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	GoVersion  string `json:"go_version"`
	GOOS       string `json:"goos"`
	GOARCH     string `json:"goarch"`
	CPUModel   string `json:"cpu_model,omitempty"`
}

// ThisMachine describes the machine the program runs on.
func ThisMachine() Machine {
	return Machine{
		NumCPU:     runtime.NumCPU(),
		GOMAXPROCS: runtime.GOMAXPROCS(0),
		GoVersion:  runtime.Version(),
		GOOS:       runtime.GOOS,
		GOARCH:     runtime.GOARCH,
		CPUModel:   cpuModel(),
	}
}

// String gives a one-line description such as
// "linux/amd64, 2 CPUs, GOMAXPROCS=2, go1.26.8".
func (m Machine) String() string {
	s := fmt.Sprintf("%s/%s, %d CPUs, GOMAXPROCS=%d, %s", m.GOOS, m.GOARCH, m.NumCPU, m.GOMAXPROCS, m.GoVersion)
	if m.CPUModel != "" {
		s += ", " + m.CPUModel
	}
	return s
}
