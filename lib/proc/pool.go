package proc

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/span"
)

// ErrClosed is returned by Map on a closed Pool.
var ErrClosed = errors.New("proc: pool is closed")

// startTimeout bounds how long a worker may take to say hello.
const startTimeout = 30 * time.Second

// Pool is a fixed number of worker processes. Several Maps may run on one
// Pool at once; they share its workers. Close it when done.
type Pool struct {
	exe         string
	args        []string
	env         []string
	memoryLimit int64
	slots       chan int // idle worker slots

	mu     sync.Mutex
	procs  []*worker // by slot; nil until started, replaced when dead
	closed bool
	starts []time.Duration
}

// worker is one child process and the parent's ends of its pipes.
type worker struct {
	slot        int
	cmd         *exec.Cmd
	pid         int
	memoryLimit int64
	in          *os.File // to the child's fd 3
	enc         *json.Encoder
	out         *os.File // from the child's fd 4
	dec         *json.Decoder
	stderr      *tail
	exited      chan struct{} // closed once the process has been waited for
}

// Option configures a Pool.
type Option func(*Pool) error

// MemoryLimit caps the memory of each worker process: a worker may grow by
// bytes of address space beyond its size when it starts serving. An
// allocation past the cap fails, the Go runtime ends the worker with "fatal
// error: out of memory", and the item it was running fails with a
// *WorkerError whose MemoryLimit is the cap; the program and the other
// workers carry on. Linux only (setrlimit RLIMIT_AS in the worker, what
// `ulimit -v` does in a shell); elsewhere NewPool returns an error that
// wraps errors.ErrUnsupported.
//
// Address space counts memory reserved as well as used, so leave room: a
// Go program needs tens of MiB beyond its heap, and much more under the
// race detector.
func MemoryLimit(bytes int64) Option {
	return func(p *Pool) error {
		if bytes <= 0 {
			return fmt.Errorf("proc: MemoryLimit(%d): want a positive number of bytes", bytes)
		}
		if !memoryLimitSupported {
			return fmt.Errorf("proc: MemoryLimit: %w on this system (Linux only)", errors.ErrUnsupported)
		}
		p.memoryLimit = bytes
		return nil
	}
}

// NewPool starts workers worker processes and waits until each is ready;
// ctx bounds the start-up only. In a worker process, NewPool serves tasks
// and never returns (see the package doc).
func NewPool(ctx context.Context, workers int, opts ...Option) (*Pool, error) {
	Main()
	if workers < 1 {
		return nil, fmt.Errorf("proc: NewPool: workers is %d; want at least 1", workers)
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("proc: cannot find this program to start workers: %w", err)
	}
	p := &Pool{exe: exe, slots: make(chan int, workers), procs: make([]*worker, workers)}
	for _, o := range opts {
		if o == nil {
			return nil, errors.New("proc: NewPool: nil Option")
		}
		if err := o(p); err != nil {
			return nil, err
		}
	}
	p.env = workerEnv(p.memoryLimit)
	if testBinary() {
		// A test binary without proc.Main in TestMain must not run the
		// tests again in every worker.
		p.args = []string{"-test.run=^$", "-test.bench=^$"}
	}
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() {
			w, err := p.start(ctx, i)
			p.procs[i], errs[i] = w, err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		p.Close()
		return nil, err
	}
	for i := range workers {
		p.slots <- i
	}
	return p, nil
}

// testBinary reports whether this program is a test binary, whose flags the
// testing package has registered by the time a test runs.
func testBinary() bool { return flag.Lookup("test.run") != nil }

// workerEnv is the parent's environment, marked for workers, without GoNB's
// display pipes: a worker must not draw in the notebook.
func workerEnv(memoryLimit int64) []string {
	var env []string
	for _, kv := range os.Environ() {
		switch k, _, _ := strings.Cut(kv, "="); k {
		case "GONB_PIPE", "GONB_PIPE_BACK", envWorker, envMemoryLimit:
			continue
		}
		env = append(env, kv)
	}
	if memoryLimit > 0 {
		env = append(env, envMemoryLimit+"="+strconv.FormatInt(memoryLimit, 10))
	}
	return append(env, envWorker+"=1")
}

