package cluster_test

import (
	"context"
	"errors"
	"net"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/goleak"

	"github.com/go-parallelism/go-parallelism/lib/cluster"
	"github.com/go-parallelism/go-parallelism/lib/proc"
	"github.com/go-parallelism/go-parallelism/lib/span"
	"github.com/go-parallelism/go-parallelism/lib/workload"
)

func TestMain(m *testing.M) {
	proc.Main() // a worker process serves here and exits
	if os.Getenv("GORACE") == "" {
		// Under -race a process sleeps 1 s at exit by default; worker and
		// server processes exit often in these tests.
		os.Setenv("GORACE", "atexit_sleep_ms=0")
	}
	goleak.VerifyTestMain(m)
}

// open starts an embedded server and connects to it, for one test.
func open(t *testing.T) *cluster.Conn {
	t.Helper()
	c, err := cluster.Open(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Error(err)
		}
	})
	return c
}

func newJob(t *testing.T, s workload.Spec) *workload.Job {
	t.Helper()
	job, err := workload.New(s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { job.Close() })
	return job
}

// quick is a job of small CPU-bound items.
var quick = workload.Spec{Name: workload.MonteCarlo, Size: 24, Options: workload.Options{Samples: 2000}}

// slow is a job whose items each wait 40 ms on a local web site: long
// enough for a worker to be caught in the middle of one, and light on the
// CPU.
var slow = workload.Spec{Name: workload.Scrape, Size: 16, Options: workload.Options{Latency: 40 * time.Millisecond}}

// exactlyOnce checks that every item has exactly one result and that the
// results are right.
func exactlyOnce(t *testing.T, job *workload.Job, res cluster.Result) {
	t.Helper()
	if err := job.Check(res.Digests); err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, n := range res.ByWorker {
		total += n
	}
	if total != job.N {
		t.Fatalf("ByWorker counts %d results (%v), want one per item: %d", total, res.ByWorker, job.N)
	}
}

func TestMapGoroutinesAndProcesses(t *testing.T) {
	c := open(t)
	for _, w := range []cluster.Workers{cluster.Goroutines(3), cluster.Processes(2)} {
		t.Run(w.String(), func(t *testing.T) {
			job := newJob(t, quick)
			res, err := cluster.Map(context.Background(), c, job, w, cluster.Options{})
			if err != nil {
				t.Fatal(err)
			}
			exactlyOnce(t, job, res)
			if res.Redelivered != 0 || res.Duplicates != 0 {
				t.Errorf("nothing failed, yet Redelivered %d, Duplicates %d", res.Redelivered, res.Duplicates)
			}
			for i, d := range res.Deliveries {
				if d != 1 {
					t.Errorf("item %d delivered %d times, want 1", i, d)
				}
			}
			if res.Replicas != 1 || res.LeaderBefore != "embedded" {
				t.Errorf("Replicas %d, LeaderBefore %q; want 1 and the embedded server", res.Replicas, res.LeaderBefore)
			}
		})
	}
}

// A worker killed in the middle of an item leaves it unacknowledged; it is
// delivered again to another worker and every item is in the results once.
func TestKilledWorkerItemIsRedelivered(t *testing.T) {
	c := open(t)
	for _, w := range []cluster.Workers{cluster.Goroutines(2), cluster.Processes(2)} {
		t.Run(w.String(), func(t *testing.T) {
			job := newJob(t, slow)
			res, err := cluster.Map(context.Background(), c, job, w, cluster.Options{
				AckWait: 200 * time.Millisecond, Faults: cluster.Faults{KillAfter: 4},
			})
			if err != nil {
				t.Fatal(err)
			}
			exactlyOnce(t, job, res)
			if len(res.Killed) != 1 {
				t.Fatalf("Killed = %v, want one worker", res.Killed)
			}
			if res.Redelivered < 1 {
				t.Fatalf("Redelivered = %d, want at least the item of the killed worker", res.Redelivered)
			}
			lost := slices.IndexFunc(res.Spans, func(s span.Span) bool { return strings.HasPrefix(s.Err, "lost: worker killed") })
			if lost < 0 {
				t.Fatalf("no span of a delivery lost with the killed worker in %v", res.Spans)
			}
			item := res.Spans[lost].Task
			if res.Deliveries[item] < 2 {
				t.Errorf("item %d was lost with its worker but delivered %d times", item, res.Deliveries[item])
			}
			if killed := res.Workers[res.Spans[lost].Worker]; res.ByWorker[killed] > 4 {
				t.Errorf("killed worker %s still finished %d items", killed, res.ByWorker[killed])
			}
		})
	}
}

