//go:build !linux

package measure

// threadID is 0 where the thread id is not available.
func threadID() int { return 0 }
