package measure

import (
	"context"
	"fmt"
	"math"
	"os"
	"strings"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/bench"
	"github.com/go-parallelism/go-parallelism/lib/hazard"
	"github.com/go-parallelism/go-parallelism/lib/model"
	"github.com/go-parallelism/go-parallelism/lib/proc"
	"github.com/go-parallelism/go-parallelism/lib/workload"
)

// Outcome is a claim's verdict as a value, for code that acts on it; the
// Row's Verdict says the same in words.
type Outcome int

const (
	// Unclear: the measurement could not decide (one core, a busy machine).
	Unclear Outcome = iota
	// Holds: the claim is true in Go too.
	Holds
	// Fails: the claim is not true in Go, or was not observed here.
	Fails
)

func (o Outcome) String() string {
	switch o {
	case Holds:
		return "holds"
	case Fails:
		return "fails"
	}
	return "unclear"
}

// Row is one line of the tutorial's table "Threading vs Multiprocessing",
// measured in Go with goroutines on one side and worker processes on the
// other.
type Row struct {
	Aspect   string  // spawn, velocity, memory, synchronization, GIL
	Claim    string  // what the tutorial says
	Measured string  // what Go measured here
	Verdict  string  // whether the claim holds in Go, and how far
	Outcome  Outcome // the verdict as a value
}

// Table is the measured comparison, one Row per line of the tutorial's.
type Table []Row

// String formats the table as blocks of three labelled lines per row, which
// stay readable in a narrow output.
func (t Table) String() string {
	var b strings.Builder
	for i, r := range t {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s\n  tutorial: %s\n  in Go:    %s\n  verdict:  %s\n", strings.ToUpper(r.Aspect), r.Claim, r.Measured, r.Verdict)
	}
	return b.String()
}

// Who is where a piece of code ran: its process and that process's parent.
type Who struct{ PID, PPID int }

// shared is the variable of the memory row: one per process.
var shared int

// The tasks Claims sends to worker processes. They are registered at
// package level, so that a worker started from any program that imports
// this package knows them.
var (
	whoTask = proc.Register("lib/measure.who", func(ctx context.Context, _ int) (Who, error) {
		return Who{os.Getpid(), os.Getppid()}, nil
	})
	// writeTask reads the worker's copy of shared, sets it to v, and
	// returns what it read.
	writeTask = proc.Register("lib/measure.write", func(ctx context.Context, v int) (int, error) {
		old := shared
		shared = v
		return old, nil
	})
	// countTask increments a variable of the worker n times.
	countTask = proc.Register("lib/measure.count", func(ctx context.Context, n int) (int, error) {
		c := 0
		for range n {
			c++
		}
		return c, nil
	})
)

// Claims measures each line of the tutorial's table with a pool of two
// worker processes and returns the measured table. It takes a few seconds
// on two cores. A program that calls it must call proc.Main first (see
// lib/proc), since its pool runs the program again as workers.
func Claims(ctx context.Context) (Table, error) {
	pool, err := proc.NewPool(ctx, 2)
	if err != nil {
		return nil, err
	}
	defer pool.Close()
	var t Table
	for _, f := range []func(context.Context, *proc.Pool) (Row, error){spawnRow, velocityRow, memoryRow, syncRow, gilRow} {
		r, err := f(ctx, pool)
		if err != nil {
			return t, fmt.Errorf("measure: claim %q: %w", r.Aspect, err)
		}
		t = append(t, r)
	}
	return t, nil
}

func spawnRow(ctx context.Context, pool *proc.Pool) (Row, error) {
	r := Row{Aspect: "spawn", Claim: "A new thread is spawned within the existing process; a new process is started independent from the first process."}
	me := os.Getpid()
	inGoroutine := make(chan int)
	go func() { inGoroutine <- os.Getpid() }()
	g := <-inGoroutine
	w, err := whoTask.Call(ctx, pool, 0)
	if err != nil {
		return r, err
	}
	r.Measured = fmt.Sprintf("a goroutine ran in pid %d, this process; a worker ran in pid %d, a process of its own started by pid %d.", g, w.PID, w.PPID)
	if g == me && w.PID != me && w.PPID == me {
		r.Outcome, r.Verdict = Holds, "True in Go: a goroutine lives inside the process; a worker is a separate process."
	} else {
		r.Outcome, r.Verdict = Fails, "Not observed here: see the measurement."
	}
	return r, nil
}

func velocityRow(ctx context.Context, pool *proc.Pool) (Row, error) {
	r := Row{Aspect: "velocity", Claim: "Starting a thread is faster than starting a process."}
	g, err := Best(3, StartGoroutines, 1000)
	if err != nil {
		return r, err
	}
	p := bench.Median(pool.StartTimes())
	ratio := float64(p) / float64(max(g.Each(), 1))
	r.Measured = fmt.Sprintf("a worker process took %v to start (median), a goroutine %v (best of 3 rounds of %d).", p.Round(time.Microsecond), g.Each(), g.N)
	switch {
	case ratio > 10:
		r.Outcome, r.Verdict = Holds, fmt.Sprintf("True, by a factor of about %s.", Magnitude(ratio))
	case ratio > 1:
		r.Outcome, r.Verdict = Holds, fmt.Sprintf("True, but only %.1f times faster here.", ratio)
	default:
		r.Outcome, r.Verdict = Fails, fmt.Sprintf("Not here: a goroutine took %.1f times as long as a process.", 1/ratio)
	}
	return r, nil
}

