package workload

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/site"
)

// Scrape names the "scrape" workload: task i fetches page i of a local
// web site (lib/site) with one shared http.Client and verifies the body's
// checksum; its digest is the checksum.
//
// Size is the number of pages (at most 100,000). Without param "addr", New
// starts its own server with Size pages, records its address in Job.Spec
// (so that a job rebuilt from it in a child process uses the same server),
// and Close stops it. The server waits "latency" (default 20ms) before each
// answer, so Size 25 takes about 0.5 s sequentially, and any Size takes
// about one latency with a goroutine per page (up to site.MaxConns at once).
//
// Params:
//   - addr: host:port of a running lib/site server to use instead
//     (with "pages" and "page_size" as that server was started; pages
//     defaults to Size, page_size to site.DefaultPageSize)
//   - latency, latency_max: fixed latency, or a range drawn per page by seed
//   - error_rate, hang_rate: fractions of pages that answer 500/503 or hang
//   - seed: picks delays and failing pages (see site.Options)
//   - timeout: the client's timeout per request (default 10s)
//   - page_size: approximate page size in bytes (default 2048)
const Scrape = "scrape"

// newScrape builds a Scrape job.
func newScrape(s Spec) (*Job, error) {
	p := paramsOf(s)
	p.known("addr", "pages", "page_size", "latency", "latency_max", "error_rate", "hang_rate", "seed", "timeout")
	const maxSize = 100_000
	addr := p.str("addr", "")
	pages := p.int("pages", s.Size, 1, 10_000_000)
	opts := site.Options{
		Pages:      s.Size,
		PageSize:   p.int("page_size", site.DefaultPageSize, 1, 1<<24),
		Latency:    p.duration("latency", 20*time.Millisecond),
		LatencyMax: p.duration("latency_max", 0),
		ErrorRate:  p.float("error_rate", 0, 0, 1),
		HangRate:   p.float("hang_rate", 0, 0, 1),
		Seed:       int64(p.int("seed", 1, -1<<62, 1<<62)),
	}
	timeout := p.duration("timeout", 10*time.Second)
	if p.err != nil {
		return nil, p.err
	}
	if s.Size > maxSize {
		return nil, sizeTooBig(s, maxSize)
	}
	var srv *site.Server
	base := "http://" + addr
	if addr == "" {
		var err error
		if srv, err = site.Start(opts); err != nil {
			return nil, fmt.Errorf("workload scrape: %w", err)
		}
		base, pages = srv.URL(), s.Size
	} else if s.Size > pages {
		return nil, fmt.Errorf("workload scrape: size %d is more than the %d pages of the server at %s", s.Size, pages, addr)
	}
	client := site.NewClient(timeout)
	spec := s
	if srv != nil {
		spec = withParam(s, "addr", srv.Addr(), "pages", strconv.Itoa(pages), "page_size", strconv.Itoa(opts.PageSize))
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
