// Package icons holds the awsxc icon, rendered from awsxc.svg and
// awsxc-template.svg by render.sh, for programs that embed it.
//
// The tray uses [Tray] on Linux (the StatusNotifierItem host scales it),
// [TrayICO] on Windows (systray.SetIcon needs ICO data there), and
// [TrayTemplate] with [Tray] on macOS (systray.SetTemplateIcon; the menu bar
// draws it at 16x16 points, so the 32 px image is sharp on Retina screens).
//
// Packages do not read this package: package.sh and nfpm.yaml take the files
// from this directory directly.
package icons

import _ "embed"

// Tray is the full-colour icon as a 32x32 PNG.
//
//go:embed awsxc-32.png
var Tray []byte

// TrayTemplate is the black-on-transparent key as a 32x32 PNG, for use as a
// macOS template image.
//
//go:embed awsxc-template-32.png
var TrayTemplate []byte

// TrayICO is the full-colour icon as an ICO file with 16, 20, 24 and 32 px
// images, for the Windows notification area at 100 % to 200 % scaling.
//
//go:embed awsxc-tray.ico
var TrayICO []byte
