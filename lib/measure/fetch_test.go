package measure_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/gil"
	"github.com/go-parallelism/go-parallelism/lib/measure"
	"github.com/go-parallelism/go-parallelism/lib/site"
)

func TestFetch(t *testing.T) {
	srv, err := site.Start(site.Options{Pages: 8, Latency: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c := site.NewClient(5 * time.Second)
	defer c.CloseIdleConnections()
	ctx := context.Background()
	o := srv.Options()
	want := site.PageChecksum(3, o.Pages, o.PageSize)
	if got, err := measure.Fetch(ctx, nil, false, c, srv.PageURL(3)); err != nil || got != want {
		t.Fatalf("Fetch without lock = %q, %v; want %q", got, err, want)
	}
	if _, err := measure.Fetch(ctx, nil, false, c, srv.URL()+"/nope"); err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("Fetch of a missing page: err = %v, want a 404", err)
	}
	if _, err := measure.Fetch(ctx, nil, false, nil, srv.PageURL(3)); err == nil || !strings.Contains(err.Error(), "client is nil") {
		t.Fatalf("Fetch with a nil client: err = %v", err)
	}
	// With the lock released around the wait, the fetches overlap: at some
	// point several are in flight at the server at once. With the lock kept,
	// never more than one.
	for _, release := range []bool{true, false} {
		lock := gil.New()
		srv.ResetStats()
		var wg sync.WaitGroup
		var failed atomic.Int32
		for i := range 8 {
			wg.Go(func() {
				got, err := measure.Fetch(ctx, lock, release, c, srv.PageURL(i))
				if err != nil || got != site.PageChecksum(i, o.Pages, o.PageSize) {
					failed.Add(1)
				}
			})
		}
		wg.Wait()
		if failed.Load() != 0 {
			t.Fatalf("release=%v: %d fetches failed", release, failed.Load())
		}
		peak := srv.Stats().Peak
		if release && peak < 2 {
			t.Errorf("lock released around I/O: peak %d requests in flight, want >= 2", peak)
		}
		if !release && peak != 1 {
			t.Errorf("lock kept during I/O: peak %d requests in flight, want 1", peak)
		}
	}
}
