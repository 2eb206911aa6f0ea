package proc_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/go-parallelism/go-parallelism/lib/proc"
	"github.com/go-parallelism/go-parallelism/lib/span"
)

func TestMain(m *testing.M) {
	proc.Main() // a worker serves here and exits
	if os.Getenv("GORACE") == "" {
		// Under -race, a process sleeps 1 s at exit by default; workers
		// exit often in these tests.
		os.Setenv("GORACE", "atexit_sleep_ms=0")
	}
	if os.Getenv("PROC_TEST_PARENT") == "1" {
		parentMain()
		return
	}
	goleak.VerifyTestMain(m)
}

// parentMain is a program that starts a pool, prints its workers' pids and
// waits to be killed (or gives up after a minute).
func parentMain() {
	p, err := proc.NewPool(context.Background(), 2)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println(strings.Trim(fmt.Sprint(p.PIDs()), "[]"))
	time.Sleep(time.Minute)
	os.Exit(0)
}

type Scientist struct {
	Name string
	Born int
}

type Aged struct {
	Name string
	Age  int
}

var scientists = []Scientist{
	{"Ada Lovelace", 1815}, {"Emmy Noether", 1882}, {"Marie Curie", 1867}, {"Tu Youyou", 1930},
	{"Ada Yonath", 1939}, {"Vera Rubin", 1928}, {"Sally Ride", 1951},
}

var (
	age = proc.Register("age", func(_ context.Context, s Scientist) (Aged, error) {
		fmt.Println("computing the age of", s.Name) // goes to /dev/null, not into the protocol
		return Aged{s.Name, 2025 - s.Born}, nil
	})
	pid = proc.Register("pid", func(context.Context, int) (int, error) { return os.Getpid(), nil })
	odd = proc.Register("odd", func(_ context.Context, n int) (int, error) {
		if n%2 == 1 {
			return 0, fmt.Errorf("%d is odd", n)
		}
		return n, nil
	})
	crash = proc.Register("crash", func(_ context.Context, how string) (string, error) {
		switch how {
		case "exit":
			fmt.Fprintln(os.Stderr, "exiting on purpose")
			os.Exit(3)
		case "panic":
			panic("boom in task")
		case "goroutine panic":
			go panic("boom in a goroutine")
			time.Sleep(time.Minute)
		case "hang":
			time.Sleep(time.Hour)
		}
		return how, nil
	})
	// cleanup creates the file path and removes it when the worker exits.
	cleanup = proc.Register("cleanup", func(_ context.Context, path string) (bool, error) {
		proc.AtExit(func() { os.Remove(path) })
		return proc.IsWorker(), os.WriteFile(path, nil, 0o600)
	})
)

func newPool(t *testing.T, n int) *proc.Pool {
	t.Helper()
	p, err := proc.NewPool(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func TestMapAges(t *testing.T) {
	p := newPool(t, 2)
	for _, chunk := range []int{1, 2, 3, 100} {
		got, err := age.Map(context.Background(), p, scientists, chunk)
		if err != nil {
			t.Fatal(err)
		}
		for i, s := range scientists {
			if got[i] != (Aged{s.Name, 2025 - s.Born}) {
				t.Fatalf("chunk %d: result %d = %+v", chunk, i, got[i])
			}
		}
	}
	if got, err := age.Map(context.Background(), p, nil, 1); err != nil || len(got) != 0 {
		t.Fatalf("empty map: %v, %v", got, err)
	}
}

// Tasks really run in other processes, and both workers take part.
func TestRunsInWorkers(t *testing.T) {
	p := newPool(t, 2)
	rec := span.NewRecorder()
	pids, err := pid.Map(span.With(context.Background(), rec), p, make([]int, 50), 1)
	if err != nil {
		t.Fatal(err)
	}
	workers := map[int]bool{}
	for _, w := range p.PIDs() {
		workers[w] = true
	}
	for i, got := range pids {
		if got == os.Getpid() || !workers[got] {
			t.Fatalf("task %d ran in pid %d; workers are %v", i, got, p.PIDs())
		}
	}
	spans := rec.Spans()
	if len(spans) != 50 {
		t.Fatalf("%d spans, want 50", len(spans))
	}
	for _, s := range spans {
		if s.Worker < 0 || s.Worker > 1 || s.End < s.Start {
			t.Fatalf("bad span %+v", s)
		}
	}
}

func TestConcurrentMaps(t *testing.T) {
	p := newPool(t, 2)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			got, err := age.Map(context.Background(), p, scientists, 1)
			if err != nil || got[6].Name != "Sally Ride" {
				t.Errorf("%v, %v", got, err)
			}
		})
	}
	wg.Wait()
}

