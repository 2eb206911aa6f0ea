package bench

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	"github.com/go-parallelism/go-parallelism/lib/span"
)

// childEnv makes the test binary act as a child process that burns CPU.
const childEnv = "BENCH_TEST_CHILD_SPIN"

func TestMain(m *testing.M) {
	if d := os.Getenv(childEnv); d != "" {
		dur, _ := time.ParseDuration(d)
		spin(dur)
		os.Exit(0)
	}
	goleak.VerifyTestMain(m)
}

// spin keeps one core busy for d.
func spin(d time.Duration) {
	for start := time.Now(); time.Since(start) < d; {
	}
}

func noop(context.Context, Param) error { return nil }

func TestValidate(t *testing.T) {
	ok := Variant{Name: "a", Run: noop}
	cases := []struct {
		name string
		e    Experiment
		want string
	}{
		{"no name", Experiment{Variants: []Variant{ok}, Reps: 1}, `Experiment.Name is ""`},
		{"no variants", Experiment{Name: "x", Reps: 1}, `experiment "x" has no Variants`},
		{"zero reps", Experiment{Name: "x", Variants: []Variant{ok}}, "Reps is 0, want at least 1"},
		{"negative reps", Experiment{Name: "x", Variants: []Variant{ok}, Reps: -2}, "Reps is -2"},
		{"negative warmup", Experiment{Name: "x", Variants: []Variant{ok}, Reps: 1, Warmup: -1}, "Warmup is -1, want 0 or more"},
		{"nil func", Experiment{Name: "x", Variants: []Variant{{Name: "x"}}, Reps: 1}, `"x" has a nil Run`},
		{"no variant name", Experiment{Name: "x", Variants: []Variant{ok, {Run: noop}}, Reps: 1}, `Variants[1].Name is ""`},
		{"duplicate", Experiment{Name: "x", Variants: []Variant{ok, ok}, Reps: 1}, `duplicate variant name "a"`},
		{"zero workers", Experiment{Name: "x", Variants: []Variant{ok}, Reps: 1, Sweep: Workers(0)}, "every field zero"},
		{"negative workers", Experiment{Name: "x", Variants: []Variant{ok}, Reps: 1, Sweep: Workers(2, -1)}, "negative value in sweep point workers=-1"},
		{"unknown baseline", Experiment{Name: "x", Variants: []Variant{ok}, Reps: 1, Baseline: "b"}, `baseline "b" is not one of the variants [a]`},
		{"negative timeout", Experiment{Name: "x", Variants: []Variant{ok}, Reps: 1, Timeout: -1}, "Timeout is -1ns"},
		{"negative sampling", Experiment{Name: "x", Variants: []Variant{ok}, Reps: 1, SampleEvery: -time.Second}, "SampleEvery is -1s"},
	}
	for _, c := range cases {
		res, err := Run(context.Background(), c.e)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to mention %q", c.name, err, c.want)
		}
		if res != nil {
			t.Errorf("%s: got a result with an invalid experiment", c.name)
		}
	}
}

