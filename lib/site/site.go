// Package site serves a generated web site on loopback, so that scraping
// experiments never need the internet.
//
// Start a server, fetch from it, close it:
//
//	srv, err := site.Start(site.Options{Pages: 100, Latency: 100 * time.Millisecond})
//	if err != nil { ... }
//	defer srv.Close()
//	resp, err := site.NewClient(5 * time.Second).Get(srv.URL() + site.PagePath(7))
//
// The site has a front page ("/") that links to every page, and pages
// "/page/0" .. "/page/N-1", each with a few links and deterministic content, so
// a client can verify a body with PageChecksum. Every answer can be delayed by
// a fixed latency or by a random one drawn from a range; a fraction of the
// page requests can fail with 500 or 503, or hang until the client gives up.
// Delays and faults depend only on the seed and the path, so a test can
// predict them with Options.Delay and Options.Fault.
//
// Small endpoints stand in for the URLs of the tutorial's programs: four
// "sites" for the thread-pool example (Server.Sites), two sites for the 160
// asyncio downloads (Server.Downloads), and a JSON list of seven scientists for
// the process-pool example (Server.ScientistsURL).
//
// Counters (Server.Stats) tell how many requests were served and how many ran
// at the same time.
//
// The site adds nothing of its own to a fetch: it keeps each page once
// generated, so serving one costs what a bare net/http handler costs, and
// NewClient is net/http's client with a bound on connections. Start rejects
// bad Options with an error that names each bad field, its value and what
// is allowed.
package site

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options describe the generated site and how it misbehaves. The zero value
// is a fast, reliable site with DefaultPages pages.
type Options struct {
	// Pages is the number of pages, "/page/0" .. "/page/Pages-1".
	// Zero means DefaultPages.
	Pages int
	// PageSize is the approximate size of a page body in bytes.
	// Zero means DefaultPageSize.
	PageSize int

	// Latency delays every answer. If LatencyMax is greater than Latency,
	// the delay of each path is drawn from [Latency, LatencyMax), by Seed.
	Latency    time.Duration
	LatencyMax time.Duration

	// ErrorRate is the fraction of page paths that answer 500 or 503.
	ErrorRate float64
	// HangRate is the fraction of page paths that never answer: the handler
	// waits until the client gives up (its timeout) or the server closes.
	HangRate float64

	// Seed picks which paths fail and how long each one waits.
	Seed int64
}

// Defaults for the zero Options.
const (
	DefaultPages    = 100
	DefaultPageSize = 2048
)

// Fault is what the server does with a request.
type Fault int

const (
	OK       Fault = iota // answer 200 with the page
	Error500              // answer 500 Internal Server Error
	Error503              // answer 503 Service Unavailable
	Hang                  // never answer; wait until the client gives up
)

func (f Fault) String() string {
	switch f {
	case OK:
		return "ok"
	case Error500:
		return "500"
	case Error503:
		return "503"
	case Hang:
		return "hang"
	}
	return "Fault(" + strconv.Itoa(int(f)) + ")"
}

func (o Options) withDefaults() Options {
	if o.Pages == 0 {
		o.Pages = DefaultPages
	}
	if o.PageSize == 0 {
		o.PageSize = DefaultPageSize
	}
	return o
}

// validate returns an error for every bad field, joined.
func (o Options) validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf("site: "+format, args...)) }
	if o.Pages < 0 {
		bad("Pages is %d, want >= 0 (0 for %d)", o.Pages, DefaultPages)
	}
	if o.PageSize < 0 {
		bad("PageSize is %d, want >= 0 (0 for %d)", o.PageSize, DefaultPageSize)
	}
	if o.Latency < 0 {
		bad("Latency is %v, want >= 0", o.Latency)
	}
	if o.LatencyMax != 0 && o.LatencyMax < o.Latency {
		bad("LatencyMax is %v, below Latency %v; want 0 (a fixed latency) or more than Latency", o.LatencyMax, o.Latency)
	}
	for _, r := range []struct {
		name string
		v    float64
	}{{"ErrorRate", o.ErrorRate}, {"HangRate", o.HangRate}} {
		if !(r.v >= 0 && r.v <= 1) { // also catches NaN
			bad("%s is %v, want a fraction in [0, 1]", r.name, r.v)
		}
	}
	if o.ErrorRate+o.HangRate > 1 {
		bad("ErrorRate %v and HangRate %v add up to more than 1", o.ErrorRate, o.HangRate)
	}
	return errors.Join(errs...)
}

