// FetchAll fetches every URL concurrently and returns the bodies in the order of urls.
func FetchAll(ctx context.Context, client *http.Client, urls []string) ([][]byte, error) {
	bodies := make([][]byte, len(urls))
	errs := make([]error, len(urls))
	var wg sync.WaitGroup
	for i, url := range urls {
		wg.Go(func() {
			bodies[i], errs[i] = fetch(ctx, client, url)
		})
	}
	wg.Wait()
	return bodies, errors.Join(errs...)
}

// fetch gets one URL and returns its body, or an error for any status but 200 OK.
func fetch(ctx context.Context, client *http.Client, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s", url, resp.Status)
	}
	return io.ReadAll(resp.Body)
}

%%
fmt.Println("FetchAll is declared; run the check below.")
