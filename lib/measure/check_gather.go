package measure

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/async"
	"github.com/go-parallelism/go-parallelism/lib/site"
)

// GatherFunc is the exercise of notebook 09: download every url at once,
// each in a goroutine of its own, wait for all of them, and count the
// downloads that succeeded and those that failed, as asyncio.gather with
// return_exceptions=True lets the tutorial's program count its results.
type GatherFunc func(urls []string) (ok, failed int)

// The rules of the gather exercise, one for each way CheckGather can reject
// an answer.
var (
	errGatherCounts  = errors.New("count every download, failed or not, once it has ended")
	errGatherOverlap = errors.New("start a goroutine per URL, so that the downloads overlap")
	errGatherTimeout = errors.New("return once every download has ended")
)

// The site CheckGather serves: 40 pages of which a quarter fail (the seed
// fixes which), each answered after 50 ms.
const (
	gatherPages   = 40
	gatherLatency = 50 * time.Millisecond
	gatherTimeout = 10 * time.Second // a right answer needs well under a second
)

// CheckGather returns what is wrong with gather as an answer to the
// exercise, or nil. It serves 40 pages, about a quarter of which fail with
// a 500 or 503, each after 50 ms, and calls gather with their URLs. The
// counts must match what the server did, and the server must have handled
// at least two requests at once. That rejects an answer that downloads one
// URL after another (no overlap), one that returns without waiting (it
// counts too few), and one that stops at the first failure. A panic in
// gather comes back as an async.PanicError.
func CheckGather(gather GatherFunc) error {
	if gather == nil {
		return errors.New("measure: CheckGather: gather is nil, want a gatherCounting function")
	}
	srv, err := site.Start(site.Options{Pages: gatherPages, Latency: gatherLatency, ErrorRate: 0.25, Seed: 9})
	if err != nil {
		return fmt.Errorf("measure: CheckGather: %w", err)
	}
	defer srv.Close()
	urls, wantFailed := make([]string, gatherPages), 0
	for i := range urls {
		urls[i] = srv.PageURL(i)
		if srv.Options().Fault(site.PagePath(i)) != site.OK {
			wantFailed++
		}
	}
	ctx, cancel := context.WithTimeoutCause(context.Background(), gatherTimeout, errGatherTimeout)
	defer cancel()
	type counts struct{ ok, failed int }
	task := async.Go(context.Background(), func(context.Context) (counts, error) {
		ok, failed := gather(urls)
		return counts{ok, failed}, nil
	})
	c, err := task.Wait(ctx)
	var p async.PanicError
	switch {
	case errors.As(err, &p):
		return p
	case errors.Is(err, errGatherTimeout):
		return mistake(errGatherTimeout, "gatherCounting did not return within %v", gatherTimeout)
	case err != nil:
		return fmt.Errorf("measure: CheckGather: %w", err)
	}
	if c.ok != gatherPages-wantFailed || c.failed != wantFailed {
		return mistake(errGatherCounts, "gatherCounting = %d ok, %d failed; want %d ok, %d failed: wait for every download, "+
			"and count a failed one without stopping the others", c.ok, c.failed, gatherPages-wantFailed, wantFailed)
	}
	if peak := srv.Stats().Peak; peak < 2 {
		return mistake(errGatherOverlap, "the downloads never overlapped (at most %d at the server at once): start a goroutine per URL", peak)
	}
	return nil
}
