//go:build unix

package measure

import "syscall"

// StackLimit returns the soft limit on the stack size (ulimit -s), in bytes.
// On Linux, glibc gives every new POSIX thread a stack of this size by
// default (when the limit is not "unlimited"): this is the address space a C
// program, or CPython's threading module, reserves per thread. Goroutines do
// not use it.
func StackLimit() (uint64, error) {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_STACK, &r); err != nil {
		return 0, err
	}
	return uint64(r.Cur), nil
}
