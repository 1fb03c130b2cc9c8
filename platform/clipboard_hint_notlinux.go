//go:build (darwin || windows || freebsd || openbsd || netbsd) && !linux

package platform

import "fmt"

func clipboardMissing() error {
	return fmt.Errorf("clipboard: %w", ErrUnsupported)
}
