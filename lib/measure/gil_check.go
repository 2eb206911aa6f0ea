package measure

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/gil"
	"github.com/go-parallelism/go-parallelism/lib/site"
)

// FetchUnderGILFunc is the exercise of notebook 07: download url with c as a
// CPython thread does under the GIL. It holds lock while it runs "Python
// code", which here is parse, the function that turns the body into the
// result; it lets go of the lock while it waits for the network (the request
// and the reading of the body, inside gil.Blocking); and it returns what
// parse returned.
type FetchUnderGILFunc func(ctx context.Context, lock *gil.Lock, c *http.Client, url string, parse func(body []byte) string) (string, error)

// GILFlaw is what CheckFetchUnderGIL found wrong with a fetch.
type GILFlaw int

const (
	// GILPanicked: the fetch panicked; GILError.Panic holds the value.
	GILPanicked GILFlaw = iota + 1
	// GILUnlockedStart: the request went out while another task held the
	// lock, so the fetch did not wait for the lock before it began.
	GILUnlockedStart
	// GILHeldWait: the fetch kept the lock while it waited for the
	// network, so no other task could run meanwhile.
	GILHeldWait
	// GILUnlockedParse: parse, the "Python code", ran without the lock.
	GILUnlockedParse
	// GILWrongResult: the fetch returned an error, or not what parse
	// returned for the page.
	GILWrongResult
	// GILSerial: eight fetches never overlapped at the server.
	GILSerial
	// GILStuck: the fetches did not finish in time.
	GILStuck
)

func (f GILFlaw) String() string {
	switch f {
	case GILPanicked:
		return "panicked"
	case GILUnlockedStart:
		return "started without the lock"
	case GILHeldWait:
		return "held the lock while waiting"
	case GILUnlockedParse:
		return "parsed without the lock"
	case GILWrongResult:
		return "wrong result"
	case GILSerial:
		return "no overlap"
	case GILStuck:
		return "stuck"
	}
	return fmt.Sprintf("GILFlaw(%d)", int(f))
}

// GILError is CheckFetchUnderGIL's verdict on a wrong fetch.
type GILError struct {
	Flaw   GILFlaw
	Detail string // what the check saw, and what to do about it
	Panic  any    // the value passed to panic, for GILPanicked
}

func (e *GILError) Error() string { return e.Detail }

// The timing of CheckFetchUnderGIL: how long it holds the lock while a fetch
// must not begin, how long a probe waits for a lock that should be free (or
// that it expects to find held), the server's latency, and the time all
// fetches get.
const (
	gilHoldFirst = 150 * time.Millisecond
	gilFreeWait  = time.Second
	gilHeldWait  = 200 * time.Millisecond
	gilLatency   = 50 * time.Millisecond
	gilLimit     = 8 * time.Second
)

