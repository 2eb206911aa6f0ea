package proc_test

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/go-parallelism/go-parallelism/lib/proc"
)

// square is registered at package level, so that every worker process,
// which runs this same program, knows it by name.
var square = proc.Register("square", func(ctx context.Context, n int) (int, error) {
	switch n {
	case 3:
		return 0, errors.New("three is unlucky")
	case 5:
		os.Exit(7) // takes its worker process down
	}
	return n * n, nil
})

func Example() {
	// In a program, proc.Main() comes first in main: in a worker process it
	// serves tasks and exits. (This test binary calls it in TestMain.)
	proc.Main()

	ctx := context.Background()
	pool, err := proc.NewPool(ctx, 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pool.Close()
	squares, err := square.Map(ctx, pool, []int{1, 2, 4, 8}, 2)
	fmt.Println(squares, err)
	// Output: [1 4 16 64] <nil>
}

// Every item runs; the error joins one typed error per failed item.
func ExampleItemErrors() {
	ctx := context.Background()
	pool, err := proc.NewPool(ctx, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pool.Close()
	squares, err := square.Map(ctx, pool, []int{1, 2, 3, 4, 5, 6}, 6)
	failed, err := proc.ItemErrors(err)
	if err != nil {
		fmt.Println("some items did not run:", err)
	}
	for i, sq := range squares {
		var te *proc.TaskError
		var we *proc.WorkerError
		switch {
		case errors.As(failed[i], &te):
			fmt.Printf("item %d: the task failed: %v\n", i, te.Err)
		case errors.As(failed[i], &we):
			fmt.Printf("item %d: its worker died with exit status %d\n", i, we.ExitCode)
		default:
			fmt.Printf("item %d: %d\n", i, sq)
		}
	}
	// Output:
	// item 0: 1
	// item 1: 4
	// item 2: the task failed: three is unlucky
	// item 3: 16
	// item 4: its worker died with exit status 7
	// item 5: 36
}

// A worker that allocates past its cap dies alone; the error names the cap.
func ExampleMemoryLimit() {
	ctx := context.Background()
	pool, err := proc.NewPool(ctx, 1, proc.MemoryLimit(256<<20))
	if errors.Is(err, errors.ErrUnsupported) {
		fmt.Println("[16 0 16] over the limit: 256 MiB") // not Linux
		return
	} else if err != nil {
		fmt.Println(err)
		return
	}
	defer pool.Close()
	mib, err := hungry.Map(ctx, pool, []int{16, 4096, 16}, 1)
	var we *proc.WorkerError
	if errors.As(err, &we) {
		fmt.Printf("%v over the limit: %d MiB\n", mib, we.MemoryLimit>>20)
	}
	// Output: [16 0 16] over the limit: 256 MiB
}
