//go:build unix

package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/awsxc/awsxc/internal/fsutil"
)

// checkCachePath reports why the cache file at path cannot be trusted,
// the way ssh judges its own files (safe_path in OpenSSH's misc.c): the
// path is resolved one element at a time from the root, following every
// symlink, and
//
//   - every folder passed through is owned by the user or root and is
//     writable by neither its group nor others, unless it has the sticky
//     bit (as /tmp does), where no one but an entry's owner can rename or
//     delete it, and then the entry taken from it is owned by the user
//     or root;
//   - the file itself is a regular file owned by the user, readable and
//     writable by no one else (mode 0600 or narrower).
//
// So no other user can have planted the file, a link to it, or a folder
// on the way, nor can change it later. A missing element wraps
// fs.ErrNotExist; with missingOK a path that exists only in part is fine
// as far as it exists (the writer creates the rest, private to the user).
func checkCachePath(path string, missingOK bool) error {
	return checkTrusted(path, missingOK, false)
}

// PrivateDir makes dir, a folder for the user's secrets (the ECS token
// files of awsxc-cli serve, say), with mode 0700 when it is missing, and
// checks it as the credentials cache's folders are checked (see
// checkCachePath): the path to it, every symlink followed, and dir itself
// are owned by the user or root and writable by no one else, except
// folders with the sticky bit (as /tmp), whose entries must then be the
// user's or root's. So no other user can plant a file or a symlink in
// it, nor replace it. An untrusted folder is an error that says why, and
// nothing is made. Elsewhere than on Unix it only makes the folder.
func PrivateDir(dir string) error {
	if err := checkTrusted(dir, true, true); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	// Again, now that it exists: MkdirAll follows whatever appeared.
	return checkTrusted(dir, false, true)
}

// checkTrusted is checkCachePath for a file, or with wantDir for a
// folder: the last element is then checked as the folders on the way
// are.
func checkTrusted(path string, missingOK, wantDir bool) error {
	// Not filepath.Abs: it cleans the path lexically, and "link/.." is
	// the parent of the link's target to the kernel.
	abs := path
	if !filepath.IsAbs(path) {
		wd, err := os.Getwd()
		if err != nil {
			return err
		}
		abs = wd + "/" + path
	}
	uid := os.Geteuid()
	dir := "/"
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	if err := checkCacheFolder(dir, fi, uid); err != nil {
		return err
	}
	sticky := fi.Mode()&fs.ModeSticky != 0
	todo := splitPath(abs)
	links := 0
	for len(todo) > 0 {
		elem := todo[0]
		todo = todo[1:]
		switch elem {
		case ".":
			continue
		case "..":
			// dir has no symlinks left in it, so its parent is lexical.
			// The parent was checked on the way down.
			dir = filepath.Dir(dir)
			if fi, err = os.Lstat(dir); err != nil {
				return err
			}
			sticky = fi.Mode()&fs.ModeSticky != 0
			continue
		}
		p := filepath.Join(dir, elem)
		fi, err = os.Lstat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist) && missingOK:
			return nil
		case err != nil:
			return err
		}
		if sticky {
			if o := owner(fi); o != uid && o != 0 {
				return fsutil.WithPaths(fmt.Errorf("%s is owned by uid %d, not by you (uid %d), in a folder anyone can write", p, o, uid), p)
			}
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			if links++; links > 40 {
				return fsutil.WithPaths(fmt.Errorf("%s: too many links", path), path)
			}
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			if filepath.IsAbs(target) {
				dir = "/"
			}
			todo = append(splitPath(target), todo...)
			continue
		}
		if len(todo) == 0 && !wantDir {
			return checkCacheFile(p, fi, uid)
		}
		if !fi.IsDir() {
			return fsutil.WithPaths(fmt.Errorf("%s is not a folder", p), p)
		}
		if err := checkCacheFolder(p, fi, uid); err != nil {
			return err
		}
		dir, sticky = p, fi.Mode()&fs.ModeSticky != 0
	}
	if wantDir {
		return nil
	}
	return fsutil.WithPaths(fmt.Errorf("%s: no file name", path), path)
}

// narrowCacheMode narrows the user's own cache file at path (symlinks
// followed) to mode 0600 when its mode is wider, and reports whether it
// did. The check comes first: root must not change another user's file.
func narrowCacheMode(path string) bool {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return false
	}
	fi, err := os.Lstat(real)
	if err != nil || !fi.Mode().IsRegular() || owner(fi) != os.Geteuid() || fi.Mode().Perm()&0o077 == 0 {
		return false
	}
	return os.Chmod(real, fi.Mode().Perm()&0o700) == nil
}

// splitPath returns the elements of a slash-separated path.
func splitPath(p string) []string {
	var out []string
	for _, e := range strings.Split(p, "/") {
		if e != "" {
			out = append(out, e)
		}
	}
	return out
}

func checkCacheFolder(p string, fi fs.FileInfo, uid int) error {
	if o := owner(fi); o != uid && o != 0 {
		return fmt.Errorf("folder %s is owned by uid %d, not by you (uid %d) or root", p, o, uid)
	}
	if m := fi.Mode(); m.Perm()&0o022 != 0 && m&fs.ModeSticky == 0 {
		who := "others"
		if m.Perm()&0o002 == 0 {
			who = "its group"
		}
		return fmt.Errorf("folder %s is writable by %s (mode %04o)", p, who, m.Perm())
	}
	return nil
}

func checkCacheFile(p string, fi fs.FileInfo, uid int) error {
	switch m := fi.Mode(); {
	case !m.IsRegular():
		return fsutil.WithPaths(fmt.Errorf("%s is not a regular file", p), p)
	case owner(fi) != uid:
		return fsutil.WithPaths(fmt.Errorf("%s is owned by uid %d, not by you (uid %d)", p, owner(fi), uid), p)
	case m.Perm()&0o077 != 0:
		return fsutil.WithPaths(fmt.Errorf("%s has mode %04o, open to other users (want 0600)", p, m.Perm()), p)
	}
	return nil
}

// owner is the uid that owns fi's file.
func owner(fi fs.FileInfo) int {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int(st.Uid)
	}
	return -1
}
