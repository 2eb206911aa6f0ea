package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"

	"github.com/go-parallelism/go-parallelism/lib/proc"
	"github.com/go-parallelism/go-parallelism/lib/span"
	"github.com/go-parallelism/go-parallelism/lib/workload"
)

// DefaultStream is the work stream's name when Options.Stream is empty.
const DefaultStream = "WORK"

// Limits of the options, to catch unit mistakes.
const (
	maxInFlight   = 1000
	maxMaxDeliver = 100
	minAckWait    = 50 * time.Millisecond
	maxAckWait    = time.Hour
	maxReplicas   = 5
)

// Default values of the options.
const (
	defaultAckWait    = time.Second
	defaultMaxDeliver = 4
)

// Workers says who takes the items off the queue: goroutines in this
// process, worker processes on this machine, or workers started elsewhere
// (Serve, the command in lib/cluster/worker) on any machine that reaches the
// same server.
type Workers struct {
	kind int
	n    int
	pool *proc.Pool
}

const (
	goroutines = iota + 1
	processes
	elsewhere
)

// Goroutines is n workers that are goroutines of this process, sharing its
// connection.
func Goroutines(n int) Workers { return Workers{kind: goroutines, n: n} }

// Processes is n worker processes started with lib/proc for the Map and
// stopped after it; each has its own connection.
func Processes(n int) Workers { return Workers{kind: processes, n: n} }

// ProcessPool is one worker per process of p, a pool that the caller
// started (and closes): runs that reuse it do not pay for starting
// processes.
func ProcessPool(p *proc.Pool) Workers {
	if p == nil {
		return Workers{kind: processes}
	}
	return Workers{kind: processes, n: p.Size(), pool: p}
}

// Elsewhere is no worker in this program: the items wait in the stream for
// workers that Serve them, wherever they run.
func Elsewhere() Workers { return Workers{kind: elsewhere} }

func (w Workers) String() string {
	plural := func(one, many string) string {
		if w.n == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %s", w.n, many)
	}
	switch w.kind {
	case goroutines:
		return plural("goroutine", "goroutines")
	case processes:
		return plural("process", "processes")
	case elsewhere:
		return "workers elsewhere"
	}
	return "no workers"
}

// Options tune a Map. The zero value of each field means its default.
type Options struct {
	// Stream names the work stream (default WORK). Map creates it and
	// deletes it at its end; it fails with a *StreamExistsError if it
	// exists already.
	Stream string
	// Replicas is how many servers keep a copy of each stream: 1 to 5, or 0
	// for min(3, the servers the connection knows), so 1 on one server and
	// 3 in a cluster of three or more.
	Replicas int
	// AckWait is how long a delivered item may go unacknowledged before
	// the server delivers it again, to another worker (default 1s). A
	// worker running a long task says "in progress" every third of it, so
	// only a dead or stuck worker lets it run out.
	AckWait time.Duration
	// MaxDeliver is how many times an item is delivered at most (default
	// 4). An item still unacknowledged after that is a poison message:
	// Map reports it as a *PoisonError and lists it in Result.DeadLetters.
	MaxDeliver int
	// InFlight is how many items each worker holds at once, fetched and not
	// yet acknowledged (default 1). It is the back-pressure of a work
	// queue: a worker asks for more only when it has room.
	InFlight int
	// Faults make things go wrong on purpose, to watch the queue recover.
	Faults Faults
	// Progress, if set, counts each finished item with its outcome: "ok",
	// "redelivered" (ok, after more than one delivery), "failed" (the task
	// returned an error) or "dead letter" (given up after MaxDeliver). An
	// *nb.Progress fits.
	Progress interface{ Add(outcome string) }
	// OnItem, if set, is called with the number of finished items each
	// time one finishes, on Map's collecting goroutine: keep it short. (The
	// cluster chapter kills a server from it.)
	OnItem func(finished int)
}

// Faults inject failures. They need workers of this program (Goroutines or
// Processes), which Map can kill.
type Faults struct {
	// KillAfter kills one busy worker once this many items have finished
	// (0: none). A worker process gets SIGKILL; a goroutine worker stops
	// dead, dropping what it holds. Its items come back after AckWait.
	KillAfter int
	// Poison lists items that crash every worker that takes them: a worker
	// process exits, a goroutine worker stops dead. Each comes back until
	// MaxDeliver, and then is a dead letter.
	Poison []int
}

