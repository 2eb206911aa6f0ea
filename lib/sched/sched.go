// Package sched shows what the Go scheduler did while a function ran.
//
// Record runs a function under the runtime's execution tracer
// (runtime/trace), parses the trace in-process with golang.org/x/exp/trace
// and returns a small model of it: for every goroutine the function started,
// when it was running (on which P and which OS thread), runnable (ready, but
// waiting for a P), waiting (and why: a channel, a mutex, the network, a
// sleep) or in a system call; plus the garbage collector's phases and the
// user regions the code marked with runtime/trace.WithRegion.
//
//	tr, err := sched.Record(func() {
//		var wg sync.WaitGroup
//		for range 2 {
//			wg.Go(spin)
//		}
//		wg.Wait()
//	})
//	for _, g := range tr.Summary() {
//		fmt.Println(g.ID, g.Running, g.Runnable)
//	}
//
// Unlike a timeline drawn from each task's start and end, the trace tells
// running from waiting: two goroutines under one lock show as one running
// while the other waits, not as two bars side by side.
//
// Tr.WriteFile keeps the raw trace, which `go tool trace` opens for a closer
// look.
package sched

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	rtrace "runtime/trace"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/exp/trace"
)

// State is what a goroutine is doing.
type State uint8

const (
	Running  State = iota // executing on a P
	Runnable              // ready to run, waiting for a P
	Waiting               // blocked: channel, lock, network, sleep...
	Syscall               // in a system call, holding its OS thread
)

func (s State) String() string {
	switch s {
	case Running:
		return "running"
	case Runnable:
		return "runnable"
	case Waiting:
		return "waiting"
	case Syscall:
		return "syscall"
	}
	return fmt.Sprintf("State(%d)", uint8(s))
}

// Slice is one stretch of time during which a goroutine stayed in one state.
// Start and End are offsets from the start of the recording.
type Slice struct {
	G      int64
	State  State
	Reason string // for Waiting (and Runnable after preemption): "chan receive", "sync", "network", ...
	P      int    // the P it ran on, -1 unless Running
	Thread int64  // the OS thread, -1 unless Running or in a Syscall
	Start  time.Duration
	End    time.Duration
}

// Interval is a named stretch of time: a GC phase, a stop-the-world pause
// or a user region.
type Interval struct {
	Name  string
	G     int64 // the goroutine of a user region, -1 otherwise
	Start time.Duration
	End   time.Duration
}

// Trace is the model of one recording.
type Trace struct {
	Duration   time.Duration // length of the recording
	Goroutines []int64       // the goroutines shown: the recording one and those it started, in order of appearance
	Funcs      map[int64]string
	Slices     []Slice    // every state of every goroutine shown, by goroutine then time
	GC         []Interval // GC phases and stop-the-world pauses
	Regions    []Interval // user regions (runtime/trace.WithRegion) of the goroutines shown
	Raw        []byte     // the trace as the runtime wrote it
}

// ErrTracing is returned by Record when the execution tracer is already on
// (another Record, a test run with -trace, a flight recorder): the runtime
// allows one trace at a time.
var ErrTracing = errors.New("sched: the execution tracer is already running")

// recordRegion marks the function Record runs, so that Parse can find the
// recording goroutine and the time window.
const recordRegion = "sched.Record"

// mu serializes recordings in this process.
var mu sync.Mutex

// Record runs f under the execution tracer and returns what the scheduler
// did: the goroutine that calls f, and every goroutine started from it while
// f runs (directly or not). Goroutines that existed before are left out.
func Record(f func()) (*Trace, error) {
	if f == nil {
		return nil, errors.New("sched.Record: f is nil, want a function to trace")
	}
	if !mu.TryLock() {
		return nil, ErrTracing
	}
	defer mu.Unlock()
	if rtrace.IsEnabled() {
		return nil, ErrTracing
	}
	var buf bytes.Buffer
	if err := rtrace.Start(&buf); err != nil {
		return nil, fmt.Errorf("sched.Record: %w (%v)", ErrTracing, err)
	}
	func() {
		defer rtrace.Stop() // also when f panics
		rtrace.WithRegion(context.Background(), recordRegion, f)
	}()
	return Parse(bytes.NewReader(buf.Bytes()))
}

// Region runs f as a user region named name: the trace shows it over the
// goroutine's lanes, so a workload can label its steps.
func Region(name string, f func()) { rtrace.WithRegion(context.Background(), name, f) }

// ReadFile parses a trace file written by WriteFile, `go test -trace` or
// runtime/trace.Start.
func ReadFile(path string) (*Trace, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(bytes.NewReader(b))
}

// WriteFile saves the raw trace for `go tool trace path`.
func (t *Trace) WriteFile(path string) error {
	if len(t.Raw) == 0 {
		return errors.New("sched: trace has no raw data to write")
	}
	return os.WriteFile(path, t.Raw, 0o644)
}

// gstate is the parser's view of one goroutine.
type gstate struct {
	state  State
	reason string
	p      int
	thread int64
	since  trace.Time
	known  bool // state known (not Undetermined/NotExist)
}

// Parse reads a trace. If it holds a region made by Record, the model covers
// that region's goroutine and its descendants, over the region's time;
// otherwise every non-runtime goroutine over the whole trace.
func Parse(r io.Reader) (*Trace, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	rd, err := trace.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("sched: not an execution trace: %w", err)
	}
	var events []trace.Event
	for {
		ev, err := rd.ReadEvent()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("sched: reading trace: %w", err)
		}
		events = append(events, ev)
	}
	if len(events) == 0 {
		return nil, errors.New("sched: empty trace")
	}
	return build(events, raw), nil
}

