//go:build unix

// Command iopath measures what the course's I/O path adds to fetching pages
// over HTTP: lib/site, run as a separate process and fetched with
// site.NewClient, against a bare net/http server (a handler that sleeps and
// writes a page) fetched with a bare net/http client, in the same run,
// round after round, alternating.
//
// Every round fetches all the pages at once, a goroutine each, with a new
// client (so every fetch opens its connection, as a fresh scrape does), and
// every answer waits the same latency, so the ideal time of a round is one
// latency. The report gives the median and best round of each pair, their
// ratio, and where the time above the ideal goes: when the last request
// left the client, how long connecting took, how late the server took a
// request up after it was written (accepting the connection, starting its
// goroutine, reading the request), how late the sleep ended, and how long
// the answer took to reach the client. The server-side figures come from
// the bare server, which records them; lib/site is measured from the
// client side only.
//
// A first round of each pair warms up and is not counted. Run it from the
// repository root; everything stays on 127.0.0.1, and the server processes
// stop when iopath does (their standard input closes):
//
//	go run ./scripts/iopath                        # 160, 2000 and 10000 pages, 100 ms, 5 rounds
//	go run ./scripts/iopath -sizes 160 -rounds 9
//
// It needs a Unix system (getrusage, the load average of Linux).
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/site"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("iopath: ")
	var (
		sizes   = flag.String("sizes", "160,2000,10000", "numbers of pages per round, comma-separated")
		latency = flag.Duration("latency", 100*time.Millisecond, "server latency per page")
		rounds  = flag.Int("rounds", 5, "rounds per size and pair")
		timeout = flag.Duration("timeout", 30*time.Second, "client timeout per request")
		serve   = flag.String("serve", "", "run as the server process: lib or bare (used by iopath itself)")
		pages   = flag.Int("pages", 0, "pages the server process serves (with -serve)")
	)
	flag.Parse()
	if *serve != "" {
		if err := serveMain(*serve, *pages, *latency); err != nil {
			log.Fatal(err)
		}
		return
	}
	var ns []int
	for _, f := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 20_000 {
			log.Fatalf("-sizes: %q is not a number of pages in 1..20000", f)
		}
		ns = append(ns, n)
	}
	if *rounds < 1 || *latency <= 0 || *timeout <= 0 {
		log.Fatalf("-rounds %d, -latency %v, -timeout %v: want all positive", *rounds, *latency, *timeout)
	}
	if err := run(ns, *latency, *rounds, *timeout); err != nil {
		log.Fatal(err)
	}
}

// --- the server processes ---

// serveMain runs a server on 127.0.0.1, prints its address, and then
// answers commands on stdin: "report" writes, as one JSON line, the CPU
// time the process has used and the bare server's records of the requests
// since the last report; end of input stops the server.
func serveMain(kind string, pages int, latency time.Duration) error {
	var (
		addr  string
		close func() error
		rec   = &recorder{}
	)
	switch kind {
	case "lib":
		srv, err := site.Start(site.Options{Pages: pages, Latency: latency})
		if err != nil {
			return err
		}
		addr, close = srv.Addr(), srv.Close
	case "bare":
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		body := []byte(strings.Repeat("x", site.DefaultPageSize))
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			time.Sleep(latency)
			wrote := time.Now()
			w.Write(body)
			rec.request(r.RemoteAddr, start, wrote)
		})}
		go srv.Serve(&recordingListener{Listener: ln, rec: rec})
		addr, close = ln.Addr().String(), srv.Close
	default:
		return fmt.Errorf("-serve %q: want lib or bare", kind)
	}
	fmt.Println(addr)
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		if in.Text() == "report" {
			b, _ := json.Marshal(report{CPU: cpuTime(), Requests: rec.take()})
			fmt.Printf("%s\n", b)
		}
	}
	return close()
}

// report is a server process's answer to "report".
type report struct {
	CPU      time.Duration `json:"cpu"` // user + system time since the process started
	Requests []served      `json:"requests"`
}

// cpuTime is the user and system CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// served is what the bare server saw of one request, in Unix nanoseconds.
type served struct {
	Remote string `json:"remote"` // the client's address: which connection
	Accept int64  `json:"accept"` // the connection was accepted
	Start  int64  `json:"start"`  // the handler started
	Wrote  int64  `json:"wrote"`  // the sleep ended; the answer is written
}

