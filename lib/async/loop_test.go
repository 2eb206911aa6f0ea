package async_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/async"
)

// Every callback runs on the loop's goroutine: log is appended without a
// lock, and the race detector would report it otherwise.
func TestLoopOrder(t *testing.T) {
	l := async.NewLoop()
	var log []string
	l.Post(func() { log = append(log, "a") })
	fired := make(chan struct{})
	l.After(time.Millisecond, func() { log = append(log, "timer"); close(fired) })
	l.Go(func(context.Context) error { <-fired; return nil },
		func(err error) { log = append(log, "io done") })
	l.Post(func() {
		log = append(log, "b")
		l.Post(func() { log = append(log, "c") })
	})
	if err := l.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := []string{"a", "b", "c", "timer", "io done"}
	if !slices.Equal(log, want) {
		t.Fatalf("log %v, want %v", log, want)
	}
}

// A callback that blocks stalls the loop: a timer due after 1 ms only fires
// once the 20 ms callback has returned.
func TestLoopBlockingCallbackStallsTimers(t *testing.T) {
	l := async.NewLoop()
	var log []string
	l.After(time.Millisecond, func() { log = append(log, "timer") })
	l.Post(func() { time.Sleep(20 * time.Millisecond); log = append(log, "blocking callback") })
	if err := l.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(log, []string{"blocking callback", "timer"}) {
		t.Fatalf("log %v", log)
	}
}

func TestLoopCancel(t *testing.T) {
	l := async.NewLoop()
	ctx, cancel := context.WithCancel(context.Background())
	var ioErr error
	l.Go(func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }, func(err error) { ioErr = err })
	l.After(time.Hour, func() { t.Error("timer fired") })
	l.After(time.Millisecond, cancel)
	if err := l.Run(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v", err)
	}
	if ioErr != nil {
		t.Errorf("callback of cancelled I/O ran after Run returned: %v", ioErr)
	}
	l.Post(func() { t.Error("posted after Run") }) // a no-op now
}

func TestLoopNilIO(t *testing.T) {
	l := async.NewLoop()
	var got error
	l.Go(nil, func(err error) { got = err })
	l.Post(nil)
	if err := l.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got == nil {
		t.Fatal("nil I/O function gave no error")
	}
}
