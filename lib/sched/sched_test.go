package sched_test

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/sched"
)

// spin computes for about d without blocking, so the goroutine stays running.
func spin(d time.Duration) {
	x := uint64(1)
	for end := time.Now().Add(d); time.Now().Before(end); {
		for range 1000 {
			x = x*6364136223846793005 + 1442695040888963407
		}
	}
	runtime.KeepAlive(x)
}

// A hand-off over an unbuffered channel: the receiver waits on the channel
// while the sender computes, and both goroutines show up with their lanes.
func TestChannelHandOff(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	tr, err := sched.Record(func() {
		ch := make(chan int)
		var wg sync.WaitGroup
		wg.Go(func() {
			spin(5 * time.Millisecond)
			ch <- 1
		})
		wg.Go(func() { <-ch })
		wg.Wait()
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(tr.Goroutines); got != 3 { // the recording goroutine and the two it started
		t.Fatalf("goroutines = %d (%v), want 3", got, tr.Funcs)
	}
	sum := tr.Summary()
	// One side of an unbuffered hand-off always parks: the receiver, if it
	// reached the channel first (the usual case: the sender computes 5 ms
	// before sending), else the sender, when a busy machine started the
	// receiver late.
	recv := sum[2]
	if w := recv.Waiting["chan receive"] + sum[1].Waiting["chan send"]; w <= 0 {
		t.Errorf("neither side waited on the channel; summary:\n%s", tr)
	}
	send := sum[1]
	if send.Running < 3*time.Millisecond {
		t.Errorf("sender ran %v, want about 5ms; summary:\n%s", send.Running, tr)
	}
	if !strings.Contains(sum[1].Func, "WaitGroup") {
		t.Errorf("sender starts in %q, want sync.(*WaitGroup).Go...", sum[1].Func)
	}
	if p := tr.Procs(); p < 1 || p > 2 {
		t.Errorf("Procs = %d, want 1 or 2 with GOMAXPROCS=2", p)
	}
	for _, s := range tr.Slices {
		if s.End < s.Start || s.Start < 0 || s.End > tr.Duration {
			t.Fatalf("slice %+v outside [0, %v]", s, tr.Duration)
		}
		if (s.State == sched.Running) != (s.P >= 0) {
			t.Fatalf("slice %+v: a P iff running", s)
		}
	}
}

// Two computing goroutines run side by side on two Ps, and take turns on one.
func TestParallelOnTwoPs(t *testing.T) {
	if runtime.NumCPU() < 2 {
		t.Skip("needs 2 cores")
	}
	share := func(procs int) (float64, time.Duration) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		tr, err := sched.Record(func() {
			var wg sync.WaitGroup
			for range 2 {
				wg.Go(func() { spin(30 * time.Millisecond) })
			}
			wg.Wait()
		})
		if err != nil {
			t.Fatal(err)
		}
		return tr.Parallel(), tr.Total().Runnable
	}
	one, runnable1 := share(1)
	if one != 0 {
		t.Errorf("GOMAXPROCS=1: %.2f of the time two goroutines ran at once, want 0", one)
	}
	if runnable1 < 10*time.Millisecond {
		t.Errorf("GOMAXPROCS=1: runnable %v in total, want one goroutine waiting for the P most of the time", runnable1)
	}
	if two, _ := share(2); two == 0 {
		t.Errorf("GOMAXPROCS=2: two goroutines never ran at once")
	}
}

// A goroutine that reads files spends time in system calls.
func TestSyscallTime(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, make([]byte, 1<<16), 0o644); err != nil {
		t.Fatal(err)
	}
	tr, err := sched.Record(func() {
		for range 200 {
			f, err := os.Open(path)
			if err != nil {
				panic(err)
			}
			f.Read(make([]byte, 1<<16))
			f.Close()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if tot := tr.Total(); tot.Syscall <= 0 {
		t.Errorf("syscall time %v, want > 0:\n%s", tot.Syscall, tr)
	}
	if tr.Threads() < 1 {
		t.Errorf("Threads = %d, want >= 1", tr.Threads())
	}
}

func TestRegionsAndFile(t *testing.T) {
	tr, err := sched.Record(func() { sched.Region("work", func() { spin(time.Millisecond) }) })
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Regions) != 1 || tr.Regions[0].Name != "work" || tr.Regions[0].End <= tr.Regions[0].Start {
		t.Fatalf("regions = %+v, want one region named work", tr.Regions)
	}
	path := filepath.Join(t.TempDir(), "x.trace")
	if err := tr.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	back, err := sched.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Goroutines) != len(tr.Goroutines) || len(back.Slices) != len(tr.Slices) {
		t.Errorf("read back %d goroutines, %d slices; wrote %d, %d", len(back.Goroutines), len(back.Slices), len(tr.Goroutines), len(tr.Slices))
	}
}

func TestBadInput(t *testing.T) {
	if _, err := sched.Record(nil); err == nil || !strings.Contains(err.Error(), "f is nil") {
		t.Errorf("Record(nil) = %v, want an error naming f", err)
	}
	if _, err := sched.Parse(strings.NewReader("not a trace")); err == nil || !strings.Contains(err.Error(), "not an execution trace") {
		t.Errorf("Parse(garbage) = %v", err)
	}
	// A recording inside a recording: the runtime allows one trace at a time.
	var inner error
	_, err := sched.Record(func() { _, inner = sched.Record(func() {}) })
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(inner, sched.ErrTracing) {
		t.Errorf("nested Record = %v, want ErrTracing", inner)
	}
}
