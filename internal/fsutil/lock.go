package fsutil

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrLocked is wrapped by [TryLock] when another holder has the lock.
var ErrLocked = errors.New("locked by another process")

// FileLock is a held exclusive lock on a lock file. The operating system
// drops it when the process ends, however it ends.
type FileLock struct {
	f *os.File // the open lock file; nil once unlocked
}

// Lock takes an exclusive lock on the lock file at path, waiting while
// another holder has it. The file is created (mode 0600, missing folders
// 0700) when missing; a symlink or anything but a regular file at path is
// refused, never followed. Locks taken in one process exclude each other
// as those of different processes do. On Unix it is flock(2), on Windows
// LockFileEx.
func Lock(path string) (*FileLock, error) { return lock(path, true) }

// TryLock is [Lock] without the wait: when another holder has the lock it
// fails at once with an error wrapping [ErrLocked].
func TryLock(path string) (*FileLock, error) { return lock(path, false) }

func lock(path string, wait bool) (*FileLock, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	f, err := openLockFile(path)
	if err != nil {
		return nil, WithPaths(fmt.Errorf("lock %s: %w", path, err), path)
	}
	if err := lockFile(f, wait); err != nil {
		f.Close()
		return nil, WithPaths(fmt.Errorf("lock %s: %w", path, err), path)
	}
	return &FileLock{f: f}, nil
}

// Unlock drops the lock; the lock file stays. Unlocking a nil or an
// already unlocked FileLock does nothing.
func (l *FileLock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	f := l.f
	l.f = nil
	unlockFile(f)
	return f.Close()
}
