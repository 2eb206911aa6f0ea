//go:build !linux

package proc

import (
	"errors"
	"syscall"
)

// sysProcAttr: without Pdeathsig, a worker still exits when its input pipe
// closes, which happens when the parent exits.
func sysProcAttr() *syscall.SysProcAttr { return nil }

const memoryLimitSupported = false

func setMemoryLimit(int64) error { return errors.ErrUnsupported }
