package proc_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
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

const (
	exitCode = -1
	killSelf = -2
)

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
		case "kill":
			self, _ := os.FindProcess(os.Getpid())
			self.Signal(os.Kill)
			select {}
		case "hang":
			time.Sleep(time.Hour)
		}
		return how, nil
	})
	// pidOr returns its worker's pid, or ends the worker when given
	// exitCode or killSelf.
	pidOr = proc.Register("pid-or-die", func(_ context.Context, n int) (int, error) {
		switch n {
		case exitCode:
			os.Exit(3)
		case killSelf:
			self, _ := os.FindProcess(os.Getpid())
			self.Signal(os.Kill)
			select {}
		}
		return os.Getpid(), nil
	})
	// hungry allocates and touches mib MiB.
	hungry = proc.Register("hungry", func(_ context.Context, mib int) (int, error) {
		b := make([]byte, mib<<20)
		for i := 0; i < len(b); i += 4096 {
			b[i] = 1
		}
		return len(b) >> 20, nil
	})
	// spin computes until killed, after writing a byte to the file (a
	// named pipe) at path, if any, to say so.
	spin = proc.Register("spin", func(_ context.Context, path string) (int, error) {
		if path != "" {
			if err := os.WriteFile(path, []byte{1}, 0); err != nil {
				return 0, err
			}
		}
		n := 0
		for {
			n++
		}
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
	// Map runs every item and joins one TaskError per failure, in order.
	got, err := odd.Map(context.Background(), p, args, 3)
	failed, rest := proc.ItemErrors(err)
	if len(failed) != 10 || rest != nil {
		t.Fatalf("%d items failed, want the 10 odd ones: %v", len(failed), err)
	}
	for i := range args {
		var te *proc.TaskError
		switch {
		case i%2 == 0 && (failed[i] != nil || got[i] != i):
			t.Fatalf("item %d: %d, %v", i, got[i], failed[i])
		case i%2 == 1 && (!errors.As(failed[i], &te) || te.Item != i || te.Task != "odd" ||
			te.Err.Error() != fmt.Sprintf("%d is odd", i)):
			t.Fatalf("item %d: %#v, want a TaskError for it", i, failed[i])
		}
	}
	if msg := err.Error(); !strings.HasPrefix(msg, `proc: task "odd", item 1: 1 is odd`+"\n") {
		t.Fatalf("joined error does not start with item 1: %q", msg)
	}
	// Call returns the item's error itself.
	var te *proc.TaskError
	if _, err := odd.Call(context.Background(), p, 7); !errors.As(err, &te) || te.Item != 0 {
		t.Fatalf("Call: %v", err)
	}
}

// ItemErrors finds the item errors however they were joined or wrapped,
// and returns the rest apart.
func TestItemErrors(t *testing.T) {
	a := &proc.TaskError{Task: "t", Item: 4, Err: errors.New("a")}
	b := &proc.WorkerError{Task: "t", Item: 9, ExitCode: 2}
	wrapped := fmt.Errorf("wrapped: %w", errors.Join(a, nil))
	err := errors.Join(context.Canceled, errors.Join(wrapped, b), io.EOF)
	got, rest := proc.ItemErrors(err)
	if len(got) != 2 || got[4] != wrapped || got[9] != error(b) {
		t.Fatalf("ItemErrors = %v", got)
	}
	if !errors.Is(rest, context.Canceled) || !errors.Is(rest, io.EOF) || errors.As(rest, new(*proc.TaskError)) {
		t.Fatalf("rest = %v", rest)
	}
	if got, rest := proc.ItemErrors(nil); len(got) != 0 || rest != nil {
		t.Fatalf("ItemErrors(nil) = %v, %v", got, rest)
	}
	if got, rest := proc.ItemErrors(context.Canceled); len(got) != 0 || rest != context.Canceled {
		t.Fatalf("ItemErrors(Canceled) = %v, %v", got, rest)
	}
}

func TestWorkerCrash(t *testing.T) {
	p := newPool(t, 2)
	ctx := context.Background()
	for _, c := range []struct {
		how    string
		exit   int
		signal os.Signal
		stderr string
	}{
		{how: "exit", exit: 3, stderr: "exiting on purpose"},
		{how: "goroutine panic", exit: 2, stderr: "panic: boom in a goroutine"},
		{how: "kill", exit: -1, signal: os.Kill},
	} {
		_, err := crash.Map(ctx, p, []string{"ok", c.how, "ok", "ok"}, 2)
		failed, rest := proc.ItemErrors(err)
		var we *proc.WorkerError
		if len(failed) != 1 || rest != nil || !errors.As(failed[1], &we) {
			t.Fatalf("%s: want only item 1 to fail, with a WorkerError: %v", c.how, err)
		}
		if we.Item != 1 || we.Task != "crash" || we.ExitCode != c.exit || we.Signal != c.signal ||
			!strings.Contains(we.Stderr, c.stderr) || we.PID <= 0 || we.MemoryLimit != 0 {
			t.Fatalf("%s: %#v", c.how, we)
		}
		if want := fmt.Sprintf("died running task \"crash\", item 1: "); !strings.Contains(we.Error(), want) {
			t.Fatalf("%s: %q does not say %q", c.how, we.Error(), want)
		}
	}
	// A panic in the task's goroutine is the task's error: the worker lives.
	one := newPool(t, 1)
	before, _ := pid.Call(ctx, one, 0)
	var te *proc.TaskError
	if _, err := crash.Call(ctx, one, "panic"); !errors.As(err, &te) || te.Err.Error() != "task panicked: boom in task" {
		t.Fatalf("panic: %v", err)
	}
	if after, _ := pid.Call(ctx, one, 0); after != before || before == 0 {
		t.Fatalf("worker %d became %d after a recovered panic", before, after)
	}
	// The pool replaced the dead workers and still works.
	if got, err := age.Map(ctx, p, scientists, 1); err != nil || got[0].Age != 210 {
		t.Fatalf("after crashes: %v, %v", got, err)
	}
	if n := len(p.StartTimes()); n < 2+3 {
		t.Fatalf("%d workers started; crashed ones were not replaced", n)
	}
}

// A worker that dies mid-chunk fails only the item it was running; the
// items of the chunk it never started run on a fresh worker.
func TestDeathMidChunk(t *testing.T) {
	for _, how := range []int{exitCode, killSelf} {
		p := newPool(t, 1)
		got, err := pidOr.Map(context.Background(), p, []int{0, 0, how, 0, 0, 0}, 6) // one chunk
		failed, rest := proc.ItemErrors(err)
		var we *proc.WorkerError
		if len(failed) != 1 || rest != nil || !errors.As(failed[2], &we) || we.Item != 2 {
			t.Fatalf("want item 2 alone to fail, with a WorkerError naming it: %v", err)
		}
		if !strings.Contains(err.Error(), "item 2") {
			t.Fatalf("the error does not name item 2: %v", err)
		}
		first, second := got[0], got[3]
		if got[1] != first || we.PID != first || second == first || got[4] != second || got[5] != second {
			t.Fatalf("pids %v, dead worker %d: want items 0-1 on the dead worker, 3-5 on a fresh one", got, we.PID)
		}
		if n := len(p.StartTimes()); n != 2 {
			t.Fatalf("%d workers started, want 2", n)
		}
	}
}

// A worker over its memory limit dies alone, and the error names the limit.
func TestMemoryLimit(t *testing.T) {
	ctx := context.Background()
	for _, n := range []int64{0, -1} {
		if _, err := proc.NewPool(ctx, 1, proc.MemoryLimit(n)); err == nil ||
			!strings.Contains(err.Error(), fmt.Sprintf("MemoryLimit(%d): want a positive number of bytes", n)) {
			t.Errorf("MemoryLimit(%d): %v", n, err)
		}
	}
	if runtime.GOOS != "linux" {
		if _, err := proc.NewPool(ctx, 1, proc.MemoryLimit(1<<30)); !errors.Is(err, errors.ErrUnsupported) {
			t.Fatalf("MemoryLimit off Linux: %v", err)
		}
		return
	}
	const limit = 256 << 20
	p, err := proc.NewPool(ctx, 1, proc.MemoryLimit(limit))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	got, err := hungry.Map(ctx, p, []int{16, 4096, 16}, 3)
	failed, rest := proc.ItemErrors(err)
	var we *proc.WorkerError
	if len(failed) != 1 || rest != nil || !errors.As(failed[1], &we) || we.MemoryLimit != limit {
		t.Fatalf("want item 1 alone to fail over the limit: %v", err)
	}
	if !strings.Contains(we.Error(), "over its memory limit of 256 MiB") {
		t.Fatalf("the error does not name the limit: %v", we)
	}
	if got[0] != 16 || got[2] != 16 {
		t.Fatalf("results %v", got)
	}
	// Without a limit, an ordinary crash does not blame memory.
	_, err = crash.Map(ctx, p, []string{"goroutine panic"}, 1)
	if !errors.As(err, &we) || we.MemoryLimit != 0 {
		t.Fatalf("a panic blamed on memory: %v", err)
	}
}

func TestCancelKillsWorkers(t *testing.T) {
	p := newPool(t, 2)
	before := p.PIDs()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := crash.Map(ctx, p, []string{"hang", "hang", "hang"}, 1) // would take hours
	if items, rest := proc.ItemErrors(err); !errors.Is(rest, context.DeadlineExceeded) || !strings.Contains(err.Error(), "3 of 3 items") || len(items) != 0 {
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
		if _, err := proc.NewPool(ctx, n); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("workers is %d; want at least 1", n)) {
			t.Errorf("NewPool(%d): %v", n, err)
		}
	}
	if _, err := proc.NewPool(ctx, 1, nil); err == nil || !strings.Contains(err.Error(), "nil Option") {
		t.Errorf("nil option: %v", err)
	}
	p := newPool(t, 1)
	if _, err := age.Map(ctx, p, scientists, 0); err == nil || !strings.Contains(err.Error(), "chunk is 0; want at least 1") {
		t.Errorf("chunk 0: %v", err)
	}
	if _, err := age.Map(ctx, nil, scientists, 1); err == nil || !strings.Contains(err.Error(), "pool is nil") {
		t.Errorf("nil pool: %v", err)
	}
	var nilFunc *proc.Func[int, int]
	if _, err := nilFunc.Map(ctx, p, []int{1}, 1); err == nil || !strings.Contains(err.Error(), "nil *Func") {
		t.Errorf("nil Func: %v", err)
	}
	if _, err := proc.Lookup[int, int]("no such task"); err == nil || !strings.Contains(err.Error(), `unknown task name "no such task"`) {
		t.Errorf("unknown name: %v", err)
	}
	if _, err := proc.Lookup[string, int]("age"); err == nil || !strings.Contains(err.Error(), "not func(string) int") {
		t.Errorf("wrong types: %v", err)
	}
	if f, err := proc.Lookup[Scientist, Aged]("age"); err != nil || f.Name() != "age" {
		t.Errorf("Lookup(age): %v", err)
	}
	// Registered too late: the worker was already serving when this ran.
	late := proc.Register("late", func(context.Context, int) (int, error) { return 1, nil })
	var te *proc.TaskError
	if _, err := late.Call(ctx, p, 1); !errors.As(err, &te) || !strings.Contains(err.Error(), "not registered in the worker") {
		t.Errorf("late registration: %v", err)
	}
	p.Close()
	if _, err := age.Map(ctx, p, scientists, 1); !errors.Is(err, proc.ErrClosed) {
		t.Errorf("closed pool: %v", err)
	}
}

// Register panics at once on a mistake, with a message that names it.
func TestRegisterPanics(t *testing.T) {
	ok := func(context.Context, int) (int, error) { return 0, nil }
	for _, c := range []struct {
		name string
		fn   func(context.Context, int) (int, error)
		want string
	}{
		{"", ok, "proc.Register: the task name is empty"},
		{"nil func", nil, `proc.Register("nil func"): fn is nil`},
		{"odd", ok, `proc.Register("odd"): the name is already registered, for a func(int) int`},
	} {
		func() {
			defer func() {
				if msg := fmt.Sprint(recover()); !strings.Contains(msg, c.want) {
					t.Errorf("Register(%q): panic %q, want it to contain %q", c.name, msg, c.want)
				}
			}()
			proc.Register(c.name, c.fn)
		}()
	}
}

// Only tests may import package testing: a program that uses proc must not
// get the testing flags.
func TestNoTestingImport(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range file.Imports {
			if imp.Path.Value == `"testing"` {
				t.Errorf("%s imports testing", f)
			}
		}
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
