//go:build !linux

package versus

// RSS returns the resident set size of process pid. Only on Linux.
func RSS(pid int) (uint64, error) { return 0, ErrUnsupported }