type recorder struct {
	mu      sync.Mutex
	accepts map[string]int64
	reqs    []served
}

func (r *recorder) accept(remote string, t time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.accepts == nil {
		r.accepts = map[string]int64{}
	}
	r.accepts[remote] = t.UnixNano()
}

func (r *recorder) request(remote string, start, wrote time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = append(r.reqs, served{Remote: remote, Accept: r.accepts[remote], Start: start.UnixNano(), Wrote: wrote.UnixNano()})
}

func (r *recorder) take() []served {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.reqs
	r.reqs, r.accepts = nil, nil
	return out
}

type recordingListener struct {
	net.Listener
	rec *recorder
}

func (l *recordingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.rec.accept(c.RemoteAddr().String(), time.Now())
	}
	return c, err
}

// server is a server process seen from the parent.
type server struct {
	kind string
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  *bufio.Reader
	addr string
}

func startServer(kind string, pages int, latency time.Duration) (*server, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, "-serve", kind, "-pages", strconv.Itoa(pages), "-latency", latency.String())
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{kind: kind, cmd: cmd, in: in, out: bufio.NewReaderSize(out, 1<<20)}
	line, err := s.out.ReadString('\n')
	if err != nil {
		s.stop()
		return nil, fmt.Errorf("%s server: no address: %w", kind, err)
	}
	s.addr = strings.TrimSpace(line)
	return s, nil
}

// report asks the server for its CPU time and, from the bare server, its
// records since the last report.
func (s *server) report() (report, error) {
	var r report
	if _, err := io.WriteString(s.in, "report\n"); err != nil {
		return r, err
	}
	line, err := s.out.ReadBytes('\n')
	if err != nil {
		return r, err
	}
	return r, json.Unmarshal(line, &r)
}

func (s *server) stop() error {
	s.in.Close()
	return s.cmd.Wait()
}

// --- the client side ---

// fetched is what the client saw of one request, in Unix nanoseconds.
type fetched struct {
	local                           string // the client's address: which connection
	begin, connStart, connDone, got int64
	wrote, firstByte, done          int64
	reused                          bool
}

// round fetches pages 0..n-1 from base at once with c, a goroutine each,
// and returns when each step of each request happened.
func round(c *http.Client, base string, n int) ([]fetched, error) {
	out := make([]fetched, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			f := &out[i]
			now := func() int64 { return time.Now().UnixNano() }
			trace := &httptrace.ClientTrace{
				ConnectStart: func(string, string) { f.connStart = now() },
				ConnectDone:  func(string, string, error) { f.connDone = now() },
				GotConn: func(info httptrace.GotConnInfo) {
					f.got, f.local, f.reused = now(), info.Conn.LocalAddr().String(), info.Reused
				},
				WroteRequest:         func(httptrace.WroteRequestInfo) { f.wrote = now() },
				GotFirstResponseByte: func() { f.firstByte = now() },
			}
			f.begin = now()
			ctx := httptrace.WithClientTrace(context.Background(), trace)
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+site.PagePath(i), nil)
			if err != nil {
				errs[i] = err
				return
			}
			resp, err := c.Do(req)
			if err != nil {
				errs[i] = err
				return
			}
			_, err = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if err == nil && resp.StatusCode != http.StatusOK {
				err = errors.New(resp.Status)
			}
			errs[i] = err
			f.done = now()
		})
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

// bareClient is what a program gets from net/http without configuring
// anything: the default transport (here a fresh copy, so that no connection
// survives from one round to the next).
func bareClient(timeout time.Duration) *http.Client {
	return &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone(), Timeout: timeout}
}

// --- the measurement ---

// stats are one round's figures, in seconds from the round's start.
type stats struct {
	total float64 // last body read
	// The request that finished last, step by step: the steps add up to
	// total minus the latency.
	lastBegin, lastGot, lastWrote, lastOver, lastRead      float64
	lastConnect, lastAccept, lastStart, lastLate, lastBack float64 // parts of lastGot and lastOver, when known

	allWritten float64 // last request written: all requests have left
	clientCPU  float64 // CPU time of the client process during the round
	serverCPU  float64 // CPU time of the server process during the round
	connMedian float64 // connecting (TCP handshake), median
	connMax    float64
	reused     int     // requests that reused a connection
	overMedian float64 // first byte minus written minus latency: the server's and the network's part, median
	overMax    float64
	readMax    float64 // first byte to body read, max
	// the bare server's view (zero for lib)
	acceptMedian, acceptMax float64 // connection accepted, after the client began to connect
	startMedian, startMax   float64 // handler started, after the request was written
	lateMedian, lateMax     float64 // sleep ended late
	backMedian, backMax     float64 // answer written to first byte at the client
}