func build(events []trace.Event, raw []byte) *Trace {
	// First pass: the time window, the recording goroutine, and who started whom.
	from, to := events[0].Time(), events[len(events)-1].Time()
	root := trace.NoGoroutine
	parent := map[trace.GoID]trace.GoID{}
	born := map[trace.GoID]trace.Time{}
	funcs := map[trace.GoID]string{}
	for _, ev := range events {
		switch ev.Kind() {
		case trace.EventRegionBegin:
			if ev.Region().Type == recordRegion && root == trace.NoGoroutine {
				root, from = ev.Goroutine(), ev.Time()
			}
		case trace.EventRegionEnd:
			if ev.Region().Type == recordRegion && ev.Goroutine() == root {
				to = ev.Time()
			}
		case trace.EventStateTransition:
			st := ev.StateTransition()
			if st.Resource.Kind != trace.ResourceGoroutine {
				continue
			}
			if old, _ := st.Goroutine(); old == trace.GoNotExist {
				g := st.Resource.Goroutine()
				parent[g], born[g] = ev.Goroutine(), ev.Time()
				for f := range st.Stack.Frames() {
					funcs[g] = f.Func
					break
				}
			}
		}
	}
	shown := func(g trace.GoID) bool {
		if root == trace.NoGoroutine { // a foreign trace: all but the runtime's own
			return !strings.HasPrefix(funcs[g], "runtime.") && !strings.HasPrefix(funcs[g], "runtime/")
		}
		for range 1 << 16 { // walk up the creators; bounded in case of a cycle
			if g == root {
				return true
			}
			p, ok := parent[g]
			if !ok || born[g] < from { // the tracer's own goroutines start before the region
				return false
			}
			g = p
		}
		return false
	}

	t := &Trace{Duration: time.Duration(to - from), Funcs: map[int64]string{}, Raw: raw}
	at := func(x trace.Time) time.Duration { return time.Duration(min(max(x, from), to) - from) }
	gs := map[trace.GoID]*gstate{}
	seen := map[trace.GoID]bool{}
	closeSlice := func(g trace.GoID, s *gstate, now trace.Time) {
		if !s.known || now <= from || s.since >= to {
			return
		}
		if a, b := at(s.since), at(now); b > a {
			t.Slices = append(t.Slices, Slice{G: int64(g), State: s.state, Reason: s.reason, P: s.p, Thread: s.thread, Start: a, End: b})
		}
	}
	regions := map[trace.GoID][]Interval{} // open user regions per goroutine
	ranges := map[string]trace.Time{}      // open GC ranges by name
	for _, ev := range events {
		switch ev.Kind() {
		case trace.EventStateTransition:
			st := ev.StateTransition()
			if st.Resource.Kind != trace.ResourceGoroutine {
				continue
			}
			g := st.Resource.Goroutine()
			if !shown(g) {
				continue
			}
			if !seen[g] {
				seen[g] = true
				t.Goroutines = append(t.Goroutines, int64(g))
				t.Funcs[int64(g)] = funcs[g]
			}
			s := gs[g]
			if s == nil {
				s = &gstate{}
				gs[g] = s
			}
			closeSlice(g, s, ev.Time())
			_, next := st.Goroutine()
			*s = gstate{since: ev.Time(), p: -1, thread: -1, known: true, reason: st.Reason}
			switch next {
			case trace.GoRunning:
				s.state, s.p, s.thread, s.reason = Running, int(ev.Proc()), int64(ev.Thread()), ""
			case trace.GoRunnable:
				s.state = Runnable
			case trace.GoWaiting:
				s.state = Waiting
			case trace.GoSyscall:
				s.state, s.thread = Syscall, int64(ev.Thread())
			default: // not existing, or not known
				s.known = false
			}
		case trace.EventRegionBegin, trace.EventRegionEnd:
			g := ev.Goroutine()
			name := ev.Region().Type
			if name == recordRegion || !shown(g) {
				continue
			}
			if ev.Kind() == trace.EventRegionBegin {
				regions[g] = append(regions[g], Interval{Name: name, G: int64(g), Start: at(ev.Time())})
				continue
			}
			open := regions[g]
			for i := len(open) - 1; i >= 0; i-- {
				if open[i].Name == name {
					iv := open[i]
					iv.End = at(ev.Time())
					t.Regions = append(t.Regions, iv)
					regions[g] = slices.Delete(open, i, i+1)
					break
				}
			}
		case trace.EventRangeBegin, trace.EventRangeActive:
			ranges[ev.Range().Name] = ev.Time()
		case trace.EventRangeEnd:
			name := ev.Range().Name
			if start, ok := ranges[name]; ok {
				delete(ranges, name)
				if ev.Time() > from && start < to {
					t.GC = append(t.GC, Interval{Name: name, G: -1, Start: at(start), End: at(ev.Time())})
				}
			}
		}
	}
	for g, s := range gs { // states still open at the end of the window
		closeSlice(g, s, to)
	}
	slices.SortFunc(t.Slices, func(a, b Slice) int {
		if a.G != b.G {
			return slices.Index(t.Goroutines, a.G) - slices.Index(t.Goroutines, b.G)
		}
		return int(a.Start - b.Start)
	})
	return t
}
