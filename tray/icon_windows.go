package tray

import (
	"fyne.io/systray"
	"github.com/awsxc/awsxc/packaging/icons"
)

// setIcon sets the tray icon for st; Windows needs ICO data.
func setIcon(st IconState) {
	switch st {
	case IconExpiring:
		systray.SetIcon(icons.TrayICOExpiring)
	case IconFailing:
		systray.SetIcon(icons.TrayICOFailing)
	default:
		systray.SetIcon(icons.TrayICO)
	}
}
