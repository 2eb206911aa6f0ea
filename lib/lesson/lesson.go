// Package lesson holds small helpers for the notebooks on asyncio and on
// hazards: a progress line that a notebook cell updates in place, and the
// count of OS threads the Go runtime has started.
package lesson

import "runtime/pprof"

// Threads returns how many OS threads the Go runtime has created so far, from
// the "threadcreate" profile. The runtime rarely ends a thread, so this is
// also, to within a few, how many it has now. It works on every system, unlike
// reading /proc/self/status.
func Threads() int { return pprof.Lookup("threadcreate").Count() }