// Result is what a Map did.
type Result struct {
	// Digests holds each item's result, by item; "" where it failed.
	Digests []string
	// Deliveries counts, by item, how many times the queue delivered it.
	Deliveries []int
	// Redelivered is the number of deliveries beyond the first, over all
	// items: the work that at-least-once delivery did again.
	Redelivered int
	// Duplicates counts results that arrived for an item that already had
	// one (its worker stored the result but died before acknowledging);
	// Map keeps the first, so each item counts exactly once.
	Duplicates int
	// DeadLetters lists the items given up after MaxDeliver deliveries.
	DeadLetters []DeadLetter
	// Killed names the workers that Faults killed or crashed.
	Killed []string
	// Workers names the workers that took items; Span.Worker indexes it.
	Workers []string
	// ByWorker counts the items each worker finished (its results kept).
	ByWorker map[string]int
	// Spans holds every delivery: which worker ran which item, from when
	// to when (offsets from Map's start). A delivery lost with its worker
	// has Err set, e.g. "lost: worker killed".
	Spans []span.Span
	// Latency holds, by item, the time from its publication to the arrival
	// of its result: queueing, the network hops and the task.
	Latency []time.Duration
	// Wall is the time of the whole Map, from publishing the first item to
	// the last result.
	Wall time.Duration
	// Stream and Replicas are the work stream and its number of copies.
	Stream   string
	Replicas int
	// LeaderBefore and LeaderAfter name the server that led the work
	// stream when the items were published and when the last result came.
	LeaderBefore, LeaderAfter string
}

// DeadLetter is an item that the queue gave up on, still in the stream.
type DeadLetter struct {
	Item       int
	Seq        uint64 // its sequence number in the work stream
	Deliveries int
	Data       string // the message as stored
}

func (d DeadLetter) String() string {
	return fmt.Sprintf("item %d: seq %d, delivered %d times, never acknowledged: %s", d.Item, d.Seq, d.Deliveries, d.Data)
}

// Map runs every task of job through a work queue on c's NATS server or
// cluster and returns the results by item, as model and pool do on one
// machine. The items are published to a JetStream work-queue stream; the
// workers (w) share one durable consumer of it, fetch items, run them, send
// each result to Map (a request that Map answers once it holds the result)
// and only then acknowledge the item, which removes it from the queue.
//
// Delivery is at least once: an item whose worker dies before
// acknowledging it is delivered again after AckWait, to another worker; if
// its first result had been stored, the second is a duplicate, which Map
// drops. So each item counts exactly once, whatever dies.
//
// The error joins one *ItemError per task that returned an error and one
// *PoisonError per item given up after MaxDeliver (ItemErrors sorts them by
// item), with the Result still filled in for the others. Other errors (a bad
// argument, a stream that exists, ctx ending) come alone. Every wait is
// bounded by ctx; with Elsewhere, Map waits for outside workers until ctx
// ends.
func Map(ctx context.Context, c *Conn, job *workload.Job, w Workers, o Options) (Result, error) {
	proc.Main()
	if err := check(c, job, w, &o); err != nil {
		return Result{}, err
	}
	js, err := jetstream.New(c.nc) // its own: PublishAsyncComplete is per JetStream
	if err != nil {
		return Result{}, fmt.Errorf("cluster: %w", err)
	}
	r := &run{c: c, js: js, job: job, w: w, o: o, id: nuid.Next(), n: job.N}
	return r.run(ctx)
}

var streamName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

func checkStreamName(s string) error {
	if !streamName.MatchString(s) {
		return fmt.Errorf("stream name %q: want 1 to 32 letters, digits, _ or -", s)
	}
	return nil
}

