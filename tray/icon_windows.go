package tray

import (
	"fyne.io/systray"
	"github.com/awsxc/awsxc/packaging/icons"
)

// setIcon sets the tray icon; Windows needs ICO data.
func setIcon() { systray.SetIcon(icons.TrayICO) }
