package platform

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
)

func prompt(ctx context.Context, title, text string) (string, error) {
	var cmd *exec.Cmd
	switch {
	case lookPath("zenity"):
		cmd = exec.CommandContext(ctx, "zenity", "--entry", "--title="+title, "--text="+text)
	case lookPath("kdialog"):
		cmd = exec.CommandContext(ctx, "kdialog", "--title", title, "--inputbox", text)
	default:
		return "", fmt.Errorf("prompt: %w: install zenity or kdialog", ErrUnsupported)
	}
	return runPrompt(ctx, cmd)
}

func lookPath(name string) bool {
	_, err := exec.LookPath(name)
	return err == nil
}

// runPrompt runs a dialog program that prints the answer on stdout and
// exits 1 on cancel (zenity, kdialog, osascript, our PowerShell script).
func runPrompt(ctx context.Context, cmd *exec.Cmd) (string, error) {
	out, err := cmd.Output()
	if ctx.Err() != nil {
		return "", ctx.Err()
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 1 {
		return "", ErrCanceled
	}
	if err != nil {
		return "", fmt.Errorf("prompt: %w", err)
	}
	return string(out), nil
}
