package async_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/async"
)

// Every callback runs on the loop's goroutine: log is appended without a
// lock, and the race detector would report it otherwise. The fake clock
// shows when each ran.
func TestLoopOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := async.NewLoop()
		start := time.Now()
		var log []string
		note := func(s string) { log = append(log, s+" at "+time.Since(start).String()) }
		l.Post(func() { note("a") })
		l.After(time.Millisecond, func() { note("timer") })
		l.Go(func(context.Context) error { time.Sleep(2 * time.Millisecond); return nil },
			func(err error) { note("io done") })
		l.Post(func() {
			note("b")
			l.Post(func() { note("c") })
		})
		if err := l.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		want := []string{"a at 0s", "b at 0s", "c at 0s", "timer at 1ms", "io done at 2ms"}
		if !slices.Equal(log, want) {
			t.Fatalf("log %v, want %v", log, want)
		}
	})
}

// A callback that blocks stalls the loop: a timer due after 1 ms only fires
// once the 20 ms callback has returned.
func TestLoopBlockingCallbackStallsTimers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := async.NewLoop()
		start := time.Now()
		var firedAt time.Duration
		l.After(time.Millisecond, func() { firedAt = time.Since(start) })
		l.Post(func() { time.Sleep(20 * time.Millisecond) })
		if err := l.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		if firedAt != 20*time.Millisecond {
			t.Fatalf("the 1 ms timer fired at %v, want 20ms (after the blocking callback)", firedAt)
		}
	})
}

// The same blocking work sent off with Go leaves the loop free: the timer
// fires on time.
func TestLoopGoKeepsTimersOnTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := async.NewLoop()
		start := time.Now()
		var firedAt, doneAt time.Duration
		l.After(time.Millisecond, func() { firedAt = time.Since(start) })
		l.Go(func(context.Context) error { time.Sleep(20 * time.Millisecond); return nil },
			func(error) { doneAt = time.Since(start) })
		if err := l.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		if firedAt != time.Millisecond || doneAt != 20*time.Millisecond {
			t.Fatalf("timer at %v, work done at %v; want 1ms and 20ms", firedAt, doneAt)
		}
	})
}

// Cancelling ctx ends Run at that instant: pending timers never fire, the
// I/O in flight is cancelled and its callback does not run.
func TestLoopCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := async.NewLoop()
		ctx, cancel := context.WithCancel(context.Background())
		ioSaw := make(chan error, 1)
		l.Go(func(ctx context.Context) error { <-ctx.Done(); ioSaw <- ctx.Err(); return ctx.Err() },
			func(err error) { t.Errorf("callback of cancelled I/O ran: %v", err) })
		l.After(time.Hour, func() { t.Error("timer fired") })
		l.After(time.Millisecond, cancel)
		start := time.Now()
		if err := l.Run(ctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("Run = %v", err)
		}
		if d := time.Since(start); d != time.Millisecond {
			t.Errorf("Run returned after %v, want 1ms", d)
		}
		if err := <-ioSaw; !errors.Is(err, context.Canceled) {
			t.Errorf("the I/O saw %v", err)
		}
	})
}

// A loop runs once: Run again, from outside or from a callback, is an error.
func TestLoopRunTwice(t *testing.T) {
	const want = "async: Loop.Run called again; a Loop runs once: make a new one with NewLoop"
	l := async.NewLoop()
	var inside error
	l.Post(func() { inside = l.Run(context.Background()) })
	if err := l.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if inside == nil || inside.Error() != want {
		t.Errorf("Run from a callback = %v, want %q", inside, want)
	}
	l.Post(func() { t.Error("a callback ran after the loop ended") })
	if err := l.Run(context.Background()); err == nil || err.Error() != want {
		t.Errorf("second Run = %v, want %q", err, want)
	}
}

func TestLoopNilFunctions(t *testing.T) {
	l := async.NewLoop()
	var got error
	l.Go(nil, func(err error) { got = err })
	if err := l.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got == nil || got.Error() != "async: Loop.Go: io is nil; need a function" {
		t.Errorf("Go(nil, ...) gave %v", got)
	}
	for name, call := range map[string]func(){
		"Post":  func() { async.NewLoop().Post(nil) },
		"After": func() { async.NewLoop().After(time.Second, nil) },
	} {
		want := "async: Loop." + name + ": fn is nil; need a function"
		func() {
			defer func() {
				if p := recover(); p != want {
					t.Errorf("%s(nil) panicked with %v, want %q", name, p, want)
				}
			}()
			call()
		}()
	}
}
