//go:build linux || darwin || freebsd || openbsd || netbsd

package platform

import (
	"errors"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// tryLock flocks f without waiting; [ErrLocked] when another holds it.
func tryLock(f *os.File) error {
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		if errors.Is(err, unix.EWOULDBLOCK) {
			return ErrLocked
		}
		return err
	}
	// The pid is for people looking at the file; the lock is the flock.
	_ = f.Truncate(0)
	_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return nil
}