// unit maps (seed, salt, path) to a number in [0, 1), the same every time.
func (o Options) unit(salt, path string) float64 {
	h := fnv.New64a()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(o.Seed))
	h.Write(b[:])
	h.Write([]byte(salt))
	h.Write([]byte(path))
	// FNV alone barely stirs the high bits when only the last byte of the
	// path changes; the SplitMix64 finaliser spreads them.
	x := h.Sum64()
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return float64(x>>11) / (1 << 53)
}

// Delay is how long the server waits before answering path.
func (o Options) Delay(path string) time.Duration {
	if o.LatencyMax <= o.Latency {
		return o.Latency
	}
	span := float64(o.LatencyMax - o.Latency)
	return o.Latency + time.Duration(o.unit("delay", path)*span)
}

// Fault tells what the server does with a request for path. Only page paths
// ("/page/...") fail; the other endpoints always answer.
func (o Options) Fault(path string) Fault {
	if !strings.HasPrefix(path, "/page/") || o.ErrorRate+o.HangRate == 0 {
		return OK
	}
	u := o.unit("fault", path)
	switch {
	case u < o.ErrorRate/2:
		return Error500
	case u < o.ErrorRate:
		return Error503
	case u < o.ErrorRate+o.HangRate:
		return Hang
	}
	return OK
}

// PagePath is the path of page i.
func PagePath(i int) string { return "/page/" + strconv.Itoa(i) }

// Stats are the server's counters since Start or the last ResetStats.
type Stats struct {
	Requests int64 // requests received
	Served   int64 // answered 200
	Errors   int64 // answered 500 or 503 on purpose
	Hung     int64 // hung on purpose, until the client left
	NotFound int64 // answered 404
	InFlight int64 // being handled right now
	Peak     int64 // most requests handled at the same time
}

// Server is a running site. Its methods are safe for concurrent use.
type Server struct {
	opts  Options
	ln    net.Listener
	http  *http.Server
	url   string
	quit  chan struct{}
	close sync.Once
	done  chan struct{}
	err   error

	requests, served, errs, hung, notFound, inFlight, peak atomic.Int64

	// pages keeps each page body once generated: generating one costs
	// several times what net/http spends on the request, so the server
	// would otherwise add that to every fetch. Nil when the whole site
	// would take more than maxCached bytes.
	pages []atomic.Pointer[[]byte]
}

// maxCached bounds the memory the page cache may use.
const maxCached = 64 << 20

// Start starts a server on 127.0.0.1 with a random port. Close stops it.
// It fails for bad Options, naming each bad field.
func Start(o Options) (*Server, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("site: %w", err)
	}
	return serve(ln, o), nil
}

// serve serves the site on ln, whatever kind of listener it is (the tests
// use an in-memory one).
func serve(ln net.Listener, o Options) *Server {
	o = o.withDefaults()
	s := &Server{
		opts: o,
		ln:   ln,
		url:  "http://" + ln.Addr().String(),
		quit: make(chan struct{}),
		done: make(chan struct{}),
	}
	if int64(o.Pages)*int64(o.PageSize+256) <= maxCached {
		s.pages = make([]atomic.Pointer[[]byte], o.Pages)
	}
	s.http = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(s.done)
		if err := s.http.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			s.err = err
		}
	}()
	return s
}

// URL is the base URL, like "http://127.0.0.1:40123".
func (s *Server) URL() string { return s.url }

// Addr is the host:port the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Options returns the options in effect, defaults filled in.
func (s *Server) Options() Options { return s.opts }

// PageURL is the URL of page i.
func (s *Server) PageURL(i int) string { return s.url + PagePath(i) }

