//go:build unix && !linux

package bench

import "syscall"

func selfUsage() usage { return getrusage(syscall.RUSAGE_SELF) }
