package measure_test

import (
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/measure"
)

// On the fake clock of a synctest bubble, the lateness is exact: the
// blocking callback starts at 35 ms and holds the loop until 235 ms, so the
// tick due at 40 ms runs 195 ms late, and every later tick, re-armed from
// there, runs on time; sent off the loop, no tick is late at all.
func TestLoopLateness(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const every, block = 10 * time.Millisecond, 200 * time.Millisecond
		on, err := measure.LoopLateness(10, every, block, false)
		if err != nil {
			t.Fatal(err)
		}
		off, err := measure.LoopLateness(10, every, block, true)
		if err != nil {
			t.Fatal(err)
		}
		if len(on) != 10 || len(off) != 10 {
			t.Fatalf("got %d and %d ticks, want 10 each", len(on), len(off))
		}
		want := make([]time.Duration, 10)
		want[3] = block - every/2
		if !slices.Equal(on, want) {
			t.Errorf("blocking on the loop: lateness %v, want %v", on, want)
		}
		if !slices.Equal(off, make([]time.Duration, 10)) {
			t.Errorf("blocking off the loop: lateness %v, want none", off)
		}
	})
}

func TestLoopLatenessBadInput(t *testing.T) {
	for _, c := range []struct {
		ticks        int
		every, block time.Duration
	}{{0, time.Millisecond, 0}, {1, 0, 0}, {1, time.Millisecond, -1}} {
		if _, err := measure.LoopLateness(c.ticks, c.every, c.block, false); err == nil {
			t.Errorf("LoopLateness(%d, %v, %v) returned no error", c.ticks, c.every, c.block)
		}
	}
}