// check validates Map's arguments and fills in the defaults.
func check(c *Conn, job *workload.Job, w Workers, o *Options) error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf("cluster: Map: "+format, args...)) }
	if c == nil {
		bad("c is nil; connect first with Open or Connect")
	}
	if job == nil {
		bad("job is nil; build one with workload.New")
	} else if job.N < 1 {
		bad("job %s has %d tasks; want at least 1", job.Spec, job.N)
	}
	switch {
	case w.kind == 0:
		bad("no workers; use Goroutines(n), Processes(n), ProcessPool(p) or Elsewhere()")
	case w.kind != elsewhere && (w.n < 1 || w.n > 256):
		bad("%s: want 1..256 workers", w)
	}
	if o.Stream == "" {
		o.Stream = DefaultStream
	} else if err := checkStreamName(o.Stream); err != nil {
		bad("Options.Stream: %v", err)
	}
	if o.Replicas < 0 || o.Replicas > maxReplicas {
		bad("Options.Replicas is %d, want 1..%d copies, or 0 for min(3, servers)", o.Replicas, maxReplicas)
	}
	if o.AckWait == 0 {
		o.AckWait = defaultAckWait
	} else if o.AckWait < minAckWait || o.AckWait > maxAckWait {
		bad("Options.AckWait is %v, want %v..%v, or 0 for %v", o.AckWait, minAckWait, maxAckWait, defaultAckWait)
	}
	if o.MaxDeliver == 0 {
		o.MaxDeliver = defaultMaxDeliver
	} else if o.MaxDeliver < 1 || o.MaxDeliver > maxMaxDeliver {
		bad("Options.MaxDeliver is %d, want 1..%d deliveries, or 0 for %d", o.MaxDeliver, maxMaxDeliver, defaultMaxDeliver)
	}
	if o.InFlight == 0 {
		o.InFlight = 1
	} else if o.InFlight < 1 || o.InFlight > maxInFlight {
		bad("Options.InFlight is %d, want 1..%d items per worker, or 0 for 1", o.InFlight, maxInFlight)
	}
	f := o.Faults
	if (f.KillAfter != 0 || len(f.Poison) > 0) && w.kind == elsewhere {
		bad("Options.Faults need workers of this program (Goroutines or Processes), not %s", w)
	}
	if job != nil && job.N >= 1 {
		if f.KillAfter < 0 || f.KillAfter >= job.N {
			bad("Options.Faults.KillAfter is %d, want 1..%d finished items, or 0 for no kill", f.KillAfter, job.N-1)
		}
		for _, p := range f.Poison {
			if p < 0 || p >= job.N {
				bad("Options.Faults.Poison holds item %d, want items in 0..%d", p, job.N-1)
			}
		}
	}
	return errors.Join(errs...)
}

// run is the state of one Map.
type run struct {
	c   *Conn
	js  jetstream.JetStream
	job *workload.Job
	w   Workers
	o   Options
	id  string // tells this run's messages from those of others
	n   int

	t0        time.Time
	published []time.Time
	seqItem   map[uint64]int
	work      jetstream.Stream

	// the collector's state
	done       []bool
	res        Result
	errs       []error
	finished   int
	starts     []eventMsg
	results    []resultMsg // kept results and duplicates, for spans
	deaths     map[string]death
	pendingKil bool

	// local workers
	mu       sync.Mutex
	cancels  map[string]context.CancelFunc // goroutine workers by name
	pool     *proc.Pool
	stopping atomic.Bool // no more restarts
}

// death is how and when a local worker died.
type death struct {
	at  time.Duration
	why string
}

