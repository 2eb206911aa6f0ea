package hazard

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

// Count is the outcome of a counting demo: Want increments were made, the
// counter shows Got.
type Count struct {
	Want, Got int
}

// Lost returns how many increments vanished.
func (c Count) Lost() int { return c.Want - c.Got }

func (c Count) String() string {
	return fmt.Sprintf("counted %d of %d (lost %d)", c.Got, c.Want, c.Lost())
}

// CountRacy lets goroutines increment one plain int, increments times each,
// with no synchronisation. Each increment is a read, then a write; when two
// goroutines read the same value, one update is lost. The runtime.Gosched
// between the read and the write (a preemption at a bad moment) makes it
// happen often, so the count comes out short.
//
// This is a data race on purpose: run it without -race to see the lost
// count, and see DetectRace for what the race detector says.
func CountRacy(goroutines, increments int) (Count, error) {
	if err := checkCount(goroutines, increments); err != nil {
		return Count{}, err
	}
	counter := 0
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range increments {
				v := counter // read
				runtime.Gosched()
				counter = v + 1 // write back: overwrites the other goroutines' updates
			}
		})
	}
	wg.Wait()
	return Count{Want: goroutines * increments, Got: counter}, nil
}

// CountMutex does the same with a sync.Mutex around the read and the write.
func CountMutex(goroutines, increments int) (Count, error) {
	if err := checkCount(goroutines, increments); err != nil {
		return Count{}, err
	}
	var mu sync.Mutex
	counter := 0
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range increments {
				mu.Lock()
				v := counter
				runtime.Gosched() // harmless now: nobody else can get in
				counter = v + 1
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return Count{Want: goroutines * increments, Got: counter}, nil
}

// CountAtomic does the same with one atomic add per increment.
func CountAtomic(goroutines, increments int) (Count, error) {
	if err := checkCount(goroutines, increments); err != nil {
		return Count{}, err
	}
	var counter atomic.Int64
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range increments {
				counter.Add(1)
				runtime.Gosched()
			}
		})
	}
	wg.Wait()
	return Count{Want: goroutines * increments, Got: int(counter.Load())}, nil
}

// CountChannel gives the counter to one owner goroutine; the others send it
// increments over a channel ("share memory by communicating").
func CountChannel(goroutines, increments int) (Count, error) {
	if err := checkCount(goroutines, increments); err != nil {
		return Count{}, err
	}
	incs := make(chan int, 64)
	total := make(chan int)
	go func() { // the owner: the only goroutine that touches counter
		counter := 0
		for d := range incs {
			counter += d
		}
		total <- counter
	}()
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range increments {
				incs <- 1
				runtime.Gosched()
			}
		})
	}
	wg.Wait()
	close(incs)
	return Count{Want: goroutines * increments, Got: <-total}, nil
}

// maxIncrements bounds goroutines × increments, so a slip of the finger
// cannot start a demo that runs for minutes.
const maxIncrements = 100_000_000

func checkCount(goroutines, increments int) error {
	var errs []error
	if goroutines < 1 || goroutines > 100_000 {
		errs = append(errs, fmt.Errorf("hazard: goroutines is %d, want 1..100000", goroutines))
	}
	if increments < 0 || increments > maxIncrements {
		errs = append(errs, fmt.Errorf("hazard: increments is %d, want 0..%d", increments, maxIncrements))
	}
	if len(errs) == 0 && goroutines*increments > maxIncrements {
		errs = append(errs, fmt.Errorf("hazard: goroutines × increments is %d × %d, want at most %d in all", goroutines, increments, maxIncrements))
	}
	return errors.Join(errs...)
}