// start starts the worker for slot and waits for its hello.
func (p *Pool) start(ctx context.Context, slot int) (*worker, error) {
	childIn, parentOut, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("proc: %w", err)
	}
	parentIn, childOut, err := os.Pipe()
	if err != nil {
		childIn.Close()
		parentOut.Close()
		return nil, fmt.Errorf("proc: %w", err)
	}
	cmd := exec.Command(p.exe, p.args...)
	cmd.Env = p.env
	w := &worker{slot: slot, cmd: cmd, memoryLimit: p.memoryLimit, in: parentOut, out: parentIn,
		stderr: &tail{max: 64 << 10}, exited: make(chan struct{})}
	w.enc, w.dec = json.NewEncoder(parentOut), json.NewDecoder(parentIn)
	cmd.Stdout = nil // /dev/null: what the program prints must not reach the protocol
	cmd.Stderr = w.stderr
	cmd.ExtraFiles = []*os.File{childIn, childOut} // fds 3 and 4
	cmd.SysProcAttr = sysProcAttr()
	cmd.WaitDelay = time.Second // don't wait on a stderr held open by a grandchild
	t0 := time.Now()
	err = cmd.Start()
	childIn.Close()
	childOut.Close()
	if err != nil {
		parentOut.Close()
		parentIn.Close()
		return nil, fmt.Errorf("proc: starting worker: %w", err)
	}
	w.pid = cmd.Process.Pid
	go func() { cmd.Wait(); close(w.exited) }()

	// Wait for the hello, bounded by ctx and startTimeout.
	parentIn.SetReadDeadline(t0.Add(startTimeout))
	stop := context.AfterFunc(ctx, func() { parentIn.SetReadDeadline(time.Now()) })
	var hello result
	err = w.dec.Decode(&hello)
	if !stop() && err == nil {
		err = context.Cause(ctx)
	}
	switch {
	case err != nil:
	case hello.Index != -1 || hello.PID != w.pid:
		err = fmt.Errorf("unexpected hello %+v", hello)
	case hello.Err != "":
		err = errors.New(hello.Err)
	}
	if err != nil {
		w.stop()
		<-w.exited // for its status
		if cerr := context.Cause(ctx); cerr != nil {
			return nil, fmt.Errorf("proc: starting worker: %w", cerr)
		}
		hint := ""
		if testBinary() {
			hint = "; in a test binary, call proc.Main() at the start of TestMain"
		}
		return nil, fmt.Errorf("proc: worker (pid %d) did not start: %v%s%s", w.pid, err, w.status(), hint)
	}
	parentIn.SetReadDeadline(time.Time{})
	p.mu.Lock()
	p.starts = append(p.starts, time.Since(t0))
	p.mu.Unlock()
	return w, nil
}

// stop kills the worker if it still runs and closes its pipes. It does not
// wait: a killed process runs no more code, and the goroutine that waits
// for it reaps it.
func (w *worker) stop() {
	w.cmd.Process.Kill()
	w.in.Close()
	w.out.Close()
}

// status describes how a stopped worker ended, with the end of its stderr.
func (w *worker) status() string {
	var b strings.Builder
	if st := w.cmd.ProcessState; st != nil {
		fmt.Fprintf(&b, " (%v)", st)
	}
	if s := strings.TrimSpace(w.stderr.String()); s != "" {
		fmt.Fprintf(&b, "; stderr:\n%s", shorten(s, 1500))
	}
	return b.String()
}

