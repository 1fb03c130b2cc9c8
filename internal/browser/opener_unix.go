//go:build !darwin && !windows

package browser

// platformOpener is xdg-open, the freedesktop.org opener that Linux and
// BSD desktops provide (xdg-utils); it hands the URL to the desktop's
// default browser.
func platformOpener(u string) ([]string, error) { return []string{"xdg-open", u}, nil }
