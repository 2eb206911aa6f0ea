package measure

import (
	"errors"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/go-parallelism/go-parallelism/lib/proc"
)

func TestMain(m *testing.M) {
	proc.Main() // the worker processes of Claims and of the Processes model are this test binary
	goleak.VerifyTestMain(m)
}

func TestStartGoroutines(t *testing.T) {
	r, err := StartGoroutines(1000)
	if err != nil || r.N != 1000 || r.Total <= 0 || r.Each() <= 0 || r.What != "goroutine" {
		t.Fatalf("StartGoroutines(1000) = %+v, %v", r, err)
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

func TestBadCounts(t *testing.T) {
	for name, f := range map[string]func(int) (Timing, error){
		"StartGoroutines": StartGoroutines, "StartThreads": StartThreads, "StartProcesses": StartProcesses,
		"SwitchGoroutines": SwitchGoroutines, "SwitchThreads": SwitchThreads, "SwitchProcesses": SwitchProcesses,
		"SwitchThreadsPipe": SwitchThreadsPipe,
	} {
		_, err := f(0)
		if err == nil || !strings.Contains(err.Error(), "measure: "+name+": ") || !strings.Contains(err.Error(), " is 0, want at least 1") {
			t.Errorf("%s(0): err = %v, want one naming the function, the count and what is allowed", name, err)
		}
	}
	for name, f := range map[string]func(int) (Memory, error){"ParkGoroutines": ParkGoroutines, "ParkThreads": ParkThreads} {
		if _, err := f(-3); err == nil || !strings.Contains(err.Error(), name+": n is -3, want at least 1") {
			t.Errorf("%s(-3): err = %v", name, err)
		}
	}
	if _, err := Best(0, StartGoroutines, 10); err == nil || !strings.Contains(err.Error(), "runs is 0, want at least 1") {
		t.Errorf("Best(0, ...): err = %v", err)
	}
	if _, err := Best(1, nil, 10); err == nil || !strings.Contains(err.Error(), "measure is nil") {
		t.Errorf("Best(1, nil, ...): err = %v", err)
	}
	if err := FillShared(make([]int64, 4), 0, func(int) int64 { return 0 }); err == nil || !strings.Contains(err.Error(), "workers is 0, want at least 1") {
		t.Errorf("FillShared with 0 workers: err = %v", err)
	}
	if err := FillShared(make([]int64, 4), 2, nil); err == nil || !strings.Contains(err.Error(), "f is nil") {
		t.Errorf("FillShared with a nil f: err = %v", err)
	}
	if _, err := RSS(0); err == nil || !strings.Contains(err.Error(), "pid is 0, want a process id") {
		t.Errorf("RSS(0): err = %v", err)
	}
}

func TestParkGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	m, err := ParkGoroutines(2000)
	if err != nil {
		t.Fatal(err)
	}
	// Each goroutine has a stack of at least 2 KiB while it waits.
	if m.N != 2000 || m.Stack < 2000*2048 {
		t.Fatalf("ParkGoroutines(2000) = %+v", m)
	}
	// A goroutine starts with a 2 KiB stack (8 KiB on some systems) plus a
	// descriptor; allow a wide range, the runtime grows memory in steps.
	if p := m.PerEach(); p.Held() < 2048 || p.Held() > 64<<10 || p.N != 1 {
		t.Fatalf("PerEach = %+v: %d bytes held per goroutine, want 2 KiB to 64 KiB", p, p.Held())
	}
	// The goroutines have returned; they may take a moment to exit.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		runtime.Gosched()
	}
	if after := runtime.NumGoroutine(); after > before {
		t.Fatalf("%d goroutines before, %d after: not all released", before, after)
	}
}

func TestParkGoroutinesAfterChurn(t *testing.T) {
	// Goroutines that ended leave their stacks for reuse; the measurement
	// must still see the new goroutines' stacks.
	for range 3 {
		if _, err := ParkGoroutines(20_000); err != nil {
			t.Fatal(err)
		}
		m, err := ParkGoroutines(5000)
		if err != nil {
			t.Fatal(err)
		}
		if per := m.PerEach().Stack; per < 2048 {
			t.Fatalf("after earlier goroutines: %d bytes of stack per goroutine, want at least 2 KiB", per)
		}
	}
}

func TestParkThreads(t *testing.T) {
	// Idle threads may take some of the goroutines: park more goroutines
	// than there are threads, so that at least 8 need new ones.
	n := Threads() + 8
	m, err := ParkThreads(n)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS == "linux" && m.Threads < 8 {
		t.Fatalf("ParkThreads(%d) saw %d more threads, want at least 8", n, m.Threads)
	}
}

func TestRSS(t *testing.T) {
	rss, err := RSS(os.Getpid())
	if runtime.GOOS != "linux" {
		if !errors.Is(err, errors.ErrUnsupported) {
			t.Fatalf("err = %v, want errors.ErrUnsupported", err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if rss < 1<<20 || rss > 8<<30 {
		t.Fatalf("RSS = %d bytes, implausible", rss)
	}
	if _, err := RSS(1 << 30); err == nil {
		t.Fatal("RSS of a process that does not exist: no error")
	}
}

func TestShare(t *testing.T) {
	data := make([]int64, 100_003)
	if err := FillShared(data, 3, func(i int) int64 { return int64(i) * 7 }); err != nil {
		t.Fatal(err)
	}
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
	boom := errors.New("boom")
	calls = 0
	if _, err := Best(3, func(int) (Timing, error) { calls++; return Timing{}, boom }, 5); !errors.Is(err, boom) || calls != 1 {
		t.Fatalf("Best stops at the first error: err %v after %d calls", err, calls)
	}
}

func TestStackLimit(t *testing.T) {
	if _, err := StackLimit(); err != nil && runtime.GOOS == "linux" {
		t.Fatal(err)
	}
}
