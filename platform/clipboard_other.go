//go:build !linux && !darwin && !windows && !freebsd && !openbsd && !netbsd

package platform

// Copy puts text on the system clipboard.
func Copy(text string) error { return ErrUnsupported }

// Paste returns the text on the system clipboard.
func Paste() (string, error) { return "", ErrUnsupported }