func (r *run) run(ctx context.Context) (Result, error) {
	s := r.o.Stream
	r.res = Result{Stream: s, Digests: make([]string, r.n), Deliveries: make([]int, r.n), Latency: make([]time.Duration, r.n), ByWorker: map[string]int{}}
	r.done = make([]bool, r.n)
	r.deaths = map[string]death{}
	r.cancels = map[string]context.CancelFunc{}

	if err := r.createStreams(ctx); err != nil {
		return Result{}, err
	}
	defer r.deleteStreams(ctx)

	// Listen before anything is published.
	results := make(chan *nats.Msg, 4096)
	events := make(chan *nats.Msg, 4096)
	dead := make(chan *nats.Msg, 64)
	resSub, err := r.c.nc.ChanSubscribe(resultsSubject(s), results)
	if err != nil {
		return Result{}, fmt.Errorf("cluster: %w", err)
	}
	defer resSub.Unsubscribe()
	evSub, err := r.c.nc.ChanSubscribe(eventsSubject(s), events)
	if err != nil {
		return Result{}, fmt.Errorf("cluster: %w", err)
	}
	defer evSub.Unsubscribe()
	deadSub, err := r.c.nc.ChanSubscribe(fmt.Sprintf("$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.%s.%s", s, consumerName), dead)
	if err != nil {
		return Result{}, fmt.Errorf("cluster: %w", err)
	}
	defer deadSub.Unsubscribe()

	// Start the workers, then publish.
	wctx, stopWorkers := context.WithCancel(ctx)
	defer stopWorkers()
	gone, err := r.startWorkers(wctx)
	if err != nil {
		return Result{}, err
	}
	defer r.stopWorkers(stopWorkers, gone)

	r.res.LeaderBefore = r.leader(ctx)
	r.t0 = time.Now()
	if err := r.publish(ctx); err != nil {
		return Result{}, err
	}
	if err := r.collect(ctx, results, events, dead, gone); err != nil {
		return Result{}, err
	}
	r.res.Wall = time.Since(r.t0)
	r.res.LeaderAfter = r.leader(ctx)
	// Deleting the streams ends every worker of this run, even one that
	// missed the stop message; then the workers are stopped.
	r.deleteStreams(ctx)
	r.stopWorkers(stopWorkers, gone)
	r.buildSpans()
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.res, errors.Join(r.errs...)
}

// fail records an error for Map to return.
func (r *run) fail(err error) {
	r.mu.Lock()
	r.errs = append(r.errs, err)
	r.mu.Unlock()
}

// apiTimeout bounds each request to the JetStream API: in a cluster that
// has just lost a server, a request can go unanswered until a new leader is
// elected, and it is better to ask again.
const apiTimeout = 5 * time.Second

// bounded returns ctx limited to apiTimeout.
func bounded(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, apiTimeout)
}

