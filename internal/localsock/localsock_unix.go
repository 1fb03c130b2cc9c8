//go:build unix

package localsock

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"syscall"

	"github.com/awsxc/awsxc/internal/fsutil"
	"github.com/awsxc/awsxc/internal/rundir"
)

// socketName is the socket's file name in rundir.SocketDir.
const socketName = "daemon.sock"

// maxPath is the longest socket path the system takes: sun_path holds
// 108 bytes on Linux and 104 on macOS and the BSDs, and Go needs one for
// the final NUL (it refuses a longer path with a bare EINVAL).
var maxPath = len(syscall.RawSockaddrUnix{}.Path) - 1

// sysListener is the Unix part of a [Listener].
type sysListener struct {
	ln   *net.UnixListener
	lock *fsutil.FileLock // held from before the bind until after the close
	uid  int              // the user whose peers are accepted
}

func defaultPath(getenv func(string) string) (string, error) {
	dir, err := rundir.SocketDir(getenv)
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, socketName), nil
}

// lockPath is the lock file that says who owns the socket at path.
func lockPath(path string) string { return path + ".lock" }

func listen(opts Options) (*Listener, error) {
	path := opts.Path
	if err := checkPath(path); err != nil {
		return nil, err
	}
	uid := os.Geteuid()
	dir := filepath.Dir(path)
	if err := makeDir(dir, uid); err != nil {
		return nil, err
	}
	lock, err := fsutil.TryLock(lockPath(path))
	if errors.Is(err, fsutil.ErrLocked) {
		return nil, fmt.Errorf("%w on %s (%s is locked)", ErrRunning, path, lockPath(path))
	}
	if err != nil {
		return nil, err
	}
	ln, err := bind(path, uid)
	if err != nil {
		lock.Unlock()
		return nil, err
	}
	return &Listener{path: path, refused: opts.Refused, sys: sysListener{ln: ln, lock: lock, uid: uid}}, nil
}

// bind removes a stale socket at path and listens there. The caller holds
// the lock, so whatever socket is there was left by a listener that died.
func bind(path string, uid int) (*net.UnixListener, error) {
	switch fi, err := os.Lstat(path); {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, err
	case fi.Mode().Type() != fs.ModeSocket:
		return nil, fmt.Errorf("%w: %s is %s, not a socket; not replaced", ErrInsecure, path, kind(fi.Mode()))
	case owner(fi) != uid:
		return nil, fmt.Errorf("%w: socket %s belongs to uid %d, not uid %d; not replaced", ErrInsecure, path, owner(fi), uid)
	default:
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("remove stale socket: %w", err)
		}
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return nil, err
	}
	// bind(2) applies the umask to 0777; fchmod on a socket does nothing,
	// so chmod the path. Until then the 0700 folder keeps others out.
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, err
	}
	return ln, nil
}

func (l *Listener) accept() (net.Conn, error) {
	for {
		c, err := l.sys.ln.AcceptUnix()
		if err != nil {
			return nil, err
		}
		uid, pid, err := peerCred(c)
		switch {
		case err != nil:
			l.refuse(c, fmt.Errorf("%w: cannot tell the peer's user on %s: %w", ErrPeer, l.path, err))
		case uid != l.sys.uid:
			l.refuse(c, fmt.Errorf("%w: refused a connection on %s from uid %d (pid %d), not uid %d", ErrPeer, l.path, uid, pid, l.sys.uid))
		default:
			return c, nil
		}
	}
}

func (l *Listener) close() error {
	err := l.sys.ln.Close() // removes the socket file
	if uerr := l.sys.lock.Unlock(); err == nil {
		err = uerr
	}
	return err
}

func (l *Listener) addr() net.Addr { return l.sys.ln.Addr() }

