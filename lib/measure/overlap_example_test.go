package measure_test

import (
	"fmt"

	"github.com/go-parallelism/go-parallelism/lib/measure"
	"github.com/go-parallelism/go-parallelism/lib/span"
)

// A MaxOverlap that calls every span concurrent is rejected by the first
// case where spans only touch.
func ExampleCheckMaxOverlap() {
	err := measure.CheckMaxOverlap(func(spans []span.Span) int { return len(spans) })
	fmt.Println(err)
	// Output: three spans, each starting when the previous ends: MaxOverlap = 3, want 1
}
