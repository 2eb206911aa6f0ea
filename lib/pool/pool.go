// Package pool runs independent tasks on goroutines, in the shapes a Python
// programmer knows from threads:
//
//	pool.Spawn(ctx, n, fn)             a thread per task: one goroutine each
//	pool.Workers(ctx, workers, n, fn)  worker threads reading a queue (a channel)
//	pool.Map(ctx, workers, inputs, fn) ThreadPool.map: results in input order
//	pool.Group(ctx, limit, n, fn)      errgroup with SetLimit
//	pool.Limit(ctx, limit, n, fn)      a goroutine per task behind a semaphore
//
// Each is a few lines on top of sync.WaitGroup.Go, golang.org/x/sync/errgroup
// or golang.org/x/sync/semaphore, and each returns the results in task order
// and one error.
//
// A task that returns an error is reported as a TaskError, a task that
// panics as a PanicError; both carry the task's index, and errors.As finds
// them. Spawn, Workers and Limit run every task and join all the failures
// with errors.Join, as concurrent.futures gives one exception per future.
// Map and Group stop at the first failure and return it, as errgroup does:
// tasks not yet started never start.
//
// Cancelling ctx stops a pool at once: tasks not yet started never start
// (context.Cause(ctx) is joined once in their place), and running tasks see
// ctx.Done and should return. A pool returns only when its goroutines have.
//
// Every task is marked with lib/span, so a timeline shows which worker ran
// it: the worker is the task index for Spawn, the worker's number for
// Workers and Map, and a slot number (0..limit-1) for Group and Limit.
package pool

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/go-parallelism/go-parallelism/lib/span"
)

// Func computes the result of task i. It should return early, with ctx's
// error, once ctx is done.
type Func[R any] func(ctx context.Context, i int) (R, error)

// TaskError is the failure of one task: fn returned Err for task Index.
type TaskError struct {
	Index int
	Err   error
}

func (e TaskError) Error() string { return fmt.Sprintf("pool: task %d: %v", e.Index, e.Err) }

// Unwrap lets errors.Is and errors.As see the task's own error.
func (e TaskError) Unwrap() error { return e.Err }

// PanicError is a task that panicked. The pool recovers the panic, so one
// bad task does not kill the program, and keeps what was passed to panic
// and the stack of the goroutine at that moment.
type PanicError struct {
	Index int
	Value any
	Stack []byte
}

func (e PanicError) Error() string {
	return fmt.Sprintf("pool: task %d panicked: %v", e.Index, e.Value)
}

// Spawn runs fn for every i in [0, n), each task on its own goroutine: the
// "one thread per download" model. Thousands of tasks are fine in Go (a
// goroutine costs a few KiB), unlike OS threads.
func Spawn[R any](ctx context.Context, n int, fn Func[R]) ([]R, error) {
	if err := errors.Join(atLeast("pool.Spawn", "n", n, 0), notNil("pool.Spawn", fn == nil)); err != nil {
		return nil, err
	}
	t := newTasks[R](n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { t.run(ctx, i, i, fn) })
	}
	wg.Wait()
	return t.res, t.err(ctx)
}

// Workers starts a fixed number of worker goroutines that take task indices
// from a channel: producer and consumers. The producer closes the channel
// when every index is sent (or ctx is done), which ends the workers' range
// loops, so Workers can wait for them and return.
func Workers[R any](ctx context.Context, workers, n int, fn Func[R]) ([]R, error) {
	if err := errors.Join(atLeast("pool.Workers", "workers", workers, 1),
		atLeast("pool.Workers", "n", n, 0), notNil("pool.Workers", fn == nil)); err != nil {
		return nil, err
	}
	t := newTasks[R](n)
	next := make(chan int)
	var wg sync.WaitGroup
	wg.Go(func() { feed(ctx, n, next) })
	for w := range workers {
		wg.Go(func() {
			for i := range next {
				t.run(ctx, i, w, fn)
			}
		})
	}
	wg.Wait()
	return t.res, t.err(ctx)
}

// Map applies fn to every input on the given number of worker goroutines
// and returns the results in input order, like Python's ThreadPool.map. The
// workers run in an errgroup: the first failure cancels the group's
// context, the feed stops, and Map returns that failure.
func Map[T, R any](ctx context.Context, workers int, inputs []T, fn func(context.Context, T) (R, error)) ([]R, error) {
	if err := errors.Join(atLeast("pool.Map", "workers", workers, 1), notNil("pool.Map", fn == nil)); err != nil {
		return nil, err
	}
	t := newTasks[R](len(inputs))
	task := func(ctx context.Context, i int) (R, error) { return fn(ctx, inputs[i]) }
	g, gctx := errgroup.WithContext(ctx)
	next := make(chan int)
	g.Go(func() error { feed(gctx, len(inputs), next); return nil })
	for w := range workers {
		g.Go(func() error {
			for i := range next {
				if err := t.run(gctx, i, w, task); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return t.res, err
	}
	return t.res, t.err(ctx)
}

// feed sends 0..n-1 on next and closes it; it stops early if ctx is done.
func feed(ctx context.Context, n int, next chan<- int) {
	defer close(next)
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			return
		}
	}
}

// tasks holds the outcomes of the n tasks of one call.
type tasks[R any] struct {
	res     []R
	errs    []error // nil, a TaskError or a PanicError for each task
	started atomic.Int64
}

func newTasks[R any](n int) *tasks[R] { return &tasks[R]{res: make([]R, n), errs: make([]error, n)} }

// run runs task i on worker w and records its outcome, unless ctx is
// already done: a task that has not started when ctx ends never starts.
func (t *tasks[R]) run(ctx context.Context, i, w int, fn Func[R]) (err error) {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	t.started.Add(1)
	done := span.Task(ctx, i, w)
	defer func() {
		if v := recover(); v != nil {
			err = PanicError{Index: i, Value: v, Stack: debug.Stack()}
		}
		t.errs[i] = err
		done(err)
	}()
	r, err := fn(ctx, i)
	t.res[i] = r
	if err != nil {
		return TaskError{Index: i, Err: err}
	}
	return nil
}

// err joins the tasks' failures and, if some task never started because
// ctx ended, ctx's cause once for all of them.
func (t *tasks[R]) err(ctx context.Context) error {
	errs := t.errs
	if int(t.started.Load()) < len(t.res) {
		errs = append(errs, context.Cause(ctx))
	}
	return errors.Join(errs...)
}

// atLeast reports a parameter of call whose value v is below min.
func atLeast(call, param string, v, min int) error {
	if v >= min {
		return nil
	}
	return fmt.Errorf("%s: %s = %d; need %d or more", call, param, v, min)
}

// notNil reports a nil task function given to call.
func notNil(call string, isNil bool) error {
	if !isNil {
		return nil
	}
	return fmt.Errorf("%s: fn is nil; need a function", call)
}
