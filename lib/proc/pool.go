package proc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
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
	exe   string
	args  []string
	env   []string
	slots chan int // idle worker slots

	mu     sync.Mutex
	procs  []*worker // by slot; nil until started, replaced when dead
	closed bool
	starts []time.Duration
}

// worker is one child process and the parent's ends of its pipes.
type worker struct {
	slot    int
	cmd     *exec.Cmd
	pid     int
	in      *os.File // to the child's fd 3
	enc     *json.Encoder
	out     *os.File // from the child's fd 4
	dec     *json.Decoder
	stderr  *tail
	exited  chan struct{} // closed once the process has been waited for
	waitErr error
}

// NewPool starts workers worker processes and waits until each is ready;
// ctx bounds the start-up only. In a worker process, NewPool serves tasks
// and never returns (see the package doc).
func NewPool(ctx context.Context, workers int) (*Pool, error) {
	Main()
	if workers < 1 {
		return nil, fmt.Errorf("proc: %d workers; need at least 1", workers)
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("proc: cannot find this program to start workers: %w", err)
	}
	p := &Pool{exe: exe, env: workerEnv(), slots: make(chan int, workers), procs: make([]*worker, workers)}
	if testing.Testing() {
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

// workerEnv is the parent's environment, marked for workers, without GoNB's
// display pipes: a worker must not draw in the notebook.
func workerEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); k == "GONB_PIPE" || k == "GONB_PIPE_BACK" || k == envWorker {
			continue
		}
		env = append(env, kv)
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
	w := &worker{slot: slot, cmd: cmd, in: parentOut, out: parentIn, stderr: &tail{max: 64 << 10}, exited: make(chan struct{})}
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
	go func() { w.waitErr = cmd.Wait(); close(w.exited) }()

	// Wait for the hello, bounded by ctx and startTimeout.
	parentIn.SetReadDeadline(t0.Add(startTimeout))
	stop := context.AfterFunc(ctx, func() { parentIn.SetReadDeadline(time.Now()) })
	var hello reply
	err = w.dec.Decode(&hello)
	if !stop() && err == nil {
		err = context.Cause(ctx)
	}
	if err == nil && (hello.Index != -1 || hello.PID != w.pid) {
		err = fmt.Errorf("unexpected hello %+v", hello)
	}
	if err != nil {
		w.stop()
		if cerr := context.Cause(ctx); cerr != nil {
			return nil, fmt.Errorf("proc: starting worker: %w", cerr)
		}
		hint := ""
		if testing.Testing() {
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

// stop kills the worker if it still runs, waits for it and closes its pipes.
func (w *worker) stop() {
	w.cmd.Process.Kill()
	<-w.exited
	w.in.Close()
	w.out.Close()
}

// status describes how a dead worker ended, with the end of its stderr.
func (w *worker) status() string {
	select {
	case <-w.exited:
	case <-time.After(2 * time.Second): // its pipe closed, so it is on its way out
		w.cmd.Process.Kill()
		<-w.exited
	}
	var b strings.Builder
	if w.waitErr != nil {
		fmt.Fprintf(&b, " (%v)", w.waitErr)
	} else {
		b.WriteString(" (exit status 0)")
	}
	if s := strings.TrimSpace(w.stderr.String()); s != "" {
		s = shorten(s, 1500)
		fmt.Fprintf(&b, "; stderr:\n%s", s)
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
// and one error per task; err is for the map as a whole. With failFast, the
// first failing task stops the dispatch of chunks and becomes err.
func (p *Pool) run(ctx context.Context, task string, args []json.RawMessage, chunk int, failFast bool) (out []json.RawMessage, errs []error, err error) {
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	if closed {
		return nil, nil, ErrClosed
	}
	if lookup(task) == nil {
		return nil, nil, fmt.Errorf("proc: unknown task %q", task)
	}
	n := len(args)
	out, errs = make([]json.RawMessage, n), make([]error, n)
	ran := make([]bool, n)
	defer func() {
		for i := range n {
			if !ran[i] {
				errs[i] = fmt.Errorf("proc: input %d not run: %w", i, err)
			}
		}
	}()
	if err := context.Cause(ctx); err != nil {
		return out, errs, err
	}
	// A failing task cancels ctx: no more chunks are sent, but chunks in
	// flight finish. Only the caller's ctx kills busy workers.
	outer := ctx
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	chunks := make(chan int)
	go func() {
		defer close(chunks)
		for first := 0; first < n; first += chunk {
			select {
			case chunks <- first:
			case <-ctx.Done():
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
				if ctx.Err() != nil {
					continue // failed fast: leave the rest unrun
				}
				if slot < 0 {
					select {
					case slot = <-p.slots:
					case <-ctx.Done():
						return
					}
				}
				end := min(first+chunk, n)
				c := call{task: task, first: first, args: args[first:end], out: out, errs: errs, ran: ran}
				w, err := p.worker(ctx, slot)
				if err != nil {
					for i := first; i < end; i++ {
						errs[i], ran[i] = err, true
					}
				} else if !p.roundTrip(outer, w, c) {
					p.retire(slot, w)
				}
				for i := first; i < end && failFast; i++ {
					if errs[i] != nil { // fail fast: dispatch no more chunks
						cancel(errs[i])
						break
					}
				}
			}
		})
	}
	wg.Wait()
	return out, errs, context.Cause(ctx)
}

// call is one chunk of a map: tasks first..first+len(args)-1, whose results
// go to out, errs and ran at the same indices.
type call struct {
	task  string
	first int
	args  []json.RawMessage
	out   []json.RawMessage
	errs  []error
	ran   []bool
}

// roundTrip sends a chunk to w and reads one reply per task. It reports
// whether w is still usable. If ctx ends meanwhile, w is killed at once.
func (p *Pool) roundTrip(ctx context.Context, w *worker, c call) (alive bool) {
	rec := span.From(ctx)
	stop := context.AfterFunc(ctx, func() { w.cmd.Process.Kill() })
	defer func() {
		if !stop() {
			alive = false // killed: the results read so far stand
		}
	}()
	started := time.Now()
	err := w.enc.Encode(request{Task: c.task, First: c.first, Args: c.args})
	for k := range c.args {
		i := c.first + k
		var r reply
		if err == nil {
			err = w.dec.Decode(&r)
		}
		if err == nil && r.Index != i {
			w.cmd.Process.Kill()
			err = fmt.Errorf("protocol error: reply for task %d, want %d", r.Index, i)
		}
		if err != nil {
			p.fail(ctx, w, c, k, err, started)
			return false
		}
		c.ran[i] = true
		if r.Err != "" {
			c.errs[i] = fmt.Errorf("proc: task %q, input %d: %s", c.task, i, r.Err)
		} else {
			c.out[i] = r.Result
		}
		if rec != nil {
			rec.Add(span.Span{Task: i, Worker: w.slot, Start: time.Unix(0, r.Start).Sub(rec.Origin()),
				End: time.Unix(0, r.End).Sub(rec.Origin()), Err: r.Err})
		}
		started = time.Now()
	}
	return true
}

// fail records the loss of worker w while it ran task c.first+k of chunk c:
// that task gets the reason (the context's error, or how the worker died),
// the rest of the chunk a pointer to it.
func (p *Pool) fail(ctx context.Context, w *worker, c call, k int, err error, started time.Time) {
	i := c.first + k
	var why error
	if cerr := context.Cause(ctx); cerr != nil {
		why = cerr
	} else {
		why = fmt.Errorf("proc: worker %d (pid %d) died running task %q, input %d: %v%s", w.slot, w.pid, c.task, i, err, w.status())
	}
	c.errs[i], c.ran[i] = why, true
	for j := i + 1; j < c.first+len(c.args); j++ {
		c.ran[j] = true
		if ctxErr := context.Cause(ctx); ctxErr != nil {
			c.errs[j] = ctxErr
		} else {
			c.errs[j] = fmt.Errorf("proc: input %d not run: its worker died running input %d", j, i)
		}
	}
	if rec := span.From(ctx); rec != nil {
		rec.Add(span.Span{Task: i, Worker: w.slot, Start: started.Sub(rec.Origin()), End: rec.Since(), Err: why.Error()})
	}
}
