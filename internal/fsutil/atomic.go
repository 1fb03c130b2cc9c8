package fsutil

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrNotWritable is wrapped by [WriteFileAtomic] when the file it would
// replace is one the user could not write: a read-only file, or one
// whose permissions do not let the user write it. A rename would replace
// it anyway (it needs only the folder's permission), so it is checked
// first.
var ErrNotWritable = errors.New("file is not writable")

// ErrForeignLink is wrapped by [WriteFileAtomic] run as root when the
// path leads through a symlink of one user to a file (or, for a new file,
// a folder) of another: root following a user's link to /etc/passwd
// would edit it. The kernel's fs.protected_symlinks refuses such links
// only in sticky world-writable folders; a home folder is neither.
var ErrForeignLink = errors.New("symlink of another user not followed as root")

// errTooManyLinks is what [RealPath] says about a symlink loop.
var errTooManyLinks = errors.New("too many links")

// maxLinks bounds the symlinks [RealPath] follows, as the kernels do
// (Linux gives up after 40).
const maxLinks = 40

// WriteFileAtomic replaces the file at path with data, so that readers
// see either the old content or the new, never a mix, even after a crash:
// it writes a temporary file in the same folder, syncs it, renames it over
// the file and syncs the folder.
//
// A symlink at path is written through: the file it finally points to is
// replaced and the link stays a link (see [RealPath]; a dangling link
// creates its target). As root, a symlink on the way that belongs to
// neither root nor the owner of what it leads to (the file, or for a new
// file the nearest folder that exists) is not followed: the write fails
// with an error wrapping [ErrForeignLink]. A new file gets mode perm
// (umask not applied). For
// an existing file perm is the most it keeps: its new mode is its old one
// with only the bits perm also has (0644 with perm 0600 becomes 0600,
// 0640 with perm 0644 stays 0640), so a file that is given a secret is
// never left readable by others because it was before. It keeps, where
// the system allows it, its owner and group, so that root writing a
// user's file leaves it the user's. A file the user could not write (a
// read-only file; as root, one its owner could not write) is refused with
// an error wrapping [ErrNotWritable], and anything but a regular file
// with one wrapping [ErrNotRegular]. Missing folders are created with
// mode 0700.
//
// On error the file is unchanged and no temporary file is left behind.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	return writeAtomic(path, perm, func(f *os.File) error {
		_, err := f.Write(data)
		return err
	})
}

// writeAtomic is [WriteFileAtomic] with the write itself supplied, so
// that tests can make it fail.
func writeAtomic(path string, perm os.FileMode, write func(*os.File) error) (err error) {
	if _, base := filepath.Split(path); base == "" {
		return WithPaths(fmt.Errorf("write %s: no file name", path), path)
	}
	target, err := RealPath(path)
	if err != nil {
		return err
	}
	if err := checkLinks(path); err != nil {
		return err
	}
	dir := filepath.Dir(target)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	old, err := os.Lstat(target)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		old = nil
	case err != nil:
		return err
	case !old.Mode().IsRegular():
		return notRegular(target, old.Mode())
	default:
		if err := checkWritable(target, old); err != nil {
			return err
		}
		perm = old.Mode() & perm & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
	}

	f, err := os.CreateTemp(dir, "."+filepath.Base(target)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if old != nil {
		// Before the chmod: a chown can clear the setuid and setgid bits.
		keepOwner(f, old)
	}
	if err := os.Chmod(tmp, perm); err != nil {
		return err
	}
	if err := write(f); err != nil {
		return WithPaths(fmt.Errorf("write %s: %w", tmp, err), tmp)
	}
	if err := f.Sync(); err != nil {
		return WithPaths(fmt.Errorf("sync %s: %w", tmp, err), tmp)
	}
	if err := f.Close(); err != nil {
		return WithPaths(fmt.Errorf("close %s: %w", tmp, err), tmp)
	}
	if err := rename(tmp, target); err != nil {
		return err
	}
	if err := syncDir(dir); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		return WithPaths(fmt.Errorf("sync folder %s: %w", dir, err), dir)
	}
	return nil
}

// notWritable is the error for a file the user could not write.
func notWritable(path string, fi fs.FileInfo) error {
	return WithPaths(fmt.Errorf("%s: %w (mode %04o)", path, ErrNotWritable, fi.Mode().Perm()), path)
}

// RealPath returns the absolute path of the file that path names, with
// every symlink resolved, the last element's included, so that two names
// for one file give one path. The file need not exist: a missing file,
// or the missing target of a dangling link, gives the path it would be
// created at. A symlink loop is an error ("too many links").
func RealPath(path string) (string, error) {
	p, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	for range maxLinks {
		dir, base := filepath.Split(p)
		switch real, err := filepath.EvalSymlinks(dir); {
		case err == nil:
			dir = real
		case !errors.Is(err, fs.ErrNotExist):
			return "", &fs.PathError{Op: "resolve", Path: path, Err: err}
		}
		p = filepath.Join(dir, base)
		fi, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) || (err == nil && fi.Mode()&fs.ModeSymlink == 0) {
			return p, nil
		}
		if err != nil {
			return "", err
		}
		link, err := os.Readlink(p)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(dir, link)
		}
		p = filepath.Clean(link)
	}
	return "", &fs.PathError{Op: "resolve", Path: path, Err: errTooManyLinks}
}