// shorten keeps the last n bytes of a worker's stderr, and also the line that
// says why it died ("panic: ..." or "fatal error: ..."): the Go runtime prints
// it before a stack dump that can push it out of the tail, as an out-of-memory
// crash does.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := len(s) - n
	out := "..." + s[cut:]
	for _, mark := range []string{"fatal error: ", "panic: "} {
		i := strings.LastIndex(s, mark)
		if i < 0 || i >= cut || (i > 0 && s[i-1] != '\n') {
			continue
		}
		line, _, _ := strings.Cut(s[i:], "\n")
		return line + "\n..." + s[cut:]
	}
	return out
}

// Size returns the number of workers.
func (p *Pool) Size() int { return cap(p.slots) }

// StartTimes returns how long each worker took from its start to its first
// message, including replacements of dead workers.
func (p *Pool) StartTimes() []time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]time.Duration(nil), p.starts...)
}

// PIDs returns the process ids of the current workers.
func (p *Pool) PIDs() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	var pids []int
	for _, w := range p.procs {
		if w != nil {
			pids = append(pids, w.pid)
		}
	}
	return pids
}

// Close stops the workers: it closes their input, which ends them, and kills
// any that has not exited after a second. Maps still running fail.
func (p *Pool) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	procs := append([]*worker(nil), p.procs...)
	p.mu.Unlock()
	for _, w := range procs {
		if w != nil {
			w.in.Close()
		}
	}
	for _, w := range procs {
		if w == nil {
			continue
		}
		select {
		case <-w.exited:
		case <-time.After(time.Second):
		}
		w.stop()
		<-w.exited
	}
	return nil
}

// worker returns the live worker of slot, starting one if needed.
func (p *Pool) worker(ctx context.Context, slot int) (*worker, error) {
	p.mu.Lock()
	w, closed := p.procs[slot], p.closed
	p.mu.Unlock()
	if closed {
		return nil, ErrClosed
	}
	if w != nil {
		select {
		case <-w.exited:
			p.retire(slot, w)
		default:
			return w, nil
		}
	}
	w, err := p.start(ctx, slot)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		w.stop()
		return nil, ErrClosed
	}
	p.procs[slot] = w
	return w, nil
}

// retire stops a worker that died or was killed and frees its slot.
func (p *Pool) retire(slot int, w *worker) {
	w.stop()
	p.mu.Lock()
	if p.procs[slot] == w {
		p.procs[slot] = nil
	}
	p.mu.Unlock()
}

