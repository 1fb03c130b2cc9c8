//go:build unix

package main

import (
	"os/exec"
	"syscall"
)

// noTerminal starts cmd in a session of its own, without a controlling
// terminal, as under CI.
func noTerminal(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} }
