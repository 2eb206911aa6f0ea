package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/go-parallelism/go-parallelism/lib/workload"
)

// consumerName is the durable pull consumer that every worker of a stream
// shares: the server hands each message to one of them.
const consumerName = "workers"

// itemMsg is one message of the work stream: which task of which job. The
// job travels as its Spec, so any worker, in any process on any machine,
// can rebuild it.
type itemMsg struct {
	Run   string        `json:"run"`  // the Map that published it
	Item  int           `json:"item"` // the task index
	Spec  workload.Spec `json:"spec"`
	Crash bool          `json:"crash,omitzero"` // Faults.Poison: the worker dies
}

// resultMsg is a worker's answer for one delivery of an item: a request to
// Map, which answers once it holds the result; only then is the item
// acknowledged.
type resultMsg struct {
	Run       string `json:"run"`
	Item      int    `json:"item"`
	Digest    string `json:"digest,omitzero"`
	Err       string `json:"err,omitzero"`
	Worker    string `json:"worker"`
	Delivered int    `json:"delivered"` // 1 for the first delivery
	Start     int64  `json:"start"`     // Unix nanoseconds
	End       int64  `json:"end"`
}

// eventMsg says that a worker started an item (core NATS, best effort: for
// timelines and for choosing a busy worker to kill).
type eventMsg struct {
	Run       string `json:"run"`
	Item      int    `json:"item"`
	Worker    string `json:"worker"`
	PID       int    `json:"pid"`
	Delivered int    `json:"delivered"`
	Start     int64  `json:"start"`
}

// subjects of a work stream named s.
func itemsSubject(s string) string   { return s + ".items" }
func resultsSubject(s string) string { return s + ".results" }
func eventsSubject(s string) string  { return s + ".events" }
func stopSubject(s string) string    { return s + ".stop" }

// errCrashed ends a goroutine worker that took a poison item.
var errCrashed = errors.New("cluster: worker crashed on a poison item")

// worker consumes one work stream: it fetches at most inFlight items at a
// time, runs each, sends its result to Map and then acknowledges it. An
// item is acknowledged only after Map has its result, so a worker that dies
// at any point loses nothing: the item comes back after AckWait (at least
// once), and Map keeps the first result of each item (exactly once in the
// results).
type worker struct {
	nc       *nats.Conn
	js       jetstream.JetStream
	stream   string
	name     string // "g3", "pid 4242", "host:pid"
	inFlight int
	// waitStream makes run wait for the stream to appear and serve it
	// again after it is deleted (a long-lived worker); otherwise the end of
	// the stream ends run.
	waitStream bool
	// task runs one item.
	task func(ctx context.Context, spec workload.Spec, item int) (string, error)
	// crash is what a poison item does to this worker; it returns only in
	// a worker that survives the crash (it then drops the item).
	crash func(item int)
}

// run serves the stream until ctx ends or (unless waitStream) the stream
// goes away.
func (w *worker) run(ctx context.Context) error {
	for {
		cons, err := w.consumer(ctx)
		if err != nil {
			return err
		}
		err = w.serve(ctx, cons)
		if !w.waitStream || ctx.Err() != nil {
			return err
		}
	}
}

// consumer finds the stream's shared consumer, waiting for it (bounded by
// ctx) if waitStream is set.
func (w *worker) consumer(ctx context.Context) (jetstream.Consumer, error) {
	pause := 50 * time.Millisecond
	for {
		actx, cancel := bounded(ctx)
		cons, err := w.js.Consumer(actx, w.stream, consumerName)
		cancel()
		if err == nil {
			return cons, nil
		}
		gone := errors.Is(err, jetstream.ErrStreamNotFound) || errors.Is(err, jetstream.ErrConsumerNotFound)
		if gone && !w.waitStream {
			return nil, fmt.Errorf("cluster: worker %s: stream %s: %w", w.name, w.stream, err)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(pause):
		}
		pause = min(2*pause, 500*time.Millisecond)
	}
}

// serve fetches and runs items until ctx ends or the consumer is deleted.
func (w *worker) serve(ctx context.Context, cons jetstream.Consumer) error {
	ackWait := time.Second
	if info := cons.CachedInfo(); info != nil && info.Config.AckWait > 0 {
		ackWait = info.Config.AckWait
	}
	slots := make(chan struct{}, w.inFlight) // one per item held
	var wg sync.WaitGroup
	defer wg.Wait()
	pause := 50 * time.Millisecond
	for {
		// Take every free slot (at least one) and ask for that many items.
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return nil
		}
		n := 1
	more:
		for n < w.inFlight {
			select {
			case slots <- struct{}{}:
				n++
			default:
				break more
			}
		}
		fctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		batch, err := cons.Fetch(n, jetstream.FetchContext(fctx), jetstream.FetchHeartbeat(500*time.Millisecond))
		got := 0
		if err == nil {
			for m := range batch.Messages() {
				got++
				wg.Go(func() {
					defer func() { <-slots }()
					w.handle(ctx, m, ackWait)
				})
			}
			err = batch.Error()
		}
		cancel()
		for range n - got {
			<-slots
		}
		switch {
		case ctx.Err() != nil:
			return nil
		case err == nil, errors.Is(err, context.DeadlineExceeded), errors.Is(err, nats.ErrTimeout), errors.Is(err, jetstream.ErrNoMessages):
			pause = 50 * time.Millisecond
			continue
		case errors.Is(err, jetstream.ErrConsumerDeleted), errors.Is(err, jetstream.ErrConsumerNotFound), errors.Is(err, jetstream.ErrStreamNotFound):
			return nil // the run is over
		}
		// Anything else is most likely a server going away: the
		// connection moves to another one; try again shortly.
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(pause):
		}
		pause = min(2*pause, time.Second)
	}
}

