package scaling

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/workload"
)

// FreeCores estimates how many cores this process can use right now: it
// keeps runtime.GOMAXPROCS(0) goroutines computing for about d and returns the
// CPU time the process got over the wall time. On an idle machine it is
// close to GOMAXPROCS; other programs computing at the same time lower it.
// It returns NaN where the process's CPU time cannot be read.
func FreeCores(d time.Duration) float64 {
	cpu0, ok := processCPU()
	if !ok {
		return math.NaN()
	}
	start := time.Now()
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Since(start) < d {
				workload.IsPrime(unit)
			}
		}()
	}
	wg.Wait()
	wall := time.Since(start)
	cpu1, _ := processCPU()
	return float64(cpu1-cpu0) / float64(wall)
}

// BusyNote returns a one-line note when free, a FreeCores figure, is below
// 60% of the cores Go may use (1.2 of 2), and "" otherwise. Short readings
// dip now and then on any machine; the note is for a machine so busy that
// CPU-bound results are visibly off.
func BusyNote(free float64) string {
	procs := runtime.GOMAXPROCS(0)
	if math.IsNaN(free) || free < 0 || free >= 0.6*float64(procs) { // negative: unknown
		return ""
	}
	return fmt.Sprintf("note: other programs were using this machine: a test run got %.1f of its %d cores, "+
		"so CPU-bound speedups here fall short of an idle machine's", free, procs)
}

// NoteIfBusy measures FreeCores for 100 ms and prints BusyNote's note, if
// any: a cell that has just measured CPU-bound work ends with it.
func NoteIfBusy() {
	if note := BusyNote(FreeCores(100 * time.Millisecond)); note != "" {
		fmt.Println(note)
	}
}
