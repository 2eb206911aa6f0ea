package pool

import (
	"context"
	"fmt"

	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/semaphore"
)

// Group runs the n tasks with errgroup, at most limit at a time
// (errgroup.Group.SetLimit). The first error cancels the group's context, so
// tasks not yet started are skipped, and Group returns that error.
func Group[R any](ctx context.Context, limit, n int, fn Func[R]) ([]R, error) {
	if err := check(n, limit, fn); err != nil {
		return nil, err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	slots := newSlots(limit)
	res := make([]R, n)
	for i := range n {
		if gctx.Err() != nil {
			break // a task failed or ctx was cancelled: start no more
		}
		g.Go(func() error { // blocks while limit tasks are running
			w := slots.get()
			defer slots.put(w)
			r, err := run(gctx, i, w, fn)
			if err != nil {
				return fmt.Errorf("pool: task %d: %w", i, err)
			}
			res[i] = r
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return res, err
	}
	return res, context.Cause(ctx)
}

// Limit starts one goroutine per task but lets at most limit of them run at
// once, using a weighted semaphore (golang.org/x/sync/semaphore): the Go form
// of `async with asyncio.Semaphore(limit)`. Every task runs unless ctx is
// cancelled; failures come back as Errors.
func Limit[R any](ctx context.Context, limit, n int, fn Func[R]) ([]R, error) {
	if err := check(n, limit, fn); err != nil {
		return nil, err
	}
	sem := semaphore.NewWeighted(int64(limit))
	slots := newSlots(limit)
	res, errs := make([]R, n), make([]error, n)
	done := make(chan struct{})
	for i := range n {
		go func() {
			defer func() { done <- struct{}{} }()
			if err := sem.Acquire(ctx, 1); err != nil {
				errs[i] = context.Cause(ctx)
				return
			}
			defer sem.Release(1)
			w := slots.get()
			defer slots.put(w)
			res[i], errs[i] = run(ctx, i, w, fn)
		}()
	}
	for range n {
		<-done
	}
	return res, collect(errs)
}

// slots hands out small worker numbers (0..n-1) to goroutines that already
// hold one of n permits, so a timeline shows n lanes. It never blocks for
// long: a holder of a permit always finds a free slot.
type slots chan int

func newSlots(n int) slots {
	s := make(slots, n)
	for i := range n {
		s <- i
	}
	return s
}

func (s slots) get() int  { return <-s }
func (s slots) put(i int) { s <- i }
