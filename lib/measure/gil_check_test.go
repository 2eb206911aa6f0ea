package measure

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/go-parallelism/go-parallelism/lib/gil"
)

// gilDownload downloads url and returns the body.
func gilDownload(c *http.Client, url string) ([]byte, error) {
	resp, err := c.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// fetchUnderGIL is the answer notebook 07 expects.
func fetchUnderGIL(ctx context.Context, lock *gil.Lock, c *http.Client, url string, parse func([]byte) string) (string, error) {
	var sum string
	err := lock.Run(ctx, func(ctx context.Context) error {
		var body []byte
		err := gil.Blocking(ctx, func() (err error) {
			body, err = gilDownload(c, url)
			return err
		})
		if err != nil {
			return err
		}
		sum = parse(body)
		return nil
	})
	return sum, err
}

func TestCheckFetchUnderGILAcceptsTheAnswer(t *testing.T) {
	if err := CheckFetchUnderGIL(fetchUnderGIL); err != nil {
		t.Fatalf("the expected answer was rejected: %v", err)
	}
}

// The plausible wrong answers, each with the flaw the check must name.
var wrongFetches = []struct {
	name  string
	flaw  GILFlaw
	fetch FetchUnderGILFunc
}{
	{"no lock at all", GILUnlockedStart, func(ctx context.Context, lock *gil.Lock, c *http.Client, url string, parse func([]byte) string) (string, error) {
		body, err := gilDownload(c, url)
		return parse(body), err
	}},
	{"the lock kept during the wait", GILHeldWait, func(ctx context.Context, lock *gil.Lock, c *http.Client, url string, parse func([]byte) string) (sum string, err error) {
		err = lock.Run(ctx, func(ctx context.Context) error {
			body, err := gilDownload(c, url)
			sum = parse(body)
			return err
		})
		return sum, err
	}},
	{"gil.Blocking with a context that does not carry the lock", GILHeldWait, func(ctx context.Context, lock *gil.Lock, c *http.Client, url string, parse func([]byte) string) (sum string, err error) {
		err = lock.Run(ctx, func(context.Context) error {
			var body []byte
			err := gil.Blocking(ctx, func() (err error) { body, err = gilDownload(c, url); return err }) // ctx, not lock.Run's
			sum = parse(body)
			return err
		})
		return sum, err
	}},
	{"the body read holding the lock", GILHeldWait, func(ctx context.Context, lock *gil.Lock, c *http.Client, url string, parse func([]byte) string) (sum string, err error) {
		err = lock.Run(ctx, func(ctx context.Context) error {
			var resp *http.Response
			if err := gil.Blocking(ctx, func() (err error) { resp, err = c.Get(url); return err }); err != nil {
				return err
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			sum = parse(body)
			return err
		})
		return sum, err
	}},
	{"parse inside gil.Blocking", GILUnlockedParse, func(ctx context.Context, lock *gil.Lock, c *http.Client, url string, parse func([]byte) string) (sum string, err error) {
		err = lock.Run(ctx, func(ctx context.Context) error {
			return gil.Blocking(ctx, func() error {
				body, err := gilDownload(c, url)
				sum = parse(body)
				return err
			})
		})
		return sum, err
	}},
	{"the lock around parse only", GILUnlockedStart, func(ctx context.Context, lock *gil.Lock, c *http.Client, url string, parse func([]byte) string) (sum string, err error) {
		body, err := gilDownload(c, url)
		if err != nil {
			return "", err
		}
		err = lock.Run(ctx, func(context.Context) error { sum = parse(body); return nil })
		return sum, err
	}},
	{"the checksum computed by hand, parse unused", GILWrongResult, func(ctx context.Context, lock *gil.Lock, c *http.Client, url string, parse func([]byte) string) (sum string, err error) {
		err = lock.Run(ctx, func(ctx context.Context) error {
			return gil.Blocking(ctx, func() error { _, err := gilDownload(c, url); return err })
		})
		return "", err
	}},
	{"a stub", GILPanicked, func(context.Context, *gil.Lock, *http.Client, string, func([]byte) string) (string, error) {
		panic("TODO: write fetchUnderGIL")
	}},
}

func TestCheckFetchUnderGILRejectsWrongAnswers(t *testing.T) {
	for _, w := range wrongFetches {
		t.Run(w.name, func(t *testing.T) {
			err := CheckFetchUnderGIL(w.fetch)
			var ge *GILError
			if !errors.As(err, &ge) {
				t.Fatalf("want a *GILError with flaw %q, got %v", w.flaw, err)
			}
			if ge.Flaw != w.flaw {
				t.Fatalf("flaw %q (%v), want %q", ge.Flaw, err, w.flaw)
			}
			t.Logf("rejected: %v", err)
		})
	}
}

func TestCheckFetchUnderGILPanicValue(t *testing.T) {
	err := CheckFetchUnderGIL(wrongFetches[len(wrongFetches)-1].fetch)
	var ge *GILError
	if !errors.As(err, &ge) || ge.Panic != "TODO: write fetchUnderGIL" {
		t.Fatalf("want the panic's value in GILError.Panic, got %#v", err)
	}
}

func TestCheckFetchUnderGILNil(t *testing.T) {
	if err := CheckFetchUnderGIL(nil); err == nil {
		t.Fatal("a nil fetch was accepted")
	}
}
