package measure_test

import (
	"fmt"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/measure"
	"github.com/go-parallelism/go-parallelism/lib/workload"
)

// Best repeats a measurement and keeps the run least disturbed by other
// programs. The time differs from machine to machine; what was measured
// does not.
func ExampleBest() {
	t, err := measure.Best(3, measure.StartGoroutines, 1000)
	if err != nil {
		fmt.Println(err)
		return
	}
	// fmt.Println(t) prints "goroutine: 1000 in 512µs, 512ns each".
	fmt.Println(t.What, t.N, t.Each() > 0)
	// Output: goroutine 1000 true
}

// A parked goroutine holds a stack of a few KiB and a small record on the
// heap: thousands fit in the memory of one process.
func ExampleParkGoroutines() {
	m, err := measure.ParkGoroutines(10_000)
	if err != nil {
		fmt.Println(err)
		return
	}
	one := m.PerEach()
	fmt.Println(one.What, "holds at least 2 KiB:", one.Held() >= 2<<10, "and at most 64 KiB:", one.Held() <= 64<<10)
	// Output: goroutine holds at least 2 KiB: true and at most 64 KiB: true
}

// Bad input is an error that names the function, the parameter, its value
// and what is allowed.
func ExampleStartThreads_badInput() {
	_, err := measure.StartThreads(0)
	fmt.Println(err)
	// Output: measure: StartThreads: n is 0, want at least 1
}

func ExampleMagnitude() {
	fmt.Println(measure.Magnitude(3.4), measure.Magnitude(38.2), measure.Magnitude(4567))
	// Output: 3 40 5,000
}

// Label leaves out of a workload's name what changes from run to run, such
// as the address of its server.
func ExampleLabel() {
	fmt.Println(measure.Label(workload.Spec{Name: "scrape", Size: 8, Options: workload.Options{Latency: 20 * time.Millisecond, Addr: "127.0.0.1:8080"}}))
	// Output: scrape(8 latency=20ms)
}
