package pool

import (
	"context"
	"errors"
	"sync"

	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/semaphore"
)

// Group runs the n tasks in an errgroup, at most limit at a time
// (errgroup.Group.SetLimit: g.Go blocks while limit tasks run). The first
// failure cancels the group's context, so no further task starts, and
// Group returns that failure.
func Group[R any](ctx context.Context, limit, n int, fn Func[R]) ([]R, error) {
	if err := errors.Join(atLeast("pool.Group", "limit", limit, 1),
		atLeast("pool.Group", "n", n, 0), notNil("pool.Group", fn == nil)); err != nil {
		return nil, err
	}
	t := newTasks[R](n)
	slots := newSlots(limit)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	for i := range n {
		if gctx.Err() != nil {
			break // a task failed or ctx is done: start no more
		}
		g.Go(func() error {
			w := slots.get()
			defer slots.put(w)
			return t.run(gctx, i, w, fn)
		})
	}
	if err := g.Wait(); err != nil {
		return t.res, err
	}
	return t.res, t.err(ctx)
}

// Limit starts one goroutine per task but lets at most limit of them run at
// once, with a weighted semaphore: the Go form of asyncio's
// `async with Semaphore(limit):`. Every task runs unless ctx ends first;
// the failures are joined.
func Limit[R any](ctx context.Context, limit, n int, fn Func[R]) ([]R, error) {
	if err := errors.Join(atLeast("pool.Limit", "limit", limit, 1),
		atLeast("pool.Limit", "n", n, 0), notNil("pool.Limit", fn == nil)); err != nil {
		return nil, err
	}
	t := newTasks[R](n)
	slots := newSlots(limit)
	sem := semaphore.NewWeighted(int64(limit))
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if sem.Acquire(ctx, 1) != nil {
				return // ctx ended while waiting: the task never starts
			}
			defer sem.Release(1)
			w := slots.get()
			defer slots.put(w)
			t.run(ctx, i, w, fn)
		})
	}
	wg.Wait()
	return t.res, t.err(ctx)
}

// slots hands out small worker numbers (0..n-1) to goroutines that hold one
// of n permits, so a timeline shows n lanes. A permit holder always finds a
// free slot at once.
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
