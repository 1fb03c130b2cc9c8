//go:build windows

package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
)

// execCommand runs the command as a child (Windows has no execve), passes
// console interrupts on to it and exits with its status.
func execCommand(argv []string, env []string) error {
	path, err := lookCommand(argv[0])
	if err != nil {
		return err
	}
	cmd := exec.Command(path, argv[1:]...)
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	// Ctrl-C reaches every process of the console; awsxc-cli ignores it and
	// lets the child decide.
	signal.Ignore(os.Interrupt)
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return &exitError{code: ee.ExitCode()}
		}
		return &exitError{code: 126, msg: fmt.Sprintf("--exec: %s: %v", argv[0], err)}
	}
	return &exitError{code: 0}
}