// CheckFetchUnderGIL returns what is wrong with fetch as an answer to the
// exercise, or nil. The fetch must hold the lock whenever it is not waiting
// for the network, let go of it while it waits, and return parse's result.
//
// First one fetch, of page 0 from a local site that answers after 50 ms,
// starts while the check holds the lock itself: a request that reaches the
// server before the check lets go means the fetch began without the lock
// (GILUnlockedStart). Once the check lets go, it probes the lock at three
// moments of that fetch: when the request goes out and when the body is read,
// the lock must be free (else GILHeldWait: a fetch that keeps the lock during
// the wait, or that reads the body outside gil.Blocking); while parse runs,
// the lock must be held (else GILUnlockedParse). The result must be parse's
// (GILWrongResult). Then eight fetches run at once and must overlap at the
// server (GILSerial) and finish within 8 s (GILStuck). A panic in fetch is a
// GILError with Flaw GILPanicked.
func CheckFetchUnderGIL(fetch FetchUnderGILFunc) error {
	if fetch == nil {
		return errors.New("measure: CheckFetchUnderGIL: fetch is nil, want the fetchUnderGIL function")
	}
	srv, err := site.Start(site.Options{Pages: 8, Latency: gilLatency})
	if err != nil {
		return err
	}
	defer srv.Close()
	base := site.NewClient(gilLimit)
	defer base.CloseIdleConnections()
	lock := gil.New()
	w := &gilWatch{lock: lock, next: base.Transport, early: make(chan struct{})}
	c := &http.Client{Transport: w, Timeout: gilLimit}
	ctx, cancel := context.WithTimeout(context.Background(), gilLimit)
	defer cancel() // ends the waits of a fetch that is stuck on the lock
	o := srv.Options()
	want := func(i int) string { return site.PageChecksum(i, o.Pages, o.PageSize) }

	// One fetch, begun while the check holds the lock, then probed.
	release := gilHold(ctx, lock)
	w.phase.Store(gilPhaseHeld)
	one := gilGoFetch(ctx, fetch, lock, c, srv.PageURL(0), w.parse)
	select {
	case <-w.early:
	case <-one.done:
	case <-time.After(gilHoldFirst):
	}
	w.phase.Store(gilPhaseProbe)
	release()
	if err := one.wait(ctx); err != nil {
		return err
	}
	if w.unlockedStart.Load() {
		return &GILError{Flaw: GILUnlockedStart, Detail: "the request went out while another task held the lock: " +
			"begin with lock.Run, so that the fetch waits for the lock like a Python thread waits for the GIL"}
	}
	if what := w.heldDuring(); what != "" {
		return &GILError{Flaw: GILHeldWait, Detail: "the lock was held during " + what + ": " +
			"wrap the request and the reading of the body in gil.Blocking, with the ctx that lock.Run passes in"}
	}
	switch w.parseHeld.Load() {
	case gilNotCalled:
		return &GILError{Flaw: GILWrongResult, Detail: "parse was never called: return parse(body), computed holding the lock"}
	case gilFree:
		return &GILError{Flaw: GILUnlockedParse, Detail: "parse ran without the lock: call it after gil.Blocking returns, " +
			"inside lock.Run (Python code runs holding the GIL)"}
	}
	if one.errs[0] != nil || one.sums[0] != want(0) {
		return &GILError{Flaw: GILWrongResult, Detail: fmt.Sprintf("page 0: got %q, error %v; want %q, no error", one.sums[0], one.errs[0], want(0))}
	}

	// Eight fetches at once, unwatched: they must overlap.
	w.phase.Store(gilPhaseOff)
	many := gilGoFetches(ctx, fetch, lock, c, srv, site.Checksum)
	if err := many.wait(ctx); err != nil {
		return err
	}
	for i := range many.sums {
		if many.errs[i] != nil || many.sums[i] != want(i) {
			return &GILError{Flaw: GILWrongResult, Detail: fmt.Sprintf("page %d: got %q, error %v; want %q, no error", i, many.sums[i], many.errs[i], want(i))}
		}
	}
	if peak := srv.Stats().Peak; peak < 2 {
		return &GILError{Flaw: GILSerial, Detail: fmt.Sprintf("8 fetches at once never overlapped (at most %d at the server at a time): "+
			"release the lock around the wait with gil.Blocking", peak)}
	}
	return nil
}

// gilHold takes lock on a goroutine of its own and keeps it until the returned
// function is called.
func gilHold(ctx context.Context, lock *gil.Lock) (release func()) {
	held, done := make(chan struct{}), make(chan struct{})
	go lock.Run(ctx, func(context.Context) error { close(held); <-done; return nil })
	<-held
	return sync.OnceFunc(func() { close(done) })
}

// gilIsFree reports whether lock can be taken within wait (and lets it go at
// once).
func gilIsFree(lock *gil.Lock, wait time.Duration) bool {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	return lock.Run(ctx, func(context.Context) error { return nil }) == nil
}

// The phases of the watch: before the check lets go of the lock, while it
// probes the one fetch, and while eight fetches run unwatched.
const (
	gilPhaseOff int32 = iota
	gilPhaseHeld
	gilPhaseProbe
)

// What a probe of parse found.
const (
	gilNotCalled int32 = iota
	gilHeld
	gilFree
)