// An item that kills every worker that takes it is given up after
// MaxDeliver deliveries, with a clear error, and listed as a dead letter;
// the other items complete.
func TestPoisonItemBecomesDeadLetter(t *testing.T) {
	c := open(t)
	for _, w := range []cluster.Workers{cluster.Goroutines(2), cluster.Processes(2)} {
		t.Run(w.String(), func(t *testing.T) {
			job := newJob(t, quick)
			res, err := cluster.Map(context.Background(), c, job, w, cluster.Options{
				AckWait: 100 * time.Millisecond, MaxDeliver: 3, Faults: cluster.Faults{Poison: []int{5}},
			})
			var poison *cluster.PoisonError
			if !errors.As(err, &poison) {
				t.Fatalf("err = %v, want a *PoisonError", err)
			}
			if poison.Item != 5 || poison.Deliveries != 3 {
				t.Errorf("PoisonError for item %d after %d deliveries, want item 5 after 3", poison.Item, poison.Deliveries)
			}
			if msg := err.Error(); !strings.Contains(msg, "item 5") || !strings.Contains(msg, "3 deliveries") {
				t.Errorf("error %q does not name the item and its deliveries", msg)
			}
			if fails := cluster.ItemErrors(err); len(fails) != 1 || fails[5] == nil {
				t.Errorf("ItemErrors = %v, want item 5 only", fails)
			}
			if len(res.DeadLetters) != 1 || res.DeadLetters[0].Item != 5 || !strings.Contains(res.DeadLetters[0].Data, `"item":5`) {
				t.Errorf("DeadLetters = %v, want item 5 with its message", res.DeadLetters)
			}
			if len(res.Killed) != 3 {
				t.Errorf("Killed = %v, want the 3 workers that took item 5", res.Killed)
			}
			for i, d := range res.Digests {
				if (d == "") != (i == 5) {
					t.Errorf("item %d: digest %q", i, d)
				}
			}
		})
	}
}

// A task that returns an error fails its item once, with no redelivery.
func TestTaskErrorIsItemError(t *testing.T) {
	c := open(t)
	// A scrape of a server that does not answer fails every item.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	job := newJob(t, workload.Spec{Name: workload.Scrape, Size: 3, Options: workload.Options{Addr: addr, Timeout: time.Second}})
	res, err := cluster.Map(context.Background(), c, job, cluster.Goroutines(2), cluster.Options{})
	var ie *cluster.ItemError
	if !errors.As(err, &ie) {
		t.Fatalf("err = %v, want *ItemError", err)
	}
	if n := len(cluster.ItemErrors(err)); n != 3 {
		t.Errorf("%d item errors, want 3: %v", n, err)
	}
	if res.Redelivered != 0 {
		t.Errorf("Redelivered = %d; a task's own error is not retried", res.Redelivered)
	}
}

// An unreachable URL fails within 2 s with an error that names the URL and
// the embedded default.
func TestUnreachableURL(t *testing.T) {
	// A closed port refuses at once; a server that accepts and never says
	// hello makes the client wait for its timeout.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "nats://" + l.Addr().String()
	l.Close()
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		for {
			conn, err := silent.Accept()
			if err != nil {
				return
			}
			defer conn.Close()
		}
	}()
	for _, url := range []string{closed, "nats://" + silent.Addr().String()} {
		t0 := time.Now()
		c, err := cluster.Connect(context.Background(), url)
		took := time.Since(t0)
		if err == nil {
			c.Close()
			t.Fatalf("Connect(%s) succeeded", url)
		}
		var ue *cluster.UnreachableError
		if !errors.As(err, &ue) || ue.URL != url {
			t.Fatalf("err = %v, want *UnreachableError for %s", err, url)
		}
		if msg := err.Error(); !strings.Contains(msg, url) || !strings.Contains(msg, "embedded") {
			t.Errorf("error %q does not name the URL and the embedded default", msg)
		}
		if took > 2*time.Second {
			t.Errorf("Connect(%s) took %v, want at most 2s", url, took)
		}
	}
}

