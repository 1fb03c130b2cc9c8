package platform

import (
	"errors"
	"os/exec"

	"github.com/awsxc/awsxc/internal/browser"
)

func openFile(path string) error {
	// Said plainly: exec's own error ("exec: "xdg-open": executable file
	// not found in $PATH") does not say what to install.
	argv := browser.Opener(path)
	if _, err := exec.LookPath(argv[0]); err != nil {
		return errors.New("no xdg-open to open the file with: install xdg-utils")
	}
	return browser.Start(argv)
}
