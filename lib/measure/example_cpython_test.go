package measure_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/measure"
)

// Where the interpreter is missing, the CPython side is skipped with a
// one-line reason, which errors.As tells apart from a failure.
func ExampleUnavailable() {
	_, err := measure.CPython{Python: "python-that-is-not-here"}.Find()
	var u *measure.Unavailable
	fmt.Println(errors.As(err, &u))
	fmt.Println(u.Missing)
	// Output:
	// true
	// python-that-is-not-here
}

func ExamplePair_Ratio() {
	p := measure.Pair{Label: "sequential", CPythonTime: 3 * time.Second, GoTime: 75 * time.Millisecond}
	fmt.Printf("Go / CPython = %.3f: Go took %.0f times less time\n", p.Ratio(), 1/p.Ratio())
	// Output: Go / CPython = 0.025: Go took 40 times less time
}
