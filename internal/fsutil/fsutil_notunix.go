//go:build !unix

package fsutil

import (
	"errors"
	"io/fs"
	"os"
)

// What systems without Unix owners and modes share (Windows, and the
// fall-backs of fsutil_other.go).

// checkWritable refuses a file with the read-only attribute, which Go
// reports as a mode without write bits.
func checkWritable(path string, fi fs.FileInfo) error {
	if fi.Mode().Perm()&0o200 == 0 {
		return notWritable(path, fi)
	}
	return nil
}

// keepOwner does nothing: a file created in a folder inherits the
// folder's ACL on Windows, and there is no owner/group pair to copy.
func keepOwner(*os.File, fs.FileInfo) {}

// syncDir does nothing: Windows cannot flush a folder handle (NTFS
// journals the rename itself), and the other systems have no call for it.
func syncDir(string) error { return errors.ErrUnsupported }