// handle runs one delivered item. While the task runs, it tells the server
// every third of AckWait that the item is still in progress, so that a long
// task is not redelivered; a worker that dies stops telling, and the item
// comes back.
func (w *worker) handle(ctx context.Context, m jetstream.Msg, ackWait time.Duration) {
	md, err := m.Metadata()
	if err != nil {
		m.Term()
		return
	}
	var it itemMsg
	if err := json.Unmarshal(m.Data(), &it); err != nil {
		m.TermWithReason("not an item of cluster.Map")
		return
	}
	start := time.Now()
	if ev, err := json.Marshal(eventMsg{Run: it.Run, Item: it.Item, Worker: w.name, PID: os.Getpid(), Delivered: int(md.NumDelivered), Start: start.UnixNano()}); err == nil {
		w.nc.Publish(eventsSubject(w.stream), ev)
	}
	if it.Crash {
		w.nc.Flush()
		w.crash(it.Item)
		return // the worker survived: the item is dropped, unacknowledged
	}
	tctx, stop := context.WithCancel(ctx)
	go func() {
		t := time.NewTicker(ackWait / 3)
		defer t.Stop()
		for {
			select {
			case <-tctx.Done():
				return
			case <-t.C:
				m.InProgress()
			}
		}
	}()
	digest, terr := safeTask(tctx, w.task, it.Spec, it.Item)
	stop()
	if ctx.Err() != nil {
		return // killed: no result and no acknowledgement
	}
	res := resultMsg{Run: it.Run, Item: it.Item, Digest: digest, Worker: w.name, Delivered: int(md.NumDelivered), Start: start.UnixNano(), End: time.Now().UnixNano()}
	if terr != nil {
		res.Err = terr.Error()
	}
	data, err := json.Marshal(res)
	if err != nil {
		return
	}
	if !w.deliver(ctx, data) {
		return // Map did not confirm: leave the item unacknowledged, it comes back
	}
	m.Ack()
}

// deliver sends a result to Map and reports whether Map confirmed it. While
// a server goes away, Map's connection moves to another and the request
// finds no one for a moment: it is asked again, for a while.
func (w *worker) deliver(ctx context.Context, data []byte) bool {
	ctx, cancel := context.WithTimeout(ctx, 2*apiTimeout)
	defer cancel()
	for {
		rctx, cancel := context.WithTimeout(ctx, time.Second)
		_, err := w.nc.RequestWithContext(rctx, resultsSubject(w.stream), data)
		cancel()
		if err == nil {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// safeTask runs task, turning a panic into an error.
func safeTask(ctx context.Context, task func(context.Context, workload.Spec, int) (string, error), spec workload.Spec, item int) (d string, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("task panicked: %v", p)
		}
	}()
	return task(ctx, spec, item)
}

// jobs builds each job once per process, from its Spec, and runs its tasks:
// the task function of a worker in another process.
type jobs struct {
	mu   sync.Mutex
	jobs map[string]*workload.Job
}

func (j *jobs) task(ctx context.Context, spec workload.Spec, item int) (string, error) {
	key, err := json.Marshal(spec)
	if err != nil {
		return "", err
	}
	j.mu.Lock()
	job, ok := j.jobs[string(key)]
	if !ok {
		job, err = workload.New(spec)
		if err != nil {
			j.mu.Unlock()
			return "", err
		}
		if j.jobs == nil {
			j.jobs = map[string]*workload.Job{}
		}
		j.jobs[string(key)] = job
	}
	j.mu.Unlock()
	return job.Task(ctx, item)
}

func (j *jobs) close() {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, job := range j.jobs {
		job.Close()
	}
	j.jobs = nil
}

// Serve makes this program a worker for the work stream named stream (""
// for Map's default, WORK) on c's server or cluster, holding at most
// inFlight items at a time, until ctx ends. It waits for the stream to
// appear and, when a Map ends and deletes it, for the next one. Start it on
// as many machines as you like, all pointed at the same cluster: Map with
// Elsewhere() (or with local workers too) shares the items among them all.
// The command in lib/cluster/worker calls it.
func Serve(ctx context.Context, c *Conn, stream string, inFlight int) error {
	if c == nil {
		return errors.New("cluster: Serve: c is nil; connect first with Connect or Open")
	}
	if stream == "" {
		stream = DefaultStream
	}
	if err := checkStreamName(stream); err != nil {
		return fmt.Errorf("cluster: Serve: %w", err)
	}
	if inFlight < 1 || inFlight > maxInFlight {
		return fmt.Errorf("cluster: Serve: inFlight is %d, want 1..%d items held at once", inFlight, maxInFlight)
	}
	host, _ := os.Hostname()
	var j jobs
	defer j.close()
	w := &worker{
		nc: c.nc, js: c.js, stream: stream, name: fmt.Sprintf("%s:%d", host, os.Getpid()), inFlight: inFlight,
		waitStream: true, task: j.task,
		crash: func(item int) {
			fmt.Fprintf(os.Stderr, "cluster worker: item %d is marked poison (Faults.Poison): dropped without acknowledgement, as a crash would\n", item)
		},
	}
	err := w.run(ctx)
	if ctx.Err() != nil {
		return nil
	}
	return err
}
