package pool_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/go-parallelism/go-parallelism/lib/pool"
)

// Map keeps the order of its inputs, like Python's ThreadPool.map.
func ExampleMap() {
	words := []string{"go", "by", "example"}
	upper, err := pool.Map(context.Background(), 2, words, func(_ context.Context, w string) (string, error) {
		return strings.ToUpper(w), nil
	})
	fmt.Println(upper, err)
	// Output: [GO BY EXAMPLE] <nil>
}

// Workers is the producer/consumer of the tutorial, with an end: the
// producer closes the channel once every task is queued.
func ExampleWorkers() {
	squares, err := pool.Workers(context.Background(), 3, 5, func(_ context.Context, i int) (int, error) {
		return i * i, nil
	})
	fmt.Println(squares, err)
	// Output: [0 1 4 9 16] <nil>
}