// leader returns the work stream's leader, waiting a little for the
// election after the loss of a server.
func (r *run) leader(ctx context.Context) string {
	ctx, cancel := context.WithTimeout(ctx, 3*apiTimeout)
	defer cancel()
	for {
		// A stream without a leader does not answer: ask often, briefly.
		actx, cancel := context.WithTimeout(ctx, time.Second)
		l, _ := r.c.StreamLeader(actx, r.o.Stream)
		cancel()
		if l != "" || ctx.Err() != nil {
			return l
		}
		select {
		case <-ctx.Done():
			return ""
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// createStreams creates the work stream (work-queue retention: an item is
// removed when acknowledged) and its shared consumer.
func (r *run) createStreams(ctx context.Context) error {
	s := r.o.Stream
	reps := r.o.Replicas
	if reps == 0 {
		reps = min(3, max(1, len(r.c.nc.Servers())))
	}
	r.res.Replicas = reps
	meta := map[string]string{"created_by": "go-parallelism cluster.Map", "run": r.id}
	actx, cancel := bounded(ctx)
	defer cancel()
	work, err := r.js.CreateStream(actx, jetstream.StreamConfig{
		Name: s, Subjects: []string{itemsSubject(s)}, Retention: jetstream.WorkQueuePolicy,
		Storage: jetstream.FileStorage, Replicas: reps, Metadata: meta,
	})
	if err != nil {
		return r.streamError(s, reps, err)
	}
	r.work = work
	if _, err := work.CreateConsumer(actx, jetstream.ConsumerConfig{
		Durable: consumerName, AckPolicy: jetstream.AckExplicitPolicy,
		AckWait: r.o.AckWait, MaxDeliver: r.o.MaxDeliver,
	}); err != nil {
		r.deleteStreams(ctx)
		return fmt.Errorf("cluster: creating the consumer of stream %s: %w", s, err)
	}
	return nil
}

func (r *run) streamError(name string, reps int, err error) error {
	var api *jetstream.APIError
	if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) ||
		(errors.As(err, &api) && api.ErrorCode == 10065) { // subjects overlap with an existing stream
		return &StreamExistsError{Stream: name, URL: r.c.URL(), Err: err}
	}
	if reps > 1 {
		return fmt.Errorf("cluster: creating stream %s with %d replicas at %s: %w (does the cluster have %d servers with JetStream?)", name, reps, r.c.URL(), err, reps)
	}
	return fmt.Errorf("cluster: creating stream %s at %s: %w", name, r.c.URL(), err)
}

// deleteStreams deletes the work stream, even after ctx has ended. A cluster
// that has just lost its meta leader answers only after electing another,
// so a request that times out is made again, for a while.
func (r *run) deleteStreams(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 3*apiTimeout)
	defer cancel()
	for ctx.Err() == nil {
		actx, cancel := context.WithTimeout(ctx, apiTimeout)
		err := r.js.DeleteStream(actx, r.o.Stream)
		cancel()
		if err == nil || errors.Is(err, jetstream.ErrStreamNotFound) {
			return
		}
	}
}

// publish puts every item in the work stream. Each message carries an id,
// so a publish retried after a lost answer is not stored twice.
func (r *run) publish(ctx context.Context) error {
	s := r.o.Stream
	r.published = make([]time.Time, r.n)
	r.seqItem = make(map[uint64]int, r.n)
	poison := map[int]bool{}
	for _, p := range r.o.Faults.Poison {
		poison[p] = true
	}
	data := make([][]byte, r.n)
	futures := make([]jetstream.PubAckFuture, r.n)
	for i := range r.n {
		b, err := json.Marshal(itemMsg{Run: r.id, Item: i, Spec: r.job.Spec, Crash: poison[i]})
		if err != nil {
			return fmt.Errorf("cluster: encoding item %d: %w", i, err)
		}
		data[i] = b
		r.published[i] = time.Now()
		f, err := r.js.PublishAsync(itemsSubject(s), b, jetstream.WithMsgID(r.msgID(i)))
		if err != nil {
			return fmt.Errorf("cluster: publishing item %d: %w", i, err)
		}
		futures[i] = f
	}
	select {
	case <-r.js.PublishAsyncComplete():
	case <-ctx.Done():
		return fmt.Errorf("cluster: publishing %d items: %w", r.n, ctx.Err())
	}
	for i, f := range futures {
		var ack *jetstream.PubAck
		select {
		case ack = <-f.Ok():
		case err := <-f.Err():
			// Retry once more, synchronously; the id prevents a duplicate.
			var perr error
			actx, cancel := bounded(ctx)
			ack, perr = r.js.Publish(actx, itemsSubject(s), data[i], jetstream.WithMsgID(r.msgID(i)), jetstream.WithRetryAttempts(20))
			cancel()
			if perr != nil {
				return fmt.Errorf("cluster: publishing item %d: %w (first try: %v)", i, perr, err)
			}
		}
		r.seqItem[ack.Sequence] = i
	}
	return nil
}

func (r *run) msgID(i int) string { return r.id + "-" + strconv.Itoa(i) }

// startWorkers starts the local workers; gone is closed when all of them
// have stopped for good.
func (r *run) startWorkers(ctx context.Context) (gone chan struct{}, err error) {
	gone = make(chan struct{})
	switch r.w.kind {
	case elsewhere:
		return gone, nil // never closed: no local worker to lose
	case processes:
		r.pool = r.w.pool
		if r.pool == nil {
			if r.pool, err = proc.NewPool(ctx, r.w.n); err != nil {
				return nil, fmt.Errorf("cluster: starting %d worker processes: %w", r.w.n, err)
			}
		}
	}
	var wg sync.WaitGroup
	// A slot is restarted when its worker dies, up to a budget: enough for
	// every planned death, not for a worker that cannot start at all.
	budget := 3 + r.o.MaxDeliver*len(r.o.Faults.Poison)
	restarts := make(chan struct{}, budget)
	for range budget {
		restarts <- struct{}{}
	}
	next := 0
	for slot := range r.w.n {
		wg.Go(func() {
			for ctx.Err() == nil {
				var err error
				if r.w.kind == goroutines {
					r.mu.Lock()
					next++
					name := "g" + strconv.Itoa(next)
					r.mu.Unlock()
					err = r.goroutineWorker(ctx, name)
				} else {
					_, err = processWorker.Call(ctx, r.pool, processArgs{URL: r.c.url, Stream: r.o.Stream, Run: r.id, InFlight: r.o.InFlight})
				}
				if err == nil || ctx.Err() != nil || r.stopping.Load() {
					return
				}
				select {
				case <-restarts:
				default:
					r.fail(fmt.Errorf("cluster: worker slot %d keeps failing: %w", slot, err))
					return
				}
			}
		})
	}
	go func() { wg.Wait(); close(gone) }()
	return gone, nil
}

// goroutineWorker runs one goroutine worker until ctx ends, the stream goes,
// or it is killed (Faults).
func (r *run) goroutineWorker(ctx context.Context, name string) error {
	wctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	r.mu.Lock()
	r.cancels[name] = func() { cancel(errKilled) }
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		delete(r.cancels, name)
		r.mu.Unlock()
	}()
	w := &worker{
		nc: r.c.nc, js: r.js, stream: r.o.Stream, name: name, inFlight: r.o.InFlight,
		task:  func(ctx context.Context, _ workload.Spec, item int) (string, error) { return r.job.Task(ctx, item) },
		crash: func(int) { cancel(errCrashed) },
	}
	err := w.run(wctx)
	if cause := context.Cause(wctx); ctx.Err() == nil && cause != nil {
		return cause // killed or crashed: start another
	}
	return err
}

