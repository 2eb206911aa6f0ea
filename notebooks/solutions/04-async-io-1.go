// FirstOf downloads every url at once and returns the index and size of the
// first download that succeeds, then cancels the others. If every download
// fails, it returns an error.
func FirstOf(ctx context.Context, c *http.Client, urls []string) (index, size int, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // on return, stop every download still in flight
	type result struct {
		index, size int
		err         error
	}
	results := make(chan result, len(urls)) // room for all: no goroutine is left blocked
	for i, u := range urls {
		go func() {
			n, err := download(ctx, c, u)
			results <- result{i, n, err}
		}()
	}
	for range urls { // results in completion order, like as_completed
		r := <-results
		if r.err == nil {
			return r.index, r.size, nil
		}
		err = r.err
	}
	return -1, 0, fmt.Errorf("every download failed; the last error: %w", err)
}

%%
fmt.Println("FirstOf is declared; run the check below.")
