package proc

import "syscall"

// sysProcAttr makes the kernel kill a worker when its parent dies.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
