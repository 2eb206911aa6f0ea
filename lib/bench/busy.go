package bench

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// busyBelow is the share of the usable cores under which a FreeCores
// reading means the machine was busy. Short readings dip now and then on
// any machine; the note is for a machine so busy that CPU-bound results are
// visibly off.
const busyBelow = 0.6

// FreeCores estimates how many cores this process can use right now: it
// keeps runtime.GOMAXPROCS(0) goroutines computing for about d and returns
// the CPU time the process got over the wall time. On an idle machine it is
// close to GOMAXPROCS; other programs computing at the same time lower it.
// It returns NaN where the process's CPU time cannot be read.
func FreeCores(d time.Duration) float64 {
	if !haveCPUTime {
		return math.NaN()
	}
	cpu0 := selfUsage().cpu
	start := time.Now()
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for time.Since(start) < d {
				spinUnit()
			}
		})
	}
	wg.Wait()
	wall := time.Since(start)
	return float64(selfUsage().cpu-cpu0) / float64(wall)
}

// spinUnit computes for a few microseconds.
func spinUnit() {
	x := uint64(1)
	for i := range uint64(2000) {
		x = x*6364136223846793005 + i
	}
	spinSink.Store(x)
}

var spinSink atomic.Uint64

// freeCores is a short FreeCores reading for Experiment.CheckCores, -1 if
// unknown (JSON has no NaN).
func freeCores() float64 {
	if f := FreeCores(50 * time.Millisecond); !math.IsNaN(f) {
		return f
	}
	return -1
}

// BusyNote returns a one-line note when free, a FreeCores reading, is below
// 60% of procs, the cores Go could use (GOMAXPROCS), and "" otherwise, or
// when free is unknown (NaN, or not above 0).
func BusyNote(free float64, procs int) string {
	if math.IsNaN(free) || free <= 0 || procs < 1 || free >= busyBelow*float64(procs) {
		return ""
	}
	return fmt.Sprintf("note: other programs were using this machine: a test run got %.1f of its %d cores, "+
		"so CPU-bound speedups here fall short of an idle machine's", free, procs)
}

// NoteIfBusy reads FreeCores for 100 ms and prints BusyNote's note, if
// any: a program (or a notebook cell) that has just measured CPU-bound work
// ends with it.
func NoteIfBusy() {
	if note := BusyNote(FreeCores(100*time.Millisecond), runtime.GOMAXPROCS(0)); note != "" {
		fmt.Println(note)
	}
}

// BusyNote is the note for the experiment's FreeCores reading (see
// Experiment.CheckCores), or "" if the cores were free or not checked.
func (r *Result) BusyNote() string { return BusyNote(r.FreeCores, r.Machine.GOMAXPROCS) }
