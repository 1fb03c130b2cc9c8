//go:build unix

package main

import (
	"fmt"
	"syscall"
)

// execCommand replaces awsxc-cli with the command (execve): the command
// gets our pid, so every signal sent to awsxc-cli reaches it, and its exit
// status is the status of the run. Nothing is left to forward.
func execCommand(argv []string, env []string) error {
	path, err := lookCommand(argv[0])
	if err != nil {
		return err
	}
	err = syscall.Exec(path, argv, env)
	return &exitError{code: 126, msg: fmt.Sprintf("--exec: %s: %v", argv[0], err)}
}
