//go:build !unix

package main

import "os/exec"

// noTerminal does nothing where there is no controlling terminal to lose.
func noTerminal(*exec.Cmd) {}
