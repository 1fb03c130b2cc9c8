package platform

import "errors"

// ErrLocked is returned by [AcquireLock] when another process holds the lock.
var ErrLocked = errors.New("already locked by another process")

// Lock is a held single-instance lock. The operating system drops it when
// the process ends, however it ends.
type Lock struct {
	path    string
	release func() error
}

// AcquireLock takes an exclusive lock on path (created if missing, its
// folder too), without waiting: it fails with [ErrLocked] at once when
// another process holds it. On Unix it is flock(2); on Windows LockFileEx.
func AcquireLock(path string) (*Lock, error) { return acquireLock(path) }

// Path is the lock file.
func (l *Lock) Path() string { return l.path }

// Release drops the lock.
func (l *Lock) Release() error {
	if l == nil || l.release == nil {
		return nil
	}
	r := l.release
	l.release = nil
	return r()
}
