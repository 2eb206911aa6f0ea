package versus

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// RSS returns the resident set size of process pid: the bytes of its memory
// that are in RAM now (VmRSS in /proc/<pid>/status). Only on Linux.
func RSS(pid int) (uint64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("versus: RSS of process %d: %w", pid, err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			f := strings.Fields(rest) // "1234 kB"
			if len(f) == 2 && f[1] == "kB" {
				kb, err := strconv.ParseUint(f[0], 10, 64)
				if err == nil {
					return kb << 10, nil
				}
			}
		}
	}
	return 0, fmt.Errorf("versus: no VmRSS for process %d", pid)
}

// LimitMemory caps the address space of the calling process (RLIMIT_AS) at
// its present size plus extra bytes. An allocation past the cap then fails,
// and the Go runtime ends the process with "out of memory". Call it in a
// worker process, never in a program you want to keep: the cap cannot be
// raised again. Only on Linux.
func LimitMemory(extra uint64) error {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return fmt.Errorf("versus: %w", err)
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return fmt.Errorf("versus: cannot read /proc/self/statm")
	}
	pages, err := strconv.ParseUint(f[0], 10, 64)
	if err != nil {
		return fmt.Errorf("versus: %w", err)
	}
	lim := pages*uint64(os.Getpagesize()) + extra
	if err := syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: lim, Max: lim}); err != nil {
		return fmt.Errorf("versus: setrlimit: %w", err)
	}
	return nil
}
