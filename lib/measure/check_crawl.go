package measure

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/async"
)

// CrawlFunc is the exercise of notebook 02: a producer goroutine sends the
// urls on a channel, exactly workers consumer goroutines fetch them, and
// Crawl returns the sizes in the order of urls with the errors joined.
type CrawlFunc func(urls []string, workers int, fetch func(url string) (int, error)) ([]int, error)

// The rules of the Crawl exercise, one for each way CheckCrawl can reject
// an answer.
var (
	errCrawlTimeout = errors.New("return once every URL is fetched")
	errCrawlEvery   = errors.New("fetch every URL once")
	errCrawlErrors  = errors.New("return every error, joined")
	errCrawlOrder   = errors.New("return the sizes in the order of the URLs")
	errCrawlWorkers = errors.New("run exactly workers fetches at once")
	errCrawlLeak    = errors.New("leave no goroutine behind")
)

const crawlTimeout = 2 * time.Second // the time crawl gets; a right answer needs about 0.1 s

// errBad1 and errBad2 are the failures of the two bad URLs.
var errBad1, errBad2 = errors.New("bad URL 1"), errors.New("bad URL 2")

// CheckCrawl returns what is wrong with crawl as an answer to the exercise,
// or nil. It crawls 12 URLs with 3 workers and a fetch that takes 20 ms,
// fails for 2 of the URLs and counts the fetches in flight. crawl must
// return within 2 s; fetch each URL once; return every size in the order
// of the URLs and both failures joined (errors.Is finds each); have exactly
// 3 fetches running at its peak; and leave no goroutine running once it has
// returned. That rejects the tutorial's consumer that loops forever
// (whether Crawl then hangs or returns and leaves the consumers blocked),
// a goroutine per URL, sizes in the order the fetches finished, and only
// the first error. A panic in crawl comes back as an async.PanicError.
func CheckCrawl(crawl CrawlFunc) error {
	if crawl == nil {
		return errors.New("measure: CheckCrawl: crawl is nil, want a Crawl function")
	}
	const n, workers = 12, 3
	urls := make([]string, n)
	for i := range urls {
		urls[i] = fmt.Sprintf("https://example.com/page/%02d", i)
	}
	urls[4], urls[9] = "bad-1", "bad-2"
	// Each page has its own size, and later pages answer sooner, so the
	// order in which fetches finish is never the order of the URLs.
	index := map[string]int{}
	for i, u := range urls {
		index[u] = i
	}
	size := func(i int) int { return 1000 + 10*i }
	var inFlight, peak atomic.Int32
	var mu sync.Mutex
	calls := map[string]int{}
	fetch := func(url string) (int, error) {
		now := inFlight.Add(1)
		defer inFlight.Add(-1)
		for p := peak.Load(); now > p && !peak.CompareAndSwap(p, now); p = peak.Load() {
		}
		mu.Lock()
		calls[url]++
		mu.Unlock()
		time.Sleep(time.Duration(n-index[url]) * 3 * time.Millisecond)
		switch url {
		case "bad-1":
			return 0, errBad1
		case "bad-2":
			return 0, errBad2
		}
		return size(index[url]), nil
	}
	before := runtime.NumGoroutine()
	task := async.Go(context.Background(), func(context.Context) ([]int, error) { return crawl(urls, workers, fetch) })
	ctx, cancel := context.WithTimeoutCause(context.Background(), crawlTimeout, errCrawlTimeout)
	defer cancel()
	sizes, err := task.Wait(ctx)
	var p async.PanicError
	switch {
	case errors.Is(err, errCrawlTimeout):
		return mistake(errCrawlTimeout, "Crawl did not return within %v: does the producer close the channel, and do the consumers range over it?", crawlTimeout)
	case errors.As(err, &p):
		return p
	case !errors.Is(err, errBad1) || !errors.Is(err, errBad2):
		return mistake(errCrawlErrors, "Crawl returned the error %v; want both failures (of %q and %q), joined with errors.Join", err, "bad-1", "bad-2")
	}
	mu.Lock()
	defer mu.Unlock()
	for _, u := range urls {
		if calls[u] != 1 {
			return mistake(errCrawlEvery, "%s was fetched %d times, want once", u, calls[u])
		}
	}
	if len(sizes) != n {
		return mistake(errCrawlOrder, "Crawl returned %d sizes for %d URLs", len(sizes), n)
	}
	for i, u := range urls {
		if want := size(i); u[:3] != "bad" && sizes[i] != want {
			return mistake(errCrawlOrder, "sizes[%d] = %d, want %d: return the sizes in the order of the URLs", i, sizes[i], want)
		}
	}
	if got := peak.Load(); got != workers {
		return mistake(errCrawlWorkers, "at most %d fetches ran at once, want exactly %d: one per consumer", got, workers)
	}
	// The goroutines Crawl started may still be on their way out: give them
	// a moment, then count.
	for deadline := time.Now().Add(500 * time.Millisecond); runtime.NumGoroutine() > before && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	if left := runtime.NumGoroutine() - before; left > 0 {
		return mistake(errCrawlLeak, "%d goroutines still ran after Crawl returned: a producer or consumer is stuck (does every consumer's loop end?)", left)
	}
	return nil
}
