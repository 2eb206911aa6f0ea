package proc

import (
	"os"
	"strings"
	"syscall"
)

// signalOf returns the signal that ended a process, or nil.
func signalOf(st *os.ProcessState) os.Signal {
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return ws.Signal()
	}
	return nil
}

// outOfMemory reports whether a worker's stderr holds the Go runtime's
// report that it could not get memory. The runtime ends the process from
// inside, with exit status 2 like any fatal error, so its report is the one
// place that says why; this is read here, once, so that callers get a typed
// field (WorkerError.MemoryLimit) instead of reading text.
func outOfMemory(stderr string) bool {
	for _, s := range []string{
		"fatal error: out of memory",                   // a heap allocation failed
		"fatal error: runtime: out of memory",          // a stack could not grow
		"runtime: out of memory",                       // the line before either
		"fatal error: runtime: cannot allocate memory", // an OS thread could not start
		"too many address space collisions",            // -race: the heap could not grow
	} {
		if strings.Contains(stderr, s) {
			return true
		}
	}
	return false
}
