package platform

import (
	"fmt"
	"os/exec"
)

func openFile(path string) error { return startDetached("xdg-open", path) }

// startDetached starts a program and reaps it in the background.
func startDetached(name string, args ...string) error {
	cmd := exec.Command(name, args...)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	go cmd.Wait()
	return nil
}
