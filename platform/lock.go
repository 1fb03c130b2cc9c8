package platform

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrLocked is returned by [AcquireLock] when another process holds the lock.
var ErrLocked = errors.New("already locked by another process")

// Lock is a held single-instance lock. The operating system drops it when
// the process ends, however it ends.
type Lock struct {
	release func() error
}

// AcquireLock takes an exclusive lock on path (created if missing, its
// folder too), without waiting: it fails with [ErrLocked] at once when
// another process holds it. On Unix it is flock(2); on Windows LockFileEx.
func AcquireLock(path string) (*Lock, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	if err := tryLock(f); err != nil {
		f.Close()
		if errors.Is(err, ErrLocked) {
			return nil, ErrLocked
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return &Lock{release: f.Close}, nil
}

// Release drops the lock.
func (l *Lock) Release() error {
	if l == nil || l.release == nil {
		return nil
	}
	r := l.release
	l.release = nil
	return r()
}
