package bench

import "golang.org/x/sys/unix"

// selfUsage reads this process's CPU time with clock_gettime, which costs
// about half as much as getrusage and has nanosecond resolution.
func selfUsage() usage {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_PROCESS_CPUTIME_ID, &ts); err != nil {
		return getrusage(unix.RUSAGE_SELF)
	}
	return usage{cpu: nanos(ts.Nano())}
}