// Close stops the server: it closes the listener and every connection, and
// releases hanging requests. It is safe to call more than once.
func (s *Server) Close() error {
	s.close.Do(func() {
		s.http.Close() // closes the listener and every connection first,
		close(s.quit)  // so released handlers have nobody to answer
		<-s.done
	})
	return s.err
}

// Stats returns a snapshot of the counters.
func (s *Server) Stats() Stats {
	return Stats{
		Requests: s.requests.Load(),
		Served:   s.served.Load(),
		Errors:   s.errs.Load(),
		Hung:     s.hung.Load(),
		NotFound: s.notFound.Load(),
		InFlight: s.inFlight.Load(),
		Peak:     s.peak.Load(),
	}
}

// ResetStats zeroes the counters (InFlight excepted) and sets Peak to the
// requests in flight now, so that one experiment does not see another's peak.
func (s *Server) ResetStats() {
	s.requests.Store(0)
	s.served.Store(0)
	s.errs.Store(0)
	s.hung.Store(0)
	s.notFound.Store(0)
	s.peak.Store(s.inFlight.Load())
}

func (s *Server) enter() {
	s.requests.Add(1)
	n := s.inFlight.Add(1)
	for {
		p := s.peak.Load()
		if n <= p || s.peak.CompareAndSwap(p, n) {
			return
		}
	}
}

// wait sleeps for d, or less if the client leaves or the server closes.
// It reports whether the whole delay elapsed.
func (s *Server) wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
	case <-s.quit:
	}
	return false
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.enter()
	defer s.inFlight.Add(-1)

	path := r.URL.Path
	body, ctype, ok := s.content(path)
	if !ok {
		s.notFound.Add(1) // before answering, as below
		http.NotFound(w, r)
		return
	}
	fault := s.opts.Fault(path)
	if fault == Hang {
		s.hung.Add(1)
		s.wait(r.Context(), time.Duration(1<<62))
		return
	}
	if !s.wait(r.Context(), s.opts.Delay(path)) {
		return // the client left; nobody reads the answer
	}
	// Count before answering: a client that has its answer must see it
	// counted.
	switch fault {
	case Error500:
		s.errs.Add(1)
		http.Error(w, "injected failure", http.StatusInternalServerError)
		return
	case Error503:
		s.errs.Add(1)
		http.Error(w, "injected failure", http.StatusServiceUnavailable)
		return
	}
	s.served.Add(1)
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}

// content returns the body for path, or false if there is no such page.
func (s *Server) content(path string) (body []byte, ctype string, ok bool) {
	const html = "text/html; charset=utf-8"
	switch {
	case path == "/":
		return FrontPage(s.opts.Pages), html, true
	case strings.HasPrefix(path, "/page/"):
		i, err := strconv.Atoi(path[len("/page/"):])
		if err != nil || i < 0 || i >= s.opts.Pages {
			return nil, "", false
		}
		return s.page(i), html, true
	case strings.HasPrefix(path, "/site/"), strings.HasPrefix(path, "/download/"):
		name := path[strings.LastIndexByte(path, '/')+1:]
		if name == "" {
			return nil, "", false
		}
		return []byte("<!doctype html><title>" + name + "</title><h1>" + name + "</h1>\n"), html, true
	case path == "/scientists.json":
		b, _ := json.Marshal(Scientists)
		return b, "application/json", true
	}
	return nil, "", false
}

// page returns the body of page i, from the cache if it is there. Two
// requests for a page not yet cached may both generate it: the bodies are
// equal, so either may stay.
func (s *Server) page(i int) []byte {
	if s.pages == nil {
		return Page(i, s.opts.Pages, s.opts.PageSize)
	}
	if b := s.pages[i].Load(); b != nil {
		return *b
	}
	b := Page(i, s.opts.Pages, s.opts.PageSize)
	s.pages[i].Store(&b)
	return b
}

// Scientist is a record of the process-pool example.
type Scientist struct {
	Name string `json:"name"`
	Born int    `json:"born"`
}

// Scientists are served as JSON at "/scientists.json": the seven of the
// tutorial's MultiProcessing program, in its order.
var Scientists = []Scientist{
	{"Ada Lovelace", 1815},
	{"Emmy Noether", 1882},
	{"Marie Curie", 1867},
	{"Tu Youyou", 1930},
	{"Ada Yonath", 1939},
	{"Vera Rubin", 1928},
	{"Sally Ride", 1951},
}

