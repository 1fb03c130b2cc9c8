package platform

import (
	"context"
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
	return runPrompt(ctx, cmd, exitedOne)
}
