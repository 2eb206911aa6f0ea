package measure

import "syscall"

// threadID is the kernel's id of the calling thread.
func threadID() int { return syscall.Gettid() }