func TestServerWithoutJetStream(t *testing.T) {
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT, NoSigs: true, NoLog: true})
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	defer func() { s.Shutdown(); s.WaitForShutdown() }()
	if !s.ReadyForConnections(5 * time.Second) {
		t.Fatal("server not ready")
	}
	_, err = cluster.Connect(context.Background(), s.ClientURL())
	var nj *cluster.NoJetStreamError
	if !errors.As(err, &nj) || !strings.Contains(err.Error(), s.ClientURL()) || !strings.Contains(err.Error(), "-js") {
		t.Fatalf("err = %v, want *NoJetStreamError naming the URL and how to turn JetStream on", err)
	}
}

// Map never takes over a stream it did not create: same name, or same
// subjects under another name.
func TestStreamNameConflict(t *testing.T) {
	c := open(t)
	nc, err := nats.Connect(c.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx := context.Background()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "ORDERS", Subjects: []string{"orders.>"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "OTHER", Subjects: []string{"JOBS.items"}}); err != nil {
		t.Fatal(err)
	}
	job := newJob(t, quick)
	for _, name := range []string{"ORDERS", "JOBS"} {
		_, err := cluster.Map(ctx, c, job, cluster.Goroutines(1), cluster.Options{Stream: name})
		var se *cluster.StreamExistsError
		if !errors.As(err, &se) || se.Stream != name || !strings.Contains(err.Error(), "Options.Stream") {
			t.Fatalf("Map with stream %s: err = %v, want *StreamExistsError naming it and Options.Stream", name, err)
		}
	}
	// The other streams are untouched, and Map left none of its own.
	var names []string
	for n := range js.StreamNames(ctx).Name() {
		names = append(names, n)
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"ORDERS", "OTHER"}) {
		t.Errorf("streams after the failed Maps: %v, want [ORDERS OTHER]", names)
	}
}

func TestTempStoreRemoved(t *testing.T) {
	s, err := cluster.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	dir := s.StoreDir()
	c, err := cluster.Connect(context.Background(), s.URL())
	if err != nil {
		t.Fatal(err)
	}
	job := newJob(t, quick)
	if _, err := cluster.Map(context.Background(), c, job, cluster.Goroutines(2), cluster.Options{}); err != nil {
		t.Fatal(err)
	}
	c.Close()
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("store %s missing while the server runs: %v", dir, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("store %s still there after Close (err %v)", dir, err)
	}
}

// Every wait is bounded by ctx: with no worker anywhere, Map returns when
// ctx ends, and removes its streams.
func TestMapHonoursContext(t *testing.T) {
	c := open(t)
	job := newJob(t, quick)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	t0 := time.Now()
	_, err := cluster.Map(ctx, c, job, cluster.Elsewhere(), cluster.Options{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the context's deadline", err)
	}
	if took := time.Since(t0); took > 5*time.Second {
		t.Errorf("Map returned %v after its deadline", took)
	}
	// The stream is gone: the same name works again.
	if _, err := cluster.Map(context.Background(), c, job, cluster.Goroutines(2), cluster.Options{}); err != nil {
		t.Fatal(err)
	}
}

func TestBadArguments(t *testing.T) {
	c := open(t)
	job := newJob(t, quick)
	ctx := context.Background()
	for _, tc := range []struct {
		w    cluster.Workers
		o    cluster.Options
		want string
	}{
		{cluster.Workers{}, cluster.Options{}, "no workers"},
		{cluster.Goroutines(0), cluster.Options{}, "0 goroutines: want 1..256"},
		{cluster.Goroutines(1), cluster.Options{Stream: "a.b"}, `Options.Stream: stream name "a.b"`},
		{cluster.Goroutines(1), cluster.Options{AckWait: time.Millisecond}, "Options.AckWait is 1ms"},
		{cluster.Goroutines(1), cluster.Options{MaxDeliver: -1}, "Options.MaxDeliver is -1"},
		{cluster.Goroutines(1), cluster.Options{InFlight: 5000}, "Options.InFlight is 5000"},
		{cluster.Goroutines(1), cluster.Options{Replicas: 7}, "Options.Replicas is 7"},
		{cluster.Goroutines(1), cluster.Options{Faults: cluster.Faults{Poison: []int{99}}}, "Poison holds item 99"},
		{cluster.Elsewhere(), cluster.Options{Faults: cluster.Faults{KillAfter: 2}}, "Faults need workers of this program"},
	} {
		_, err := cluster.Map(ctx, c, job, tc.w, tc.o)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Map(%v, %+v): err = %v, want it to say %q", tc.w, tc.o, err, tc.want)
		}
	}
	if _, err := cluster.Map(ctx, nil, job, cluster.Goroutines(1), cluster.Options{}); err == nil || !strings.Contains(err.Error(), "c is nil") {
		t.Errorf("Map with a nil Conn: err = %v", err)
	}
	if _, err := cluster.Map(ctx, c, nil, cluster.Goroutines(1), cluster.Options{}); err == nil || !strings.Contains(err.Error(), "job is nil") {
		t.Errorf("Map with a nil job: err = %v", err)
	}
	if _, err := cluster.Connect(ctx, ""); err == nil || !strings.Contains(err.Error(), "url is empty") {
		t.Errorf(`Connect(""): err = %v`, err)
	}
	if _, err := cluster.StartServers(ctx, 0); err == nil || !strings.Contains(err.Error(), "n is 0") {
		t.Errorf("StartServers(0): err = %v", err)
	}
}

