//go:build !windows && (!darwin || cgo)

package tray

import (
	"fyne.io/systray"
	"github.com/awsxc/awsxc/packaging/icons"
)

// setIcon sets the tray icon for st: the template image on macOS while
// all is well (the menu bar tints it; a template has no colour for a
// badge), the colour PNG elsewhere and for the badged states.
func setIcon(st IconState) {
	switch st {
	case IconExpiring:
		systray.SetIcon(icons.TrayExpiring)
	case IconFailing:
		systray.SetIcon(icons.TrayFailing)
	default:
		systray.SetTemplateIcon(icons.TrayTemplate, icons.Tray)
	}
}
