package platform

import (
	"fmt"
	"os/exec"
)

func openFile(path string) error {
	cmd := exec.Command("notepad.exe", path)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("notepad: %w", err)
	}
	go cmd.Wait()
	return nil
}
