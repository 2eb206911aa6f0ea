// Package async shows Go's answer to Python's asyncio.
//
// Go has no async/await and needs none: a goroutine that reads from a socket
// parks, and the runtime's network poller (epoll on Linux) wakes it when data
// arrives, so thousands of goroutines waiting on I/O cost a few KiB each and
// no OS thread. The pieces of asyncio map to small Go helpers:
//
//	asyncio.create_task(coro)       async.Go(ctx, fn)           -> *Task[T]
//	await task                      task.Wait(ctx)
//	asyncio.gather(*tasks)          async.Gather(ctx, tasks...)
//	asyncio.as_completed(tasks)     async.AsCompleted(ctx, tasks...)
//	asyncio.wait_for(coro, timeout) async.WaitFor(ctx, d, fn)
//	asyncio.Semaphore(n)            async.NewSemaphore(n)
//	task.cancel()                   task.Cancel(), or cancel the ctx
//
// Unlike asyncio, these tasks run in parallel on every core. For the
// single-threaded picture of asyncio (one event loop, callbacks that must not
// block), see Loop.
package async

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/sync/semaphore"
)

// Task is a running computation whose result can be awaited: a future.
type Task[T any] struct {
	done   chan struct{}
	cancel context.CancelCauseFunc
	val    T
	err    error
}

// Go starts fn in a new goroutine and returns its Task, like
// asyncio.create_task. The task's context is a child of ctx: cancelling ctx,
// or calling Cancel, cancels the task.
func Go[T any](ctx context.Context, fn func(context.Context) (T, error)) *Task[T] {
	ctx, cancel := context.WithCancelCause(ctx)
	t := &Task[T]{done: make(chan struct{}), cancel: cancel}
	go func() {
		defer close(t.done)
		defer cancel(nil)
		defer func() {
			if p := recover(); p != nil {
				t.err = fmt.Errorf("async: task panicked: %v", p)
			}
		}()
		if fn == nil {
			t.err = fmt.Errorf("async: nil task function")
			return
		}
		t.val, t.err = fn(ctx)
	}()
	return t
}

// Done is closed when the task has finished.
func (t *Task[T]) Done() <-chan struct{} { return t.done }

// Cancel asks the task to stop by cancelling its context. It does not wait;
// call Wait for that.
func (t *Task[T]) Cancel() { t.cancel(nil) }

// Wait waits for the task to finish and returns its result (await task).
// If ctx ends first, Wait returns ctx's error and the task keeps running.
func (t *Task[T]) Wait(ctx context.Context) (T, error) {
	select {
	case <-t.done:
		return t.val, t.err
	case <-ctx.Done():
		var zero T
		return zero, context.Cause(ctx)
	}
}

// Result returns the result of a finished task; ok is false if it is still
// running.
func (t *Task[T]) Result() (val T, err error, ok bool) {
	select {
	case <-t.done:
		return t.val, t.err, true
	default:
		var zero T
		return zero, nil, false
	}
}

// Gather waits for every task and returns their results in argument order,
// with the first error in that order, like asyncio.gather. If ctx is
// cancelled first, Gather cancels every task (with ctx's cause, see
// context.Cause) and returns ctx's error at once; the tasks see their
// contexts cancelled and end by themselves.
func Gather[T any](ctx context.Context, tasks ...*Task[T]) ([]T, error) {
	vals := make([]T, len(tasks))
	var first error
	for i, t := range tasks {
		select {
		case <-t.done:
		case <-ctx.Done():
			for _, t := range tasks {
				t.cancel(context.Cause(ctx))
			}
			return vals, context.Cause(ctx)
		}
		vals[i] = t.val
		if t.err != nil && first == nil {
			first = fmt.Errorf("async: task %d: %w", i, t.err)
		}
	}
	return vals, first
}

// AsCompleted returns a channel that yields the tasks in the order they
// finish, like asyncio.as_completed. The channel is closed once every task
// has been sent, or when ctx is done; keep reading it until it is closed.
func AsCompleted[T any](ctx context.Context, tasks ...*Task[T]) <-chan *Task[T] {
	out := make(chan *Task[T], len(tasks)) // buffered: senders never wait for the reader
	finished := make(chan struct{})
	for _, t := range tasks {
		go func() {
			select {
			case <-t.done:
				out <- t
			case <-ctx.Done():
			}
			finished <- struct{}{}
		}()
	}
	go func() {
		for range tasks {
			<-finished
		}
		close(out)
	}()
	return out
}

// WaitFor runs fn with a deadline d from now, like asyncio.wait_for: if fn has
// not returned by then, its context is cancelled and WaitFor returns
// context.DeadlineExceeded at once. fn should return soon after its context is
// cancelled; until it does, its goroutine keeps running.
func WaitFor[T any](ctx context.Context, d time.Duration, fn func(context.Context) (T, error)) (T, error) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	return Go(ctx, fn).Wait(ctx)
}

// Semaphore limits how many tasks do something at once, like
// asyncio.Semaphore. It wraps golang.org/x/sync/semaphore.
type Semaphore struct{ w *semaphore.Weighted }

// NewSemaphore returns a semaphore that admits n holders at a time; n must be
// at least 1.
func NewSemaphore(n int) (*Semaphore, error) {
	if n < 1 {
		return nil, fmt.Errorf("async: semaphore size %d; need at least 1", n)
	}
	return &Semaphore{semaphore.NewWeighted(int64(n))}, nil
}

// Acquire waits for a free place, or returns ctx's error.
func (s *Semaphore) Acquire(ctx context.Context) error { return s.w.Acquire(ctx, 1) }

// Release gives the place back.
func (s *Semaphore) Release() { s.w.Release(1) }

// Do runs fn while holding a place: `async with sem: ...`.
func (s *Semaphore) Do(ctx context.Context, fn func(context.Context) error) error {
	if err := s.Acquire(ctx); err != nil {
		return err
	}
	defer s.Release()
	return fn(ctx)
}
