package platform

import (
	"context"
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
	return runPrompt(ctx, cmd, exitedOne)
}

func lookPath(name string) bool {
	_, err := exec.LookPath(name)
	return err == nil
}
