// Package cost measures what concurrency costs in Go, so that the claims
// usually made about threads ("faster to create", "faster to switch",
// "lighter") can be checked rather than believed.
//
// It compares three kinds of flow of control:
//
//   - a goroutine, scheduled by the Go runtime on a few OS threads;
//   - an OS thread: a goroutine that calls runtime.LockOSThread and keeps
//     the lock, so that it has an OS thread to itself. When such a goroutine
//     returns without unlocking, the runtime destroys its thread, so starting
//     and ending one costs an OS thread's creation and destruction; the
//     runtime's "threadcreate" profile counts the threads actually created;
//   - an OS process: a child program (true, cat) started with os/exec.
//
// Three costs are measured for each: starting one and waiting for it to end
// (Start...), handing control back and forth between two of them (Switch...),
// and the memory one holds while it waits (Park...). CopyThroughProcess
// measures what sharing data costs between processes, where threads and
// goroutines share memory for free.
//
// The Start and Switch functions share one signature, func(int) (Timing,
// error), so that Best can repeat any of them and keep the fastest run:
//
//	t, err := cost.Best(3, cost.SwitchGoroutines, 100_000)
//
// Every function returns plain numbers; none of them fails a test on timing.
// The figures depend on the machine and on what else it runs.
package cost

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"sync"
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

// String formats t as "what: N in total (each each)".
func (t Timing) String() string {
	return fmt.Sprintf("%s: %d in %v, %v each", t.What, t.N, t.Total.Round(time.Microsecond), t.Each())
}

// StartGoroutines starts n goroutines that return at once and waits for all
// of them.
func StartGoroutines(n int) (Timing, error) {
	t := Timing{What: "goroutine", N: n}
	start := time.Now()
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {})
	}
	wg.Wait()
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
	path, err := exec.LookPath("true")
	if err != nil {
		return t, err
	}
	start := time.Now()
	for range n {
		if err := exec.Command(path).Run(); err != nil {
			return t, err
		}
	}
	t.Total = time.Since(start)
	return t, nil
}

// Best calls measure(n) runs times and returns the run with the smallest
// Total: on a busy machine, the run least disturbed by other programs. It
// stops at the first error.
func Best(runs int, measure func(n int) (Timing, error), n int) (Timing, error) {
	var best Timing
	for r := range max(runs, 1) {
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

// SwitchGoroutines passes a token back and forth between two goroutines over
// two unbuffered channels, rounds times, and reports one switch (half a round
// trip) as the operation: N is 2*rounds.
func SwitchGoroutines(rounds int) (Timing, error) {
	return pingPong("goroutine switch", rounds, false), nil
}

// SwitchThreads is SwitchGoroutines with both goroutines locked to their own
// OS thread, so that every hand-over wakes another OS thread through the
// kernel, and the Go runtime hands its processor (P) from one thread to the
// other. SwitchThreadsPipe measures the same two threads without the
// runtime's part.
func SwitchThreads(rounds int) (Timing, error) {
	return pingPong("OS thread switch (channel)", rounds, true), nil
}

func pingPong(what string, rounds int, locked bool) Timing {
	t := Timing{What: what, N: 2 * rounds}
	ping, pong := make(chan int), make(chan int)
	ready := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		if locked {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
		}
		ready <- struct{}{}
		for v := range ping {
			pong <- v + 1
		}
	})
	var total time.Duration
	func() {
		if locked {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
		}
		<-ready
		start := time.Now()
		for i := range rounds {
			ping <- i
			<-pong
		}
		total = time.Since(start)
	}()
	close(ping)
	wg.Wait()
	t.Total = total
	return t
}

// SwitchProcesses sends one byte to a child process, cat, through a pipe and
// reads it back through another, rounds times: every round trip is two
// switches between processes, each with its read and write system calls,
// exactly as in SwitchThreadsPipe. N is 2*rounds.
func SwitchProcesses(rounds int) (Timing, error) {
	t := Timing{What: "OS process switch", N: 2 * rounds}
	cmd := exec.Command("cat")
	in, err := cmd.StdinPipe()
	if err != nil {
		return t, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return t, err
	}
	if err := cmd.Start(); err != nil {
		return t, err
	}
	b := []byte{0}
	start := time.Now()
	for i := range rounds {
		b[0] = byte(i)
		if _, err = in.Write(b); err != nil {
			break
		}
		if _, err = io.ReadFull(out, b); err != nil {
			break
		}
	}
	t.Total = time.Since(start)
	in.Close()
	if werr := cmd.Wait(); err == nil {
		err = werr
	}
	return t, err
}

// Memory is what the process gained while N goroutines or threads were
// parked (alive, blocked, waiting to be released).
type Memory struct {
	What string
	N    int
	// From the Go runtime (runtime.MemStats, after a garbage collection):
	Stack uint64 // goroutine stack memory in use (StackInuse)
	Heap  uint64 // heap memory in use (HeapInuse): goroutine records and the like
	Sys   uint64 // memory obtained from the OS by the runtime (Sys)
	// From the operating system (/proc/self/status; zero where there is none):
	Virtual  uint64 // address space reserved (VmSize)
	Resident uint64 // memory actually in RAM (VmRSS)
	Threads  int    // OS threads
}

// PerEach divides every field by N, for the cost of one goroutine or thread.
func (m Memory) PerEach() Memory {
	if m.N <= 0 {
		return m
	}
	n := uint64(m.N)
	return Memory{What: m.What, N: 1, Stack: m.Stack / n, Heap: m.Heap / n, Sys: m.Sys / n,
		Virtual: m.Virtual / n, Resident: m.Resident / n, Threads: m.Threads / m.N}
}

// ParkGoroutines starts n goroutines that block on a channel, measures the
// memory they hold, then releases them and waits until they have returned.
func ParkGoroutines(n int) (Memory, error) {
	return park("goroutine", n, false)
}

// ParkThreads is ParkGoroutines with every goroutine locked to its own OS
// thread, so that n OS threads are alive and blocked. When released, the
// goroutines return still locked, and the runtime destroys their threads.
func ParkThreads(n int) (Memory, error) {
	return park("OS thread", n, true)
}

func park(what string, n int, locked bool) (Memory, error) {
	m := Memory{What: what, N: n}
	b, err := snapshot()
	if err != nil {
		return m, err
	}
	release := make(chan struct{})
	var started, wg sync.WaitGroup
	started.Add(n)
	for range n {
		wg.Go(func() {
			if locked {
				runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
			}
			started.Done()
			<-release
		})
	}
	started.Wait()
	a, err := snapshot()
	close(release)
	wg.Wait()
	if err != nil {
		return m, err
	}
	m.Stack, m.Heap, m.Sys = sub(a.ms.StackInuse, b.ms.StackInuse), sub(a.ms.HeapInuse, b.ms.HeapInuse), sub(a.ms.Sys, b.ms.Sys)
	m.Virtual, m.Resident = sub(a.virtual, b.virtual), sub(a.resident, b.resident)
	m.Threads = a.threads - b.threads
	return m, nil
}

func sub(a, b uint64) uint64 {
	if a < b {
		return 0
	}
	return a - b
}

type snap struct {
	ms                runtime.MemStats
	virtual, resident uint64
	threads           int
}

func snapshot() (snap, error) {
	var s snap
	runtime.GC()
	runtime.ReadMemStats(&s.ms)
	var err error
	s.virtual, s.resident, s.threads, err = procStatus()
	if errors.Is(err, os.ErrNotExist) {
		err = nil // no /proc on this system: leave the OS figures at zero
	}
	return s, err
}
