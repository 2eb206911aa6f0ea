//go:build !unix

package measure

import (
	"errors"
	"fmt"
)

// StackLimit is not available on this system.
func StackLimit() (uint64, error) {
	return 0, fmt.Errorf("measure: StackLimit: %w", errors.ErrUnsupported)
}
