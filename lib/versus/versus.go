// Package versus measures what separates goroutines from operating-system
// processes, for the course's comparison of Python's threading and
// multiprocessing: how long each takes to start, what one costs in memory,
// and what a round trip to it costs. (To fence a process in, see the option
// proc.MemoryLimit.)
//
// The process side uses lib/proc; this package only adds the measurements
// and the small tools a notebook cell needs around it:
//
//   - StartGoroutines times goroutine start-up, the counterpart of
//     proc.Pool.StartTimes.
//   - GoroutineMemory and RSS give the memory cost of a goroutine and of a
//     process.
//   - RoundTrips times request/reply exchanges with a goroutine over
//     channels, the counterpart of a task sent to a worker process.
//   - Fetch downloads a page as a CPython thread does under the GIL: holding
//     a gil.Lock while it computes, and letting go of it while it waits for
//     the network.
//   - Compare measures every line of the tutorial's table "Threading vs
//     Multiprocessing" and gives each a verdict.
//   - BusyNote warns when other programs took the cores during a timing,
//     and SweepSpeedup charts one variant's speedup over a sweep of
//     Workers (such as GOMAXPROCS) against the first point.
//   - Brief shortens a dead worker's error to one line.
package versus

import (
	"context"
	"errors"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/gil"
	"github.com/go-parallelism/go-parallelism/lib/site"
)

// ErrUnsupported is returned by the measurements this system does not offer.
var ErrUnsupported = errors.New("versus: not supported on this system")

// StartGoroutines starts n goroutines, one after another, and returns, for
// each, the time from just before its go statement to its first
// instruction: the goroutine's start-up time, as proc.Pool.StartTimes gives
// a worker process's. Each goroutine has ended before the next one starts,
// so no goroutine waits behind the others.
func StartGoroutines(n int) []time.Duration {
	out := make([]time.Duration, max(n, 0))
	done := make(chan time.Duration)
	for i := range out {
		t0 := time.Now()
		go func() { done <- time.Since(t0) }()
		out[i] = <-done
	}
	return out
}

// GoroutineMemory starts n goroutines that wait, measures how much more
// memory the Go runtime uses while they all exist (their stacks, and their
// descriptors and anything else allocated on the heap), then ends them and
// returns the growth divided by n. It collects garbage first, which frees
// the stacks that ended goroutines keep for reuse, so that the new ones
// need stacks of their own. Use n of several thousand.
func GoroutineMemory(n int) uint64 {
	if n < 1 {
		return 0
	}
	used := func() uint64 {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.StackInuse + m.HeapAlloc
	}
	runtime.GC()
	runtime.GC()
	before := used()
	release := make(chan struct{})
	var started, ended sync.WaitGroup
	started.Add(n)
	ended.Add(n)
	for range n {
		go func() {
			started.Done()
			<-release
			ended.Done()
		}()
	}
	started.Wait()
	after := used()
	close(release)
	ended.Wait()
	if after <= before {
		return 0
	}
	return (after - before) / uint64(n)
}

// RoundTrips sends n requests, one at a time, to a goroutine that answers
// each with its argument plus one, over unbuffered channels, and returns the
// mean time of one request and its reply. It is the in-process counterpart
// of calling a task in a worker process.
func RoundTrips(n int) time.Duration {
	if n < 1 {
		return 0
	}
	req, rep := make(chan int), make(chan int)
	go func() {
		for x := range req {
			rep <- x + 1
		}
	}()
	defer close(req)
	t0 := time.Now()
	x := 0
	for range n {
		req <- x
		x = <-rep
	}
	return time.Since(t0) / time.Duration(n)
}

// Fetch downloads url with c and returns the checksum of the body
// (site.Checksum), the way a CPython thread runs under the GIL. With a nil
// lock it simply fetches. With a lock, the whole call holds it, as a Python
// thread holds the GIL while it runs Python code; if release is true the
// network wait runs inside gil.Blocking, which lets go of the lock, as
// CPython's socket calls do; if release is false the lock is kept while
// waiting, as a C extension that forgets to release the GIL does.
func Fetch(ctx context.Context, lock *gil.Lock, release bool, c *http.Client, url string) (string, error) {
	var sum string
	run := func(ctx context.Context) error {
		var body []byte
		get := func() error {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
			if err != nil {
				return err
			}
			resp, err := c.Do(req)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return errors.New("versus: " + url + ": " + resp.Status)
			}
			body, err = io.ReadAll(resp.Body)
			return err
		}
		var err error
		if release {
			err = gil.Blocking(ctx, get)
		} else {
			err = get()
		}
		if err != nil {
			return err
		}
		sum = site.Checksum(body)
		return nil
	}
	var err error
	if lock == nil {
		err = run(ctx)
	} else {
		err = lock.Run(ctx, run)
	}
	return sum, err
}

// Brief shortens an error for a one-line report: its first line, followed,
// when the error carries a dead worker's standard error (lib/proc puts it
// after "stderr:"), by the line of that output that says why the worker
// died, if it has one (a line starting with "panic: ", "fatal error: " or
// "runtime: "). A worker's stack trace stays out of the report. Brief(nil)
// is "ok".
func Brief(err error) string {
	if err == nil {
		return "ok"
	}
	msg := err.Error()
	first, rest, _ := strings.Cut(msg, "\n")
	first = strings.TrimSuffix(strings.TrimSpace(first), "; stderr:")
	if !strings.Contains(msg, "stderr:") {
		return first
	}
	lines := strings.Split(rest, "\n")
	for _, prefix := range []string{"panic: ", "fatal error: ", "runtime: "} {
		for _, l := range lines {
			if l = strings.TrimSpace(l); strings.HasPrefix(l, prefix) {
				return first + ", which printed: " + l
			}
		}
	}
	return first
}
