//go:build windows

package engine

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/windows"
)

// lockPath takes an exclusive LockFileEx lock on the file at path,
// creating it when missing, and waits for other holders. The lock file is
// never removed: deleting it would let two writers lock two different
// files. Windows drops the lock if the process dies.
func lockPath(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	h := windows.Handle(f.Fd())
	ol := new(windows.Overlapped)
	if err := windows.LockFileEx(h, windows.LOCKFILE_EXCLUSIVE_LOCK, 0, 1, 0, ol); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() {
		windows.UnlockFileEx(h, 0, 1, 0, ol)
		f.Close()
	}, nil
}

// syncDir does nothing: Windows cannot flush a folder handle, and NTFS
// journals the rename itself.
func syncDir(string) error { return errors.ErrUnsupported }