func summarise(fs []fetched, srv []served, t0 int64, latency time.Duration) stats {
	sec := func(ns int64) float64 { return float64(ns) / 1e9 }
	var s stats
	var conn, over []float64
	last := fs[0]
	for _, f := range fs {
		if f.done > last.done {
			last = f
		}
		s.total = max(s.total, sec(f.done-t0))
		s.allWritten = max(s.allWritten, sec(f.wrote-t0))
		if f.reused {
			s.reused++
		} else if f.connStart > 0 {
			conn = append(conn, sec(f.connDone-f.connStart))
		}
		over = append(over, sec(f.firstByte-f.wrote-int64(latency)))
		s.readMax = max(s.readMax, sec(f.done-f.firstByte))
	}
	s.lastBegin = sec(last.begin - t0)
	s.lastGot = sec(last.got - last.begin)
	if !last.reused {
		s.lastConnect = sec(last.connDone - last.connStart)
	}
	s.lastWrote = sec(last.wrote - last.got)
	s.lastOver = sec(last.firstByte - last.wrote - int64(latency))
	s.lastRead = sec(last.done - last.firstByte)
	s.connMedian, s.connMax = medMax(conn)
	s.overMedian, s.overMax = medMax(over)
	if len(srv) > 0 {
		byLocal := map[string]fetched{}
		for _, f := range fs {
			byLocal[f.local] = f
		}
		var accept, start, late, back []float64
		for _, r := range srv {
			f, ok := byLocal[r.Remote]
			if !ok {
				continue
			}
			if f.local == last.local && f.done == last.done {
				if r.Accept > 0 && !f.reused {
					s.lastAccept = sec(r.Accept - f.connStart)
				}
				s.lastStart = sec(r.Start - f.wrote)
				s.lastLate = sec(r.Wrote - r.Start - int64(latency))
				s.lastBack = sec(f.firstByte - r.Wrote)
			}
			if r.Accept > 0 && !f.reused {
				accept = append(accept, sec(r.Accept-f.connStart))
			}
			start = append(start, sec(r.Start-f.wrote))
			late = append(late, sec(r.Wrote-r.Start-int64(latency)))
			back = append(back, sec(f.firstByte-r.Wrote))
		}
		s.acceptMedian, s.acceptMax = medMax(accept)
		s.startMedian, s.startMax = medMax(start)
		s.lateMedian, s.lateMax = medMax(late)
		s.backMedian, s.backMax = medMax(back)
	}
	return s
}

func medMax(xs []float64) (float64, float64) {
	if len(xs) == 0 {
		return 0, 0
	}
	slices.Sort(xs)
	return xs[len(xs)/2], xs[len(xs)-1]
}

func run(sizes []int, latency time.Duration, rounds int, timeout time.Duration) error {
	fmt.Printf("iopath: %d cores, GOMAXPROCS %d, %s, latency %v, %d rounds per pair, alternating%s\n\n",
		runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), latency, rounds, loadavg())
	defer func() { fmt.Printf("done%s\n", loadavg()) }()
	for _, n := range sizes {
		lib, err := startServer("lib", n, latency)
		if err != nil {
			return err
		}
		bare, err := startServer("bare", n, latency)
		if err != nil {
			lib.stop()
			return err
		}
		res := map[string][]stats{}
		for r := range rounds + 1 { // round 0 warms up both and is not counted
			for _, p := range []struct {
				srv    *server
				client *http.Client
			}{
				{lib, site.NewClient(timeout)},
				{bare, bareClient(timeout)},
			} {
				before, err := p.srv.report()
				if err != nil {
					return err
				}
				c0, t0 := cpuTime(), time.Now().UnixNano()
				fs, err := round(p.client, "http://"+p.srv.addr, n)
				c1 := cpuTime()
				p.client.CloseIdleConnections()
				if err != nil {
					lib.stop()
					bare.stop()
					return fmt.Errorf("%d pages, %s: %w", n, p.srv.kind, err)
				}
				after, err := p.srv.report()
				if err != nil {
					return err
				}
				if r > 0 {
					st := summarise(fs, after.Requests, t0, latency)
					st.clientCPU, st.serverCPU = (c1 - c0).Seconds(), (after.CPU - before.CPU).Seconds()
					res[p.srv.kind] = append(res[p.srv.kind], st)
				}
			}
		}
		lib.stop()
		bare.stop()
		printSize(n, latency, res["lib"], res["bare"])
	}
	return nil
}

