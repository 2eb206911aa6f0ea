// Crawl fetches every URL with exactly workers consumer goroutines fed by a producer
// over a channel, and returns the sizes in the order of urls and the joined errors.
func Crawl(urls []string, workers int, fetch func(url string) (int, error)) ([]int, error) {
	indices := make(chan int)
	go func() { // the producer
		defer close(indices) // no more work: every consumer's range loop ends
		for i := range urls {
			indices <- i
		}
	}()
	sizes := make([]int, len(urls))
	errs := make([]error, len(urls))
	var wg sync.WaitGroup
	for range workers { // the consumers
		wg.Go(func() {
			for i := range indices {
				sizes[i], errs[i] = fetch(urls[i]) // each index is written by one consumer only
			}
		})
	}
	wg.Wait()
	return sizes, errors.Join(errs...)
}

%%
fmt.Println("Crawl is declared; run the check below.")
