package measure

import (
	"fmt"
	"os/exec"
	"runtime"
	"time"
)

// Timing is the result of repeating one operation N times.
type Timing struct {
	What  string        // what was measured, for labels
	N     int           // how many operations
	Total time.Duration // wall time of all N
	// Threads is the number of different OS threads the operations ran on,
	// by their kernel thread ids. Only StartThreads sets it, and only on
	// Linux (elsewhere it is 0).
	Threads int
}

// Each is the time of one operation: Total / N.
func (t Timing) Each() time.Duration {
	if t.N <= 0 {
		return 0
	}
	return t.Total / time.Duration(t.N)
}

// String formats t as "what: N in total, each each".
func (t Timing) String() string {
	return fmt.Sprintf("%s: %d in %v, %v each", t.What, t.N, t.Total.Round(time.Microsecond), t.Each())
}

// Best calls measure(n) runs times and returns the run with the smallest
// Total: on a busy machine, the run least disturbed by other programs. It
// stops at the first error.
//
//	t, err := measure.Best(3, measure.SwitchGoroutines, 100_000)
func Best(runs int, measure func(n int) (Timing, error), n int) (Timing, error) {
	if runs < 1 {
		return Timing{}, fmt.Errorf("measure: Best: runs is %d, want at least 1", runs)
	}
	if measure == nil {
		return Timing{}, fmt.Errorf("measure: Best: measure is nil, want a function such as StartGoroutines")
	}
	var best Timing
	for r := range runs {
		t, err := measure(n)
		if err != nil {
			return t, err
		}
		if r == 0 || t.Total < best.Total {
			best = t
		}
	}
	return best, nil
}

// checkN is the error for a count below one.
func checkN(fn, name string, n int) error {
	if n < 1 {
		return fmt.Errorf("measure: %s: %s is %d, want at least 1", fn, name, n)
	}
	return nil
}

// StartGoroutines starts n goroutines one after another, each of which
// reports back at once, and waits for each before starting the next: N
// times the cost of starting one goroutine and waiting for it, the
// counterpart of StartThreads, StartProcesses and a process pool's
// proc.Pool.StartTimes. One at a time, so no goroutine waits behind others.
func StartGoroutines(n int) (Timing, error) {
	t := Timing{What: "goroutine", N: n}
	if err := checkN("StartGoroutines", "n", n); err != nil {
		return t, err
	}
	done := make(chan struct{})
	start := time.Now()
	for range n {
		go func() { done <- struct{}{} }()
		<-done
	}
	t.Total = time.Since(start)
	return t, nil
}

// StartThreads starts n goroutines, one at a time, that each lock their OS
// thread and return without unlocking it, and waits for each before starting
// the next. The runtime cannot reuse a thread a goroutine died locked to: it
// destroys it and creates a new one, so each operation is the creation and the
// destruction of an OS thread. Each goroutine also asks the kernel for its
// thread id (one cheap system call), and Timing.Threads counts the distinct
// ids: n means that every goroutine had a new thread. One at a time, so that
// the threads are not created in parallel.
func StartThreads(n int) (Timing, error) {
	t := Timing{What: "OS thread", N: n}
	if err := checkN("StartThreads", "n", n); err != nil {
		return t, err
	}
	tids := make(chan int)
	seen := make(map[int]bool, n)
	start := time.Now()
	for range n {
		go func() {
			runtime.LockOSThread() // never unlocked: the thread dies with the goroutine
			tids <- threadID()
		}()
		seen[<-tids] = true
	}
	t.Total = time.Since(start)
	if !seen[0] {
		t.Threads = len(seen)
	}
	return t, nil
}

// StartProcesses runs the program "true" (which exits at once) n times,
// one after another, waiting for each.
func StartProcesses(n int) (Timing, error) {
	t := Timing{What: "OS process", N: n}
	if err := checkN("StartProcesses", "n", n); err != nil {
		return t, err
	}
	path, err := exec.LookPath("true")
	if err != nil {
		return t, fmt.Errorf("measure: StartProcesses: %w", err)
	}
	start := time.Now()
	for range n {
		if err := exec.Command(path).Run(); err != nil {
			return t, fmt.Errorf("measure: StartProcesses: %w", err)
		}
	}
	t.Total = time.Since(start)
	return t, nil
}
