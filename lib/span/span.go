// Package span records which worker ran which task, and when.
//
// A Recorder travels in a context. The code that runs tasks (the models in
// lib/pool, lib/proc, lib/async) marks each task with Task; the timing
// harness puts a Recorder in the context and reads the spans back to draw a
// timeline. Without a Recorder in the context, Task costs one context lookup.
package span

import (
	"context"
	"sort"
	"sync"
	"time"
)

// Span is one task run by one worker. Start and End are offsets from the
// moment the Recorder was created.
type Span struct {
	Task   int           `json:"task"`
	Worker int           `json:"worker"`
	Start  time.Duration `json:"start_ns"`
	End    time.Duration `json:"end_ns"`
	Err    string        `json:"err,omitempty"`
}

// Recorder collects spans from many goroutines. The zero value is not usable;
// call NewRecorder.
type Recorder struct {
	origin time.Time
	mu     sync.Mutex
	spans  []Span
}

// NewRecorder returns a Recorder whose clock starts now.
func NewRecorder() *Recorder { return &Recorder{origin: time.Now()} }

type key struct{}

// With returns a context that carries r.
func With(ctx context.Context, r *Recorder) context.Context {
	return context.WithValue(ctx, key{}, r)
}

// From returns the Recorder in ctx, or nil.
func From(ctx context.Context) *Recorder {
	r, _ := ctx.Value(key{}).(*Recorder)
	return r
}

// Task marks the start of task on worker and returns the function that marks
// its end; pass the task's error (or nil) to it:
//
//	done := span.Task(ctx, i, w)
//	err := run(i)
//	done(err)
func Task(ctx context.Context, task, worker int) func(error) {
	r := From(ctx)
	if r == nil {
		return func(error) {}
	}
	start := time.Since(r.origin)
	return func(err error) {
		r.Add(Span{Task: task, Worker: worker, Start: start, End: time.Since(r.origin), Err: errString(err)})
	}
}

// Add records a span measured elsewhere, for example in a child process, whose
// times are already offsets from the Recorder's origin.
func (r *Recorder) Add(s Span) {
	r.mu.Lock()
	r.spans = append(r.spans, s)
	r.mu.Unlock()
}

// Since returns the time elapsed on r's clock.
func (r *Recorder) Since() time.Duration { return time.Since(r.origin) }

// Origin returns the instant r's clock started.
func (r *Recorder) Origin() time.Time { return r.origin }

// Spans returns a copy of the spans recorded so far, ordered by start time.
func (r *Recorder) Spans() []Span {
	r.mu.Lock()
	out := append([]Span(nil), r.spans...)
	r.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		if out[i].Start != out[j].Start {
			return out[i].Start < out[j].Start
		}
		return out[i].Task < out[j].Task
	})
	return out
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