func TestRunRecordsEveryRun(t *testing.T) {
	var calls sync.Map // variant/param -> *atomic.Int32
	count := func(name string) Func {
		return func(ctx context.Context, p Param) error {
			c, _ := calls.LoadOrStore(name+p.String(), new(atomic.Int32))
			c.(*atomic.Int32).Add(1)
			// Mark one task per worker, each on its own goroutine.
			var wg sync.WaitGroup
			for w := range p.Workers {
				wg.Go(func() {
					done := span.Task(ctx, w, w)
					done(nil)
				})
			}
			wg.Wait()
			return nil
		}
	}
	res, err := Run(context.Background(), Experiment{
		Name: "count", Reps: 3, Warmup: 2, Sweep: Workers(1, 3),
		Variants: []Variant{{Name: "a", Run: count("a")}, {Name: "b", Run: count("b")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Runs) != 2*2*3 {
		t.Fatalf("recorded %d runs, want 12", len(res.Runs))
	}
	for _, key := range []string{"aworkers=1", "aworkers=3", "bworkers=1", "bworkers=3"} {
		c, ok := calls.Load(key)
		if !ok || c.(*atomic.Int32).Load() != 5 {
			t.Errorf("%s called %v times, want 5 (2 warm-up + 3)", key, c)
		}
	}
	for _, r := range res.Runs {
		if len(r.Spans) != r.Param.Workers {
			t.Errorf("%s %s: %d spans, want %d", r.Variant, r.Param, len(r.Spans), r.Param.Workers)
		}
		if r.Wall <= 0 || r.Goroutines < 1 || r.Err != "" {
			t.Errorf("bad record %+v", r)
		}
	}
	// Reps are interleaved: a, b, a, b, ...
	if res.Runs[0].Variant != "a" || res.Runs[1].Variant != "b" || res.Runs[2].Variant != "a" {
		t.Errorf("runs not interleaved: %s %s %s", res.Runs[0].Variant, res.Runs[1].Variant, res.Runs[2].Variant)
	}
	if res.Baseline != "a" || res.Machine.NumCPU < 1 || res.Machine.GoVersion == "" {
		t.Errorf("result header wrong: baseline %q machine %+v", res.Baseline, res.Machine)
	}
	if len(res.Spans("b", Param{Workers: 3})) != 3 {
		t.Errorf("Spans of the median run: %v", res.Spans("b", Param{Workers: 3}))
	}
}

// The sampler runs on a fake clock here: while the variant sleeps, every
// goroutine of the bubble is blocked, so the clock jumps from tick to tick
// and the sampler sees all n goroutines waiting, every time.
func TestPeakGoroutines(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const n = 20
		res, err := Run(context.Background(), Experiment{Name: "g", Reps: 1, Variants: []Variant{{
			Name: "fan-out",
			Run: func(ctx context.Context, _ Param) error {
				release := make(chan struct{})
				var wg sync.WaitGroup
				for range n {
					wg.Go(func() { <-release })
				}
				time.Sleep(5 * time.Millisecond) // five ticks of the sampler
				close(release)
				wg.Wait()
				return nil
			},
		}}})
		if err != nil {
			t.Fatal(err)
		}
		if g := res.Runs[0].Goroutines; g < n+1 {
			t.Errorf("peak goroutines %d, want at least %d", g, n+1)
		}
		if w := res.Runs[0].Wall; w != 5*time.Millisecond {
			t.Errorf("wall time on the fake clock = %v, want exactly 5ms", w)
		}
	})
}

func TestCPUTimeAndMemory(t *testing.T) {
	res, err := Run(context.Background(), Experiment{Name: "cpu", Reps: 1, Variants: []Variant{
		{Name: "spin", Run: func(context.Context, Param) error { spin(20 * time.Millisecond); return nil }},
		{Name: "alloc", Run: func(context.Context, Param) error {
			b := make([][]byte, 0, 64)
			for range 64 {
				b = append(b, make([]byte, 64<<10))
			}
			_ = b
			return nil
		}},
		{Name: "child", Run: func(ctx context.Context, _ Param) error {
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), childEnv+"=30ms")
			return cmd.Run()
		}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Runs {
		if r.Err != "" {
			t.Fatalf("%s failed: %s", r.Variant, r.Err)
		}
		switch r.Variant {
		case "spin":
			if r.CPU <= 0 || r.Parallelism() <= 0 {
				t.Errorf("spin: CPU %v", r.CPU)
			}
		case "alloc":
			if r.HeapAlloc < 64*64<<10 {
				t.Errorf("alloc: HeapAlloc %d, want at least 4 MiB", r.HeapAlloc)
			}
		case "child":
			if r.CPU <= 0 || r.ChildMaxRSS == 0 {
				t.Errorf("child: CPU %v, ChildMaxRSS %d; want both > 0", r.CPU, r.ChildMaxRSS)
			}
		}
	}
}

func TestErrorsAndPanicsAreRecorded(t *testing.T) {
	boom := errors.New("boom")
	res, err := Run(context.Background(), Experiment{Name: "e", Reps: 2, Sweep: Workers(1, 2), Variants: []Variant{
		{Name: "ok", Run: noop},
		{Name: "fails", Run: func(_ context.Context, p Param) error {
			if p.Workers == 2 {
				return boom
			}
			return nil
		}},
		{Name: "panics", Run: func(context.Context, Param) error { panic("oops") }},
	}})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := res.Stat("fails", Param{Workers: 2})
	if s.Errors != 2 || s.N != 0 {
		t.Errorf("fails at 2: %d errors, %d ok; want 2, 0", s.Errors, s.N)
	}
	s, _ = res.Stat("panics", Param{Workers: 1})
	if s.Errors != 2 {
		t.Errorf("panics: %d errors, want 2", s.Errors)
	}
	if !strings.Contains(res.HTML(), "panic: oops") || !strings.Contains(res.HTML(), "boom") {
		t.Errorf("HTML does not report the errors:\n%s", res.HTML())
	}
}

func TestTimeoutAndCancel(t *testing.T) {
	wait := func(ctx context.Context, _ Param) error { <-ctx.Done(); return ctx.Err() }
	res, err := Run(context.Background(), Experiment{Name: "t", Reps: 1, Timeout: 10 * time.Millisecond,
		Variants: []Variant{{Name: "wait", Run: wait}}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Runs[0].Err, "deadline exceeded") {
		t.Errorf("timeout not recorded: %q", res.Runs[0].Err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	var n atomic.Int32
	res, err = Run(ctx, Experiment{Name: "c", Reps: 100, Variants: []Variant{{Name: "v", Run: func(context.Context, Param) error {
		if n.Add(1) == 4 { // the first call is the unmeasured warm-up
			cancel()
		}
		return nil
	}}}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if res == nil || len(res.Runs) != 3 {
		t.Fatalf("partial result has %v runs, want 3", res)
	}
}

// A program's first run is slow (cold caches, a heap still growing): it must
// not be the measured baseline, even when the experiment asks for no warm-up.
func TestFirstRunIsNotMeasured(t *testing.T) {
	for _, warmup := range []int{0, 1} {
		var calls, warm atomic.Int32
		first := func(ctx context.Context, _ Param) error {
			if Warming(ctx) {
				warm.Add(1)
			}
			if calls.Add(1) == 1 {
				return errors.New("cold")
			}
			return nil
		}
		res, err := Run(context.Background(), Experiment{Name: "cold", Reps: 2, Warmup: warmup, Sweep: Workers(1, 2),
			Variants: []Variant{{Name: "a", Run: first}, {Name: "b", Run: noop}}})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res.Runs {
			if r.Err != "" {
				t.Errorf("warm-up %d: the first call was measured: %+v", warmup, r)
			}
		}
		// Two points of warm-up and measured runs; without warm-up rounds,
		// one extra call before them.
		want := int32(2 * (2 + warmup))
		if warmup == 0 {
			want++
		}
		if got := calls.Load(); got != want {
			t.Errorf("warm-up %d: variant a called %d times, want %d", warmup, got, want)
		}
		if got := calls.Load() - warm.Load(); got != 4 {
			t.Errorf("warm-up %d: Warming was false in %d calls, want the 4 measured ones", warmup, got)
		}
	}
}

func TestOutputs(t *testing.T) {
	var progress []Progress
	res, err := Run(context.Background(), Experiment{Name: "out", Reps: 2, Sweep: Workers(1, 2),
		Progress: func(p Progress) { progress = append(progress, p) },
		Variants: []Variant{{Name: "sequential", Run: noop}, {Name: "goroutines", Run: noop}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(progress) != 10 || !progress[9].Finished || progress[8].Done != 9 || progress[8].Total != 9 {
		t.Errorf("progress calls: %v; want a warm-up, 8 runs, then a finished one", progress)
	}
	text := res.String()
	for _, want := range []string{"out: median of 2 runs", "GOMAXPROCS", "workers=2", "goroutines", "speedup", "1.00x"} {
		if !strings.Contains(text, want) {
			t.Errorf("table lacks %q:\n%s", want, text)
		}
	}
	lines := strings.Split(strings.TrimSpace(text), "\n")
	if len(lines) != 1+1+4 {
		t.Errorf("table has %d lines, want 6:\n%s", len(lines), text)
	}
	if !strings.HasPrefix(res.HTML(), "<table") || !strings.Contains(res.HTML(), "<th") {
		t.Errorf("HTML is not a table")
	}

	var buf bytes.Buffer
	if err := res.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+8 || rows[0][0] != "experiment" || rows[1][1] != "sequential" || rows[1][2] != "1" {
		t.Errorf("CSV rows: %v", rows[:2])
	}

	buf.Reset()
	if err := res.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := ReadJSON(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if back.String() != res.String() {
		t.Errorf("JSON round trip changed the table:\n%s\nvs\n%s", back, res)
	}
	if _, err := ReadJSON(strings.NewReader("{")); err == nil {
		t.Error("ReadJSON of bad input: no error")
	}
}

func TestSweepHelpers(t *testing.T) {
	s := Workers(1, 2).Cross(Tasks(10, 100))
	want := "[workers=1 tasks=10 workers=1 tasks=100 workers=2 tasks=10 workers=2 tasks=100]"
	if got := fmt.Sprint(s); got != want {
		t.Errorf("Cross = %s, want %s", got, want)
	}
	if got := (Param{}).String(); got != "-" {
		t.Errorf("zero Param prints %q", got)
	}
	if got := Sizes(5)[0].String(); got != "size=5" {
		t.Errorf("Sizes(5) prints %q", got)
	}
}