var errKilled = errors.New("cluster: worker killed (Faults.KillAfter)")

// stopWorkers ends the local workers: goroutines at once; processes are
// asked to stop (and see their stream deleted), then killed by the end of
// their context if they have not stopped after a few seconds.
func (r *run) stopWorkers(cancel context.CancelFunc, gone chan struct{}) {
	if r.stopping.Swap(true) {
		return // stopped already
	}
	if r.w.kind == processes {
		r.c.nc.Publish(stopSubject(r.o.Stream), []byte(r.id))
		r.c.nc.Flush()
		select {
		case <-gone:
		case <-time.After(3 * time.Second):
		}
	}
	cancel()
	if r.w.kind != elsewhere {
		<-gone
	}
	if r.w.pool == nil && r.pool != nil {
		r.pool.Close()
	}
}

// collect reads results, start events and dead-letter advisories until
// every item is accounted for.
func (r *run) collect(ctx context.Context, results, events, dead <-chan *nats.Msg, gone <-chan struct{}) error {
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	last := time.Now()
	for r.finished < r.n {
		select {
		case m := <-results:
			var res resultMsg
			if json.Unmarshal(m.Data, &res) != nil || res.Run != r.id {
				continue
			}
			last = time.Now()
			r.result(res)
			m.Respond(nil) // the worker may now acknowledge the item
		case m := <-events:
			var ev eventMsg
			if json.Unmarshal(m.Data, &ev) == nil && ev.Run == r.id {
				r.starts = append(r.starts, ev)
				if ev.Item >= 0 && ev.Item < r.n {
					r.res.Deliveries[ev.Item] = max(r.res.Deliveries[ev.Item], ev.Delivered)
				}
				if r.pendingKil {
					r.kill()
				}
			}
		case m := <-dead:
			var adv struct {
				StreamSeq  uint64 `json:"stream_seq"`
				Deliveries int    `json:"deliveries"`
			}
			if json.Unmarshal(m.Data, &adv) == nil {
				r.deadLetter(ctx, adv.StreamSeq, adv.Deliveries)
			}
		case <-tick.C:
			if time.Since(last) > time.Second {
				r.sweepDead(ctx) // in case an advisory was lost
			}
		case <-gone:
			gone = nil
			if r.finished < r.n {
				r.mu.Lock()
				err := errors.Join(r.errs...)
				r.mu.Unlock()
				return fmt.Errorf("cluster: every worker stopped with %d of %d items unfinished: %w", r.n-r.finished, r.n, err)
			}
		case <-ctx.Done():
			return fmt.Errorf("cluster: %d of %d items finished: %w", r.finished, r.n, ctx.Err())
		}
	}
	return nil
}

