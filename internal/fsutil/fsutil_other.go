//go:build !unix && !windows

package fsutil

import (
	"errors"
	"os"
)

// The fall-backs for systems without flock or LockFileEx (js, wasip1,
// plan9): writes work, ownership is not kept, locks are unsupported.

func openLockFile(string) (*os.File, error) { return nil, errors.ErrUnsupported }

func lockFile(*os.File, bool) error { return errors.ErrUnsupported }

func unlockFile(*os.File) {}

func openRead(path string) (*os.File, error) { return os.Open(path) }

// checkLinks does nothing: the check is for root on Unix.
func checkLinks(string) error { return nil }

// rename is os.Rename: a rename over an open file works here.
func rename(from, to string) error { return os.Rename(from, to) }
