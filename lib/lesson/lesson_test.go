package lesson

import (
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestThreads(t *testing.T) {
	if n := Threads(); n < 1 {
		t.Fatalf("Threads() = %d; want at least 1", n)
	}
}

func TestPeaks(t *testing.T) {
	release := make(chan struct{})
	g, th := Peaks(func() {
		var wg sync.WaitGroup
		for range 50 {
			wg.Go(func() { <-release })
		}
		time.Sleep(20 * time.Millisecond) // several samples while all 50 wait
		close(release)
		wg.Wait()
	})
	if g < 50 {
		t.Errorf("Peaks saw %d goroutines; want at least 50", g)
	}
	if th < 1 {
		t.Errorf("Peaks saw %d threads; want at least 1", th)
	}
}
