package platform

import (
	"fmt"
	"os/exec"
)

func openFile(path string) error {
	cmd := exec.Command("open", "-t", path)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("open: %w", err)
	}
	go cmd.Wait()
	return nil
}
