//go:build !linux && !darwin && !windows && !freebsd && !openbsd && !netbsd

package platform

func acquireLock(path string) (*Lock, error) { return nil, ErrUnsupported }
