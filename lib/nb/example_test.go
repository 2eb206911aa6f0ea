package nb_test

import (
	"errors"

	"github.com/go-parallelism/go-parallelism/lib/nb"
)

// Outside a notebook, Show prints each value as text, one per line.
func ExampleShow() {
	nb.Show("16 pages fetched", 2.5, errors.New("page 7: HTTP 503"))
	// Output:
	// 16 pages fetched
	// 2.5
	// page 7: HTTP 503
}