func TestTaskErrors(t *testing.T) {
	p := newPool(t, 1)
	args := make([]int, 20)
	for i := range args {
		args[i] = i
	}
	// Map fails fast: with one worker and chunks of 2, nothing after the
	// failing chunk runs.
	got, err := odd.Map(context.Background(), p, args, 2)
	if err == nil || !strings.Contains(err.Error(), "1 is odd") {
		t.Fatalf("Map: err = %v", err)
	}
	for i := 2; i < len(got); i++ {
		if got[i] != 0 {
			t.Fatalf("Map went on after the failure: result %d = %d", i, got[i])
		}
	}
	// MapAll with FailFast stops too, and says why the rest did not run.
	_, errs, err := odd.MapAll(context.Background(), p, args, 2, proc.FailFast)
	if err == nil || !strings.Contains(errs[1].Error(), "1 is odd") || !strings.Contains(errs[19].Error(), "input 19 not run") {
		t.Fatalf("MapAll(FailFast): err = %v, errs = %v", err, errs)
	}
	// MapAll runs everything and reports each error.
	got, errs, err = odd.MapAll(context.Background(), p, args, 3)
	if err != nil {
		t.Fatal(err)
	}
	for i := range args {
		if (i%2 == 1) != (errs[i] != nil) || (i%2 == 0 && got[i] != i) {
			t.Fatalf("task %d: %d, %v", i, got[i], errs[i])
		}
	}
}

func TestWorkerCrash(t *testing.T) {
	p := newPool(t, 2)
	ctx := context.Background()
	for _, c := range []struct{ how, want string }{
		{"panic", "task panicked: boom in task"},
		{"exit", "exit status 3"},
		{"exit", "exiting on purpose"},
		{"goroutine panic", "panic: boom in a goroutine"},
	} {
		_, errs, err := crash.MapAll(ctx, p, []string{"ok", c.how, "ok", "ok"}, 2)
		if err != nil {
			t.Fatal(err)
		}
		if errs[0] != nil || errs[2] != nil || errs[3] != nil {
			t.Fatalf("%s: the other tasks failed: %v", c.how, errs)
		}
		if errs[1] == nil || !strings.Contains(errs[1].Error(), c.want) {
			t.Fatalf("%s: err = %v, want it to mention %q", c.how, errs[1], c.want)
		}
	}
	// The pool replaced the dead workers and still works.
	if got, err := age.Map(ctx, p, scientists, 1); err != nil || got[0].Age != 210 {
		t.Fatalf("after crashes: %v, %v", got, err)
	}
	if n := len(p.StartTimes()); n <= 2 {
		t.Fatalf("%d workers started; crashed ones were not replaced", n)
	}
	// With Map, a crash fails the whole map.
	if _, err := crash.Map(ctx, p, []string{"ok", "exit"}, 1); err == nil || !strings.Contains(err.Error(), "died") {
		t.Fatalf("Map with a crash: err = %v", err)
	}
}

func TestCancelKillsWorkers(t *testing.T) {
	p := newPool(t, 2)
	before := p.PIDs()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := crash.Map(ctx, p, []string{"hang", "hang", "hang"}, 1) // would take hours
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	for _, pid := range before {
		waitGone(t, pid)
	}
	if got, err := age.Map(context.Background(), p, scientists, 2); err != nil || len(got) != 7 {
		t.Fatalf("after cancel: %v, %v", got, err)
	}
	// An already cancelled context runs nothing.
	if _, err := age.Map(ctx, p, scientists, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("done ctx: %v", err)
	}
}

