package measure

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// LimitMemory caps the address space of the calling process (RLIMIT_AS) at
// its present size plus extra bytes. An allocation past the cap then fails,
// and the Go runtime ends the process with "out of memory". Call it in a
// worker process, never in a program you want to keep: the cap cannot be
// raised again. Only on Linux.
func LimitMemory(extra uint64) error {
	if extra == 0 {
		return fmt.Errorf("measure: LimitMemory: extra is 0, want the bytes the process may still allocate")
	}
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return fmt.Errorf("measure: LimitMemory: %w", err)
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return fmt.Errorf("measure: LimitMemory: /proc/self/statm is empty")
	}
	pages, err := strconv.ParseUint(f[0], 10, 64)
	if err != nil {
		return fmt.Errorf("measure: LimitMemory: /proc/self/statm: %w", err)
	}
	lim := pages*uint64(os.Getpagesize()) + extra
	if err := syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: lim, Max: lim}); err != nil {
		return fmt.Errorf("measure: LimitMemory: setrlimit: %w", err)
	}
	return nil
}
