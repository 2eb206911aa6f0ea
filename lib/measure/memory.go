package measure

import (
	"errors"
	"runtime"
	"sync"
)

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

// Held is what the Go runtime holds for them: Stack + Heap. For one
// goroutine, PerEach().Held() is the figure to compare with a process.
func (m Memory) Held() uint64 { return m.Stack + m.Heap }

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
// This is the one measurement of a goroutine's memory; use n of several
// thousand, so that the runtime's steps of growth average out.
func ParkGoroutines(n int) (Memory, error) {
	return park("ParkGoroutines", "goroutine", n, false)
}

// ParkThreads is ParkGoroutines with every goroutine locked to its own OS
// thread, so that n OS threads are alive and blocked. When released, the
// goroutines return still locked, and the runtime destroys their threads.
func ParkThreads(n int) (Memory, error) {
	return park("ParkThreads", "OS thread", n, true)
}

func park(fn, what string, n int, locked bool) (Memory, error) {
	m := Memory{What: what, N: n}
	if err := checkN(fn, "n", n); err != nil {
		return m, err
	}
	// Goroutines that ended leave their stacks for reuse until a garbage
	// collection frees them; two make sure the new goroutines need stacks
	// of their own, so that they are counted.
	runtime.GC()
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
	m.Virtual, m.Resident = sub(a.os.virtual, b.os.virtual), sub(a.os.resident, b.os.resident)
	m.Threads = a.os.threads - b.os.threads
	return m, nil
}

func sub(a, b uint64) uint64 {
	if a < b {
		return 0
	}
	return a - b
}

type snap struct {
	ms runtime.MemStats
	os status
}

func snapshot() (snap, error) {
	var s snap
	runtime.GC()
	runtime.ReadMemStats(&s.ms)
	var err error
	s.os, err = readStatus("self")
	if errors.Is(err, errors.ErrUnsupported) {
		err = nil // no /proc on this system: leave the OS figures at zero
	}
	return s, err
}
