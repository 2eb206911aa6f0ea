package sched_test

import (
	"fmt"

	"github.com/go-parallelism/go-parallelism/lib/sched"
)

// A goroutine that waits on a channel is Waiting, with the reason the
// runtime gives; the trace says so, not a guess from wall-clock times. On an
// unbuffered channel whichever side comes first waits for the other: the
// receiver ("chan receive") or, if the sender got there first, the sender
// ("chan send").
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
	w := tr.Total().Waiting
	fmt.Println("someone waited on the channel:", w["chan receive"]+w["chan send"] > 0)
	// Output:
	// goroutines: 2
	// someone waited on the channel: true
}
