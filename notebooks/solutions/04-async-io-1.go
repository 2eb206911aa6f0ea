// FetchAll downloads every url with at most limit downloads in flight. It
// returns the sizes in the order of urls and one error per url (nil if ok).
func FetchAll(ctx context.Context, c *http.Client, urls []string, limit int) ([]int, []error) {
	sizes, errs := make([]int, len(urls)), make([]error, len(urls))
	sem, err := async.NewSemaphore(limit)
	if err != nil {
		for i := range errs {
			errs[i] = err
		}
		return sizes, errs
	}
	var wg sync.WaitGroup
	for i, u := range urls {
		wg.Go(func() { // each goroutine writes only its own index: no lock needed
			errs[i] = sem.Do(ctx, func(ctx context.Context) error {
				var err error
				sizes[i], err = download(ctx, c, u)
				return err
			})
		})
	}
	wg.Wait()
	return sizes, errs
}

%%
fmt.Println("FetchAll is declared; run the check below.")
