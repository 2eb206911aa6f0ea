package site

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func start(t testing.TB, o Options) *Server {
	t.Helper()
	srv, err := Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

func client(t testing.TB, timeout time.Duration) *http.Client {
	c := NewClient(timeout)
	t.Cleanup(c.CloseIdleConnections)
	return c
}

func get(c *http.Client, url string) (int, []byte, error) {
	resp, err := c.Get(url)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, body, err
}

func TestPagesAndLinks(t *testing.T) {
	srv := start(t, Options{Pages: 30})
	c := client(t, 5*time.Second)

	code, front, err := get(c, srv.URL()+"/")
	if err != nil || code != 200 {
		t.Fatalf("GET /: %d %v", code, err)
	}
	href := regexp.MustCompile(`href="(/page/\d+)"`)
	if got := len(href.FindAllSubmatch(front, -1)); got != 30 {
		t.Errorf("front page has %d links, want 30", got)
	}
	for _, i := range []int{0, 7, 29, 7} { // 7 again: from the server's cache
		code, body, err := get(c, srv.PageURL(i))
		if err != nil || code != 200 {
			t.Fatalf("GET page %d: %d %v", i, code, err)
		}
		if got, want := Checksum(body), PageChecksum(i, 30, DefaultPageSize); got != want {
			t.Errorf("page %d: checksum %s, want %s", i, got, want)
		}
		if len(body) < DefaultPageSize {
			t.Errorf("page %d is %d bytes, want at least %d", i, len(body), DefaultPageSize)
		}
		var links []string
		for _, m := range href.FindAllSubmatch(body, -1) {
			links = append(links, string(m[1]))
		}
		var want []string
		for _, j := range Links(i, 30) {
			want = append(want, PagePath(j))
		}
		if !slices.Equal(links, want) {
			t.Errorf("page %d links %v, want %v", i, links, want)
		}
	}
	if PageChecksum(1, 30, DefaultPageSize) == PageChecksum(2, 30, DefaultPageSize) {
		t.Error("pages 1 and 2 have the same checksum")
	}
	for _, path := range []string{"/page/30", "/page/-1", "/page/x", "/nothing"} {
		if code, _, err := get(c, srv.URL()+path); err != nil || code != 404 {
			t.Errorf("GET %s: %d %v, want 404", path, code, err)
		}
	}
	if st := srv.Stats(); st.Requests != 9 || st.Served != 5 || st.NotFound != 4 {
		t.Errorf("stats %+v, want 9 requests, 5 served, 4 not found", st)
	}
}

func TestTutorialEndpoints(t *testing.T) {
	srv := start(t, Options{})
	c := client(t, 5*time.Second)

	_, body, err := get(c, srv.ScientistsURL())
	if err != nil {
		t.Fatal(err)
	}
	var got []Scientist
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	// The tutorial's MultiProcessing program, its seven scientists in its order.
	tutorial := []Scientist{{"Ada Lovelace", 1815}, {"Emmy Noether", 1882}, {"Marie Curie", 1867},
		{"Tu Youyou", 1930}, {"Ada Yonath", 1939}, {"Vera Rubin", 1928}, {"Sally Ride", 1951}}
	if !slices.Equal(got, tutorial) {
		t.Errorf("scientists %v, want the tutorial's %v", got, tutorial)
	}
	sites := srv.Sites()
	if len(sites) != 4 {
		t.Fatalf("%d sites, want 4", len(sites))
	}
	downloads := srv.Downloads(160)
	if len(downloads) != 160 || downloads[0] == downloads[1] || downloads[0] != downloads[2] {
		t.Errorf("downloads should alternate between two sites: %v", downloads[:3])
	}
	for _, u := range append(sites, downloads[:2]...) {
		if code, body, err := get(c, u); err != nil || code != 200 || len(body) == 0 {
			t.Errorf("GET %s: %d %v", u, code, err)
		}
	}
}

func TestBadOptions(t *testing.T) {
	for _, c := range []struct {
		o    Options
		want []string
	}{
		{Options{Pages: -1}, []string{"site: Pages is -1, want >= 0 (0 for 100)"}},
		{Options{PageSize: -5}, []string{"site: PageSize is -5, want >= 0 (0 for 2048)"}},
		{Options{Latency: -time.Second}, []string{"site: Latency is -1s, want >= 0"}},
		{Options{Latency: 10 * time.Millisecond, LatencyMax: 5 * time.Millisecond}, []string{"LatencyMax is 5ms, below Latency 10ms"}},
		{Options{ErrorRate: -0.1}, []string{"site: ErrorRate is -0.1, want a fraction in [0, 1]"}},
		{Options{HangRate: math.NaN()}, []string{"site: HangRate is NaN, want a fraction in [0, 1]"}},
		{Options{ErrorRate: 0.8, HangRate: 0.3}, []string{"ErrorRate 0.8 and HangRate 0.3 add up to more than 1"}},
		{Options{Pages: -1, ErrorRate: 2}, []string{"Pages is -1", "ErrorRate is 2"}}, // every bad field
	} {
		srv, err := Start(c.o)
		if err == nil {
			srv.Close()
			t.Errorf("Start(%+v) succeeded, want an error", c.o)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("Start(%+v): error %q lacks %q", c.o, err, w)
			}
		}
	}
}

