//go:build !linux && !darwin && !windows && !freebsd && !openbsd && !netbsd

package platform

import "os"

func tryLock(f *os.File) error { return ErrUnsupported }
