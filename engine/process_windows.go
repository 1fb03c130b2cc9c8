package engine

import "os/exec"

// shell runs a credential_process command line, as in the SDK.
var shell = [2]string{"cmd.exe", "/C"}

// startCommand sets up how a credential_process is stopped on Windows:
// the command interpreter is killed (exec's default), and after
// processWaitDelay awsxc stops waiting for the output that programs it
// started may still hold open. Those programs are not killed: Windows
// has no process groups that a kill reaches.
func startCommand(cmd *exec.Cmd, terminal bool) {}
