package measure

import (
	"runtime"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// lockThreads locks n goroutines to their threads and returns a function
// that releases them and waits until they have returned. Each holds a
// thread of its own while it waits, and none is the caller's.
func lockThreads(n int) (release func()) {
	stop := make(chan struct{})
	var started, wg sync.WaitGroup
	started.Add(n)
	for range n {
		wg.Go(func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			started.Done()
			<-stop
		})
	}
	started.Wait()
	return func() { close(stop); wg.Wait() }
}

// Threads counts the threads the runtime has. Idle threads may take some
// of the locked goroutines, so lock more goroutines than there are threads:
// each needs a thread of its own, and this goroutine one more.
func TestThreadsCountsLockedThreads(t *testing.T) {
	before := Threads()
	release := lockThreads(before + 8)
	during := Threads()
	release()
	if during < before+9 {
		t.Errorf("Threads went from %d to %d with %d goroutines locked to threads, want at least %d", before, during, before+8, before+9)
	}
}

// On the fake clock, the sampler ticks only while every goroutine of the
// bubble is blocked: during the sleep, when all 50 are waiting.
func TestPeaks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		g, _ := Peaks(func() {
			var wg sync.WaitGroup
			for range 50 {
				wg.Go(func() { <-release })
			}
			time.Sleep(3 * time.Millisecond) // three ticks while all 50 wait
			close(release)
			wg.Wait()
		})
		if g < 50 {
			t.Errorf("Peaks saw %d goroutines, want at least 50", g)
		}
		// Once f has returned and its goroutines have exited, they no
		// longer count.
		synctest.Wait()
		g, _ = Peaks(func() {})
		if g >= 50 {
			t.Errorf("Peaks of an empty function saw %d goroutines", g)
		}
	})
}

// Threads are sampled like goroutines: on the fake clock, the sampler
// ticks while the locked goroutines wait.
func TestPeaksThreads(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		before := Threads()
		_, during := Peaks(func() {
			release := lockThreads(before + 8)
			time.Sleep(3 * time.Millisecond) // three ticks while they wait
			release()
		})
		if during < before+9 {
			t.Errorf("Peaks saw %d threads while %d goroutines were locked to threads, %d before", during, before+8, before)
		}
	})
}
