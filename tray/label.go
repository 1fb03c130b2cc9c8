//go:build !darwin || cgo

package tray

import "strings"

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
