package hazard_test

import (
	"context"
	"fmt"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/hazard"
)

func ExampleCountMutex() {
	c, err := hazard.CountMutex(8, 10000)
	fmt.Println(c, err)
	// Output: counted 80000 of 80000 (lost 0) <nil>
}

func ExampleDeadlock() {
	err := hazard.Deadlock(context.Background(), 100*time.Millisecond)
	fmt.Println(err)
	fmt.Println(hazard.DeadlockOrdered(context.Background(), 100*time.Millisecond))
	// Output:
	// deadlock: no progress after 100ms: worker 1 holds A and waits for B (held by worker 2); worker 2 holds B and waits for A (held by worker 1)
	// <nil>
}
