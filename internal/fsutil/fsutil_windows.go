package fsutil

import (
	"errors"
	"io/fs"
	"os"
)

// checkWritable refuses a file with the read-only attribute, which Go
// reports as a mode without write bits.
func checkWritable(path string, fi fs.FileInfo) error {
	if fi.Mode().Perm()&0o200 == 0 {
		return notWritable(path, fi)
	}
	return nil
}

// keepOwner does nothing: a file created in a folder inherits the
// folder's ACL, and Windows has no owner/group pair to copy.
func keepOwner(*os.File, fs.FileInfo) {}

// syncDir does nothing: Windows cannot flush a folder handle, and NTFS
// journals the rename itself.
func syncDir(string) error { return errors.ErrUnsupported }

// openRead opens path for reading; [CheckRegular] has already refused a
// pipe, and opening a regular file never waits.
func openRead(path string) (*os.File, error) { return os.Open(path) }

// checkLinks does nothing: the check is for root on Unix.
func checkLinks(string) error { return nil }
