//go:build unix

package engine

import (
	"os/exec"
	"syscall"
)

// shell runs a credential_process command line, as in the SDK.
var shell = [2]string{"sh", "-c"}

// startCommand sets up how a credential_process is stopped when it times
// out or its fetch is cancelled, on Unix:
//
//   - Without a terminal (the tray, a server, a script, CI) the process
//     leads a process group of its own, and the whole group is killed:
//     the shell and everything it started.
//   - With one (a person at a shell) it stays in awsxc's process group,
//     so that it may still read an MFA code or a password from the
//     terminal (a process in another group would be stopped by SIGTTIN),
//     and the process and the programs it started, found by their parent
//     process ids (on Linux, in /proc; elsewhere only the process itself),
//     are killed.
func startCommand(cmd *exec.Cmd, terminal bool) {
	if !terminal {
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		cmd.Cancel = func() error {
			return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
		return
	}
	cmd.Cancel = func() error {
		for _, pid := range descendants(cmd.Process.Pid) {
			syscall.Kill(pid, syscall.SIGKILL)
		}
		return cmd.Process.Kill()
	}
}
