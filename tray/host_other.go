//go:build !linux && (!darwin || cgo)

package tray

import "context"

// checkTrayHost: Windows and macOS always have a notification area or
// menu bar. (On the BSDs systray uses D-Bus as on Linux; not checked.)
func checkTrayHost() trayHost { return hostPresent }

// watchTrayHost has nothing to watch: the host is always there.
func watchTrayHost(context.Context, func(present bool)) error { return nil }
