package site

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"slices"
	"sync"
	"testing"
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
	for _, i := range []int{0, 7, 29} {
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
	if st := srv.Stats(); st.Requests != 8 || st.Served != 4 || st.NotFound != 4 {
		t.Errorf("stats %+v, want 8 requests, 4 served, 4 not found", st)
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
	if !slices.Equal(got, Scientists) || len(got) != 7 {
		t.Errorf("scientists %v, want %v", got, Scientists)
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
	for _, o := range []Options{
		{Pages: -1},
		{PageSize: -5},
		{Latency: -time.Second},
		{ErrorRate: -0.1},
		{ErrorRate: 0.8, HangRate: 0.3},
	} {
		if srv, err := Start(o); err == nil {
			srv.Close()
			t.Errorf("Start(%+v) succeeded, want an error", o)
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

// TestFaultRun fetches 200 pages at once from a server where a quarter of
// the pages fail and some hang until the client's timeout: every fetch ends,
// as done or failed, and the totals match the seed's prediction and the
// server's own counts.
//
// A loaded machine can delay a fetch past the client's timeout, which would
// look like a hang; then the run is repeated with a longer timeout. A page
// predicted to hang that answers, or counts that disagree, fail at once.
func TestFaultRun(t *testing.T) {
	for _, timeout := range []time.Duration{2 * time.Second, 6 * time.Second, 20 * time.Second} {
		if faultRun(t, timeout) {
			return
		}
		t.Logf("a fetch outlived the %v timeout on a busy machine; again with a longer one", timeout)
	}
	t.Fatal("fetches kept timing out")
}

// faultRun does one run and reports whether it was conclusive.
func faultRun(t *testing.T, timeout time.Duration) bool {
	const pages = 200
	o := Options{Pages: pages, ErrorRate: 0.25, HangRate: 0.05, Seed: 42,
		Latency: time.Millisecond, LatencyMax: 20 * time.Millisecond}
	srv, err := Start(o)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c := NewClient(timeout) // ends the hanging requests
	defer c.CloseIdleConnections()

	got := make([]Fault, pages)
	var wg sync.WaitGroup
	for i := range pages {
		wg.Go(func() {
			code, body, err := get(c, srv.PageURL(i))
			switch {
			case err != nil:
				var ne net.Error
				if !errors.As(err, &ne) || !ne.Timeout() {
					t.Errorf("page %d: %v, want a timeout", i, err)
				}
				got[i] = Hang
			case code == 500:
				got[i] = Error500
			case code == 503:
				got[i] = Error503
			case code == 200:
				if Checksum(body) != PageChecksum(i, pages, DefaultPageSize) {
					t.Errorf("page %d: bad checksum", i)
				}
				got[i] = OK
			default:
				t.Errorf("page %d: status %d", i, code)
			}
		})
	}
	wg.Wait()

	want := map[Fault]int{}
	late := 0
	for i := range pages {
		f := o.Fault(PagePath(i))
		want[f]++
		switch {
		case got[i] == f:
		case got[i] == Hang:
			late++ // timed out though it should have answered
		default:
			t.Errorf("page %d: got %v, predicted %v", i, got[i], f)
		}
	}
	if want[OK] == 0 || want[Error500] == 0 || want[Error503] == 0 || want[Hang] == 0 {
		t.Fatalf("seed gives no case of some fault: %v", want)
	}
	if late > 0 {
		return false
	}
	st := srv.Stats()
	if st.Requests != pages || st.Served != int64(want[OK]) ||
		st.Errors != int64(want[Error500]+want[Error503]) || st.Hung != int64(want[Hang]) {
		t.Errorf("server counts %+v, predicted %v", st, want)
	}
	t.Logf("predicted and seen: %d ok, %d 500, %d 503, %d hung", want[OK], want[Error500], want[Error503], want[Hang])
	waitIdle(t, srv)
	return true
}

// waitIdle waits (boundedly) until the server has no request in flight.
func waitIdle(t *testing.T, srv *Server) {
	t.Helper()
	for range 1000 {
		if srv.Stats().InFlight == 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("requests still in flight: %+v", srv.Stats())
}

func TestPeakConcurrency(t *testing.T) {
	srv := start(t, Options{Pages: 20, HangRate: 1}) // every page hangs
	c := client(t, 0)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			req, _ := http.NewRequestWithContext(ctx, "GET", srv.PageURL(i), nil)
			if resp, err := c.Do(req); err == nil {
				resp.Body.Close()
				t.Errorf("page %d answered, want it to hang", i)
			}
		})
	}
	for n := 0; srv.Stats().Hung < 20; n++ { // Hung counts after InFlight
		if n == 1000 {
			t.Fatalf("only %d requests hanging", srv.Stats().Hung)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if st := srv.Stats(); st.Peak != 20 || st.Hung != 20 {
		t.Errorf("stats %+v, want peak 20, 20 hung", st)
	}
	cancel() // the client gives up; the handlers must notice
	wg.Wait()
	waitIdle(t, srv)
	srv.ResetStats()
	if st := srv.Stats(); st != (Stats{}) {
		t.Errorf("after reset: %+v", st)
	}
}

func TestCloseReleasesAndStops(t *testing.T) {
	srv, err := Start(Options{HangRate: 1})
	if err != nil {
		t.Fatal(err)
	}
	c := NewClient(0) // no timeout: only Close can end the request
	defer c.CloseIdleConnections()
	errc := make(chan error, 1)
	go func() {
		_, _, err := get(c, srv.PageURL(0))
		errc <- err
	}()
	for n := 0; srv.Stats().Hung == 0; n++ {
		if n == 1000 {
			t.Fatal("request never arrived")
		}
		time.Sleep(10 * time.Millisecond)
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
