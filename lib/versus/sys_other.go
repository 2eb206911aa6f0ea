//go:build !linux

package versus

// RSS returns the resident set size of process pid. Only on Linux.
func RSS(pid int) (uint64, error) { return 0, ErrUnsupported }

// LimitMemory caps the address space of the calling process. Only on Linux.
func LimitMemory(extra uint64) error { return ErrUnsupported }
