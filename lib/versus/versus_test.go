package versus_test

import (
	"context"
	"errors"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/go-parallelism/go-parallelism/lib/bench"
	"github.com/go-parallelism/go-parallelism/lib/gil"
	"github.com/go-parallelism/go-parallelism/lib/proc"
	"github.com/go-parallelism/go-parallelism/lib/site"
	"github.com/go-parallelism/go-parallelism/lib/versus"
)

func TestMain(m *testing.M) {
	proc.Main() // Compare's worker processes are this test binary, started again
	goleak.VerifyTestMain(m)
}

func TestStartGoroutines(t *testing.T) {
	ds := versus.StartGoroutines(50)
	if len(ds) != 50 {
		t.Fatalf("got %d times, want 50", len(ds))
	}
	for i, d := range ds {
		if d <= 0 {
			t.Fatalf("time %d is %v, want > 0", i, d)
		}
	}
	if got := versus.StartGoroutines(0); len(got) != 0 {
		t.Fatalf("StartGoroutines(0) = %v", got)
	}
}

func TestGoroutineMemory(t *testing.T) {
	per := versus.GoroutineMemory(5000)
	// A goroutine starts with a 2 KiB stack (8 KiB on some systems) plus a
	// descriptor; allow a wide range, the runtime grows memory in steps.
	if per < 512 || per > 64<<10 {
		t.Fatalf("GoroutineMemory = %d bytes per goroutine, want between 512 B and 64 KiB", per)
	}
	if versus.GoroutineMemory(0) != 0 {
		t.Fatal("GoroutineMemory(0) != 0")
	}
}

func TestRoundTrips(t *testing.T) {
	if d := versus.RoundTrips(1000); d <= 0 {
		t.Fatalf("RoundTrips = %v", d)
	}
	if d := versus.RoundTrips(0); d != 0 {
		t.Fatalf("RoundTrips(0) = %v", d)
	}
}

