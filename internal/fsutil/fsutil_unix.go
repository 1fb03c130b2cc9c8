//go:build unix

package fsutil

import (
	"errors"
	"io/fs"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// checkWritable refuses a file the user could not write. Permission bits
// do not stop root, so as root the question is whether the file's owner
// could write it: a file its owner made read-only stays unreplaced.
// Otherwise the kernel answers for the effective user (AT_EACCESS), which
// also catches a read-only file system.
func checkWritable(path string, fi fs.FileInfo) error {
	if os.Geteuid() == 0 && fi.Mode().Perm()&0o200 == 0 {
		return notWritable(path, fi)
	}
	err := unix.Faccessat(unix.AT_FDCWD, path, unix.W_OK, unix.AT_EACCESS)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, unix.EACCES) || errors.Is(err, unix.EPERM):
		return notWritable(path, fi)
	default:
		return &fs.PathError{Op: "write", Path: path, Err: err}
	}
}

// keepOwner gives the temporary file f the owner and group of the file
// it replaces, as far as the system lets us: root can give it to anyone;
// another user can at least keep the group when it is one of theirs. A
// failure leaves f ours, which is what a plain write by us would do.
func keepOwner(f *os.File, old fs.FileInfo) {
	st, ok := old.Sys().(*syscall.Stat_t)
	if !ok {
		return
	}
	uid, gid := int(st.Uid), int(st.Gid)
	if uid == os.Geteuid() && gid == os.Getegid() {
		return
	}
	if f.Chown(uid, gid) != nil {
		f.Chown(-1, gid)
	}
}

// syncDir flushes a folder's entries (a rename) to disk.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// openRead opens path for reading without waiting: a FIFO with no writer
// would block open(2) until one comes. O_NONBLOCK changes nothing for a
// regular file.
func openRead(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
