package pool_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/go-parallelism/go-parallelism/lib/pool"
)

// Spawn starts one goroutine per task; the results come back in task order
// whatever order the goroutines finish in.
func ExampleSpawn() {
	squares, err := pool.Spawn(context.Background(), 5, func(_ context.Context, i int) (int, error) {
		return i * i, nil
	})
	fmt.Println(squares, err)
	// Output: [0 1 4 9 16] <nil>
}

// Workers is a producer and consumers with an end: the producer closes the
// channel once every task is sent, so the consumers' loops stop.
func ExampleWorkers() {
	squares, err := pool.Workers(context.Background(), 3, 5, func(_ context.Context, i int) (int, error) {
		return i * i, nil
	})
	fmt.Println(squares, err)
	// Output: [0 1 4 9 16] <nil>
}

// Map keeps the order of its inputs, like Python's ThreadPool.map.
func ExampleMap() {
	words := []string{"go", "by", "example"}
	upper, err := pool.Map(context.Background(), 2, words, func(_ context.Context, w string) (string, error) {
		return strings.ToUpper(w), nil
	})
	fmt.Println(upper, err)
	// Output: [GO BY EXAMPLE] <nil>
}

// Group stops at the first failure: with a limit of 1, the tasks after the
// failing one never start.
func ExampleGroup() {
	ran := 0
	_, err := pool.Group(context.Background(), 1, 10, func(_ context.Context, i int) (int, error) {
		ran++ // safe: with a limit of 1, one task runs at a time
		if i == 3 {
			return 0, errors.New("no 3")
		}
		return i, nil
	})
	fmt.Println(err, "·", ran, "tasks ran")
	// Output: pool: task 3: no 3 · 4 tasks ran
}

// Limit runs every task, at most limit at once, and joins the failures.
func ExampleLimit() {
	halves, err := pool.Limit(context.Background(), 2, 4, func(_ context.Context, i int) (int, error) {
		if i%2 == 1 {
			return 0, fmt.Errorf("%d is odd", i)
		}
		return i / 2, nil
	})
	fmt.Println(halves)
	fmt.Println(err)
	// Output:
	// [0 0 1 0]
	// pool: task 1: 1 is odd
	// pool: task 3: 3 is odd
}

// errors.As finds which task failed, and a panic comes back as a value with
// its stack instead of killing the program.
func ExampleTaskError() {
	_, err := pool.Spawn(context.Background(), 3, func(_ context.Context, i int) (string, error) {
		switch i {
		case 1:
			return "", errors.New("not found")
		case 2:
			panic("bad input")
		}
		return "ok", nil
	})
	var te pool.TaskError
	if errors.As(err, &te) {
		fmt.Println("task", te.Index, "failed:", te.Err)
	}
	var pe pool.PanicError
	if errors.As(err, &pe) {
		fmt.Println("task", pe.Index, "panicked:", pe.Value, "· stack kept:", len(pe.Stack) > 0)
	}
	// Output:
	// task 1 failed: not found
	// task 2 panicked: bad input · stack kept: true
}
