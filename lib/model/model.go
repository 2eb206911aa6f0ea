// Package model runs any workload.Job under any of the course's execution
// models, so that the same tasks can be timed and compared:
//
//	job, err := workload.New(workload.Spec{Name: workload.Primes, Size: 20})
//	...
//	res, err := model.Run(ctx, job, model.Pool(2))
//	err = errors.Join(err, job.Check(res.Digests))
//
// The models are Sequential; goroutines (Goroutines, Pool, Map, Group,
// Semaphore, from lib/pool); Processes (a lib/proc process pool); Async
// (futures and gather, from lib/async) and EventLoop (one goroutine running
// callbacks); and GIL, which runs another model as if Go had Python's global
// interpreter lock (lib/gil).
//
// Run runs every task, like the futures of concurrent.futures: a failing
// task does not stop the others. Its error joins (errors.Join) one
// *TaskError per failed task, in task order; a TaskError wraps what the task
// returned, or for Processes the *proc.TaskError or *proc.WorkerError of its
// item, so errors.As finds those too. When ctx is cancelled, Run returns
// promptly, within milliseconds even while CPU-bound tasks run (the
// workloads look at ctx inside their loops, and Processes kills its busy
// workers), with the digests of the tasks that finished and an error that
// says how many did not run and why.
//
// Every model marks each task with lib/span (task index, worker number,
// start, end), so a timeline can show which worker ran what. Worker numbers
// are 0 for Sequential and EventLoop, the task index for Goroutines and
// Async, and 0..n-1 for the others. For Processes, the worker process
// reports when each task started and ended, and the worker number is the
// process's slot in the pool.
//
// Processes re-executes the program as workers (see lib/proc): a program or
// notebook cell that uses it should call proc.Main() first, so that the code
// before the pool is not run again in every worker.
package model

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/go-parallelism/go-parallelism/lib/async"
	"github.com/go-parallelism/go-parallelism/lib/gil"
	"github.com/go-parallelism/go-parallelism/lib/pool"
	"github.com/go-parallelism/go-parallelism/lib/proc"
	"github.com/go-parallelism/go-parallelism/lib/span"
	"github.com/go-parallelism/go-parallelism/lib/workload"
)

type kind int

const (
	sequential kind = iota
	goroutines
	workers
	ordered
	group
	semaphore
	processes
	futures
	eventLoop
	withGIL
)

// Model is a way to run the tasks of a job. Build one with the variables
// and functions of this package; the zero Model is Sequential.
type Model struct {
	Name    string // a short label, e.g. "pool(4)"
	Workers int    // the number of workers or the concurrency limit; 0 if the model has none

	kind  kind
	chunk int        // Processes: tasks per round trip
	procs *proc.Pool // Processes: a pool to use instead of starting one
	gil   GILMode
	inner *Model
	err   error // a bad argument to the constructor, reported by Run
}

// The models without a size.
var (
	// Sequential runs the tasks one after another on the calling goroutine.
	Sequential = Model{Name: "sequential", kind: sequential}
	// Goroutines runs each task on its own goroutine (pool.Spawn).
	Goroutines = Model{Name: "goroutines", kind: goroutines}
	// Async starts each task as an async.Task and gathers them
	// (create_task + gather).
	Async = Model{Name: "async", kind: futures}
	// EventLoop runs the tasks through one async.Loop: a CPU-bound job's
	// tasks run as callbacks on the loop's goroutine, one at a time; an
	// I/O-bound job's tasks run as I/O operations whose completion is posted
	// back to the loop, as asyncio awaits a download.
	EventLoop = Model{Name: "eventloop", kind: eventLoop}
)

// Pool runs the tasks on n worker goroutines fed by a channel (pool.Workers).
func Pool(n int) Model { return sized("pool", workers, n) }

// Map runs the tasks with pool.Map on n workers: the ordered map of
// Python's ThreadPool.map.
func Map(n int) Model { return sized("map", ordered, n) }

