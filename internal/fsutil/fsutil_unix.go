//go:build unix

package fsutil

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
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

// checkLinks refuses, when the process runs as root, a path that leads
// through a symlink whose owner is neither root nor the owner of where
// the path leads (see [ErrForeignLink]). It resolves path itself, one
// element at a time, so that a linked folder on the way counts as a link
// too.
func checkLinks(path string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	links, real, err := followLinks(path)
	if err != nil || len(links) == 0 {
		return err
	}
	owner, err := ownerOf(real)
	if err != nil {
		return err
	}
	for _, l := range links {
		if l.uid != 0 && l.uid != owner {
			return WithPaths(fmt.Errorf("%s: %w: the link %s is uid %d's, what it leads to (%s) uid %d's", path, ErrForeignLink, l.path, l.uid, real, owner),
				path, l.path, real)
		}
	}
	return nil
}

// link is a symlink that resolving a path follows.
type link struct {
	path string
	uid  uint32
}

// followLinks resolves path as the kernel does, one element at a time,
// and returns the symlinks followed on the way and the path resolved. A
// missing element ends the walk: the rest is appended as it is.
func followLinks(path string) ([]link, string, error) {
	p, err := filepath.Abs(path)
	if err != nil {
		return nil, "", err
	}
	var links []link
	rest := strings.Split(p, "/")
	resolved := "/"
	for len(rest) > 0 {
		c := rest[0]
		rest = rest[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			resolved = filepath.Dir(resolved)
			continue
		}
		next := filepath.Join(resolved, c)
		fi, err := os.Lstat(next)
		if errors.Is(err, fs.ErrNotExist) {
			return links, filepath.Join(append([]string{next}, rest...)...), nil
		}
		if err != nil {
			return nil, "", err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			resolved = next
			continue
		}
		if len(links) == maxLinks {
			return nil, "", &fs.PathError{Op: "resolve", Path: path, Err: errTooManyLinks}
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !ok {
			return nil, "", &fs.PathError{Op: "resolve", Path: next, Err: errors.ErrUnsupported}
		}
		links = append(links, link{next, st.Uid})
		to, err := os.Readlink(next)
		if err != nil {
			return nil, "", err
		}
		if filepath.IsAbs(to) {
			resolved = "/"
		}
		rest = append(strings.Split(to, "/"), rest...)
	}
	return links, resolved, nil
}

// ownerOf returns the owner of the file at path, or of the nearest folder
// above it that exists.
func ownerOf(path string) (uint32, error) {
	for {
		fi, err := os.Lstat(path)
		if err == nil {
			st, ok := fi.Sys().(*syscall.Stat_t)
			if !ok {
				return 0, &fs.PathError{Op: "stat", Path: path, Err: errors.ErrUnsupported}
			}
			return st.Uid, nil
		}
		if !errors.Is(err, fs.ErrNotExist) || path == filepath.Dir(path) {
			return 0, err
		}
		path = filepath.Dir(path)
	}
}

// rename is os.Rename: a rename over an open file works here.
func rename(from, to string) error { return os.Rename(from, to) }
