package gil_test

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	"github.com/go-parallelism/go-parallelism/lib/gil"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestOneCoreRestores(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	if before == 1 {
		runtime.GOMAXPROCS(2) // so that restoring is visible
		defer runtime.GOMAXPROCS(1)
		before = 2
	}
	var inside int
	if err := gil.OneCore(func() { inside = runtime.GOMAXPROCS(0) }); err != nil {
		t.Fatal(err)
	}
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

// A OneCore inside another (a model run under OneCore, called from a cell
// that is itself under OneCore) must not wait for the outer one, and the
// setting stays 1 until the outer call returns.
func TestOneCoreNests(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	done := make(chan [2]int, 1)
	outerDone := make(chan struct{})
	go func() {
		defer close(outerDone)
		gil.OneCore(func() {
			var inner, afterInner int
			gil.OneCore(func() { inner = runtime.GOMAXPROCS(0) })
			afterInner = runtime.GOMAXPROCS(0)
			done <- [2]int{inner, afterInner}
		})
	}()
	select {
	case got := <-done:
		if got != [2]int{1, 1} {
			t.Errorf("GOMAXPROCS inside the inner call, then after it: %v, want [1 1]", got)
		}
	case <-time.After(10 * time.Second): // against hanging; not a timing check
		t.Fatal("a nested OneCore waits for the outer one forever")
	}
	<-outerDone
	if after := runtime.GOMAXPROCS(0); after != before {
		t.Errorf("GOMAXPROCS after both calls = %d, want %d", after, before)
	}
}

// holdersPeak runs tasks under l and returns the most that ran their
// computing part at once. Run it in a bubble: the sleeps take fake time.
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

func TestLockSerialisesAndOverlapsWaits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		if p := holdersPeak(t, gil.New(), 8, true); p != 1 {
			t.Fatalf("%d tasks computed at once under the lock", p)
		}
		// 8 computations of 1 ms in turn; the 5 ms waits overlap them,
		// and the last one ends 5 ms after the last computation.
		if d := time.Since(start); d != 13*time.Millisecond {
			t.Errorf("8 tasks took %v, want 8 × 1 ms in turn + the last 5 ms wait = 13ms", d)
		}
		var zero gil.Lock // the zero value works too
		if p := holdersPeak(t, &zero, 4, false); p != 1 {
			t.Fatalf("zero Lock: %d tasks computed at once", p)
		}
	})
}

// While one task waits in Blocking, another can take the lock.
func TestBlockingReleases(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := gil.New()
		err := l.Run(context.Background(), func(ctx context.Context) error {
			return gil.Blocking(ctx, func() error {
				// Fails at the (fake) deadline if Blocking kept the lock.
				ctx2, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				return l.Run(ctx2, func(context.Context) error { return nil })
			})
		})
		if err != nil {
			t.Fatalf("another task could not take the lock during Blocking: %v", err)
		}
	})
}

func TestCancelWhileWaiting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := gil.New()
		release := make(chan struct{})
		held := make(chan struct{})
		go l.Run(context.Background(), func(context.Context) error { close(held); <-release; return nil })
		<-held
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		start := time.Now()
		if err := l.Run(ctx, func(context.Context) error { return nil }); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want the deadline's error", err)
		}
		if d := time.Since(start); d != time.Second {
			t.Errorf("gave up after %v, want 1s", d)
		}
		close(release)
		// A done ctx loses even to a free lock.
		if err := l.Run(ctx, func(context.Context) error { return nil }); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("free lock, done ctx: err = %v", err)
		}
	})
}

func TestBadInput(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"nil fn", gil.New().Run(context.Background(), nil), "gil: Lock.Run: fn is nil"},
		{"nil lock", (*gil.Lock)(nil).Run(context.Background(), func(context.Context) error { return nil }), "nil *Lock"},
		{"nil Blocking fn", gil.Blocking(context.Background(), nil), "gil: Blocking: fn is nil"},
		{"nil OneCore fn", gil.OneCore(nil), "gil: OneCore: fn is nil"},
	} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, c.err, c.want)
		}
	}
	want := errors.New("outside")
	if err := gil.Blocking(context.Background(), func() error { return want }); err != want {
		t.Errorf("outside Run, Blocking returned %v, want fn's own error", err)
	}
}