// Group runs the tasks in an errgroup limited to n at a time (pool.Group).
func Group(n int) Model { return sized("errgroup", group, n) }

// Semaphore starts a goroutine per task and lets n run at once (pool.Limit).
func Semaphore(n int) Model { return sized("semaphore", semaphore, n) }

// Processes runs the tasks in a pool of n worker processes, one task per
// round trip; the pool is started and closed by Run, so its start-up is part
// of the run, as with Python's `with Pool(n) as p: p.map(...)`. Each worker
// rebuilds the job from job.Spec with workload.New.
func Processes(n int) Model { return ProcessesChunk(n, 1) }

// ProcessesChunk is Processes sending chunk tasks per round trip.
func ProcessesChunk(n, chunk int) Model {
	m := sized("processes", processes, n)
	m.chunk = chunk
	if chunk != 1 {
		m.Name = fmt.Sprintf("processes(%d,chunk=%d)", n, chunk)
	}
	if chunk < 1 && m.err == nil {
		m.err = fmt.Errorf("model: ProcessesChunk(%d, %d): chunk is %d; want at least 1 task per round trip", n, chunk, chunk)
	}
	return m
}

// ProcessPool runs the tasks in an already started process pool, so that
// its start-up is not part of the run.
func ProcessPool(p *proc.Pool) Model {
	if p == nil {
		return Model{Name: "processes(nil)", kind: processes, err: errors.New("model: ProcessPool(nil): p is nil; start a pool with proc.NewPool")}
	}
	m := sized("processes", processes, p.Size())
	m.procs, m.chunk = p, 1
	return m
}

// GILMode says how GIL imitates Python's global interpreter lock.
type GILMode int

const (
	// OneCore runs the model with runtime.GOMAXPROCS(1) (gil.OneCore): one
	// goroutine computes at a time, preemptively, and waiting for I/O lets
	// others run, as in CPython.
	OneCore GILMode = iota
	// GlobalLock makes every task hold one global lock (gil.Lock) while it
	// runs. Blocking calls marked with gil.Blocking release it; unmarked
	// I/O keeps it, which is stricter than CPython.
	GlobalLock
)

func (g GILMode) String() string {
	switch g {
	case OneCore:
		return "gil-1core"
	case GlobalLock:
		return "gil-lock"
	}
	return fmt.Sprintf("GILMode(%d)", int(g))
}

// GIL runs m as if Go had a GIL. It only affects this process: with
// Processes, every worker has its cores to itself, as every Python process
// has its own GIL.
func GIL(mode GILMode, m Model) Model {
	inner := m
	g := Model{Name: fmt.Sprintf("%v(%s)", mode, m.Name), Workers: m.Workers, kind: withGIL, gil: mode, inner: &inner, err: m.err}
	if mode != OneCore && mode != GlobalLock && g.err == nil {
		g.err = fmt.Errorf("model: GIL(%d, %s): unknown mode %d; want model.OneCore or model.GlobalLock", int(mode), m.Name, int(mode))
	}
	return g
}

func sized(name string, k kind, n int) Model {
	m := Model{Name: fmt.Sprintf("%s(%d)", name, n), Workers: n, kind: k}
	if n < 1 {
		m.err = fmt.Errorf("model: %s: n is %d; want at least 1 worker", m.Name, n)
	}
	return m
}

// All returns every model, sized for n workers where a size is needed, in a
// fixed order: sequential, the goroutine models, processes, async, the
// event loop, and goroutines under both GIL modes.
func All(n int) []Model {
	return []Model{
		Sequential, Goroutines, Pool(n), Map(n), Group(n), Semaphore(n), Processes(n),
		Async, EventLoop, GIL(OneCore, Goroutines), GIL(GlobalLock, Goroutines),
	}
}

// String returns m.Name.
func (m Model) String() string { return m.Name }

// Err reports a bad argument given when m was built, such as Pool(0).
func (m Model) Err() error { return m.err }