func printSize(n int, latency time.Duration, lib, bare []stats) {
	med := func(ss []stats, f func(stats) float64) float64 {
		xs := make([]float64, len(ss))
		for i, s := range ss {
			xs[i] = f(s)
		}
		m, _ := medMax(xs)
		return m
	}
	best := func(ss []stats) float64 {
		b := ss[0].total
		for _, s := range ss {
			b = min(b, s.total)
		}
		return b
	}
	ms := func(x float64) string { return fmt.Sprintf("%.1f ms", x*1000) }
	total := func(s stats) float64 { return s.total }
	ml, mb := med(lib, total), med(bare, total)
	fmt.Printf("%d pages: lib %s (best %s), bare %s (best %s): lib/bare %.3f (best %.3f); ideal %v\n",
		n, ms(ml), ms(best(lib)), ms(mb), ms(best(bare)), ml/mb, best(lib)/best(bare), latency)
	fmt.Println("  medians over the rounds        lib          bare")
	row := func(name string, f func(stats) float64, both bool) {
		l := "           -"
		if both {
			l = fmt.Sprintf("%12s", ms(med(lib, f)))
		}
		fmt.Printf("  %-28s %s %12s\n", name, l, ms(med(bare, f)))
	}
	row("round", total, true)
	row("CPU, client", func(s stats) float64 { return s.clientCPU }, true)
	row("CPU, server", func(s stats) float64 { return s.serverCPU }, true)
	fmt.Println("  the request that finished last:")
	row("  its goroutine started", func(s stats) float64 { return s.lastBegin }, true)
	row("  got a connection", func(s stats) float64 { return s.lastGot }, true)
	row("    of which connecting", func(s stats) float64 { return s.lastConnect }, true)
	row("  wrote the request", func(s stats) float64 { return s.lastWrote }, true)
	fmt.Printf("  %-28s %12s %12s\n", "  latency", ms(latency.Seconds()), ms(latency.Seconds()))
	row("  server part - latency", func(s stats) float64 { return s.lastOver }, true)
	row("    accepted after dial", func(s stats) float64 { return s.lastAccept }, false)
	row("    handler after write", func(s stats) float64 { return s.lastStart }, false)
	row("    sleep late", func(s stats) float64 { return s.lastLate }, false)
	row("    answer to client", func(s stats) float64 { return s.lastBack }, false)
	row("  read the body", func(s stats) float64 { return s.lastRead }, true)
	fmt.Println("  all requests:")
	row("last request written", func(s stats) float64 { return s.allWritten }, true)
	row("connect, median", func(s stats) float64 { return s.connMedian }, true)
	row("connect, max", func(s stats) float64 { return s.connMax }, true)
	row("server part - latency, median", func(s stats) float64 { return s.overMedian }, true)
	row("server part - latency, max", func(s stats) float64 { return s.overMax }, true)
	row("read body, max", func(s stats) float64 { return s.readMax }, true)
	row("accepted after dial, median", func(s stats) float64 { return s.acceptMedian }, false)
	row("accepted after dial, max", func(s stats) float64 { return s.acceptMax }, false)
	row("handler after write, median", func(s stats) float64 { return s.startMedian }, false)
	row("handler after write, max", func(s stats) float64 { return s.startMax }, false)
	row("sleep late, median", func(s stats) float64 { return s.lateMedian }, false)
	row("sleep late, max", func(s stats) float64 { return s.lateMax }, false)
	row("answer to client, median", func(s stats) float64 { return s.backMedian }, false)
	row("answer to client, max", func(s stats) float64 { return s.backMax }, false)
	fmt.Printf("  connections reused: lib %d, bare %d per round\n\n", lib[0].reused, bare[0].reused)
}

// loadavg reports the load averages (Linux), which say how busy the
// machine was: other programs can only slow a round down.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return "; load average " + strings.Join(f[:3], " ")
}
