package cost

import (
	"runtime"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestStartGoroutines(t *testing.T) {
	r, err := StartGoroutines(1000)
	if err != nil || r.N != 1000 || r.Total <= 0 || r.Each() <= 0 {
		t.Fatalf("StartGoroutines(1000) = %+v", r)
	}
}

func TestStartThreadsCreatesThreads(t *testing.T) {
	r, err := StartThreads(20)
	if err != nil || r.N != 20 || r.Total <= 0 {
		t.Fatalf("StartThreads(20) = %+v", r)
	}
	// Every goroutine died locked, so its thread was destroyed and the
	// next one needed a new thread.
	if runtime.GOOS == "linux" && r.Threads != 20 {
		t.Fatalf("StartThreads(20) ran on %d distinct threads, want 20", r.Threads)
	}
}

func TestStartProcesses(t *testing.T) {
	r, err := StartProcesses(3)
	if err != nil {
		t.Skipf("cannot run true: %v", err)
	}
	if r.N != 3 || r.Total <= 0 {
		t.Fatalf("StartProcesses(3) = %+v", r)
	}
}

func TestSwitches(t *testing.T) {
	for _, f := range []func(int) (Timing, error){SwitchGoroutines, SwitchThreads} {
		r, err := f(200)
		if err != nil || r.N != 400 || r.Total <= 0 {
			t.Fatalf("%s: %+v, %v", r.What, r, err)
		}
	}
	r, err := SwitchThreadsPipe(200)
	if err != nil || r.N != 400 || r.Total <= 0 {
		t.Fatalf("SwitchThreadsPipe(200) = %+v, %v", r, err)
	}
	r, err = SwitchProcesses(200)
	if err != nil {
		t.Skipf("cannot run cat: %v", err)
	}
	if r.N != 400 || r.Total <= 0 {
		t.Fatalf("SwitchProcesses(200) = %+v", r)
	}
}

func TestParkGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	m, err := ParkGoroutines(2000)
	if err != nil {
		t.Fatal(err)
	}
	// Each goroutine has a stack of at least 2 KiB while it waits.
	if m.N != 2000 || m.Stack < 2000*1024 {
		t.Fatalf("ParkGoroutines(2000) = %+v", m)
	}
	if p := m.PerEach(); p.Stack < 1024 || p.N != 1 {
		t.Fatalf("PerEach = %+v", p)
	}
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond) // returned goroutines may take a moment to exit
	}
	if after := runtime.NumGoroutine(); after > before {
		t.Fatalf("%d goroutines before, %d after: not all released", before, after)
	}
}

func TestParkThreads(t *testing.T) {
	m, err := ParkThreads(16)
	if err != nil {
		t.Fatal(err)
	}
	// Threads that were already idle may be reused; the others are new.
	if runtime.GOOS == "linux" && m.Threads < 8 {
		t.Fatalf("ParkThreads(16) saw %d more threads, want about 16", m.Threads)
	}
}

func TestShare(t *testing.T) {
	data := make([]int64, 100_003)
	FillShared(data, 3, func(i int) int64 { return int64(i) * 7 })
	for i, v := range data {
		if v != int64(i)*7 {
			t.Fatalf("data[%d] = %d", i, v)
		}
	}
	out, err := CopyThroughProcess(data)
	if err != nil {
		t.Skipf("cannot run cat: %v", err)
	}
	for i := range data {
		if out[i] != data[i] {
			t.Fatalf("copy differs at %d", i)
		}
	}
	if out, err := CopyThroughProcess(nil); err != nil || len(out) != 0 {
		t.Fatalf("CopyThroughProcess(nil) = %v, %v", out, err)
	}
}

func TestBestKeepsFastest(t *testing.T) {
	calls := 0
	fake := func(n int) (Timing, error) {
		calls++
		return Timing{N: n, Total: time.Duration(10 - calls)}, nil // later runs are faster
	}
	r, err := Best(3, fake, 5)
	if err != nil || calls != 3 || r.Total != 7 || r.N != 5 {
		t.Fatalf("Best = %+v, %v after %d calls", r, err, calls)
	}
}

func TestStackLimit(t *testing.T) {
	if _, err := StackLimit(); err != nil && runtime.GOOS == "linux" {
		t.Fatal(err)
	}
}