// Workers that Serve the stream from elsewhere (here: goroutines of this
// test, with their own connections) take the items of a Map that has none
// of its own, and wait for the next Map after it.
func TestServeElsewhere(t *testing.T) {
	c := open(t)
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 2)
	for range 2 {
		wc, err := cluster.Connect(ctx, c.URL())
		if err != nil {
			t.Fatal(err)
		}
		defer wc.Close()
		go func() { served <- cluster.Serve(ctx, wc, "", 2) }()
	}
	for range 2 { // two Maps in a row, served by the same workers
		job := newJob(t, quick)
		res, err := cluster.Map(context.Background(), c, job, cluster.Elsewhere(), cluster.Options{})
		if err != nil {
			t.Fatal(err)
		}
		exactlyOnce(t, job, res)
		if len(res.ByWorker) == 0 {
			t.Fatal("no worker named in the results")
		}
		for w := range res.ByWorker {
			if !strings.Contains(w, ":") {
				t.Errorf("worker %q is not named host:pid", w)
			}
		}
	}
	cancel()
	for range 2 {
		if err := <-served; err != nil {
			t.Errorf("Serve after cancel: %v, want nil", err)
		}
	}
	if err := cluster.Serve(context.Background(), c, "", 0); err == nil || !strings.Contains(err.Error(), "inFlight is 0") {
		t.Errorf("Serve with inFlight 0: err = %v", err)
	}
}

// Maps in a row make and delete a stream of the same name, the second right
// after the first: what a notebook does from one cell to the next. The
// server must have its store ready again at once. (nats-server v2.15.2 did
// not: after a delete it removed the account's empty store folder in the
// background, and a new stream's mkdir could lose that race, "error
// creating store for stream", in about 1 of 120 creates under -race.)
func TestStreamMadeAgainAtOnce(t *testing.T) {
	c := open(t)
	job := newJob(t, workload.Spec{Name: workload.MonteCarlo, Size: 1, Options: workload.Options{Samples: 10}})
	for i := range 300 {
		res, err := cluster.Map(context.Background(), c, job, cluster.Goroutines(1), cluster.Options{})
		if err != nil {
			t.Fatalf("Map %d of 300: %v", i+1, err)
		}
		exactlyOnce(t, job, res)
	}
}

// InFlight bounds the items a worker holds at once: the back-pressure of a
// work queue.
func TestInFlightBoundsEachWorker(t *testing.T) {
	c := open(t)
	for _, inFlight := range []int{1, 3} {
		job := newJob(t, slow)
		res, err := cluster.Map(context.Background(), c, job, cluster.Goroutines(1), cluster.Options{InFlight: inFlight})
		if err != nil {
			t.Fatal(err)
		}
		exactlyOnce(t, job, res)
		if peak := maxOverlap(res.Spans); peak != inFlight {
			t.Errorf("InFlight %d: one worker ran up to %d items at once, want exactly %d", inFlight, peak, inFlight)
		}
	}
}

// maxOverlap is the largest number of spans in progress at one instant.
func maxOverlap(spans []span.Span) int {
	peak := 0
	for _, s := range spans {
		n := 0
		for _, o := range spans {
			if o.Start <= s.Start && s.Start < o.End {
				n++
			}
		}
		peak = max(peak, n)
	}
	return peak
}
