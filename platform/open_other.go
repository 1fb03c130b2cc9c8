//go:build !linux && !darwin && !windows

package platform

func openFile(path string) error { return ErrUnsupported }
