//go:build !linux && !darwin && !windows

package platform

func notify(summary, body string) error { return ErrUnsupported }
