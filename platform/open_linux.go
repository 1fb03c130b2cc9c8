package platform

import (
	"errors"
	"os/exec"
)

func openFile(path string) error {
	// Said plainly: exec's own error ("exec: "xdg-open": executable file
	// not found in $PATH") does not say what to install.
	if _, err := exec.LookPath("xdg-open"); err != nil {
		return errors.New("no xdg-open to open the file with: install xdg-utils")
	}
	return startDetached("xdg-open", path)
}