func TestBadInput(t *testing.T) {
	ctx := context.Background()
	for _, n := range []int{0, -3} {
		if _, err := proc.NewPool(ctx, n); err == nil || !strings.Contains(err.Error(), "workers") {
			t.Errorf("NewPool(%d): %v", n, err)
		}
	}
	p := newPool(t, 1)
	if _, err := age.Map(ctx, p, scientists, 0); err == nil || !strings.Contains(err.Error(), "chunk size 0") {
		t.Errorf("chunk 0: %v", err)
	}
	if _, err := age.Map(ctx, nil, scientists, 1); err == nil {
		t.Error("nil pool: no error")
	}
	if _, err := proc.Lookup[int, int]("no such task"); err == nil || !strings.Contains(err.Error(), `unknown task "no such task"`) {
		t.Errorf("unknown name: %v", err)
	}
	if _, err := proc.Lookup[string, int]("age"); err == nil || !strings.Contains(err.Error(), "not func(string) int") {
		t.Errorf("wrong types: %v", err)
	}
	if f, err := proc.Lookup[Scientist, Aged]("age"); err != nil || f.Name() != "age" {
		t.Errorf("Lookup(age): %v", err)
	}
	for _, f := range []*proc.Func[int, int]{
		proc.Register[int, int]("", func(context.Context, int) (int, error) { return 0, nil }),
		proc.Register[int, int]("nil func", nil),
		proc.Register("odd", func(context.Context, int) (int, error) { return 0, nil }),
	} {
		if _, err := f.Map(ctx, p, []int{1}, 1); err == nil || !strings.Contains(err.Error(), "Register") {
			t.Errorf("bad registration: %v", err)
		}
	}
	// Registered too late: the worker was already serving when this ran.
	late := proc.Register("late", func(context.Context, int) (int, error) { return 1, nil })
	if _, err := late.Map(ctx, p, []int{1}, 1); err == nil || !strings.Contains(err.Error(), "not registered in the worker") {
		t.Errorf("late registration: %v", err)
	}
	p.Close()
	if _, err := age.Map(ctx, p, scientists, 1); !errors.Is(err, proc.ErrClosed) {
		t.Errorf("closed pool: %v", err)
	}
}

func TestCloseEndsWorkers(t *testing.T) {
	p, err := proc.NewPool(context.Background(), 2)
	if err != nil {
		t.Fatal(err)
	}
	pids := p.PIDs()
	if len(pids) != 2 {
		t.Fatalf("pids %v", pids)
	}
	p.Close()
	for _, pid := range pids {
		waitGone(t, pid)
	}
}

// A parent program that dies, by SIGKILL or SIGINT, takes its workers with it.
func TestNoOrphans(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("needs /proc")
	}
	for _, sig := range []syscall.Signal{syscall.SIGKILL, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "PROC_TEST_PARENT=1")
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			line, err := bufio.NewReader(out).ReadString('\n')
			if err != nil {
				t.Fatalf("parent said %q: %v", line, err)
			}
			var pids []int
			for _, f := range strings.Fields(line) {
				pid, err := strconv.Atoi(f)
				if err != nil {
					t.Fatalf("parent said %q", line)
				}
				pids = append(pids, pid)
			}
			if len(pids) != 2 {
				t.Fatalf("parent said %q", line)
			}
			for _, pid := range pids {
				if !alive(pid) {
					t.Fatalf("worker %d not running before the kill", pid)
				}
			}
			cmd.Process.Signal(sig)
			cmd.Wait()
			for _, pid := range pids {
				waitGone(t, pid)
			}
		})
	}
}

// alive reports whether pid runs (a zombie counts as gone: it has exited).
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2] != 'Z' && s[i+2] != 'X'
	}
	return true
}

// waitGone waits up to 10 s for pid to exit.
func waitGone(t *testing.T, pid int) {
	t.Helper()
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		return
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if !alive(pid) {
			return
		}
	}
	t.Fatalf("worker %d still running", pid)
}

func TestAtExit(t *testing.T) {
	p := newPool(t, 1)
	path := t.TempDir() + "/made-by-worker"
	inWorker, err := cleanup.Call(context.Background(), p, path)
	if err != nil || !inWorker {
		t.Fatalf("%v, %v", inWorker, err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	p.Close()
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the worker's AtExit did not remove %s: %v", path, err)
	}
}
