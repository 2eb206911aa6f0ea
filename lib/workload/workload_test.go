package workload

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// small are specs quick enough for go test -race, one per workload.
var small = []Spec{
	{Name: "scrape", Size: 20, Options: Options{Latency: time.Millisecond}},
	{Name: "disk", Size: 20, Options: Options{FileSize: 10000}},
	{Name: "pipe", Size: 4, Options: Options{Records: 2000}},
	{Name: "tcp", Size: 10, Options: Options{Rounds: 20}},
	{Name: "primes", Size: 3},
	{Name: "mandelbrot", Size: 64, Options: Options{Grain: 5}},
	{Name: "montecarlo", Size: 8, Options: Options{Samples: 20000}},
	{Name: "text", Size: 5},
	{Name: "images", Size: 4, Options: Options{Src: 128, Dst: 40}},
	{Name: "analysis", Size: 5, Options: Options{Chunk: 1000}},
}

func newJob(t testing.TB, s Spec) *Job {
	t.Helper()
	j, err := New(s)
	if err != nil {
		t.Fatalf("New(%v): %v", s, err)
	}
	t.Cleanup(func() { j.Close() })
	return j
}

// runConcurrently runs every task in its own goroutine.
func runConcurrently(ctx context.Context, j *Job) ([]string, error) {
	out := make([]string, j.N)
	errs := make([]error, j.N)
	var wg sync.WaitGroup
	for i := range j.N {
		wg.Go(func() { out[i], errs[i] = j.Task(ctx, i) })
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

func TestNames(t *testing.T) {
	names := Names()
	if len(names) != len(small) {
		t.Fatalf("Names() = %v; the tests cover %d workloads", names, len(small))
	}
	seenCPU := false
	for i, n := range names {
		if small[i].Name != n {
			t.Errorf("Names()[%d] = %q, tests expect %q", i, n, small[i].Name)
		}
		k, err := KindOf(n)
		if err != nil {
			t.Fatal(err)
		}
		if k == CPU {
			seenCPU = true
		} else if seenCPU {
			t.Errorf("I/O workload %q listed after a CPU one", n)
		}
	}
	if IO.String() != "I/O-bound" || CPU.String() != "CPU-bound" {
		t.Errorf("Kind strings: %q, %q", IO, CPU)
	}
}

func TestSequentialAndConcurrent(t *testing.T) {
	for _, s := range small {
		t.Run(s.Name, func(t *testing.T) {
			j := newJob(t, s)
			if j.N < 1 || j.Spec.Name != s.Name {
				t.Fatalf("job %+v", j)
			}
			wantKind, _ := KindOf(s.Name)
			if j.Kind != wantKind {
				t.Errorf("Kind %v, want %v", j.Kind, wantKind)
			}
			seq, err := RunSequential(context.Background(), j)
			if err != nil {
				t.Fatal(err)
			}
			if err := j.Check(seq); err != nil {
				t.Fatalf("sequential: %v", err)
			}
			con, err := runConcurrently(context.Background(), j)
			if err != nil {
				t.Fatal(err)
			}
			if err := j.Check(con); err != nil {
				t.Fatalf("concurrent: %v", err)
			}
			if !slices.Equal(seq, con) {
				t.Errorf("digests differ:\nsequential %v\nconcurrent %v", seq, con)
			}
			// A fresh job from the same Spec (as in a child process)
			// agrees.
			again := newJob(t, s)
			if d, err := again.Task(context.Background(), j.N-1); err != nil || d != seq[j.N-1] {
				t.Errorf("rebuilt job: task %d gives %q, %v; want %q", j.N-1, d, err, seq[j.N-1])
			}
		})
	}
}

func TestCheckFails(t *testing.T) {
	for _, s := range small {
		t.Run(s.Name, func(t *testing.T) {
			j := newJob(t, s)
			good, err := RunSequential(context.Background(), j)
			if err != nil {
				t.Fatal(err)
			}
			bad := slices.Clone(good)
			bad[len(bad)/2] = "0" + bad[len(bad)/2]
			if err := j.Check(bad); err == nil {
				t.Error("Check accepted a wrong digest")
			}
			if err := j.Check(good[:len(good)-1]); err == nil {
				t.Error("Check accepted too few digests")
			}
			if err := j.Check(good); err != nil {
				t.Errorf("Check rejects the right digests after a wrong one: %v", err)
			}
		})
	}
}

// Every bad Spec gets an error that names the workload, the parameter, the
// value and what is allowed.
func TestBadInput(t *testing.T) {
	for _, c := range []struct {
		spec Spec
		want []string // substrings of the error
	}{
		{Spec{Name: "nosuch", Size: 1}, []string{`"nosuch"`, "scrape, disk, pipe, tcp, primes, mandelbrot, montecarlo, text, images, analysis"}},
		{Spec{Name: "", Size: 1}, []string{`unknown name ""`, "scrape, disk"}},
		{Spec{Name: "primes", Size: 0}, []string{"primes", "Size is 0", "1..2000"}},
		{Spec{Name: "primes", Size: -3}, []string{"Size is -3", "1..2000"}},
		{Spec{Name: "primes", Size: 1_000_000}, []string{"Size is 1000000", "1..2000"}},
		{Spec{Name: "primes", Size: 1, Options: Options{Grain: 4}}, []string{"workload primes: option Grain (4) is not used by primes", "primes uses no options"}},
		{Spec{Name: "mandelbrot", Size: 9, Options: Options{Latency: time.Second, Chunk: 3}},
			[]string{"option Latency (1s) is not used by mandelbrot", "option Chunk (3)", "mandelbrot uses Grain, Iter"}},
		{Spec{Name: "scrape", Size: 10, Options: Options{Latency: -time.Second}}, []string{"workload scrape: option Latency is -1s, want 0..24h0m0s"}},
		{Spec{Name: "scrape", Size: 10, Options: Options{ErrorRate: 2}}, []string{"option ErrorRate is 2, want a fraction in [0, 1]"}},
		{Spec{Name: "scrape", Size: 10, Options: Options{ErrorRate: 0.5, HangRate: 0.75}}, []string{"option HangRate is 0.75, want at most 1 - ErrorRate (0.5)"}},
		{Spec{Name: "scrape", Size: 10, Options: Options{Addr: "127.0.0.1:1", Pages: 5}}, []string{"option Pages is 5, want 10..10000000"}},
		{Spec{Name: "scrape", Size: 10, Options: Options{Pages: 20}}, []string{"option Pages is 20, want 0 without Addr"}},
		{Spec{Name: "disk", Size: 3, Options: Options{Dir: "/nonexistent/dir"}}, []string{"workload disk", "/nonexistent/dir"}},
		{Spec{Name: "disk", Size: 3, Options: Options{FileSize: -1}}, []string{"option FileSize is -1, want 1..1073741824 (0 for the default, 65536)"}},
		{Spec{Name: "pipe", Size: 3, Options: Options{RecordSize: 5}}, []string{"workload pipe: option RecordSize is 5, want 20..1048576 (0 for the default, 100)"}},
		{Spec{Name: "tcp", Size: 3, Options: Options{Rounds: -2, MsgSize: 1}}, []string{"option Rounds is -2, want 1..", "option MsgSize is 1, want 20.."}},
		{Spec{Name: "mandelbrot", Size: 100, Options: Options{Grain: 101}}, []string{"option Grain is 101, want 1..100"}},
		{Spec{Name: "montecarlo", Size: 4, Options: Options{Samples: -1}}, []string{"option Samples is -1"}},
		{Spec{Name: "text", Size: 3, Options: Options{File: "/nonexistent/corpus.txt"}}, []string{"workload text", "/nonexistent/corpus.txt", "does not exist"}},
		{Spec{Name: "images", Size: 3, Options: Options{Kernel: "magic"}}, []string{`option Kernel is "magic", want approx, bilinear, catmullrom`}},
		{Spec{Name: "analysis", Size: 3, Options: Options{File: "/nonexistent/sales.csv"}}, []string{"workload analysis", "/nonexistent/sales.csv", "gendata"}},
	} {
		j, err := New(c.spec)
		if err == nil {
			j.Close()
			t.Errorf("New(%v) succeeded, want an error", c.spec)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("New(%v): error %q lacks %q", c.spec, err, w)
			}
		}
	}

	// Option errors are typed, one per bad option.
	_, err := New(Spec{Name: "tcp", Size: 3, Options: Options{Rounds: -2, Grain: 4}})
	var oe *OptionError
	if !errors.As(err, &oe) {
		t.Fatalf("error %v is not an *OptionError", err)
	}
	if n := strings.Count(err.Error(), "\n") + 1; n != 1 || oe.Option != "Grain" || !oe.Unused {
		t.Errorf("unused options are reported first and alone; got %d errors, first %+v", n, oe)
	}
	_, err = New(Spec{Name: "tcp", Size: 3, Options: Options{Rounds: -2, MsgSize: 1}})
	if n := strings.Count(err.Error(), "\n") + 1; n != 2 || !errors.As(err, &oe) || oe.Option != "Rounds" || oe.Value != -2 {
		t.Errorf("want two joined option errors, the first for Rounds; got %d: %v", n, err)
	}

	j := newJob(t, Spec{Name: "primes", Size: 2})
	for _, i := range []int{-1, 2} {
		if _, err := j.Task(context.Background(), i); err == nil {
			t.Errorf("Task(%d) of 2 succeeded", i)
		}
	}
}

func TestIsqrt(t *testing.T) {
	for _, n := range []uint64{0, 1, 2, 3, 4, 15, 16, 17, 1<<52 + 1, 1<<62 - 1, 1 << 62, 18446744073709551557, math.MaxUint64} {
		r := isqrt(n)
		if r*r > n || r > math.MaxUint32 || (r < math.MaxUint32 && (r+1)*(r+1) <= n) {
			t.Errorf("isqrt(%d) = %d", n, r)
		}
	}
}

func TestPrimeFixture(t *testing.T) {
	if len(PrimeFixture) != 20 {
		t.Fatalf("%d numbers, want 20", len(PrimeFixture))
	}
	primes := 0
	for _, c := range PrimeFixture {
		if got := new(big.Int).SetUint64(c.N).ProbablyPrime(20); got != c.Prime {
			t.Errorf("%d: fixture says prime=%v, math/big says %v", c.N, c.Prime, got)
		}
		if d := len(fmt.Sprint(c.N)); d < 15 || d > 16 {
			t.Errorf("%d has %d digits", c.N, d)
		}
		if c.Prime {
			primes++
		}
	}
	if primes < 11 || primes == 20 {
		t.Errorf("%d primes of 20, want mostly primes and some composites", primes)
	}
	for n, want := range map[uint64]bool{0: false, 1: false, 2: true, 3: true, 4: false, 9: false, 25: false, 97: true, 7919: true, 7917: false} {
		if IsPrime(n) != want {
			t.Errorf("IsPrime(%d) = %v", n, !want)
		}
	}
}

// slow are specs whose task 0 runs for seconds (or forever, without
// cancellation), so that it is cancelled in the middle.
var slow = []Spec{
	{Name: "scrape", Size: 1, Options: Options{Latency: 10 * time.Minute}},
	{Name: "scrape", Size: 1, Options: Options{HangRate: 1}},
	{Name: "disk", Size: 1, Options: Options{FileSize: 1_000_000_000}},
	{Name: "pipe", Size: 1, Options: Options{Records: 100_000_000}},
	{Name: "pipe", Size: 1, Options: Options{Latency: 10 * time.Minute}},
	{Name: "tcp", Size: 1, Options: Options{Latency: 10 * time.Minute}},
	{Name: "mandelbrot", Size: 20000, Options: Options{Grain: 20000, Iter: 1_000_000}},
	{Name: "montecarlo", Size: 1, Options: Options{Samples: 1_000_000_000_000}},
	{Name: "text", Size: 1, Options: Options{Repeat: 1_000_000}},
	{Name: "images", Size: 1, Options: Options{Src: maxImageSide}},
	{Name: "analysis", Size: 2000, Options: Options{Chunk: 2_000_000}},
}

// watchedCtx tells when a task has reached its long part: when it has
// looked at ctx.Err twice (once on entry, once from its loop) or asked for
// ctx.Done (to wait for I/O).
type watchedCtx struct {
	context.Context
	errs    atomic.Int32
	once    sync.Once
	started chan struct{}
}

func watch(ctx context.Context) *watchedCtx {
	return &watchedCtx{Context: ctx, started: make(chan struct{})}
}

func (c *watchedCtx) Err() error {
	if c.errs.Add(1) == 2 {
		c.once.Do(func() { close(c.started) })
	}
	return c.Context.Err()
}

func (c *watchedCtx) Done() <-chan struct{} {
	c.once.Do(func() { close(c.started) })
	return c.Context.Done()
}

// cancelPrompt is how soon a task must return once its context is
// cancelled. Tasks look at ctx every few milliseconds of work; the bound is
// generous because the machine may be busy.
const cancelPrompt = 100 * time.Millisecond

// cancelMidway runs task with a context that it cancels once the task has
// reached its long part, and fails unless the task returns
// context.Canceled within cancelPrompt.
func cancelMidway(t *testing.T, task func(context.Context) error) {
	t.Helper()
	parent, cancel := context.WithCancel(context.Background())
	defer cancel()
	ctx := watch(parent)
	errc := make(chan error, 1)
	go func() { errc <- task(ctx) }()
	select {
	case <-ctx.started:
	case err := <-errc:
		t.Fatalf("task returned %v before it was cancelled", err)
	}
	cancel()
	start := time.Now()
	select {
	case err := <-errc:
		d := time.Since(start)
		t.Logf("returned %v after cancel", d.Round(10*time.Microsecond))
		if d > cancelPrompt {
			t.Errorf("task returned %v after cancel, want within %v", d.Round(time.Millisecond), cancelPrompt)
		}
		if !errors.Is(err, context.Canceled) {
			t.Errorf("task returned %v, want context.Canceled", err)
		}
	case <-time.After(30 * time.Second): // against hanging; not a timing check
		t.Fatal("task did not return after cancel")
	}
}

func TestCancel(t *testing.T) {
	// One at a time: each measures how soon its task notices, which
	// needs a free core.
	for _, s := range slow {
		t.Run(s.String(), func(t *testing.T) {
			j := newJob(t, s)
			cancelMidway(t, func(ctx context.Context) error {
				_, err := j.Task(ctx, 0)
				return err
			})
		})
	}
	// The primes of the fixture take about 70 ms; 2**61-1 takes seconds.
	t.Run("primes", func(t *testing.T) {
		cancelMidway(t, func(ctx context.Context) error {
			_, err := isPrime(ctx, 1<<61-1)
			return err
		})
	})
}

func TestCancelledBeforeStart(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, s := range small {
		j := newJob(t, s)
		if _, err := j.Task(ctx, 0); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: task with a cancelled ctx returned %v", s.Name, err)
		}
	}
}

// Every option is read by some workload, and every name a workload lists
// is a field of Options.
func TestOptionsAllUsed(t *testing.T) {
	used := map[string]bool{}
	for _, w := range registry {
		for _, name := range w.uses {
			if _, ok := reflect.TypeFor[Options]().FieldByName(name); !ok {
				t.Errorf("%s uses %q, which is not a field of Options", w.name, name)
			}
			used[name] = true
		}
	}
	typ := reflect.TypeFor[Options]()
	for i := range typ.NumField() {
		if name := typ.Field(i).Name; !used[name] {
			t.Errorf("no workload uses Options.%s", name)
		}
	}
}
