package platform

import (
	"os"
	"path/filepath"

	"github.com/adrg/xdg"

	"github.com/awsxc/awsxc/internal/rundir"
)

// ConfigDir is the folder awsxc keeps its settings in:
// $XDG_CONFIG_HOME/awsxc on Linux (~/.config/awsxc),
// ~/Library/Application Support/awsxc on macOS and %LOCALAPPDATA%\awsxc on
// Windows. It reads the environment each time, so tests can change it.
func ConfigDir() string {
	xdg.Reload()
	return filepath.Join(xdg.ConfigHome, AppName)
}

// StateDir is a per-user folder for small run-time files such as the
// single-instance lock and the credentials file's lock, the one every
// awsxc process of the user agrees on, in any session: the user's cache
// folder, never XDG_RUNTIME_DIR (see [rundir.Dir]).
func StateDir() string {
	if d, err := rundir.Dir(os.Getenv); err == nil {
		return d
	}
	xdg.Reload()
	return filepath.Join(xdg.CacheHome, AppName)
}

// RuntimeDir is a per-user folder for run-time files of this login
// session that should not outlive it, such as the ECS token file given to
// containers: $XDG_RUNTIME_DIR/awsxc when set (Linux), otherwise
// [StateDir] (see [rundir.RuntimeDir]).
func RuntimeDir() string {
	if d, err := rundir.RuntimeDir(os.Getenv); err == nil {
		return d
	}
	return StateDir()
}

// SettingsFile is the path of settings.json in [ConfigDir].
func SettingsFile() string { return filepath.Join(ConfigDir(), "settings.json") }
