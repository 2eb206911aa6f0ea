//go:build unix

package bench

import (
	"runtime"
	"syscall"
)

// haveCPUTime tells whether selfUsage reads the process's CPU time.
const haveCPUTime = true

// childUsage returns the resource usage of this process's children that
// have been waited for.
func childUsage() usage { return getrusage(syscall.RUSAGE_CHILDREN) }

func getrusage(who int) usage {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return usage{}
	}
	rss := uint64(ru.Maxrss)
	if runtime.GOOS != "darwin" && runtime.GOOS != "ios" {
		rss *= 1024 // kilobytes everywhere but on Apple systems
	}
	return usage{
		cpu:    nanos(ru.Utime.Nano() + ru.Stime.Nano()),
		maxRSS: rss,
	}
}