// result takes one result: the first for its item counts, later ones are
// duplicates of at-least-once delivery.
func (r *run) result(res resultMsg) {
	if res.Item < 0 || res.Item >= r.n {
		return
	}
	r.results = append(r.results, res)
	i := res.Item
	r.res.Deliveries[i] = max(r.res.Deliveries[i], res.Delivered)
	if r.done[i] {
		r.res.Duplicates++
		return
	}
	outcome := "ok"
	if res.Err != "" {
		r.fail(&ItemError{Item: i, Worker: res.Worker, Err: errors.New(res.Err)})
		outcome = "failed"
	} else {
		r.res.Digests[i] = res.Digest
		r.res.ByWorker[res.Worker]++
		if res.Delivered > 1 {
			outcome = "redelivered"
		}
	}
	r.res.Latency[i] = time.Since(r.published[i])
	r.finish(i, outcome)
}

func (r *run) finish(i int, outcome string) {
	r.done[i] = true
	r.finished++
	if r.o.Progress != nil {
		r.o.Progress.Add(outcome)
	}
	if k := r.o.Faults.KillAfter; k > 0 && r.finished == k {
		r.pendingKil = true
		r.kill()
	}
	if r.o.OnItem != nil {
		r.o.OnItem(r.finished)
	}
}

// deadLetter records an item given up after MaxDeliver.
func (r *run) deadLetter(ctx context.Context, seq uint64, deliveries int) {
	i, ok := r.seqItem[seq]
	if !ok || r.done[i] {
		return
	}
	d := DeadLetter{Item: i, Seq: seq, Deliveries: deliveries}
	actx, cancel := bounded(ctx)
	defer cancel()
	if m, err := r.work.GetMsg(actx, seq); err == nil {
		d.Data = string(m.Data)
	}
	r.res.DeadLetters = append(r.res.DeadLetters, d)
	r.res.Deliveries[i] = max(r.res.Deliveries[i], deliveries)
	r.fail(&PoisonError{Item: i, Stream: r.o.Stream, Seq: seq, Deliveries: deliveries})
	r.finish(i, "dead letter")
}

// sweepDead finds dead letters without their advisory (core NATS messages
// can be lost while a server goes away): when the consumer has nothing left
// to deliver or waiting for an acknowledgement, an item still in the work
// stream has used up its deliveries.
func (r *run) sweepDead(ctx context.Context) {
	ctx, cancel := bounded(ctx)
	defer cancel()
	cons, err := r.work.Consumer(ctx, consumerName)
	if err != nil {
		return
	}
	info, err := cons.Info(ctx)
	if err != nil || info.NumPending > 0 || info.NumAckPending > 0 {
		return
	}
	for seq, i := range r.seqItem {
		if r.done[i] {
			continue
		}
		if _, err := r.work.GetMsg(ctx, seq); err == nil {
			r.deadLetter(ctx, seq, r.o.MaxDeliver)
		}
	}
}

// kill kills one local worker that is running an item, if one is (else the
// next start event tries again): the one whose item has run longest, so
// that the kill lands in the middle of an item.
func (r *run) kill() {
	busy := map[string]eventMsg{} // each worker's latest start
	for _, ev := range r.starts {
		busy[ev.Worker] = ev
	}
	for _, res := range r.results {
		if ev, ok := busy[res.Worker]; ok && ev.Item == res.Item && ev.Delivered == res.Delivered {
			delete(busy, res.Worker)
		}
	}
	for _, ev := range r.starts {
		if latest, ok := busy[ev.Worker]; !ok || latest != ev || r.done[ev.Item] {
			continue
		}
		if _, dead := r.deaths[ev.Worker]; dead {
			continue
		}
		if r.killWorker(ev) {
			r.pendingKil = false
			return
		}
	}
}

// killWorker kills the worker of ev if it is one of this Map's.
func (r *run) killWorker(ev eventMsg) bool {
	switch r.w.kind {
	case goroutines:
		r.mu.Lock()
		cancel, ok := r.cancels[ev.Worker]
		r.mu.Unlock()
		if !ok {
			return false
		}
		cancel()
	case processes:
		if r.pool == nil || !slices.Contains(r.pool.PIDs(), ev.PID) {
			return false
		}
		if syscall.Kill(ev.PID, syscall.SIGKILL) != nil {
			return false
		}
	default:
		return false
	}
	r.deaths[ev.Worker] = death{at: time.Since(r.t0), why: "killed"}
	r.res.Killed = append(r.res.Killed, ev.Worker)
	return true
}

