// Package icons holds the awsxc icon, rendered from awsxc.svg and
// awsxc-template.svg by render.sh, for programs that embed it, and the
// tray's state icons, rendered from awsxc-expiring.svg and
// awsxc-failing.svg: the same icon with a yellow clock badge (credentials
// that expire soon, or whose refresh failed) or a red "!" badge (no
// usable credentials, or something to do).
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

// TrayExpiring is [Tray] with a yellow clock badge at the bottom right:
// the credentials expire soon, or could not be refreshed.
//
//go:embed awsxc-expiring-32.png
var TrayExpiring []byte

// TrayFailing is [Tray] with a red "!" badge at the bottom right: there
// are no usable credentials, or the user has something to do.
//
//go:embed awsxc-failing-32.png
var TrayFailing []byte

// TrayICOExpiring is [TrayExpiring] as an ICO file, like [TrayICO].
//
//go:embed awsxc-tray-expiring.ico
var TrayICOExpiring []byte

// TrayICOFailing is [TrayFailing] as an ICO file, like [TrayICO].
//
//go:embed awsxc-tray-failing.ico
var TrayICOFailing []byte

// Badge is the pixel, in a 32 px state icon, that shows its badge's
// colour: inside the badge, clear of its glyph.
var Badge = struct{ X, Y int }{22, 27}