// run maps the named task over args in chunks and returns the raw results
// and one error per item (nil if it succeeded or did not run); err says why
// items did not run, if some did not.
func (p *Pool) run(ctx context.Context, task string, args []json.RawMessage, chunk int) (out []json.RawMessage, errs []error, err error) {
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	if closed {
		return nil, nil, ErrClosed
	}
	if lookup(task) == nil {
		return nil, nil, fmt.Errorf("proc: task %q is not registered", task)
	}
	n := len(args)
	out, errs = make([]json.RawMessage, n), make([]error, n)
	ran := make([]bool, n)
	// A worker that cannot be replaced stops the dispatch of chunks, by
	// cancelling dispatch; busy workers are killed only when the caller's
	// ctx ends.
	dispatch, stop := context.WithCancelCause(ctx)
	defer stop(nil)

	chunks := make(chan int)
	go func() {
		defer close(chunks)
		for first := 0; first < n; first += chunk {
			select {
			case chunks <- first:
			case <-dispatch.Done():
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for range min(p.Size(), (n+chunk-1)/chunk) {
		wg.Go(func() {
			slot := -1
			defer func() {
				if slot >= 0 {
					p.slots <- slot
				}
			}()
			for first := range chunks {
				if slot < 0 {
					select {
					case slot = <-p.slots:
					case <-dispatch.Done():
						continue // drain chunks
					}
				}
				c := call{task: task, first: first, end: min(first+chunk, n), args: args, out: out, errs: errs, ran: ran}
				for c.first < c.end && dispatch.Err() == nil {
					w, err := p.worker(dispatch, slot)
					if err != nil {
						stop(err)
						break
					}
					var alive bool
					c.first, alive = p.roundTrip(ctx, w, c)
					if !alive {
						p.retire(slot, w)
					}
				}
			}
		})
	}
	wg.Wait()
	unrun := 0
	for _, r := range ran {
		if !r {
			unrun++
		}
	}
	if unrun > 0 {
		err = fmt.Errorf("proc: %d of %d items of task %q not run: %w", unrun, n, task, context.Cause(dispatch))
	}
	return out, errs, err
}

// call is a chunk of a map still to run: items first..end-1 of args, whose
// outcomes go to out, errs and ran at the same indices.
type call struct {
	task       string
	first, end int
	args       []json.RawMessage
	out        []json.RawMessage
	errs       []error
	ran        []bool
}

// roundTrip sends the items of c to w and reads their results, which w
// sends one by one as soon as each item ends. It returns the first item that
// still has to run (c.end when none) and whether w is still usable. If ctx
// ends meanwhile, w is killed at once and the items it had not finished stay
// unrun. If w dies, the item it was running (the first without a result)
// fails with a *WorkerError, and the next one is returned, so that the rest
// runs on a fresh worker.
func (p *Pool) roundTrip(ctx context.Context, w *worker, c call) (next int, alive bool) {
	rec := span.From(ctx)
	// On cancel, kill w and stop reading at once: the kernel may take a
	// while to tear a busy process down on a loaded machine, and its
	// results no longer matter.
	stop := context.AfterFunc(ctx, func() {
		w.cmd.Process.Kill()
		w.out.SetReadDeadline(time.Now())
	})
	defer func() {
		if !stop() {
			alive = false // killed: the results read so far stand
		}
	}()
	err := w.enc.Encode(request{Task: c.task, First: c.first, Args: c.args[c.first:c.end]})
	i, started := c.first, time.Now() // item i runs since started (or a little later)
	for ; i < c.end; i++ {
		var m result
		if err == nil {
			err = w.dec.Decode(&m)
		}
		if err == nil && m.Index != i {
			w.cmd.Process.Kill()
			err = fmt.Errorf("protocol error: result for item %d, want %d", m.Index, i)
		}
		if err != nil {
			break
		}
		c.ran[i] = true
		if m.Err != "" {
			c.errs[i] = &TaskError{Task: c.task, Item: i, Err: errors.New(m.Err)}
		} else {
			c.out[i] = m.Value
		}
		if rec != nil {
			rec.Add(span.Span{Task: i, Worker: w.slot, Start: time.Unix(0, m.Start).Sub(rec.Origin()),
				End: time.Unix(0, m.End).Sub(rec.Origin()), Err: m.Err})
		}
		started = time.Unix(0, m.End)
	}
	if err == nil {
		return i, true
	}
	if ctx.Err() != nil {
		return i, false // killed on purpose: nothing failed
	}
	we := w.death(c.task, i)
	c.errs[i], c.ran[i] = we, true
	if rec != nil {
		rec.Add(span.Span{Task: i, Worker: w.slot, Start: started.Sub(rec.Origin()), End: rec.Since(), Err: we.Error()})
	}
	return i + 1, false
}

// death describes how w ended, as the failure of item i of task.
func (w *worker) death(task string, i int) *WorkerError {
	select {
	case <-w.exited:
	case <-time.After(2 * time.Second): // its pipe closed, so it is on its way out
		w.cmd.Process.Kill()
		<-w.exited
	}
	e := &WorkerError{Task: task, Item: i, PID: w.pid, ExitCode: -1,
		Stderr: shorten(strings.TrimSpace(w.stderr.String()), 4096)}
	if st := w.cmd.ProcessState; st != nil {
		e.ExitCode = st.ExitCode()
		e.Signal = signalOf(st)
	}
	if w.memoryLimit > 0 && outOfMemory(e.Stderr) {
		e.MemoryLimit = w.memoryLimit
	}
	return e
}
