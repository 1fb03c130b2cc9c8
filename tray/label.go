//go:build !darwin || cgo

package tray

import (
	"strings"
	"unicode/utf16"
)

// menuLabel is label as the menu of the system goos must be given it to
// show it as is. A dbusmenu host (every Linux and BSD desktop) reads
// "_x" as "x" with a keyboard accelerator, so "dev_admin" would show as
// "devadmin": an underscore is doubled. Windows menus do the same with
// "&", doubled for a literal one. The macOS menu bar has no such marks.
func menuLabel(goos, label string) string {
	switch goos {
	case "linux", "freebsd", "openbsd", "netbsd":
		return strings.ReplaceAll(label, "_", "__")
	case "windows":
		return strings.ReplaceAll(label, "&", "&&")
	default:
		return label
	}
}

// maxWindowsTip is the longest tooltip the Windows notification area
// takes, in UTF-16 units: NOTIFYICONDATA's szTip holds 128 with the
// terminating NUL, and fyne.io/systray copies a longer one in unended.
const maxWindowsTip = 127

// iconTooltip is tooltip as the icon of the system goos can take it: on
// Windows it is cut to maxWindowsTip, at a line where it can be.
func iconTooltip(goos, tooltip string) string {
	if goos != "windows" || len(utf16.Encode([]rune(tooltip))) <= maxWindowsTip {
		return tooltip
	}
	var b strings.Builder
	n := 0
	for i, line := range strings.Split(tooltip, "\n") {
		if i > 0 {
			line = "\n" + line
		}
		m := len(utf16.Encode([]rune(line)))
		if n+m > maxWindowsTip {
			if i == 0 {
				b.WriteString(clip(line, maxWindowsTip/2)) // a huge first line
			}
			break
		}
		b.WriteString(line)
		n += m
	}
	return b.String()
}
