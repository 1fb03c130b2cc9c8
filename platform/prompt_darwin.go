package platform

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
)

func prompt(ctx context.Context, title, text string) (string, error) {
	script := fmt.Sprintf(`text returned of (display dialog %s with title %s default answer "" buttons {"Cancel", "OK"} default button "OK")`,
		appleString(text), appleString(title))
	return runPrompt(ctx, exec.CommandContext(ctx, "osascript", "-e", script), func(ee *exec.ExitError) bool {
		return strings.Contains(string(ee.Stderr), "-128") // "User canceled. (-128)"
	})
}
