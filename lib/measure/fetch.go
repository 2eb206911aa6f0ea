package measure

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/go-parallelism/go-parallelism/lib/gil"
	"github.com/go-parallelism/go-parallelism/lib/site"
)

// Fetch downloads url with c and returns the checksum of the body
// (site.Checksum), the way a CPython thread runs under the GIL. With a nil
// lock it simply fetches. With a lock, the whole call holds it, as a Python
// thread holds the GIL while it runs Python code; if release is true the
// network wait runs inside gil.Blocking, which lets go of the lock, as
// CPython's socket calls do; if release is false the lock is kept while
// waiting, as a C extension that forgets to release the GIL does.
func Fetch(ctx context.Context, lock *gil.Lock, release bool, c *http.Client, url string) (string, error) {
	if c == nil {
		return "", errors.New("measure: Fetch: client is nil, want an *http.Client (site.NewClient)")
	}
	var sum string
	run := func(ctx context.Context) error {
		var body []byte
		get := func() error {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
			if err != nil {
				return err
			}
			resp, err := c.Do(req)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("measure: Fetch %s: %s", url, resp.Status)
			}
			body, err = io.ReadAll(resp.Body)
			return err
		}
		var err error
		if release {
			err = gil.Blocking(ctx, get)
		} else {
			err = get()
		}
		if err != nil {
			return err
		}
		sum = site.Checksum(body)
		return nil
	}
	var err error
	if lock == nil {
		err = run(ctx)
	} else {
		err = lock.Run(ctx, run)
	}
	return sum, err
}
