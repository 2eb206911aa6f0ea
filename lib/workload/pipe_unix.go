//go:build unix

package workload

import (
	"os/exec"
	"syscall"
)

// killGroup puts the child in its own process group and makes cancellation
// kill the whole group, so that no grandchild outlives the task.
func killGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
