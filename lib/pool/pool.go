// Package pool runs independent tasks on goroutines, in the ways a Python
// programmer would use threads: one goroutine per task, a fixed pool of
// workers fed by a channel, an ordered map over inputs (ThreadPool.map), an
// errgroup with a limit, and a semaphore.
//
// Every function takes a context and stops starting new tasks once it is
// cancelled; tasks that never ran report the context's error. Every task is
// marked with lib/span, so a timeline shows which worker ran what. Worker
// ids are the task index for Spawn, the worker's number for Workers and Map,
// and a slot number (0..limit-1) for Group and Limit.
//
// Errors: Group and Map stop at the first error and return it, as errgroup
// and ThreadPool.map do. Spawn, Workers and Limit run every task and, when
// some fail, return an Errors value with one entry per task, as
// concurrent.futures gives one exception per future.
package pool

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/go-parallelism/go-parallelism/lib/span"
)

// Func is a task: it computes the result of task i and should return early
// when ctx is cancelled.
type Func[R any] func(ctx context.Context, i int) (R, error)

// Errors holds one error per task (nil for tasks that succeeded). Spawn,
// Workers and Limit return it when at least one task failed; get it back with
// errors.As:
//
//	var errs pool.Errors
//	if errors.As(err, &errs) { fmt.Println(errs[3]) }
type Errors []error

// Error summarises how many tasks failed and shows the first failure.
func (e Errors) Error() string {
	failed, first := 0, -1
	for i, err := range e {
		if err != nil {
			failed++
			if first < 0 {
				first = i
			}
		}
	}
	if failed == 0 {
		return "pool: no task failed"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "pool: %d of %d tasks failed; task %d: %v", failed, len(e), first, e[first])
	return b.String()
}

// Unwrap lets errors.Is and errors.As look at every task's error.
func (e Errors) Unwrap() []error { return e }

// Spawn runs fn for every i in [0, n), each task in its own goroutine: the
// "one thread per download" model. With thousands of tasks this is fine in Go
// (a goroutine costs a few KiB), unlike OS threads.
func Spawn[R any](ctx context.Context, n int, fn Func[R]) ([]R, error) {
	if err := check(n, 1, fn); err != nil {
		return nil, err
	}
	res, errs := make([]R, n), make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { res[i], errs[i] = run(ctx, i, i, fn) })
	}
	wg.Wait()
	return res, collect(errs)
}

// Workers starts a fixed number of worker goroutines that take task indices
// from a channel: the tutorial's producer/consumer. The producer closes the
// channel when every task is queued (or ctx is cancelled), so the workers'
// range loops end and Workers returns; the tutorial's consumer looped forever
// and could never be joined.
func Workers[R any](ctx context.Context, workers, n int, fn Func[R]) ([]R, error) {
	if err := check(n, workers, fn); err != nil {
		return nil, err
	}
	res, errs := make([]R, n), make([]error, n)
	queued := make([]bool, n)
	tasks := make(chan int)
	go func() { // producer
		defer close(tasks)
		for i := range n {
			select {
			case tasks <- i:
				queued[i] = true // read after wg.Wait, which orders it
			case <-ctx.Done():
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() { // consumer
			for i := range tasks {
				res[i], errs[i] = run(ctx, i, w, fn)
			}
		})
	}
	wg.Wait()
	for i, q := range queued {
		if !q {
			errs[i] = context.Cause(ctx)
		}
	}
	return res, collect(errs)
}

// Map applies fn to every input with the given number of worker goroutines and
// returns the results in input order, like Python's ThreadPool.map. The first
// error cancels the tasks still to come and is returned.
func Map[T, R any](ctx context.Context, workers int, inputs []T, fn func(context.Context, T) (R, error)) ([]R, error) {
	if fn == nil {
		return nil, errors.New("pool: nil function")
	}
	if workers <= 0 {
		return nil, fmt.Errorf("pool: %d workers; need at least 1", workers)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	res := make([]R, len(inputs))
	var (
		once  sync.Once
		first error
	)
	next := make(chan int)
	go func() {
		defer close(next)
		for i := range inputs {
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for w := range min(workers, max(len(inputs), 1)) {
		wg.Go(func() {
			for i := range next {
				r, err := run(ctx, i, w, func(ctx context.Context, i int) (R, error) { return fn(ctx, inputs[i]) })
				if err != nil {
					once.Do(func() { first = fmt.Errorf("pool: input %d: %w", i, err); cancel(first) })
					continue
				}
				res[i] = r
			}
		})
	}
	wg.Wait()
	if first != nil {
		return res, first
	}
	// Cancelled from outside before every input was handed out.
	if err := context.Cause(ctx); err != nil {
		return res, err
	}
	return res, nil
}

// check validates the arguments shared by the pool functions.
func check[R any](n, workers int, fn Func[R]) error {
	switch {
	case fn == nil:
		return errors.New("pool: nil task function")
	case n < 0:
		return fmt.Errorf("pool: %d tasks; need 0 or more", n)
	case workers <= 0:
		return fmt.Errorf("pool: %d workers; need at least 1", workers)
	}
	return nil
}

// run runs task i on worker w: it skips the task if ctx is already done,
// turns a panic into an error, and records a span.
func run[R any](ctx context.Context, i, w int, fn Func[R]) (r R, err error) {
	if err := context.Cause(ctx); err != nil {
		return r, err
	}
	done := span.Task(ctx, i, w)
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("task %d panicked: %v", i, p)
		}
		done(err)
	}()
	return fn(ctx, i)
}

// collect returns nil when every task succeeded, else errs as Errors.
func collect(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return Errors(errs)
		}
	}
	return nil
}
