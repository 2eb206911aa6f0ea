package bench

import (
	"context"
	"fmt"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/span"
)

const (
	metricAllocs = "/gc/heap/allocs:bytes"
	metricHeap   = "/memory/classes/heap/objects:bytes"
)

// meter measures single runs. Its sampler goroutine lives as long as the
// experiment and reports through atomics, so that starting and ending a run
// never waits for another goroutine to be scheduled.
type meter struct {
	every      time.Duration
	active     atomic.Bool
	goroutines atomic.Int64
	heap       atomic.Uint64
	done       chan struct{}
	exited     chan struct{}

	// children is the children's usage read at the end of the last run.
	// Only the harness runs between two runs, and it starts no process, so
	// it is also the usage at the start of the next: one getrusage saved.
	children    usage
	hasChildren bool
}

func newMeter(every time.Duration) *meter {
	m := &meter{every: every, done: make(chan struct{}), exited: make(chan struct{})}
	go m.sample()
	return m
}

// close ends the sampler goroutine.
func (m *meter) close() {
	close(m.done)
	<-m.exited
}

// sample raises the peaks while a run is active. It does not count itself
// among the goroutines.
func (m *meter) sample() {
	defer close(m.exited)
	heap := []metrics.Sample{{Name: metricHeap}}
	t := time.NewTicker(m.every)
	defer t.Stop()
	for {
		select {
		case <-m.done:
			return
		case <-t.C:
			if !m.active.Load() {
				continue
			}
			raise(&m.goroutines, int64(runtime.NumGoroutine()-1))
			metrics.Read(heap)
			raise(&m.heap, heap[0].Value.Uint64())
		}
	}
}

// raise sets a to max(a, v).
func raise[T int64 | uint64, A interface {
	Load() T
	CompareAndSwap(old, new T) bool
}](a A, v T) {
	for {
		old := a.Load()
		if v <= old || a.CompareAndSwap(old, v) {
			return
		}
	}
}

// run calls v once at p and measures it.
func (m *meter) run(ctx context.Context, v Variant, p Param, timeout time.Duration) Record {
	r := Record{Variant: v.Name, Param: p}
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}

	mem := []metrics.Sample{{Name: metricAllocs}, {Name: metricHeap}}
	metrics.Read(mem)
	alloc0 := mem[0].Value.Uint64()
	m.goroutines.Store(int64(runtime.NumGoroutine() - 1))
	m.heap.Store(mem[1].Value.Uint64())
	m.active.Store(true)

	if !m.hasChildren {
		m.children, m.hasChildren = childUsage(), true
	}
	child0 := m.children
	self0 := selfUsage()
	rec := span.NewRecorder()
	err := call(span.With(ctx, rec), v.Run, p)
	r.Wall = rec.Since()
	self1, child1 := selfUsage(), childUsage()
	m.children = child1

	m.active.Store(false)
	raise(&m.goroutines, int64(runtime.NumGoroutine()-1))
	metrics.Read(mem)
	raise(&m.heap, mem[1].Value.Uint64())

	r.CPU = self1.cpu - self0.cpu + child1.cpu - child0.cpu
	r.Goroutines = int(m.goroutines.Load())
	r.HeapAlloc = mem[0].Value.Uint64() - alloc0
	r.HeapPeak = m.heap.Load()
	if child1.cpu > child0.cpu {
		r.ChildMaxRSS = child1.maxRSS
	}
	if err != nil {
		r.Err = err.Error()
	}
	r.Spans = rec.Spans()
	return r
}

// call runs f, turning a panic in f's own goroutine into an error so that
// one broken variant does not end a notebook's whole sweep.
func call(ctx context.Context, f Func, p Param) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic: %v", v)
		}
	}()
	return f(ctx, p)
}

// usage is the part of getrusage the harness reports.
type usage struct {
	cpu    time.Duration // user + sys
	maxRSS uint64        // bytes
}