func memoryRow(ctx context.Context, pool *proc.Pool) (Row, error) {
	r := Row{Aspect: "memory", Claim: "All threads share the memory; memory is not shared between processes."}
	shared = 1
	seen, err := writeTask.Call(ctx, pool, 42)
	if err != nil {
		return r, err
	}
	afterProcess := shared
	done := make(chan struct{})
	go func() { shared = 42; close(done) }()
	<-done
	afterGoroutine := shared

	parked, err := ParkGoroutines(10_000)
	if err != nil {
		return r, err
	}
	perGoroutine := parked.PerEach().Held()
	var rss []uint64
	for _, pid := range pool.PIDs() {
		if m, err := RSS(pid); err == nil {
			rss = append(rss, m)
		}
	}
	r.Measured = fmt.Sprintf("with the variable at 1 here, a worker read %d (its own copy) and set it to 42: here it stayed %d; a goroutine set it to 42: here it became %d.",
		seen, afterProcess, afterGoroutine)
	if len(rss) > 0 && perGoroutine > 0 {
		r.Measured += fmt.Sprintf(" A goroutine holds about %s of memory, a worker process %s resident.", bench.Bytes(perGoroutine), bench.Bytes(bench.Median(rss)))
	}
	if seen != 1 && afterProcess == 1 && afterGoroutine == 42 {
		r.Outcome, r.Verdict = Holds, "True: goroutines share the process's memory; a worker has its own."
		if len(rss) > 0 && perGoroutine > 0 {
			r.Verdict += fmt.Sprintf(" One process weighs as much as about %s goroutines.", Magnitude(float64(bench.Median(rss))/float64(perGoroutine)))
		}
	} else {
		r.Outcome, r.Verdict = Fails, "Not observed here: see the measurement."
	}
	return r, nil
}

func syncRow(ctx context.Context, pool *proc.Pool) (Row, error) {
	r := Row{Aspect: "synchronization", Claim: "Necessary on threads to control access to shared data; not necessary for processes unless threading in the new process."}
	const n = 100_000
	racy, err := hazard.CountRacy(2, n)
	if err != nil {
		return r, err
	}
	locked, err := hazard.CountMutex(2, n)
	if err != nil {
		return r, err
	}
	counts, err := countTask.Map(ctx, pool, []int{n, n}, 1)
	if err != nil {
		return r, err
	}
	sum := 0
	for _, c := range counts {
		sum += c
	}
	r.Measured = fmt.Sprintf("2 goroutines adding 1 to a shared int %d times each, with no lock: %d (%d updates lost); with a mutex: %d. 2 workers each counting in their own variable, the parent adding up the results: %d, with no lock.",
		n, racy.Got, racy.Lost(), locked.Got, sum)
	switch {
	case racy.Lost() > 0 && locked.Lost() == 0 && sum == 2*n:
		r.Outcome, r.Verdict = Holds, "True: shared variables need a lock (or atomics, or a channel that hands data over); processes share nothing, so they synchronize only by sending results back."
	case racy.Lost() == 0:
		r.Outcome, r.Verdict = Unclear, "The race lost no update this time, which proves nothing: an unsynchronized shared variable is a bug even when it happens to work."
	default:
		r.Outcome, r.Verdict = Fails, "Not observed here: see the measurement."
	}
	return r, nil
}

func gilRow(ctx context.Context, pool *proc.Pool) (Row, error) {
	r := Row{Aspect: "GIL", Claim: "One GIL for all threads; one GIL for each process."}
	job, err := workload.New(workload.Spec{Name: "primes", Size: 4})
	if err != nil {
		return r, err
	}
	defer job.Close()
	models := []model.Model{model.Sequential, model.Goroutines, model.GIL(model.OneCore, model.Goroutines), model.ProcessPool(pool)}
	res, err := bench.Run(ctx, bench.Experiment{Name: "4 primes", Reps: 3, CheckCores: true, Variants: Variants(job, models...)})
	if err != nil {
		return r, err
	}
	if err := runError(res); err != nil {
		return r, err
	}
	gains, err := res.Speedup("")
	if err != nil {
		return r, err
	}
	speed := map[string]float64{}
	for _, g := range gains {
		speed[g.Variant] = g.Speedup
	}
	goroutines, underGIL, processes := speed[models[1].Name], speed[models[2].Name], speed[models[3].Name]
	cores := res.Machine.NumCPU
	r.Measured = fmt.Sprintf("4 CPU-bound prime checks on %d cores: goroutines %.1f× as fast as one after the other; goroutines under a GIL (GOMAXPROCS=1) %.1f×; 2 worker processes %.1f×.",
		cores, goroutines, underGIL, processes)
	switch {
	case cores < 2:
		r.Outcome, r.Verdict = Unclear, "Cannot be judged on one core: nothing runs in parallel there."
	case goroutines > 1.3 && underGIL < 1.2:
		r.Outcome, r.Verdict = Fails, "Go has no GIL: goroutines compute in parallel as Python's processes do; impose a GIL and they gain nothing, like CPython's threads."
	case res.BusyNote() != "":
		r.Outcome, r.Verdict = Unclear, fmt.Sprintf("Unclear on this run: other programs took the cores (a test run got %.1f of %d); run it again when the machine is quieter.",
			res.FreeCores, res.Machine.GOMAXPROCS)
	default:
		r.Outcome, r.Verdict = Unclear, "Unclear on this run: see the measurement."
	}
	return r, nil
}

// Magnitude rounds a ratio for prose: "3", "40", "200", "5,000", "30,000"
// (one significant figure from 10 up).
func Magnitude(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
		return "?"
	}
	if x < 10 {
		return fmt.Sprintf("%.0f", x)
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	v := int64(math.Round(x/p) * p)
	s := fmt.Sprint(v)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
