package async

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Loop is a single-threaded event loop, the model behind asyncio: every
// callback runs on the one goroutine that called Run, one after another.
// Nothing runs in parallel, and nothing is preempted: a callback that
// computes for a second, or sleeps, stalls every timer and every other
// callback for that second. Blocking work goes to Go, which runs it on
// another goroutine and posts its completion back to the loop, as asyncio's
// loop gets told by the OS that a socket is ready.
//
//	l := async.NewLoop()
//	l.After(10*time.Millisecond, func() { fmt.Println("tick") })
//	l.Go(fetch, func(err error) { fmt.Println("fetched", err) })
//	err := l.Run(ctx) // returns when no work is left
//
// A loop runs once: a second Run returns an error, and once Run has
// returned, Post, After and Go do nothing. Post and After panic if fn is
// nil, as http.HandleFunc does with a nil handler: there is no later moment
// at which to report it.
type Loop struct {
	mu      sync.Mutex
	queue   []func()
	wake    chan struct{}
	pending int // callbacks queued, timers armed and I/O in flight
	ran     bool
	ctx     context.Context
	cancel  context.CancelFunc
	io      sync.WaitGroup
	timers  map[*time.Timer]struct{}
}

// NewLoop returns an empty loop.
func NewLoop() *Loop {
	ctx, cancel := context.WithCancel(context.Background())
	return &Loop{wake: make(chan struct{}, 1), ctx: ctx, cancel: cancel, timers: map[*time.Timer]struct{}{}}
}

// Post queues fn to run on the loop (call_soon; safe from any goroutine).
func (l *Loop) Post(fn func()) {
	if fn == nil {
		panic("async: Loop.Post: fn is nil; need a function")
	}
	l.mu.Lock()
	if l.ctx.Err() != nil {
		l.mu.Unlock()
		return
	}
	l.pending++
	l.mu.Unlock()
	l.enqueue(fn)
}

// enqueue appends an already counted callback and wakes the loop.
func (l *Loop) enqueue(fn func()) {
	l.mu.Lock()
	l.queue = append(l.queue, fn)
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// After runs fn on the loop once d has passed (call_later).
func (l *Loop) After(d time.Duration, fn func()) {
	if fn == nil {
		panic("async: Loop.After: fn is nil; need a function")
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ctx.Err() != nil {
		return
	}
	l.pending++
	var t *time.Timer
	t = time.AfterFunc(d, func() {
		l.mu.Lock()
		delete(l.timers, t)
		l.mu.Unlock()
		l.enqueue(fn)
	})
	l.timers[t] = struct{}{}
}

// Go runs the blocking function io on another goroutine and, when it
// returns, runs then(err) on the loop (then may be nil). io gets a context
// that is cancelled when Run returns early.
func (l *Loop) Go(io func(context.Context) error, then func(error)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ctx.Err() != nil {
		return
	}
	l.pending++
	l.io.Go(func() {
		err := errors.New("async: Loop.Go: io is nil; need a function")
		if io != nil {
			err = io(l.ctx)
		}
		l.enqueue(func() {
			if then != nil {
				then(err)
			}
		})
	})
}

// Run runs callbacks on the calling goroutine until no callback, timer or
// I/O is left, or ctx is done. On ctx's end it stops the timers, cancels the
// I/O in flight, waits for it to return, and returns ctx's error. A loop
// runs once: calling Run again returns an error.
func (l *Loop) Run(ctx context.Context) error {
	l.mu.Lock()
	again := l.ran
	l.ran = true
	l.mu.Unlock()
	if again {
		return errors.New("async: Loop.Run called again; a Loop runs once: make a new one with NewLoop")
	}
	defer l.stop()
	for {
		l.mu.Lock()
		if l.pending == 0 {
			l.mu.Unlock()
			return nil
		}
		batch := l.queue
		l.queue = nil
		l.mu.Unlock()
		for _, fn := range batch {
			if err := context.Cause(ctx); err != nil {
				return err
			}
			l.call(fn)
		}
		if len(batch) > 0 {
			continue
		}
		select {
		case <-l.wake:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
}

// call runs one callback and counts it as done, even if it panics.
func (l *Loop) call(fn func()) {
	defer func() {
		l.mu.Lock()
		l.pending--
		l.mu.Unlock()
	}()
	fn()
}

// stop cancels timers and I/O and waits for the I/O goroutines, so nothing
// outlives Run.
func (l *Loop) stop() {
	l.mu.Lock()
	l.cancel()
	for t := range l.timers {
		t.Stop()
	}
	clear(l.timers)
	l.mu.Unlock()
	l.io.Wait()
}