// gilWatch is the transport of the checked fetches, and the parse of the
// probed one: it sees when the request goes out and when the body is read,
// and looks at the lock then.
type gilWatch struct {
	lock  *gil.Lock
	next  http.RoundTripper
	phase atomic.Int32

	early         chan struct{} // closed when a request comes while the check holds the lock
	earlyOnce     sync.Once
	unlockedStart atomic.Bool
	heldRequest   atomic.Bool
	heldRead      atomic.Bool
	parseHeld     atomic.Int32
}

func (w *gilWatch) RoundTrip(req *http.Request) (*http.Response, error) {
	switch w.phase.Load() {
	case gilPhaseHeld:
		w.unlockedStart.Store(true)
		w.earlyOnce.Do(func() { close(w.early) })
	case gilPhaseProbe:
		if !gilIsFree(w.lock, gilFreeWait) {
			w.heldRequest.Store(true)
		}
	}
	resp, err := w.next.RoundTrip(req)
	if err == nil && w.phase.Load() == gilPhaseProbe {
		resp.Body = &gilBody{ReadCloser: resp.Body, w: w}
	}
	return resp, err
}

// heldDuring names the moment the lock was held though it should have been
// free, or returns "".
func (w *gilWatch) heldDuring() string {
	switch {
	case w.heldRequest.Load():
		return "the request"
	case w.heldRead.Load():
		return "the reading of the body"
	}
	return ""
}

// parse is the probed fetch's parse: it looks whether the lock is held, then
// returns the body's checksum.
func (w *gilWatch) parse(body []byte) string {
	if w.phase.Load() == gilPhaseProbe && w.parseHeld.Load() == gilNotCalled {
		state := gilHeld
		if gilIsFree(w.lock, gilHeldWait) {
			state = gilFree
		}
		w.parseHeld.CompareAndSwap(gilNotCalled, state)
	}
	return site.Checksum(body)
}

// gilBody probes the lock at the first read of a body.
type gilBody struct {
	io.ReadCloser
	w    *gilWatch
	once sync.Once
}

func (b *gilBody) Read(p []byte) (int, error) {
	b.once.Do(func() {
		if !b.w.heldRequest.Load() && !gilIsFree(b.w.lock, gilFreeWait) {
			b.w.heldRead.Store(true)
		}
	})
	return b.ReadCloser.Read(p)
}

// gilRun is a set of fetches running on goroutines of their own.
type gilRun struct {
	sums   []string
	errs   []error
	panics []any
	done   chan struct{}
}

// gilGoFetch starts one fetch of url.
func gilGoFetch(ctx context.Context, fetch FetchUnderGILFunc, lock *gil.Lock, c *http.Client, url string, parse func([]byte) string) *gilRun {
	return gilGoRun(1, func(int) (string, error) { return fetch(ctx, lock, c, url, parse) })
}

// gilGoFetches starts a fetch of every page of srv at once.
func gilGoFetches(ctx context.Context, fetch FetchUnderGILFunc, lock *gil.Lock, c *http.Client, srv *site.Server, parse func([]byte) string) *gilRun {
	return gilGoRun(srv.Options().Pages, func(i int) (string, error) { return fetch(ctx, lock, c, srv.PageURL(i), parse) })
}

func gilGoRun(n int, f func(i int) (string, error)) *gilRun {
	r := &gilRun{sums: make([]string, n), errs: make([]error, n), panics: make([]any, n), done: make(chan struct{})}
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			defer func() { r.panics[i] = recover() }()
			r.sums[i], r.errs[i] = f(i)
		})
	}
	go func() { wg.Wait(); close(r.done) }()
	return r
}

// wait waits for the fetches, and returns a GILError if one panicked or
// they did not finish before ctx ended.
func (r *gilRun) wait(ctx context.Context) error {
	select {
	case <-r.done:
	case <-ctx.Done():
		return &GILError{Flaw: GILStuck, Detail: fmt.Sprintf("the fetches did not finish within %v: "+
			"does every path through the fetch let go of the lock?", gilLimit)}
	}
	for _, p := range r.panics {
		if p != nil {
			return &GILError{Flaw: GILPanicked, Detail: fmt.Sprintf("fetchUnderGIL panicked: %v", p), Panic: p}
		}
	}
	return nil
}