func dial(ctx context.Context, path string) (net.Conn, error) {
	uid, err := checkEndpoint(path)
	if err != nil {
		return nil, err
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", path)
	if err != nil {
		for _, errno := range []syscall.Errno{syscall.ENOENT, syscall.ECONNREFUSED, syscall.EAGAIN} {
			if errors.Is(err, errno) {
				return nil, fmt.Errorf("%w on %s (%w)", ErrNoDaemon, path, errno)
			}
		}
		return nil, err
	}
	uc := c.(*net.UnixConn)
	switch puid, pid, err := peerCred(uc); {
	case err != nil:
		c.Close()
		return nil, fmt.Errorf("%w: cannot tell the user of the daemon on %s: %w", ErrPeer, path, err)
	case puid != uid:
		c.Close()
		return nil, fmt.Errorf("%w: the daemon on %s runs as uid %d (pid %d), not uid %d", ErrPeer, path, puid, pid, uid)
	}
	return c, nil
}

// checkPath refuses a relative path (it would depend on the working
// folder) and one too long for a socket address.
func checkPath(path string) error {
	if !filepath.IsAbs(path) {
		return fmt.Errorf("socket path %q is not absolute", path)
	}
	if len(path) > maxPath {
		return fmt.Errorf("%w: %s is %d bytes, the system allows %d; choose a shorter folder (XDG_RUNTIME_DIR)", ErrPathTooLong, path, len(path), maxPath)
	}
	return nil
}

// makeDir checks the parent of the socket's folder (creating it and its
// parents 0700 when missing), creates the folder 0700 when it is missing,
// and checks it. Nothing is created in a parent that fails its check.
func makeDir(dir string, uid int) error {
	parent := filepath.Dir(dir)
	if _, err := os.Stat(parent); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(parent, 0o700); err != nil {
			return err
		}
	}
	if err := checkParent(parent, uid); err != nil {
		return err
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	return checkDir(dir, uid)
}

// checkParent refuses a parent folder that another user could use to
// swap the socket's folder: one owned by another user (root excepted),
// or one others may write that is not sticky. It follows symlinks (on
// macOS /tmp and /var are links to /private).
func checkParent(parent string, uid int) error {
	fi, err := os.Stat(parent)
	if err != nil {
		return err
	}
	if o := owner(fi); o != uid && o != 0 {
		return fmt.Errorf("%w: folder %s, which holds the socket's folder, belongs to uid %d, not uid %d or root", ErrInsecure, parent, o, uid)
	}
	if fi.Mode().Perm()&0o022 != 0 && fi.Mode()&fs.ModeSticky == 0 {
		return fmt.Errorf("%w: others may write folder %s, which holds the socket's folder (mode %04o, not sticky)", ErrInsecure, parent, fi.Mode().Perm())
	}
	return nil
}

// checkDir requires the socket's folder to be a real folder of the user
// that nobody else may enter. A missing folder is [ErrNoDaemon].
func checkDir(dir string, uid int) error {
	fi, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%w on %s (%w)", ErrNoDaemon, filepath.Join(dir, socketName), syscall.ENOENT)
	case err != nil:
		return err
	case fi.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("%w: socket folder %s is a symlink, not followed", ErrInsecure, dir)
	case !fi.IsDir():
		return fmt.Errorf("%w: socket folder %s is %s, not a folder", ErrInsecure, dir, kind(fi.Mode()))
	case owner(fi) != uid:
		return fmt.Errorf("%w: socket folder %s belongs to uid %d, not uid %d", ErrInsecure, dir, owner(fi), uid)
	case fi.Mode().Perm()&0o077 != 0:
		return fmt.Errorf("%w: socket folder %s has mode %04o; group and others must have no access (0700)", ErrInsecure, dir, fi.Mode().Perm())
	}
	return nil
}

// checkSocket requires path to be a socket of the user's, mode 0600 or
// narrower. A missing socket is [ErrNoDaemon].
func checkSocket(path string, uid int) error {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%w on %s (%w)", ErrNoDaemon, path, syscall.ENOENT)
	case err != nil:
		return err
	case fi.Mode().Type() != fs.ModeSocket:
		return fmt.Errorf("%w: %s is %s, not a socket", ErrInsecure, path, kind(fi.Mode()))
	case owner(fi) != uid:
		return fmt.Errorf("%w: socket %s belongs to uid %d, not uid %d", ErrInsecure, path, owner(fi), uid)
	case fi.Mode().Perm()&0o077 != 0:
		return fmt.Errorf("%w: socket %s has mode %04o; group and others must have no access (0600)", ErrInsecure, path, fi.Mode().Perm())
	}
	return nil
}

func owner(fi fs.FileInfo) int {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int(st.Uid)
	}
	return -1
}

// kind names a file's type for an error message.
func kind(m fs.FileMode) string {
	switch m.Type() {
	case 0:
		return "a regular file"
	case fs.ModeDir:
		return "a folder"
	case fs.ModeSymlink:
		return "a symlink"
	case fs.ModeNamedPipe:
		return "a named pipe"
	case fs.ModeSocket:
		return "a socket"
	case fs.ModeDevice, fs.ModeDevice | fs.ModeCharDevice:
		return "a device"
	}
	return "not a regular file"
}