// ScientistsURL is the URL of the JSON list of Scientists.
func (s *Server) ScientistsURL() string { return s.url + "/scientists.json" }

// Sites returns the URLs of four small sites, for the thread-pool example.
func (s *Server) Sites() []string {
	return []string{
		s.url + "/site/alpha",
		s.url + "/site/beta",
		s.url + "/site/gamma",
		s.url + "/site/delta",
	}
}

// Downloads returns n URLs alternating between two sites, for the asyncio
// example (160 downloads, two sites 80 times each).
func (s *Server) Downloads(n int) []string {
	out := make([]string, max(n, 0))
	for i := range out {
		if i%2 == 0 {
			out[i] = s.url + "/download/jython"
		} else {
			out[i] = s.url + "/download/dice"
		}
	}
	return out
}

// FrontPage is the body of "/": a list of links to every page.
func FrontPage(pages int) []byte {
	var b strings.Builder
	b.WriteString("<!doctype html>\n<title>Front page</title>\n<h1>Front page</h1>\n<ul>\n")
	for i := range pages {
		fmt.Fprintf(&b, "<li><a href=\"%s\">Page %d</a></li>\n", PagePath(i), i)
	}
	b.WriteString("</ul>\n")
	return []byte(b.String())
}

// Links are the pages that page i links to (a few, all in range).
func Links(i, pages int) []int {
	var out []int
	for _, j := range []int{i + 1, 2*i + 1, 2*i + 2} {
		if j < pages {
			out = append(out, j)
		}
	}
	return out
}

var words = strings.Fields(`the of and to in is was for that on with as by at from
his her it an be this which or are had not but have were they one all their
there been has when who will more no if out so said what up its about into than
them can only other new some could time these two may then do first any my now
such like our over man me even most made after also did many before must through
years where much your way well down should because each just those people how
too little state good very make world still own see men work long get here
between both life being under never day same another know while last might us
great old year off come since against go came right used take three`)

// Page is the body of page i of a site with pages pages: a title, a
// paragraph of deterministic text about size bytes long, and links.
func Page(i, pages, size int) []byte {
	var b strings.Builder
	b.Grow(size + 256)
	fmt.Fprintf(&b, "<!doctype html>\n<title>Page %d</title>\n<h1>Page %d</h1>\n<p>", i, i)
	x := uint64(i)*0x9E3779B97F4A7C15 + 1
	for n := 0; b.Len() < size; n++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		if n > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(words[x%uint64(len(words))])
	}
	b.WriteString("</p>\n<ul>\n")
	for _, j := range Links(i, pages) {
		fmt.Fprintf(&b, "<li><a href=\"%s\">Page %d</a></li>\n", PagePath(j), j)
	}
	b.WriteString("</ul>\n")
	return []byte(b.String())
}

// Checksum is the digest of a body: the first 8 bytes of its SHA-256, in hex.
func Checksum(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:8])
}

// PageChecksum is Checksum(Page(i, pages, size)).
func PageChecksum(i, pages, size int) string { return Checksum(Page(i, pages, size)) }

// NewClient returns an http.Client fit for many concurrent fetches from one
// host on loopback: idle connections are kept and reused (so 10,000 fetches do
// not exhaust the ephemeral ports), at most MaxConns connections are open at
// once (each costs two file descriptors when the server runs in the same
// process), and every request ends after timeout. Call CloseIdleConnections
// when done with it.
func NewClient(timeout time.Duration) *http.Client {
	t := &http.Transport{
		Proxy:               nil, // loopback only; ignore HTTP_PROXY
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        MaxConns,
		MaxIdleConnsPerHost: MaxConns,
		MaxConnsPerHost:     MaxConns,
		IdleConnTimeout:     30 * time.Second,
		DisableCompression:  true,
	}
	return &http.Client{Transport: t, Timeout: timeout}
}

// MaxConns is the most connections a client from NewClient opens to one host.
// It stays well below the usual limit of open files and the listen backlog.
const MaxConns = 2000
