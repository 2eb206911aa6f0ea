package measure

import (
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/go-parallelism/go-parallelism/lib/async"
	"github.com/go-parallelism/go-parallelism/lib/site"
)

// gatherFetch is the notebook's fetch: an error for anything but a 200.
func gatherFetch(url string) error {
	resp, err := site.NewClient(gatherTimeout).Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return errors.New(resp.Status)
	}
	return nil
}

// The notebook's solution.
func gatherRight(urls []string) (ok, failed int) {
	errs := make([]error, len(urls))
	var wg sync.WaitGroup
	for i, url := range urls {
		wg.Go(func() { errs[i] = gatherFetch(url) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			failed++
		} else {
			ok++
		}
	}
	return ok, failed
}

func TestCheckGatherAcceptsARightAnswer(t *testing.T) {
	if err := CheckGather(gatherRight); err != nil {
		t.Fatalf("CheckGather rejected a right answer: %v", err)
	}
}

func TestCheckGatherRejectsWrongAnswers(t *testing.T) {
	for _, w := range []struct {
		name string
		fn   GatherFunc
		rule error
	}{
		{"one after another", func(urls []string) (ok, failed int) {
			for _, url := range urls {
				if gatherFetch(url) != nil {
					failed++
				} else {
					ok++
				}
			}
			return ok, failed
		}, errGatherOverlap},
		{"no wait", func(urls []string) (ok, failed int) {
			var good, bad atomic.Int64
			for _, url := range urls {
				go func() {
					if gatherFetch(url) != nil {
						bad.Add(1)
					} else {
						good.Add(1)
					}
				}()
			}
			return int(good.Load()), int(bad.Load())
		}, errGatherCounts},
		{"stops counting at the first failure", func(urls []string) (ok, failed int) {
			errs := make(chan error, len(urls))
			for _, url := range urls {
				go func() { errs <- gatherFetch(url) }()
			}
			for range urls {
				if err := <-errs; err != nil {
					return ok, 1
				}
				ok++
			}
			return ok, 0
		}, errGatherCounts},
	} {
		t.Run(w.name, func(t *testing.T) {
			err := CheckGather(w.fn)
			if !errors.Is(err, w.rule) {
				t.Fatalf("CheckGather(%s) = %v, want an error for the rule %q", w.name, err, w.rule)
			}
			t.Logf("rejected: %v", err)
		})
	}
}

func TestCheckGatherReportsAPanic(t *testing.T) {
	err := CheckGather(func([]string) (int, int) { panic("TODO: write gatherCounting") })
	var p async.PanicError
	if !errors.As(err, &p) || p.Value != "TODO: write gatherCounting" {
		t.Fatalf("CheckGather(a stub that panics) = %v, want an async.PanicError with the stub's value", err)
	}
	if err := CheckGather(nil); err == nil {
		t.Fatal("CheckGather(nil) = nil, want an error")
	}
}
