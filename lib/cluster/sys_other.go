//go:build !linux

package cluster

import "syscall"

// sysProcAttr: without Pdeathsig, a server process ends when its standard
// input closes, which happens when the parent exits.
func sysProcAttr() *syscall.SysProcAttr { return nil }
