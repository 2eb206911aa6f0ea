//go:build !unix

package cost

import "errors"

// StackLimit is not available on this system.
func StackLimit() (uint64, error) {
	return 0, errors.New("cost: no stack limit on this system")
}
