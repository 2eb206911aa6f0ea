package measure

import (
	"errors"
	"sync"
	"testing"

	"github.com/go-parallelism/go-parallelism/lib/async"
)

type fetchFunc = func(url string) (int, error)

// crawl is a right answer: a producer that closes its channel, and
// workers consumers that range over it.
func crawl(urls []string, workers int, fetch fetchFunc) ([]int, error) {
	indices := make(chan int)
	go func() {
		defer close(indices)
		for i := range urls {
			indices <- i
		}
	}()
	sizes, errs := make([]int, len(urls)), make([]error, len(urls))
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range indices {
				sizes[i], errs[i] = fetch(urls[i])
			}
		})
	}
	wg.Wait()
	return sizes, errors.Join(errs...)
}

// foreverAndWait is the tutorial's consumer, which loops forever, joined:
// Crawl never returns. (Forever here is until the test closes stop, so that
// the test leaves no goroutine behind.)
func foreverAndWait(stop <-chan struct{}) CrawlFunc {
	return func(urls []string, workers int, fetch fetchFunc) ([]int, error) {
		indices := make(chan int)
		go func() {
			for i := range urls {
				indices <- i
			}
		}()
		sizes, errs := make([]int, len(urls)), make([]error, len(urls))
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for {
					select {
					case i := <-indices:
						sizes[i], errs[i] = fetch(urls[i])
					case <-stop:
						return
					}
				}
			})
		}
		wg.Wait()
		return sizes, errors.Join(errs...)
	}
}

// foreverAndCount is the same consumer, but Crawl counts the results and
// returns: the consumers stay blocked on the channel for ever (until stop).
func foreverAndCount(stop <-chan struct{}) CrawlFunc {
	return func(urls []string, workers int, fetch fetchFunc) ([]int, error) {
		type result struct {
			i, size int
			err     error
		}
		indices, results := make(chan int), make(chan result)
		go func() {
			for i := range urls {
				indices <- i
			}
		}()
		for range workers {
			go func() {
				for {
					select {
					case i := <-indices:
						n, err := fetch(urls[i])
						results <- result{i, n, err}
					case <-stop:
						return
					}
				}
			}()
		}
		sizes, errs := make([]int, len(urls)), make([]error, len(urls))
		for range urls {
			r := <-results
			sizes[r.i], errs[r.i] = r.size, r.err
		}
		return sizes, errors.Join(errs...)
	}
}

// perURL starts a goroutine per URL: no limit.
func perURL(urls []string, _ int, fetch fetchFunc) ([]int, error) {
	sizes, errs := make([]int, len(urls)), make([]error, len(urls))
	var wg sync.WaitGroup
	for i, u := range urls {
		wg.Go(func() { sizes[i], errs[i] = fetch(u) })
	}
	wg.Wait()
	return sizes, errors.Join(errs...)
}

// finishOrder appends the sizes as the fetches finish.
func finishOrder(urls []string, workers int, fetch fetchFunc) ([]int, error) {
	var mu sync.Mutex
	var sizes []int
	var errs []error
	_, err := crawl(urls, workers, func(url string) (int, error) {
		n, err := fetch(url)
		mu.Lock()
		sizes, errs = append(sizes, n), append(errs, err)
		mu.Unlock()
		return n, err
	})
	_ = err
	return sizes, errors.Join(errs...)
}

// firstError keeps only the first failure.
func firstError(urls []string, workers int, fetch fetchFunc) ([]int, error) {
	var mu sync.Mutex
	var first error
	sizes, _ := crawl(urls, workers, func(url string) (int, error) {
		n, err := fetch(url)
		mu.Lock()
		if first == nil {
			first = err
		}
		mu.Unlock()
		return n, err
	})
	return sizes, first
}

func TestCheckCrawlAcceptsARightAnswer(t *testing.T) {
	if err := CheckCrawl(crawl); err != nil {
		t.Fatalf("CheckCrawl rejected a right answer: %v", err)
	}
}

// The cases run one after another: CheckCrawl counts the program's
// goroutines.
func TestCheckCrawlRejectsWrongAnswers(t *testing.T) {
	stop := make(chan struct{})
	defer close(stop) // ends the consumers that loop "forever"
	for _, c := range []struct {
		name  string
		f     CrawlFunc
		broke error
	}{
		{"consumers loop forever, Crawl waits", foreverAndWait(stop), errCrawlTimeout},
		{"consumers loop forever, Crawl counts", foreverAndCount(stop), errCrawlLeak},
		{"a goroutine per URL", perURL, errCrawlWorkers},
		{"sizes in finishing order", finishOrder, errCrawlOrder},
		{"only the first error", firstError, errCrawlErrors},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := CheckCrawl(c.f)
			if !errors.Is(err, c.broke) {
				t.Fatalf("CheckCrawl = %v; want a rejection for breaking %q", err, c.broke)
			}
			t.Log(err)
		})
	}
}

func TestCheckCrawlReportsAPanic(t *testing.T) {
	err := CheckCrawl(func([]string, int, fetchFunc) ([]int, error) { panic("TODO: write Crawl") })
	var p async.PanicError
	if !errors.As(err, &p) || p.Value != "TODO: write Crawl" {
		t.Fatalf("err = %v, want an async.PanicError with the panic's value", err)
	}
	if err := CheckCrawl(nil); err == nil {
		t.Fatal("CheckCrawl(nil) returned no error")
	}
}
