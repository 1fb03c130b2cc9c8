package platform

import (
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/adrg/xdg"

	"github.com/awsxc/awsxc/internal/fsutil"
)

//go:embed autostart.desktop
var desktopTemplate string

// AutostartFile is the XDG autostart entry awsxc writes.
func AutostartFile() string {
	xdg.Reload()
	return filepath.Join(xdg.ConfigHome, "autostart", AppName+".desktop")
}

func setAutostart(enable bool, exe string) error {
	path := AutostartFile()
	if !enable {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove autostart entry: %w", err)
		}
		return nil
	}
	data := strings.Replace(desktopTemplate, "{{EXEC}}", DesktopExec(exe), 1)
	return fsutil.WriteFileAtomic(path, []byte(data), 0o644)
}

func autostart() (bool, error) {
	_, err := os.Stat(AutostartFile())
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}
