//go:build !linux

package measure

import (
	"errors"
	"fmt"
)

// LimitMemory caps the address space of the calling process. Only on
// Linux: here the error errors.Is errors.ErrUnsupported.
func LimitMemory(extra uint64) error {
	return fmt.Errorf("measure: LimitMemory: %w", errors.ErrUnsupported)
}
