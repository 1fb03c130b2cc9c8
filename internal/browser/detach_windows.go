package browser

import (
	"os/exec"
	"syscall"
)

// detach starts the command in a process group of its own, so that the
// console's Ctrl-C leaves the browser alone.
func detach(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{CreationFlags: syscall.CREATE_NEW_PROCESS_GROUP}
}
