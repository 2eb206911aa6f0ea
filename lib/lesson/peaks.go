package lesson

import (
	"runtime"
	"time"
)

// Peaks runs f and returns the largest number of goroutines and of OS
// threads (Threads) seen while it ran, sampled every millisecond or so and
// at both ends. The sampling goroutine itself is not counted.
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
