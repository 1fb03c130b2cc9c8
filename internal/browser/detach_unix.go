//go:build unix

package browser

import (
	"os/exec"
	"syscall"
)

// detach puts the command in a process group of its own, so that the
// terminal's Ctrl-C (sent to the foreground group) and the end of the
// program that opened it leave the browser alone.
func detach(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}
