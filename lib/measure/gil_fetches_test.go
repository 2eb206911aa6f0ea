package measure_test

import (
	"context"
	"testing"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/bench"
	"github.com/go-parallelism/go-parallelism/lib/measure"
	"github.com/go-parallelism/go-parallelism/lib/site"
)

// Every variant fetches every page once; the lock kept during the wait
// lets one request at a time reach the server, the others overlap.
func TestGILFetches(t *testing.T) {
	srv, err := site.Start(site.Options{Pages: 6, Latency: 30 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c := site.NewClient(5 * time.Second)
	defer c.CloseIdleConnections()
	urls := make([]string, 6)
	for i := range urls {
		urls[i] = srv.PageURL(i)
	}
	overlap := map[string]bool{"sequential": false, "goroutines": true, "gil-1core": true,
		"gil-lock, released for I/O": true, "gil-lock, kept for I/O": false}
	vs := measure.GILFetches(c, urls)
	if len(vs) != len(overlap) {
		t.Fatalf("%d variants, want %d", len(vs), len(overlap))
	}
	for _, v := range vs {
		srv.ResetStats()
		if err := v.Run(context.Background(), bench.Param{}); err != nil {
			t.Fatalf("%s: %v", v.Name, err)
		}
		st := srv.Stats()
		if st.Served != int64(len(urls)) {
			t.Errorf("%s: the server answered %d requests, want %d", v.Name, st.Served, len(urls))
		}
		if want, ok := overlap[v.Name]; !ok {
			t.Errorf("unexpected variant %q", v.Name)
		} else if got := st.Peak > 1; got != want {
			t.Errorf("%s: at most %d requests at the server at once; want overlap %t", v.Name, st.Peak, want)
		}
	}
	srv.Close()
	if err := vs[1].Run(context.Background(), bench.Param{}); err == nil {
		t.Error("fetching from a closed server: no error")
	}
}
