package measure

import (
	"runtime"
	"runtime/pprof"
	"time"
)

// Threads returns how many OS threads the Go runtime has now, from the
// "threadcreate" profile (one record per thread of the runtime). The
// runtime keeps idle threads for reuse, and ends one only when a goroutine
// exits locked to it, so this rarely goes down. It works on every system,
// unlike reading /proc/self/status.
func Threads() int { return pprof.Lookup("threadcreate").Count() }

// Peaks runs f and returns the largest number of goroutines and of OS
// threads (Threads) seen while it ran, sampled every millisecond and at
// both ends. The sampling goroutine itself is not counted.
func Peaks(f func()) (goroutines, threads int) {
	stop, sampled := make(chan struct{}), make(chan struct{})
	sample := func() {
		goroutines = max(goroutines, runtime.NumGoroutine()-1)
		threads = max(threads, Threads())
	}
	go func() {
		defer close(sampled)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			sample()
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	f()
	close(stop)
	<-sampled
	sample()
	return goroutines, threads
}
