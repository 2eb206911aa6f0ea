package gil_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/go-parallelism/go-parallelism/lib/gil"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestOneCoreRestores(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	var inside int
	gil.OneCore(func() { inside = runtime.GOMAXPROCS(0) })
	if inside != 1 {
		t.Fatalf("GOMAXPROCS inside = %d, want 1", inside)
	}
	if after := runtime.GOMAXPROCS(0); after != before {
		t.Fatalf("GOMAXPROCS after = %d, want %d", after, before)
	}
	func() {
		defer func() { recover() }()
		gil.OneCore(func() { panic("oops") })
	}()
	if after := runtime.GOMAXPROCS(0); after != before {
		t.Fatalf("GOMAXPROCS after a panic = %d, want %d", after, before)
	}
}

// holdersPeak runs tasks under l and returns the most that ran their
// computing part at once.
func holdersPeak(t *testing.T, l *gil.Lock, tasks int, io bool) int32 {
	var now, peak atomic.Int32
	var wg sync.WaitGroup
	for range tasks {
		wg.Go(func() {
			err := l.Run(context.Background(), func(ctx context.Context) error {
				c := now.Add(1)
				for p := peak.Load(); c > p && !peak.CompareAndSwap(p, c); p = peak.Load() {
				}
				time.Sleep(time.Millisecond) // "computing", holding the lock
				now.Add(-1)
				if io {
					return gil.Blocking(ctx, func() error { time.Sleep(5 * time.Millisecond); return nil })
				}
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	return peak.Load()
}

func TestLockSerialises(t *testing.T) {
	if p := holdersPeak(t, gil.New(), 8, true); p != 1 {
		t.Fatalf("%d tasks computed at once under the lock", p)
	}
}

// While one task waits in Blocking, another can take the lock.
func TestBlockingReleases(t *testing.T) {
	l := gil.New()
	inIO := make(chan struct{})
	done := make(chan error)
	go func() {
		done <- l.Run(context.Background(), func(ctx context.Context) error {
			return gil.Blocking(ctx, func() error {
				close(inIO)
				// Blocks until the other task got the lock: a deadlock if
				// Blocking kept it.
				ctx2, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				return l.Run(ctx2, func(context.Context) error { return nil })
			})
		})
	}()
	<-inIO
	if err := <-done; err != nil {
		t.Fatalf("the second task could not take the lock: %v", err)
	}
}

func TestCancelWhileWaiting(t *testing.T) {
	l := gil.New()
	release := make(chan struct{})
	held := make(chan struct{})
	go l.Run(context.Background(), func(context.Context) error { close(held); <-release; return nil })
	<-held
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.Run(ctx, func(context.Context) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	close(release)
	if err := l.Run(context.Background(), nil); err == nil {
		t.Fatal("nil fn: no error")
	}
	if err := gil.Blocking(context.Background(), func() error { return nil }); err != nil {
		t.Fatal(err) // outside Run, Blocking just calls fn
	}
	// wait until the holder let go, so nothing leaks
	if err := l.Run(context.Background(), func(context.Context) error { return nil }); err != nil {
		t.Fatal(err)
	}
}
