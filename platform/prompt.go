package platform

import (
	"context"
	"errors"
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
