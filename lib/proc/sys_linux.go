package proc

import (
	"os"
	"strconv"
	"strings"
	"syscall"
)

// sysProcAttr makes the kernel kill a worker when its parent dies.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

const memoryLimitSupported = true

// setMemoryLimit caps the address space of this process (RLIMIT_AS) at its
// present size plus extra bytes. The cap cannot be raised again.
func setMemoryLimit(extra int64) error {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return err
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return syscall.EINVAL
	}
	pages, err := strconv.ParseUint(f[0], 10, 64)
	if err != nil {
		return err
	}
	lim := pages*uint64(os.Getpagesize()) + uint64(extra)
	return syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: lim, Max: lim})
}
