//go:build !windows && (!darwin || cgo)

package tray

import (
	"fyne.io/systray"
	"github.com/awsxc/awsxc/packaging/icons"
)

// setIcon sets the tray icon: the template image on macOS (the menu bar
// tints it), the colour PNG elsewhere.
func setIcon() { systray.SetTemplateIcon(icons.TrayTemplate, icons.Tray) }
