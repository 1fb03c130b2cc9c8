package platform

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"syscall"
)

const inputBoxScript = `
Add-Type -AssemblyName Microsoft.VisualBasic
$r = [Microsoft.VisualBasic.Interaction]::InputBox(%s, %s, '')
if ($r -eq '') { exit 1 }
[Console]::Out.Write($r)
`

func prompt(ctx context.Context, title, text string) (string, error) {
	script := fmt.Sprintf(inputBoxScript, psString(text), psString(title))
	cmd := exec.CommandContext(ctx, "powershell.exe", "-NoProfile", "-NonInteractive", "-Command", script)
	cmd.SysProcAttr = &syscall.SysProcAttr{HideWindow: true}
	out, err := cmd.Output()
	if ctx.Err() != nil {
		return "", ctx.Err()
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 1 {
		return "", ErrCanceled
	}
	if err != nil {
		return "", fmt.Errorf("powershell: %w", err)
	}
	return string(out), nil
}
