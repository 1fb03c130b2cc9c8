// Package platform holds what the awsxc tray needs from the operating
// system: the clipboard, per-user folders, start at login, desktop
// notifications (with actions where the desktop has them), a native
// prompt for MFA codes, opening a file in the user's editor, and whether
// the screen is locked or the machine asleep. File primitives (atomic writes, locks) are in
// internal/fsutil, shared with engine; platform does not import engine.
//
// Every exported name but [SessionBus] (Linux only) exists on every
// GOOS. Each feature has a generic
// file with the API and its documentation, per-OS files with the
// implementation (_linux, _darwin, _windows), and an _other file for the
// rest, which returns [ErrUnsupported].
package platform

import "errors"

// ErrUnsupported is returned by features this operating system lacks here.
var ErrUnsupported = errors.New("not supported on this platform")

// AppName names the folders, files and autostart entries awsxc creates.
const AppName = "awsxc"
