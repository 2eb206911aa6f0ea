// fetchUnderGIL downloads url while holding lock, except during the network wait, and returns
// site.Checksum of the body.
func fetchUnderGIL(ctx context.Context, lock *gil.Lock, c *http.Client, url string) (string, error) {
	var sum string
	err := lock.Run(ctx, func(ctx context.Context) error {
		var body []byte
		err := gil.Blocking(ctx, func() error { // the lock is free while we wait
			resp, err := c.Get(url)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			body, err = io.ReadAll(resp.Body)
			return err
		})
		if err != nil {
			return err
		}
		sum = site.Checksum(body) // holding the lock again
		return nil
	})
	return sum, err
}

%%
fmt.Println("fetchUnderGIL is declared; run the check below.")
