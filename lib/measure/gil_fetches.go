package measure

import (
	"context"
	"errors"
	"net/http"
	"sync"

	"github.com/go-parallelism/go-parallelism/lib/bench"
	"github.com/go-parallelism/go-parallelism/lib/gil"
)

// GILFetches returns the variants of an I/O-bound experiment under the two
// reproductions of Python's GIL: each downloads every url with c (Fetch) and
// fails if a download does.
//
//   - "sequential": one after another;
//   - "goroutines": one goroutine per url, no GIL;
//   - "gil-1core": the same with GOMAXPROCS=1 (gil.OneCore);
//   - "gil-lock, released for I/O": one goroutine per url, each holding one
//     global gil.Lock except while it waits for the network, as CPython's
//     threads do;
//   - "gil-lock, kept for I/O": the same, but the lock is kept during the
//     wait, as a C extension that forgets to release the GIL does.
func GILFetches(c *http.Client, urls []string) []bench.Variant {
	all := func(ctx context.Context, lock *gil.Lock, release bool) error {
		errs := make([]error, len(urls))
		var wg sync.WaitGroup
		for i, u := range urls {
			wg.Go(func() { _, errs[i] = Fetch(ctx, lock, release, c, u) })
		}
		wg.Wait()
		return errors.Join(errs...)
	}
	return []bench.Variant{
		{Name: "sequential", Run: func(ctx context.Context, _ bench.Param) error {
			for _, u := range urls {
				if _, err := Fetch(ctx, nil, false, c, u); err != nil {
					return err
				}
			}
			return nil
		}},
		{Name: "goroutines", Run: func(ctx context.Context, _ bench.Param) error { return all(ctx, nil, false) }},
		{Name: "gil-1core", Run: func(ctx context.Context, _ bench.Param) (err error) {
			if oerr := gil.OneCore(func() { err = all(ctx, nil, false) }); oerr != nil {
				return oerr
			}
			return err
		}},
		{Name: "gil-lock, released for I/O", Run: func(ctx context.Context, _ bench.Param) error { return all(ctx, gil.New(), true) }},
		{Name: "gil-lock, kept for I/O", Run: func(ctx context.Context, _ bench.Param) error { return all(ctx, gil.New(), false) }},
	}
}
