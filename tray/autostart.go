package tray

import (
	"fmt"
	"os"

	"github.com/awsxc/awsxc/platform"
)

// SetAutostart makes this executable start when the user logs in, or stops
// that, as the menu's "Start at login" does: the HKCU Run value on
// Windows, an XDG autostart entry on Linux, a LaunchAgent on macOS. It
// needs no display and no running tray (installers and uninstallers call
// it through awsxc --autostart).
func SetAutostart(enable bool) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("autostart: %w", err)
	}
	return platform.SetAutostart(enable, exe)
}