func TestDelayIsDeterministic(t *testing.T) {
	o := Options{Latency: 10 * time.Millisecond, LatencyMax: 50 * time.Millisecond, Seed: 3}
	seen := map[time.Duration]bool{}
	for i := range 100 {
		d := o.Delay(PagePath(i))
		if d < o.Latency || d >= o.LatencyMax {
			t.Fatalf("delay %v outside [%v, %v)", d, o.Latency, o.LatencyMax)
		}
		if d != o.Delay(PagePath(i)) {
			t.Fatal("delay changes between calls")
		}
		seen[d] = true
	}
	if len(seen) < 50 {
		t.Errorf("only %d distinct delays in 100 paths", len(seen))
	}
	if fixed := (Options{Latency: time.Second}).Delay("/x"); fixed != time.Second {
		t.Errorf("fixed delay %v, want 1s", fixed)
	}
}

func TestFaultRates(t *testing.T) {
	o := Options{ErrorRate: 0.25, HangRate: 0.1, Seed: 11}
	count := map[Fault]int{}
	for i := range 10000 {
		count[o.Fault(PagePath(i))]++
	}
	// Binomial with n=10000: 5 standard deviations is under 250.
	near := func(got int, p float64) bool { return got > int(p*10000)-250 && got < int(p*10000)+250 }
	if !near(count[Error500], 0.125) || !near(count[Error503], 0.125) || !near(count[Hang], 0.1) {
		t.Errorf("fault counts %v, want about 1250, 1250, 1000 hangs", count)
	}
	if f := o.Fault("/scientists.json"); f != OK {
		t.Errorf("non-page path got fault %v", f)
	}
	if other := (Options{ErrorRate: 0.25, HangRate: 0.1, Seed: 12}); slices.Equal(faults(o, 50), faults(other, 50)) {
		t.Error("different seeds give the same faults")
	}
}

func faults(o Options, n int) []Fault {
	out := make([]Fault, n)
	for i := range out {
		out[i] = o.Fault(PagePath(i))
	}
	return out
}

// memListener is a net.Listener whose connections are in-memory pipes.
// A server and clients that talk over it can run inside a synctest bubble,
// where time is fake: a 100 ms latency takes no real time, and
// synctest.Wait tells when every request has reached the point where it
// waits.
type memListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func newMemListener() *memListener {
	return &memListener{conns: make(chan net.Conn), done: make(chan struct{})}
}

