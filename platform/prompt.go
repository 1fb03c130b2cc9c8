package platform

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// ErrCanceled is returned by [Prompt] when the user closes the dialog.
var ErrCanceled = errors.New("canceled")

// Prompt asks the user for one line of text in a native dialog and
// returns it trimmed. It blocks until the user answers or ctx ends, so
// call it from its own goroutine.
//
// Linux: zenity, else kdialog. macOS: osascript's display dialog.
// Windows: a PowerShell InputBox. It returns [ErrUnsupported] when none
// of those can be run and [ErrCanceled] when the user cancels.
//
// Like aws-vault's prompt drivers, the tool is chosen when called, so a
// zenity installed while awsxc runs is found.
func Prompt(ctx context.Context, title, text string) (string, error) {
	s, err := prompt(ctx, title, text)
	return strings.TrimSpace(s), err
}

// runPrompt runs a dialog program that prints the answer on stdout;
// canceled tells from its failure whether the user canceled.
func runPrompt(ctx context.Context, cmd *exec.Cmd, canceled func(*exec.ExitError) bool) (string, error) {
	out, err := cmd.Output()
	if ctx.Err() != nil {
		return "", ctx.Err()
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) && canceled(ee) {
		return "", ErrCanceled
	}
	if err != nil {
		return "", fmt.Errorf("%s: %w", filepath.Base(cmd.Path), err)
	}
	return string(out), nil
}

// exitedOne is how zenity, kdialog and our PowerShell script say
// "canceled".
func exitedOne(ee *exec.ExitError) bool { return ee.ExitCode() == 1 }
