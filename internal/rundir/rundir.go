// Package rundir names the per-user folders for awsxc's run-time files:
// [Dir] for the lock files that every awsxc process of the user (the CLI,
// the tray, any number of each, in any session) must find in the same
// place, and that must not clutter the user's own folders such as ~/.aws;
// [RuntimeDir] for files of one session (token files); [SocketDir] for
// the daemon's socket, which has stricter needs.
//
// The two differ on purpose. A lock guards a file every session shares
// (~/.aws/credentials, ~/.aws/config), so its folder is derived from the
// home folder alone: a tray in a desktop session, a cron job, sudo -u and
// an SSH session without pam_systemd all agree on it, whatever
// XDG_RUNTIME_DIR says. A socket is per login session by design, so it
// follows XDG_RUNTIME_DIR first.
//
// It reads the environment only through the getenv it is given, so a
// front end passes its own (tests pass a fake one) and engine never reads
// the process environment.
package rundir

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
)

// Name is the folder awsxc's files live in under the per-user folders.
const Name = "awsxc"

// Dir returns the per-user folder for the lock files that every session
// of the user must share (the credentials file's, the config file's),
// from the environment getenv reads: the user's cache folder,
// $XDG_CACHE_HOME/awsxc when that is absolute, else ~/.cache/awsxc (Linux
// and the BSDs), ~/Library/Caches/awsxc (macOS) or
// %LOCALAPPDATA%\cache\awsxc (Windows), the folders github.com/adrg/xdg
// names. XDG_RUNTIME_DIR is never looked at: it is set in a desktop
// session and unset under cron, su, sudo -u or a plain SSH login, and
// two writers locking in two folders would not exclude each other. The
// folder may not exist yet.
func Dir(getenv func(string) string) (string, error) {
	return dir(runtime.GOOS, getenv)
}

func dir(goos string, getenv func(string) string) (string, error) {
	if d := getenv("XDG_CACHE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, Name), nil
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
		return "", errors.New("no per-user folder for lock files: neither XDG_CACHE_HOME nor the home folder is set")
	}
	return filepath.Join(base, Name), nil
}

// RuntimeDir returns the per-user folder for run-time files that belong
// to one login session and should not outlive it, such as the token
// files a server writes for its clients: $XDG_RUNTIME_DIR/awsxc when
// XDG_RUNTIME_DIR is an absolute path (a Linux login session: a tmpfs,
// emptied at logout), otherwise [Dir]. Never a place for a lock that
// other sessions must see. The folder may not exist yet.
func RuntimeDir(getenv func(string) string) (string, error) {
	if d := getenv("XDG_RUNTIME_DIR"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, Name), nil
	}
	return Dir(getenv)
}

// SocketDir returns the per-user folder for awsxc's sockets. A socket
// must be on a local file system (a home folder on NFS is shared with
// other hosts, whose daemons would look stale here), and every process
// of the user must find it in the same place, including those started
// without a login session's environment (su, sudo -u, cron, a container).
// So, in order:
//
//   - $XDG_RUNTIME_DIR/awsxc when XDG_RUNTIME_DIR is an absolute path;
//   - on macOS (and Windows, which has no use for it: awsxc uses a named
//     pipe there), [Dir]: ~/Library/Caches/awsxc, a local folder of the
//     user's that is kept across reboots;
//   - on Linux and the BSDs, /run/user/<uid>/awsxc when /run/user/<uid>
//     is a folder of this user: the login session's runtime folder, which
//     outlives an environment that lost XDG_RUNTIME_DIR;
//   - else /tmp/awsxc-<uid>, as tmux does: /tmp is sticky, so once the
//     folder is ours no other user can replace it, and one another user
//     made first is refused by its owner check.
//
// The uid is the effective one. The folder may not exist yet; whoever
// creates it makes it 0700 and checks it (internal/localsock does).
func SocketDir(getenv func(string) string) (string, error) {
	return socketDir(runtime.GOOS, getenv, os.Geteuid(), ownedDir)
}

func socketDir(goos string, getenv func(string) string, uid int, owned func(path string, uid int) bool) (string, error) {
	if d := getenv("XDG_RUNTIME_DIR"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, Name), nil
	}
	switch goos {
	case "darwin", "ios", "windows":
		return dir(goos, getenv)
	}
	if uid < 0 {
		return "", errors.New("no per-user folder for sockets: no user id")
	}
	u := strconv.Itoa(uid)
	if run := "/run/user/" + u; owned(run, uid) {
		return filepath.Join(run, Name), nil
	}
	return "/tmp/" + Name + "-" + u, nil
}
