//go:build !linux && !darwin && !windows

package platform

// AutostartFile is where the autostart entry would be; empty here.
func AutostartFile() string { return "" }

func setAutostart(enable bool, exe string) error { return ErrUnsupported }

func autostart() (bool, error) { return false, ErrUnsupported }
