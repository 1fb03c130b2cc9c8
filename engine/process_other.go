//go:build !unix && !windows

package engine

import "os/exec"

// shell runs a credential_process command line, as in the SDK.
var shell = [2]string{"sh", "-c"}

// startCommand leaves exec's default: the process itself is killed.
func startCommand(cmd *exec.Cmd, terminal bool) {}
