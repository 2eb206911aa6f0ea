// Fanout calls f(0), ..., f(n-1), each in its own goroutine, and returns when all have returned.
func Fanout(n int, f func(i int)) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { f(i) })
	}
	wg.Wait()
}

%%
fmt.Println("Fanout is declared; run the check below.")