func (l *memListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *memListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

type memAddr struct{}

func (memAddr) Network() string { return "mem" }
func (memAddr) String() string  { return "mem" }

func (l *memListener) Addr() net.Addr { return memAddr{} }

// dial connects a client to the listener, whatever address it asks for.
func (l *memListener) dial(ctx context.Context, _, _ string) (net.Conn, error) {
	server, client := net.Pipe()
	select {
	case l.conns <- server:
		return client, nil
	case <-l.done:
		return nil, net.ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// startMem starts a site on an in-memory listener, and a client for it.
// Call it inside a synctest bubble; it closes both when t ends.
func startMem(t *testing.T, o Options, timeout time.Duration) (*Server, *http.Client) {
	t.Helper()
	if err := o.validate(); err != nil {
		t.Fatal(err)
	}
	ln := newMemListener()
	srv := serve(ln, o)
	c := &http.Client{Timeout: timeout, Transport: &http.Transport{DialContext: ln.dial, DisableCompression: true}}
	t.Cleanup(func() {
		c.CloseIdleConnections()
		srv.Close()
	})
	return srv, c
}

// fetch fetches urls at once, a goroutine each, and returns the status of
// each (0 for a failed request) and the errors.
func fetch(ctx context.Context, c *http.Client, urls []string) ([]int, []error) {
	codes, errs := make([]int, len(urls)), make([]error, len(urls))
	var wg sync.WaitGroup
	for i, u := range urls {
		wg.Go(func() {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
			if err != nil {
				errs[i] = err
				return
			}
			resp, err := c.Do(req)
			if err != nil {
				errs[i] = err
				return
			}
			defer resp.Body.Close()
			_, errs[i] = io.Copy(io.Discard, resp.Body)
			codes[i] = resp.StatusCode
		})
	}
	wg.Wait()
	return codes, errs
}

// Latencies overlap: 160 downloads of 100 ms each, all at once, take 100 ms,
// not 16 s. In the bubble the clock is fake, so this is exact.
func TestLatenciesOverlap(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, c := startMem(t, Options{Latency: 100 * time.Millisecond}, 0)
		start := time.Now()
		codes, errs := fetch(context.Background(), c, srv.Downloads(160))
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d != 100*time.Millisecond {
			t.Errorf("160 downloads took %v, want 100ms", d)
		}
		for i, code := range codes {
			if code != 200 {
				t.Fatalf("download %d: status %d", i, code)
			}
		}
		if st := srv.Stats(); st.Peak != 160 || st.Requests != 160 {
			t.Errorf("stats %+v, want 160 requests, all at once", st)
		}
	})
}

// TestFaultRun fetches 200 pages at once from a server where a quarter of
// the pages fail and some hang until the client's timeout: every fetch ends,
// as done or failed, and the totals match the seed's prediction and the
// server's own counts. The hanging pages end the run at the timeout.
func TestFaultRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const (
			pages   = 200
			timeout = 2 * time.Second
		)
		o := Options{Pages: pages, ErrorRate: 0.25, HangRate: 0.05, Seed: 42,
			Latency: time.Millisecond, LatencyMax: 20 * time.Millisecond}
		srv, c := startMem(t, o, timeout)
		urls := make([]string, pages)
		for i := range urls {
			urls[i] = srv.PageURL(i)
		}
		start := time.Now()
		codes, errs := fetch(context.Background(), c, urls)
		if d := time.Since(start); d != timeout {
			t.Errorf("the run took %v, want the client's timeout, %v", d, timeout)
		}
		want := map[Fault]int{}
		for i := range pages {
			f := o.Fault(PagePath(i))
			want[f]++
			got := map[int]Fault{0: Hang, 200: OK, 500: Error500, 503: Error503}[codes[i]]
			if got != f {
				t.Errorf("page %d: status %d (%v), predicted %v", i, codes[i], errs[i], f)
			}
			var ne net.Error
			if f == Hang && (!errors.As(errs[i], &ne) || !ne.Timeout()) {
				t.Errorf("page %d: %v, want a timeout", i, errs[i])
			}
		}
		if want[OK] == 0 || want[Error500] == 0 || want[Error503] == 0 || want[Hang] == 0 {
			t.Fatalf("seed gives no case of some fault: %v", want)
		}
		synctest.Wait() // the hung handlers notice the client left
		st := srv.Stats()
		if st.Requests != pages || st.Served != int64(want[OK]) || st.InFlight != 0 ||
			st.Errors != int64(want[Error500]+want[Error503]) || st.Hung != int64(want[Hang]) {
			t.Errorf("server counts %+v, predicted %v", st, want)
		}
	})
}

func TestPeakConcurrency(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, c := startMem(t, Options{Pages: 20, HangRate: 1}, 0) // every page hangs
		ctx, cancel := context.WithCancel(context.Background())
		urls := make([]string, 20)
		for i := range urls {
			urls[i] = srv.PageURL(i)
		}
		done := make(chan []int)
		go func() {
			codes, _ := fetch(ctx, c, urls)
			done <- codes
		}()
		synctest.Wait() // every request has arrived and hangs
		if st := srv.Stats(); st.Peak != 20 || st.Hung != 20 || st.InFlight != 20 {
			t.Errorf("stats %+v, want peak 20, 20 hung, 20 in flight", st)
		}
		cancel() // the client gives up; the handlers must notice
		if codes := <-done; slices.ContainsFunc(codes, func(c int) bool { return c != 0 }) {
			t.Errorf("statuses %v, want every request to fail", codes)
		}
		synctest.Wait()
		if st := srv.Stats(); st.InFlight != 0 {
			t.Errorf("%d requests still in flight after the client left", st.InFlight)
		}
		srv.ResetStats()
		if st := srv.Stats(); st != (Stats{}) {
			t.Errorf("after reset: %+v", st)
		}
	})
}

func TestCloseReleasesHangingRequests(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, c := startMem(t, Options{HangRate: 1}, 0) // no timeout: only Close can end the request
		errc := make(chan error, 1)
		go func() {
			_, _, err := get(c, srv.PageURL(0))
			errc <- err
		}()
		synctest.Wait()
		if st := srv.Stats(); st.Hung != 1 {
			t.Fatalf("stats %+v, want one hanging request", st)
		}
		if err := srv.Close(); err != nil {
			t.Fatal(err)
		}
		if err := <-errc; err == nil {
			t.Error("hanging request succeeded after Close")
		}
		if err := srv.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
	})
}

func TestCloseStopsListening(t *testing.T) {
	srv := start(t, Options{})
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if conn, err := net.Dial("tcp", srv.Addr()); err == nil {
		conn.Close()
		t.Error("port still open after Close")
	}
}

func ExampleStart() {
	srv, err := Start(Options{Pages: 10, Latency: 10 * time.Millisecond})
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	c := NewClient(5 * time.Second)
	defer c.CloseIdleConnections()
	resp, err := c.Get(srv.PageURL(3))
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.Status, Checksum(body) == PageChecksum(3, 10, DefaultPageSize))
	fmt.Println(srv.Stats().Served)
	// Output:
	// 200 OK true
	// 1
}
