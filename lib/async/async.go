// Package async shows Go's answer to Python's asyncio.
//
// Go has no async/await and needs none: a goroutine that reads from a socket
// parks, and the runtime's network poller (epoll on Linux) wakes it when data
// arrives, so thousands of goroutines waiting on I/O cost a few KiB each and
// no OS thread. The pieces of asyncio map to a few lines of Go:
//
//	asyncio.create_task(coro)       async.Go(ctx, fn)  -> *Task[T], a future
//	await task                      task.Wait(ctx)
//	asyncio.gather(*tasks)          async.Gather(ctx, tasks...)
//	asyncio.as_completed(tasks)     async.AsCompleted(ctx, tasks...)
//	asyncio.wait_for(coro, timeout) async.WaitFor(ctx, d, fn)
//	task.cancel()                   task.Cancel(), or cancel the ctx
//	asyncio.Semaphore(n)            semaphore.NewWeighted(n) from golang.org/x/sync
//
// Unlike asyncio, these tasks run in parallel on every core. For the
// single-threaded picture of asyncio (one event loop, callbacks that must not
// block), see Loop.
//
// A task that panics does not kill the program: Wait returns a PanicError.
// Gather reports a failing task as a TaskError carrying its index.
package async

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"sync"
	"time"
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
		if fn == nil {
			t.err = errors.New("async.Go: fn is nil; need a function")
			return
		}
		defer func() {
			if v := recover(); v != nil {
				t.err = PanicError{Value: v, Stack: debug.Stack()}
			}
		}()
		t.val, t.err = fn(ctx)
	}()
	return t
}

// Done is closed when the task has finished.
func (t *Task[T]) Done() <-chan struct{} { return t.done }

// Cancel asks the task to stop by cancelling its context. It does not wait;
// call Wait for that.
func (t *Task[T]) Cancel() { t.cancel(nil) }

// Wait waits for the task to finish and returns its result (await task). A
// finished task's result is returned even if ctx is done; if ctx ends
// first, Wait returns ctx's error and the task keeps running.
func (t *Task[T]) Wait(ctx context.Context) (T, error) {
	select {
	case <-t.done:
		return t.val, t.err
	default:
	}
	select {
	case <-t.done:
		return t.val, t.err
	case <-ctx.Done():
		var zero T
		return zero, context.Cause(ctx)
	}
}

// Gather waits for every task and returns their results in argument order,
// like asyncio.gather; the error is the first failure in that order, as a
// TaskError (each task's own error is in its Wait). If ctx ends first,
// Gather cancels every task with ctx's cause and returns that cause at
// once; the tasks see their contexts cancelled and end by themselves.
func Gather[T any](ctx context.Context, tasks ...*Task[T]) ([]T, error) {
	if i := slices.Index(tasks, nil); i >= 0 {
		return nil, fmt.Errorf("async.Gather: tasks[%d] is nil; need a Task from async.Go", i)
	}
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
			first = TaskError{Index: i, Err: t.err}
		}
	}
	return vals, first
}

// AsCompleted returns a channel that yields the tasks in the order they
// finish, like asyncio.as_completed. The channel is closed once every task
// has been sent, or soon after ctx ends; read it until it is closed. A nil
// task panics at the call, as there is no error to return it with.
func AsCompleted[T any](ctx context.Context, tasks ...*Task[T]) <-chan *Task[T] {
	if i := slices.Index(tasks, nil); i >= 0 {
		panic(fmt.Sprintf("async.AsCompleted: tasks[%d] is nil; need a Task from async.Go", i))
	}
	out := make(chan *Task[T], len(tasks)) // room for all: no sender waits for the reader
	var wg sync.WaitGroup
	for _, t := range tasks {
		wg.Go(func() {
			select {
			case <-t.done:
				out <- t
			case <-ctx.Done():
			}
		})
	}
	go func() {
		wg.Wait()
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

// TaskError is the failure of the task at Index among those given to
// Gather.
type TaskError struct {
	Index int
	Err   error
}

func (e TaskError) Error() string { return fmt.Sprintf("async: task %d: %v", e.Index, e.Err) }

// Unwrap lets errors.Is and errors.As see the task's own error.
func (e TaskError) Unwrap() error { return e.Err }

// PanicError is a task that panicked: Go recovers the panic, so one bad
// task does not kill the program, and keeps what was passed to panic and
// the stack of the goroutine at that moment.
type PanicError struct {
	Value any
	Stack []byte
}

func (e PanicError) Error() string { return fmt.Sprintf("async: task panicked: %v", e.Value) }
