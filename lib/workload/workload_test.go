package workload

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// small are specs quick enough for go test -race, one per workload.
var small = []Spec{
	{Name: "scrape", Size: 20, Params: map[string]string{"latency": "1ms"}},
	{Name: "disk", Size: 20, Params: map[string]string{"file_size": "10000"}},
	{Name: "pipe", Size: 4, Params: map[string]string{"records": "2000"}},
	{Name: "tcp", Size: 10, Params: map[string]string{"rounds": "20"}},
	{Name: "primes", Size: 3},
	{Name: "mandelbrot", Size: 64, Params: map[string]string{"grain": "5"}},
	{Name: "montecarlo", Size: 8, Params: map[string]string{"samples": "20000"}},
	{Name: "text", Size: 5},
	{Name: "images", Size: 4, Params: map[string]string{"src": "128", "dst": "40"}},
	{Name: "analysis", Size: 5, Params: map[string]string{"chunk": "1000"}},
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

func TestBadInput(t *testing.T) {
	bad := []Spec{
		{Name: "nosuch", Size: 1},
		{Name: "", Size: 1},
		{Name: "primes", Size: 0},
		{Name: "primes", Size: -3},
		{Name: "primes", Size: 1_000_000},
		{Name: "primes", Size: 1, Params: map[string]string{"typo": "1"}},
		{Name: "scrape", Size: 10, Params: map[string]string{"latency": "soon"}},
		{Name: "scrape", Size: 10, Params: map[string]string{"error_rate": "2"}},
		{Name: "scrape", Size: 10, Params: map[string]string{"addr": "127.0.0.1:1", "pages": "5"}},
		{Name: "disk", Size: 3, Params: map[string]string{"dir": "/nonexistent/dir"}},
		{Name: "disk", Size: 3, Params: map[string]string{"fsync": "maybe"}},
		{Name: "pipe", Size: 3, Params: map[string]string{"record_size": "5"}},
		{Name: "tcp", Size: 3, Params: map[string]string{"rounds": "0"}},
		{Name: "mandelbrot", Size: 100, Params: map[string]string{"grain": "0"}},
		{Name: "montecarlo", Size: 4, Params: map[string]string{"samples": "-1"}},
		{Name: "text", Size: 3, Params: map[string]string{"file": "/nonexistent/corpus.txt"}},
		{Name: "images", Size: 3, Params: map[string]string{"kernel": "magic"}},
		{Name: "analysis", Size: 3, Params: map[string]string{"file": "/nonexistent/sales.csv"}},
	}
	for _, s := range bad {
		j, err := New(s)
		if err == nil {
			j.Close()
			t.Errorf("New(%v) succeeded, want an error", s)
			continue
		}
		if !strings.Contains(err.Error(), "workload") {
			t.Errorf("New(%v): error %q does not say which workload", s, err)
		}
	}
	if _, err := New(Spec{Name: "analysis", Size: 3, Params: map[string]string{"file": "/nonexistent/sales.csv"}}); err == nil ||
		!strings.Contains(err.Error(), "/nonexistent/sales.csv") {
		t.Errorf("missing data file: error %v does not name the file", err)
	}
	j := newJob(t, Spec{Name: "primes", Size: 2})
	for _, i := range []int{-1, 2} {
		if _, err := j.Task(context.Background(), i); err == nil {
			t.Errorf("Task(%d) of 2 succeeded", i)
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

// slow are specs whose task 0 runs long enough (or forever, without
// cancellation) to be cancelled in the middle.
var slow = []Spec{
	{Name: "scrape", Size: 1, Params: map[string]string{"latency": "10m"}},
	{Name: "scrape", Size: 1, Params: map[string]string{"hang_rate": "1"}},
	{Name: "disk", Size: 1, Params: map[string]string{"file_size": "1000000000"}},
	{Name: "pipe", Size: 1, Params: map[string]string{"records": "100000000"}},
	{Name: "pipe", Size: 1, Params: map[string]string{"latency": "10m"}},
	{Name: "tcp", Size: 1, Params: map[string]string{"latency": "10m"}},
	{Name: "primes", Size: 1},
	{Name: "mandelbrot", Size: 20000, Params: map[string]string{"grain": "20000", "iter": "1000000"}},
	{Name: "montecarlo", Size: 1, Params: map[string]string{"samples": "1000000000000"}},
	{Name: "text", Size: 1, Params: map[string]string{"repeat": "1000000"}},
	{Name: "images", Size: 1, Params: map[string]string{"src": "8000", "dst": "100"}},
	{Name: "analysis", Size: 500, Params: map[string]string{"chunk": "500000"}},
}

func TestCancel(t *testing.T) {
	for _, s := range slow {
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			j := newJob(t, s)
			ctx, cancel := context.WithCancel(context.Background())
			errc := make(chan error, 1)
			go func() {
				_, err := j.Task(ctx, 0)
				errc <- err
			}()
			time.Sleep(50 * time.Millisecond) // let the task get going
			cancel()
			select {
			case err := <-errc:
				if !errors.Is(err, context.Canceled) {
					t.Errorf("task returned %v, want context.Canceled", err)
				}
			case <-time.After(30 * time.Second): // a bound against hanging, not a timing check
				t.Fatal("task did not return after cancel")
			}
		})
	}
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
