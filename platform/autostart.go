package platform

import (
	"fmt"
	"path/filepath"
)

// Start at login.
//
// Linux: an XDG autostart entry, $XDG_CONFIG_HOME/autostart/awsxc.desktop.
// macOS: a LaunchAgent, ~/Library/LaunchAgents/io.github.awsxc.plist.
// Windows: the value "awsxc" under
// HKCU\Software\Microsoft\Windows\CurrentVersion\Run.

// SetAutostart makes exe (an absolute path) start when the user logs in,
// or stops that when enable is false. Disabling what is not enabled is not
// an error.
func SetAutostart(enable bool, exe string) error {
	if enable && !filepath.IsAbs(exe) {
		return fmt.Errorf("autostart: %q is not an absolute path", exe)
	}
	return setAutostart(enable, exe)
}

// Autostart reports whether awsxc is set to start at login.
func Autostart() (bool, error) { return autostart() }
