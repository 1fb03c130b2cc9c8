package platform

import (
	"fmt"
	"os/exec"
	"strings"
)

// OpenFile opens path in the user's default application for it: xdg-open
// on Linux, open on macOS, notepad on Windows (where .json often has no
// association). It does not wait for the application to close.
func OpenFile(path string) error { return openFile(path) }

// startDetached starts a program and reaps it in the background. Its
// errors name the program, without a .exe suffix.
func startDetached(name string, args ...string) error {
	cmd := exec.Command(name, args...)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("%s: %w", strings.TrimSuffix(name, ".exe"), err)
	}
	go cmd.Wait()
	return nil
}