// buildSpans turns start events and results into one span per delivery.
func (r *run) buildSpans() {
	lane := map[string]int{}
	laneOf := func(w string) int {
		if i, ok := lane[w]; ok {
			return i
		}
		lane[w] = len(r.res.Workers)
		r.res.Workers = append(r.res.Workers, w)
		return lane[w]
	}
	at := func(ns int64) time.Duration { return time.Unix(0, ns).Sub(r.t0) }
	type key struct {
		item, delivered int
		worker          string
	}
	ended := map[key]resultMsg{}
	for _, res := range r.results {
		ended[key{res.Item, res.Delivered, res.Worker}] = res
	}
	// A crashed worker is known from its start event of a poison item.
	for _, ev := range r.starts {
		if slices.Contains(r.o.Faults.Poison, ev.Item) {
			if _, ok := r.deaths[ev.Worker]; !ok {
				r.deaths[ev.Worker] = death{at: at(ev.Start), why: "crashed"}
				r.res.Killed = append(r.res.Killed, ev.Worker)
			}
		}
	}
	seen := map[key]bool{}
	for _, ev := range r.starts {
		k := key{ev.Item, ev.Delivered, ev.Worker}
		seen[k] = true
		s := span.Span{Task: ev.Item, Worker: laneOf(ev.Worker), Start: at(ev.Start)}
		if res, ok := ended[k]; ok {
			s.End, s.Err = at(res.End), res.Err
		} else if d, ok := r.deaths[ev.Worker]; ok {
			s.End, s.Err = max(d.at, s.Start), "lost: worker "+d.why
		} else {
			s.End, s.Err = r.res.Wall, "lost: not acknowledged"
			for _, other := range r.starts {
				if other.Item == ev.Item && other.Delivered == ev.Delivered+1 {
					s.End = at(other.Start)
				}
			}
		}
		r.res.Spans = append(r.res.Spans, s)
	}
	for _, res := range r.results { // results whose start event was lost
		if !seen[key{res.Item, res.Delivered, res.Worker}] {
			r.res.Spans = append(r.res.Spans, span.Span{Task: res.Item, Worker: laneOf(res.Worker), Start: at(res.Start), End: at(res.End), Err: res.Err})
		}
	}
	slices.SortFunc(r.res.Spans, func(a, b span.Span) int { return int(a.Start - b.Start) })
	for _, d := range r.res.DeadLetters {
		r.res.Deliveries[d.Item] = max(r.res.Deliveries[d.Item], d.Deliveries)
	}
	for _, n := range r.res.Deliveries {
		r.res.Redelivered += max(0, n-1)
	}
}

// processArgs is what a worker process needs to join the run.
type processArgs struct {
	URL      string `json:"url"`
	Stream   string `json:"stream"`
	Run      string `json:"run"`
	InFlight int    `json:"in_flight"`
}

// processReport is what a worker process did.
type processReport struct {
	PID int `json:"pid"`
}

// processWorker is the task that a worker process of lib/proc runs: it
// connects to the server on its own and serves the stream until the Map
// says stop or deletes the stream.
var processWorker = proc.Register("cluster.worker", func(ctx context.Context, a processArgs) (processReport, error) {
	rep := processReport{PID: os.Getpid()}
	c, err := Connect(ctx, a.URL)
	if err != nil {
		return rep, err
	}
	defer c.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sub, err := c.nc.Subscribe(stopSubject(a.Stream), func(m *nats.Msg) {
		if string(m.Data) == a.Run {
			cancel()
		}
	})
	if err != nil {
		return rep, err
	}
	defer sub.Unsubscribe()
	var j jobs
	defer j.close()
	w := &worker{
		nc: c.nc, js: c.js, stream: a.Stream, name: "pid " + strconv.Itoa(os.Getpid()), inFlight: a.InFlight, task: j.task,
		crash: func(item int) {
			fmt.Fprintf(os.Stderr, "cluster worker: item %d is marked poison (Faults.Poison): crashing\n", item)
			os.Exit(3)
		},
	}
	err = w.run(ctx)
	if ctx.Err() != nil {
		err = nil
	}
	return rep, err
})