// Result is what Run returns besides its error.
type Result struct {
	// Digests[i] is task i's digest, "" if it failed or did not run:
	// give them to job.Check.
	Digests []string
}

// TaskError is the failure of one task of a Run.
type TaskError struct {
	Model string // the model's Name
	Index int    // the task's index in the job
	// Err is what the task returned; a panic, as an error; for Processes,
	// the *proc.TaskError or *proc.WorkerError of the task's item.
	Err error
}

func (e *TaskError) Error() string {
	return fmt.Sprintf("model %s: task %d: %v", e.Model, e.Index, e.Err)
}

func (e *TaskError) Unwrap() error { return e.Err }

// Run runs every task of job under m. The error joins one *TaskError per
// failed task, in task order, and, if some tasks did not run (ctx ended, or
// the worker processes could not start), says how many and why. A bad job
// or model (Pool(0), ...) is an error that names it, and nothing runs.
func Run(ctx context.Context, job *workload.Job, m Model) (Result, error) {
	switch {
	case job == nil:
		return Result{}, errors.New("model.Run: job is nil; build one with workload.New")
	case job.Task == nil:
		return Result{}, fmt.Errorf("model.Run: job %s has a nil Task", job.Spec)
	case job.N < 0:
		return Result{}, fmt.Errorf("model.Run: job %s has N = %d tasks; want at least 0", job.Spec, job.N)
	case m.err != nil:
		return Result{}, m.err
	}
	r := &run{job: job, model: m.Name, digests: make([]string, job.N), errs: make([]error, job.N), ran: make([]bool, job.N)}
	r.exec(ctx, m)
	unrun := 0
	for _, ran := range r.ran {
		if !ran {
			unrun++
		}
	}
	if unrun > 0 {
		why := r.err
		if why == nil {
			why = context.Cause(ctx)
		}
		if why == nil {
			why = errors.New("the model did not run them") // a bug in this package
		}
		r.errs = append(r.errs, fmt.Errorf("model %s: %d of %d tasks not run: %w", m.Name, unrun, job.N, why))
	}
	return Result{Digests: r.digests}, errors.Join(r.errs...)
}

// run is the state of one Run: the results, filled in by task.
type run struct {
	job     *workload.Job
	model   string
	digests []string
	errs    []error
	ran     []bool
	err     error // why the model could not run tasks, besides ctx
}

// task runs task i and records its outcome; each index is run at most once,
// so the writes do not race. It returns what the task returned, for the
// timeline.
func (r *run) task(ctx context.Context, i int) (d string, err error) {
	if err := ctx.Err(); err != nil {
		return "", err // not run: the pool was late to notice
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("task panicked: %v", p)
		}
		if err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			return // cut short by the end of ctx: counted as not run
		}
		if err != nil {
			r.errs[i] = &TaskError{Model: r.model, Index: i, Err: err}
		}
		r.digests[i], r.ran[i] = d, true
	}()
	return r.job.Task(ctx, i)
}

// keepGoing is task for the pools that stop at the first error (pool.Map,
// pool.Group): it hides the error, so that every task runs.
func (r *run) keepGoing(ctx context.Context, i int) (string, error) {
	d, _ := r.task(ctx, i)
	return d, nil
}

// exec runs the tasks under m.
func (r *run) exec(ctx context.Context, m Model) {
	n := r.job.N
	switch m.kind {
	case sequential:
		for i := range n {
			if ctx.Err() != nil {
				return
			}
			done := span.Task(ctx, i, 0)
			_, err := r.task(ctx, i)
			done(err)
		}
	case goroutines:
		pool.Spawn(ctx, n, r.task)
	case workers:
		pool.Workers(ctx, m.Workers, n, r.task)
	case ordered:
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		pool.Map(ctx, m.Workers, idx, r.keepGoing)
	case group:
		pool.Group(ctx, m.Workers, n, r.keepGoing)
	case semaphore:
		pool.Limit(ctx, m.Workers, n, r.task)
	case futures:
		r.futures(ctx)
	case eventLoop:
		r.loop(ctx)
	case processes:
		r.processes(ctx, m)
	case withGIL:
		r.withGIL(ctx, m)
	}
}

