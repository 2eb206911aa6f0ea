package lesson

import (
	"bytes"
	"strings"
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

func TestProgressCounts(t *testing.T) {
	p := NewProgress("fetch", 100)
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Go(func() {
			if i%10 == 0 {
				p.Add("failed")
			} else {
				p.Add("ok")
			}
		})
	}
	wg.Wait()
	var out bytes.Buffer
	p.Out = &out
	p.Done()
	p.Done() // a second call does nothing
	if got := p.Finished(); got != 100 {
		t.Errorf("Finished() = %d; want 100", got)
	}
	c := p.Counts()
	if c["ok"] != 90 || c["failed"] != 10 {
		t.Errorf("Counts() = %v; want ok 90, failed 10", c)
	}
	line := out.String()
	if strings.Count(line, "\n") != 1 {
		t.Errorf("Done printed %q; want one line", line)
	}
	for _, want := range []string{"fetch [", strings.Repeat("#", 30), "100/100", "ok 90", "failed 10"} {
		if !strings.Contains(line, want) {
			t.Errorf("line %q lacks %q", line, want)
		}
	}
}

func TestProgressBar(t *testing.T) {
	p := NewProgress("half", 10)
	for range 5 {
		p.Add("ok")
	}
	s := p.String()
	if !strings.Contains(s, "["+strings.Repeat("#", 15)+strings.Repeat(".", 15)+"] 5/10") {
		t.Errorf("String() = %q; want a half-full bar", s)
	}
	p.Out = &bytes.Buffer{}
	p.Done()
	empty := NewProgress("none", 0)
	if s := empty.String(); !strings.Contains(s, "0/0") {
		t.Errorf("String() = %q for no items", s)
	}
	empty.Out = &bytes.Buffer{}
	empty.Done()
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
