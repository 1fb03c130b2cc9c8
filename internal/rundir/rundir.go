// Package rundir names the per-user folder for awsxc's run-time files:
// the lock files that every awsxc process (the CLI, the tray, any number
// of each) must find in the same place, and that must not clutter the
// user's own folders such as ~/.aws.
//
// It reads the environment only through the getenv it is given, so a
// front end passes its own (tests pass a fake one) and engine never reads
// the process environment.
package rundir

import (
	"errors"
	"path/filepath"
	"runtime"
)

// Name is the folder awsxc's files live in under the per-user folders.
const Name = "awsxc"

// Dir returns the per-user folder for awsxc's run-time files, from the
// environment getenv reads: $XDG_RUNTIME_DIR/awsxc when XDG_RUNTIME_DIR is
// an absolute path (a Linux login session), otherwise the user's cache
// folder: $XDG_CACHE_HOME/awsxc when that is absolute, else
// ~/.cache/awsxc (Linux and the BSDs), ~/Library/Caches/awsxc (macOS) or
// %LOCALAPPDATA%\cache\awsxc (Windows), the folders github.com/adrg/xdg
// names. The folder may not exist yet.
func Dir(getenv func(string) string) (string, error) {
	return dir(runtime.GOOS, getenv)
}

func dir(goos string, getenv func(string) string) (string, error) {
	for _, v := range []string{"XDG_RUNTIME_DIR", "XDG_CACHE_HOME"} {
		if d := getenv(v); d != "" && filepath.IsAbs(d) {
			return filepath.Join(d, Name), nil
		}
	}
	var base string
	switch goos {
	case "windows":
		if d := getenv("LOCALAPPDATA"); d != "" {
			base = filepath.Join(d, "cache")
		}
	case "darwin", "ios":
		if h := getenv("HOME"); h != "" {
			base = filepath.Join(h, "Library", "Caches")
		}
	default:
		if h := getenv("HOME"); h != "" {
			base = filepath.Join(h, ".cache")
		}
	}
	if base == "" || !filepath.IsAbs(base) {
		return "", errors.New("no per-user folder for run-time files: neither XDG_RUNTIME_DIR, XDG_CACHE_HOME nor the home folder is set")
	}
	return filepath.Join(base, Name), nil
}
