package measure

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/go-parallelism/go-parallelism/lib/async"
)

// download fetches url and returns the size of the body; any status but
// 200 OK is an error.
func download(ctx context.Context, c *http.Client, url string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return len(body), err
}

type result struct {
	index, size int
	err         error
}

// startAll downloads every url on its own goroutine with ctx and returns
// the results in the order they finish.
func startAll(ctx context.Context, c *http.Client, urls []string) <-chan result {
	results := make(chan result, len(urls))
	for i, u := range urls {
		go func() {
			n, err := download(ctx, c, u)
			results <- result{i, n, err}
		}()
	}
	return results
}

// firstOf is a right answer: the first success, then cancel the rest.
func firstOf(ctx context.Context, c *http.Client, urls []string) (int, int, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := startAll(ctx, c, urls)
	var err error
	for range urls {
		r := <-results
		if r.err == nil {
			return r.index, r.size, nil
		}
		err = r.err
	}
	return -1, 0, fmt.Errorf("every download failed; the last: %w", err)
}

// waitAll waits for every download, then returns the first success in
// the order they finished.
func waitAll(ctx context.Context, c *http.Client, urls []string) (int, int, error) {
	results := startAll(ctx, c, urls)
	first := result{index: -1, err: errors.New("every download failed")}
	for range urls {
		if r := <-results; r.err == nil && first.err != nil {
			first = r
		}
	}
	return first.index, first.size, first.err
}

// noCancel returns at the first success and leaves the others running.
func noCancel(ctx context.Context, c *http.Client, urls []string) (int, int, error) {
	results := startAll(ctx, c, urls)
	for range urls {
		if r := <-results; r.err == nil {
			return r.index, r.size, nil
		}
	}
	return -1, 0, errors.New("every download failed")
}

// firstDone returns the first download to finish, failed or not.
func firstDone(ctx context.Context, c *http.Client, urls []string) (int, int, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r := <-startAll(ctx, c, urls)
	return r.index, r.size, r.err
}

// neverFails returns the first success and, when every download fails, a
// made-up answer instead of an error.
func neverFails(ctx context.Context, c *http.Client, urls []string) (int, int, error) {
	i, n, err := firstOf(ctx, c, urls)
	if err != nil {
		return 0, 0, nil
	}
	return i, n, nil
}

func TestCheckFirstOfAcceptsARightAnswer(t *testing.T) {
	if err := CheckFirstOf(firstOf); err != nil {
		t.Fatalf("CheckFirstOf rejected a right answer: %v", err)
	}
}

func TestCheckFirstOfRejectsWrongAnswers(t *testing.T) {
	for name, f := range map[string]FirstOfFunc{
		"wait for all":           waitAll,
		"no cancel":              noCancel,
		"first done":             firstDone,
		"no error when all fail": neverFails,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := CheckFirstOf(f)
			if err == nil {
				t.Fatal("CheckFirstOf accepted a wrong answer")
			}
			t.Log(err)
		})
	}
}

func TestCheckFirstOfReportsAPanic(t *testing.T) {
	err := CheckFirstOf(func(context.Context, *http.Client, []string) (int, int, error) {
		panic("TODO: write FirstOf")
	})
	var p async.PanicError
	if !errors.As(err, &p) || p.Value != "TODO: write FirstOf" {
		t.Fatalf("err = %v, want an async.PanicError with the panic's value", err)
	}
	if err := CheckFirstOf(nil); err == nil {
		t.Fatal("CheckFirstOf(nil) returned no error")
	}
}
