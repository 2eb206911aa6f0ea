package sched_test

import (
	"fmt"

	"github.com/go-parallelism/go-parallelism/lib/sched"
)

// A goroutine that waits for a value on a channel is Waiting, with the reason
// the runtime gives; the trace says so, not a guess from wall-clock times.
func ExampleRecord() {
	tr, err := sched.Record(func() {
		ch := make(chan int)
		go func() { ch <- 42 }()
		<-ch
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("goroutines:", len(tr.Goroutines))
	_, waited := tr.Total().Waiting["chan receive"]
	fmt.Println("someone waited on a channel:", waited)
	// Output:
	// goroutines: 2
	// someone waited on a channel: true
}