func TestRSS(t *testing.T) {
	rss, err := versus.RSS(os.Getpid())
	if runtime.GOOS != "linux" {
		if !errors.Is(err, versus.ErrUnsupported) {
			t.Fatalf("err = %v, want ErrUnsupported", err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if rss < 1<<20 || rss > 8<<30 {
		t.Fatalf("RSS = %d bytes, implausible", rss)
	}
	if _, err := versus.RSS(-5); err == nil {
		t.Fatal("RSS of a bad pid: no error")
	}
}

func TestBrief(t *testing.T) {
	cases := []struct {
		err  error
		want string
	}{
		{nil, "ok"},
		{errors.New("plain"), "plain"},
		{errors.New("two\nlines"), "two"},
		{errors.New("proc: worker 0 died: EOF (exit status 2); stderr:\n...tail\npanic: boom\n\ngoroutine 1 [running]:\nmain.f()"),
			"proc: worker 0 died: EOF (exit status 2), which printed: panic: boom"},
		{errors.New("proc: worker 0 died; stderr:\n...x\nruntime: out of memory: cannot allocate\nfatal error: out of memory"),
			"proc: worker 0 died, which printed: panic: boom"},
		{errors.New("proc: died; stderr:\nsomething odd\nmore"), "proc: died"},
	}
	cases[4].want = "proc: worker 0 died, which printed: fatal error: out of memory"
	for _, c := range cases {
		if got := versus.Brief(c.err); got != c.want {
			t.Errorf("Brief(%q) = %q, want %q", c.err, got, c.want)
		}
		if strings.Contains(versus.Brief(c.err), "\n") {
			t.Errorf("Brief(%q) has a newline", c.err)
		}
	}
}

func TestFetch(t *testing.T) {
	srv, err := site.Start(site.Options{Pages: 8, Latency: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c := site.NewClient(5 * time.Second)
	defer c.CloseIdleConnections()
	ctx := context.Background()
	o := srv.Options()
	want := site.PageChecksum(3, o.Pages, o.PageSize)
	if got, err := versus.Fetch(ctx, nil, false, c, srv.PageURL(3)); err != nil || got != want {
		t.Fatalf("Fetch without lock = %q, %v; want %q", got, err, want)
	}
	if _, err := versus.Fetch(ctx, nil, false, c, srv.URL()+"/nope"); err == nil {
		t.Fatal("Fetch of a missing page: no error")
	}

	// With the lock released around the wait, the fetches overlap: at some
	// point several are in flight at the server at once. With the lock kept,
	// never more than one.
	for _, release := range []bool{true, false} {
		lock := gil.New()
		srv.ResetStats()
		var wg sync.WaitGroup
		var failed atomic.Int32
		for i := range 8 {
			wg.Go(func() {
				got, err := versus.Fetch(ctx, lock, release, c, srv.PageURL(i))
				if err != nil || got != site.PageChecksum(i, o.Pages, o.PageSize) {
					failed.Add(1)
				}
			})
		}
		wg.Wait()
		if failed.Load() != 0 {
			t.Fatalf("release=%v: %d fetches failed", release, failed.Load())
		}
		peak := srv.Stats().Peak
		if release && peak < 2 {
			t.Errorf("lock released around I/O: peak %d requests in flight, want >= 2", peak)
		}
		if !release && peak != 1 {
			t.Errorf("lock kept during I/O: peak %d requests in flight, want 1", peak)
		}
	}
}

func TestMagnitude(t *testing.T) {
	for x, want := range map[float64]string{3.4: "3", 9.6: "10", 10: "10", 44: "40", 250: "300", 4567: "5,000", 123456: "100,000", -1: "?"} {
		if got := versus.Magnitude(x); got != want {
			t.Errorf("Magnitude(%v) = %q, want %q", x, got, want)
		}
	}
}

func TestBytes(t *testing.T) {
	for n, want := range map[uint64]string{712: "712 B", 2560: "2.5 KiB", 8 << 20: "8.0 MiB", 3 << 30: "3.0 GiB"} {
		if got := versus.Bytes(n); got != want {
			t.Errorf("Bytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestBusyNote(t *testing.T) {
	res := &bench.Result{Name: "x", Variants: []string{"seq"}, Reps: 1, Runs: []bench.Record{
		{Variant: "seq", Wall: 100 * time.Millisecond, CPU: 95 * time.Millisecond},
		{Variant: "busy", Wall: 100 * time.Millisecond, CPU: 40 * time.Millisecond},
	}}
	if n := versus.BusyNote(res, "seq", bench.Param{}, 1); n != "" {
		t.Errorf("a run with its core: note %q", n)
	}
	if n := versus.BusyNote(res, "busy", bench.Param{}, 1); !strings.Contains(n, "0.40 of the 1 core") {
		t.Errorf("a starved run: note %q, want it to say 0.40 of the 1 core", n)
	}
	if n := versus.BusyNote(res, "seq", bench.Param{}, 2); !strings.Contains(n, "0.95 of the 2 core") {
		t.Errorf("a run that could use 2 cores: note %q", n)
	}
	if n := versus.BusyNote(res, "none", bench.Param{}, 1); n != "" {
		t.Errorf("no runs: note %q", n)
	}
}

func TestSweepSpeedup(t *testing.T) {
	res := &bench.Result{Name: "x", Variants: []string{"g"}, Reps: 1, Sweep: bench.Workers(1, 2, 4), Runs: []bench.Record{
		{Variant: "g", Param: bench.Param{Workers: 1}, Wall: 400 * time.Millisecond, CPU: 400 * time.Millisecond},
		{Variant: "g", Param: bench.Param{Workers: 2}, Wall: 200 * time.Millisecond, CPU: 400 * time.Millisecond},
		{Variant: "g", Param: bench.Param{Workers: 4}, Wall: 100 * time.Millisecond, CPU: 400 * time.Millisecond},
	}}
	text, c := versus.SweepSpeedup(res, "g", "GOMAXPROCS")
	for _, want := range []string{"GOMAXPROCS=1:", "1.00×", "2.00×", "4.00×"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "note:") { // every point kept its cores busy
		t.Errorf("unexpected note:\n%s", text)
	}
	s := c.Series()
	if len(s) != 2 || len(s[0].Y) != 3 || s[0].Y[2] != 4 || !s[1].Dashed {
		t.Fatalf("series %+v", s)
	}
	if want := float64(min(4, runtime.NumCPU())); s[1].Y[2] != want {
		t.Errorf("ideal at 4 workers = %v, want %v", s[1].Y[2], want)
	}
}

func TestGoroutineMemoryAfterChurn(t *testing.T) {
	// Goroutines that ended leave their stacks for reuse; the measurement
	// must still see the new goroutines' cost.
	for range 3 {
		versus.GoroutineMemory(20_000)
		if per := versus.GoroutineMemory(5000); per < 512 {
			t.Fatalf("after earlier goroutines: %d bytes per goroutine", per)
		}
	}
}
