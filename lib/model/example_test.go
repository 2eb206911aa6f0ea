package model_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-parallelism/go-parallelism/lib/model"
	"github.com/go-parallelism/go-parallelism/lib/workload"
)

func Example() {
	job, err := workload.New(workload.Spec{Name: workload.Text, Size: 40})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer job.Close()
	for _, m := range []model.Model{model.Sequential, model.Pool(2), model.Async} {
		res, err := model.Run(context.Background(), job, m)
		fmt.Printf("%-10s %d digests, error: %v, check: %v\n", m, len(res.Digests), err, job.Check(res.Digests))
	}
	// Output:
	// sequential 40 digests, error: <nil>, check: <nil>
	// pool(2)    40 digests, error: <nil>, check: <nil>
	// async      40 digests, error: <nil>, check: <nil>
}

// A failing task fails alone: the error joins one TaskError per failure.
func ExampleTaskError() {
	job := &workload.Job{N: 4, Kind: workload.CPU,
		Task: func(ctx context.Context, i int) (string, error) {
			if i%2 == 1 {
				return "", fmt.Errorf("odd input %d", i)
			}
			return fmt.Sprint(i * i), nil
		}}
	res, err := model.Run(context.Background(), job, model.Goroutines)
	fmt.Printf("%q\n", res.Digests)
	var te *model.TaskError
	if errors.As(err, &te) { // the first failure
		fmt.Println("task", te.Index, "failed:", te.Err)
	}
	fmt.Println(err)
	// Output:
	// ["0" "" "4" ""]
	// task 1 failed: odd input 1
	// model goroutines: task 1: odd input 1
	// model goroutines: task 3: odd input 3
}
