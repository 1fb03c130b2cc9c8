package platform

import "fmt"

func clipboardMissing() error {
	return fmt.Errorf("clipboard: %w: install xclip or xsel (X11), or wl-clipboard (Wayland)", ErrUnsupported)
}
