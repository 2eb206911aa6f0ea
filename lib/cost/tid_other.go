//go:build !linux

package cost

// threadID is 0 where the thread id is not available.
func threadID() int { return 0 }
