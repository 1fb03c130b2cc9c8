//go:build linux || darwin || windows || freebsd || openbsd || netbsd

package platform

import "github.com/atotto/clipboard"

// Copy puts text on the system clipboard. On Linux it needs xclip, xsel
// (X11) or wl-copy (Wayland, when WAYLAND_DISPLAY is set).
func Copy(text string) error {
	if clipboard.Unsupported {
		return clipboardMissing()
	}
	return clipboard.WriteAll(text)
}

// Paste returns the text on the system clipboard.
func Paste() (string, error) {
	if clipboard.Unsupported {
		return "", clipboardMissing()
	}
	return clipboard.ReadAll()
}