// futures starts every task with async.Go and gathers them.
func (r *run) futures(ctx context.Context) {
	tasks := make([]*async.Task[string], r.job.N)
	for i := range tasks {
		tasks[i] = async.Go(ctx, func(ctx context.Context) (string, error) {
			done := span.Task(ctx, i, i)
			d, err := r.task(ctx, i)
			done(err)
			return d, err
		})
	}
	// The tasks' contexts derive from ctx, so its end reaches them
	// directly; Gather only has to wait for all of them.
	async.Gather(context.WithoutCancel(ctx), tasks...)
}

// loop runs the tasks through one event loop.
func (r *run) loop(ctx context.Context) {
	l := async.NewLoop()
	for i := range r.job.N {
		if r.job.Kind == workload.CPU {
			l.Post(func() {
				if ctx.Err() != nil {
					return
				}
				done := span.Task(ctx, i, 0)
				_, err := r.task(ctx, i)
				done(err)
			})
			continue
		}
		var done func(error)
		l.Post(func() { done = span.Task(ctx, i, 0) }) // started from the loop
		l.Go(func(lctx context.Context) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			_, err := r.task(ctx, i)
			return err
		}, func(err error) { done(err) }) // completion handled on the loop
	}
	l.Run(ctx)
}

// withGIL runs the inner model under the GIL mode.
func (r *run) withGIL(ctx context.Context, m Model) {
	switch m.gil {
	case OneCore:
		gil.OneCore(func() { r.exec(ctx, *m.inner) })
	case GlobalLock:
		lock := gil.New()
		task := r.job.Task
		locked := *r.job
		locked.Task = func(ctx context.Context, i int) (d string, err error) {
			err = lock.Run(ctx, func(ctx context.Context) error {
				d, err = task(ctx, i)
				return err
			})
			return d, err
		}
		job := r.job
		r.job = &locked
		r.exec(ctx, *m.inner)
		r.job = job
	}
}

// remoteTask is what a worker process needs to run task Index of a job.
type remoteTask struct {
	Spec  workload.Spec `json:"spec"`
	Index int           `json:"i"`
}

var remote = proc.Register("lib/model.task", runRemote)

var (
	jobsMu sync.Mutex
	jobs   = map[string]*workload.Job{}
)

// runRemote runs in a worker process: it builds the job from its Spec once
// per process, and runs one task.
func runRemote(ctx context.Context, t remoteTask) (string, error) {
	key := t.Spec.String()
	jobsMu.Lock()
	job, ok := jobs[key]
	if !ok {
		var err error
		if job, err = workload.New(t.Spec); err != nil {
			jobsMu.Unlock()
			return "", err
		}
		jobs[key] = job
		proc.AtExit(func() { job.Close() })
	}
	jobsMu.Unlock()
	return job.Task(ctx, t.Index)
}

// processes maps the tasks over a process pool.
func (r *run) processes(ctx context.Context, m Model) {
	p := m.procs
	if p == nil {
		var err error
		if p, err = proc.NewPool(ctx, m.Workers); err != nil {
			r.err = err
			return
		}
		defer p.Close()
	}
	args := make([]remoteTask, r.job.N)
	for i := range args {
		args[i] = remoteTask{Spec: r.job.Spec, Index: i}
	}
	digests, err := remote.Map(ctx, p, args, m.chunk)
	failed, rest := proc.ItemErrors(err)
	for i, d := range digests {
		if e := failed[i]; e != nil {
			r.errs[i], r.ran[i] = &TaskError{Model: r.model, Index: i, Err: e}, true
		} else if d != "" {
			r.digests[i], r.ran[i] = d, true
		}
	}
	r.err = rest // why tasks did not run, if some did not
}
