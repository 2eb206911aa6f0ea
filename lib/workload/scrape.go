package workload

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/site"
)

// Scrape names the "scrape" workload: task i fetches page i of a local
// web site (lib/site) with one shared http.Client and verifies the body's
// checksum; its digest is the checksum.
//
// Size is the number of pages (at most 100,000). Without Addr, New starts its
// own server with Size pages, records its address in Job.Spec (so that a job
// rebuilt from it in a child process uses the same server), and Close stops
// it. The server waits Latency before each answer: with Latency 20ms, Size 25
// takes about 0.5 s sequentially, and any Size takes about one latency with
// a goroutine per page (up to site.MaxConns at once).
//
// Options:
//   - Latency, LatencyMax: fixed delay per answer (default none), or a range
//     [Latency, LatencyMax) drawn per page by Seed
//   - ErrorRate, HangRate: fractions of pages that answer 500/503 or hang
//   - Seed: picks delays and failing pages (see site.Options)
//   - Timeout: the client's timeout per request (default 10s)
//   - PageSize: approximate page size in bytes (default 2048)
//   - Addr: host:port of a running lib/site server to use instead, with
//     Pages and PageSize as that server was started (Pages defaults to Size)
const Scrape = "scrape"

// newScrape builds a Scrape job.
func newScrape(s Spec) (*Job, error) {
	o := s.Options
	c := checker{workload: s.Name}
	opts := site.Options{
		Pages:      s.Size,
		PageSize:   c.int("PageSize", o.PageSize, site.DefaultPageSize, 1, 1<<24),
		Latency:    c.duration("Latency", o.Latency, 0, maxWait),
		LatencyMax: c.duration("LatencyMax", o.LatencyMax, 0, maxWait),
		ErrorRate:  c.fraction("ErrorRate", o.ErrorRate),
		HangRate:   c.fraction("HangRate", o.HangRate),
		Seed:       o.Seed,
	}
	if opts.ErrorRate+opts.HangRate > 1 {
		c.fail("HangRate", o.HangRate, fmt.Sprintf("at most 1 - ErrorRate (%v)", o.ErrorRate))
	}
	timeout := c.duration("Timeout", o.Timeout, 10*time.Second, maxWait)
	pages := s.Size
	switch {
	case o.Addr != "":
		pages = c.int("Pages", o.Pages, s.Size, s.Size, 10_000_000)
	case o.Pages != 0:
		c.fail("Pages", o.Pages, "0 without Addr (the job's own server has Size pages)")
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	addr := o.Addr
	var srv *site.Server
	base := "http://" + addr
	if addr == "" {
		var err error
		if srv, err = site.Start(opts); err != nil {
			return nil, fmt.Errorf("workload scrape: %w", err)
		}
		base = srv.URL()
	}
	client := site.NewClient(timeout)
	spec := s
	if srv != nil {
		spec.Options.Addr, spec.Options.Pages = srv.Addr(), pages
	}
	return &Job{
		Spec: spec,
		N:    s.Size,
		Task: func(ctx context.Context, i int) (string, error) {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+site.PagePath(i), nil)
			if err != nil {
				return "", err
			}
			resp, err := client.Do(req)
			if err != nil {
				if ctx.Err() != nil {
					return "", ctx.Err()
				}
				return "", err
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				if ctx.Err() != nil {
					return "", ctx.Err()
				}
				return "", err
			}
			if resp.StatusCode != http.StatusOK {
				return "", fmt.Errorf("GET %s: %s", site.PagePath(i), resp.Status)
			}
			sum := site.Checksum(body)
			if want := site.PageChecksum(i, pages, opts.PageSize); sum != want {
				return "", fmt.Errorf("GET %s: checksum %s, want %s", site.PagePath(i), sum, want)
			}
			return sum, nil
		},
		Check: func(got []string) error {
			want := make([]string, s.Size)
			for i := range want {
				want[i] = site.PageChecksum(i, pages, opts.PageSize)
			}
			return compare(s.Name, want, got)
		},
		Close: closeOnce(func() error {
			client.CloseIdleConnections()
			if srv != nil {
				return srv.Close()
			}
			return nil
		}),
	}, nil
}
