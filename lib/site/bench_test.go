package site

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"
)

// fetchAll fetches every URL at once, one goroutine each, and reads the bodies.
func fetchAll(ctx context.Context, c *http.Client, urls []string) error {
	g, ctx := errgroup.WithContext(ctx)
	for _, u := range urls {
		g.Go(func() error {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
			if err != nil {
				return err
			}
			resp, err := c.Do(req)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			_, err = io.Copy(io.Discard, resp.Body)
			return err
		})
	}
	return g.Wait()
}

func benchFetch(b *testing.B, n int, latency time.Duration) {
	srv := start(b, Options{Pages: n, Latency: latency})
	c := client(b, 30*time.Second)
	urls := make([]string, n)
	for i := range urls {
		urls[i] = srv.PageURL(i)
	}
	srv.ResetStats()
	for b.Loop() {
		if err := fetchAll(context.Background(), c, urls); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(srv.Stats().Peak), "peak-concurrent")
}

// BenchmarkDownloads160 is the asyncio example: 160 downloads with 100 ms of
// latency, all at once. Ideal: 0.1 s per op.
func BenchmarkDownloads160(b *testing.B) { benchFetch(b, 160, 100*time.Millisecond) }

// BenchmarkFetch10k fetches 10,000 pages with 100 ms of latency, a goroutine
// each; the client holds at most MaxConns connections, so they go in waves.
func BenchmarkFetch10k(b *testing.B) { benchFetch(b, 10_000, 100*time.Millisecond) }

// BenchmarkFetch2000Fresh fetches 2,000 pages at once with a new client
// each time, so that every fetch opens, and closes, its own connection, as
// a fresh scrape does. Its CPU profile shows where the CPU of an HTTP fetch
// goes on loopback:
//
//	go test -run XXX -bench Fetch2000Fresh -benchtime 8x -cpuprofile cpu.out ./lib/site
//	go tool pprof -top -cum cpu.out
func BenchmarkFetch2000Fresh(b *testing.B) {
	const n = 2000
	srv := start(b, Options{Pages: n, Latency: 50 * time.Millisecond})
	urls := make([]string, n)
	for i := range urls {
		urls[i] = srv.PageURL(i)
	}
	for b.Loop() {
		c := NewClient(30 * time.Second)
		err := fetchAll(context.Background(), c, urls)
		c.CloseIdleConnections()
		if err != nil {
			b.Fatal(err)
		}
	}
}
