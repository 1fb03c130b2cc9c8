package platform

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
)

func prompt(ctx context.Context, title, text string) (string, error) {
	script := fmt.Sprintf(`text returned of (display dialog %s with title %s default answer "" buttons {"Cancel", "OK"} default button "OK")`,
		appleString(text), appleString(title))
	out, err := exec.CommandContext(ctx, "osascript", "-e", script).Output()
	if ctx.Err() != nil {
		return "", ctx.Err()
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) && strings.Contains(string(ee.Stderr), "-128") {
		return "", ErrCanceled // "User canceled. (-128)"
	}
	if err != nil {
		return "", fmt.Errorf("osascript: %w", err)
	}
	return string(out), nil
}
