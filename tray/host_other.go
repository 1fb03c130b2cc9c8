//go:build !linux && (!darwin || cgo)

package tray

// checkTrayHost: Windows and macOS always have a notification area or
// menu bar. (On the BSDs systray uses D-Bus as on Linux; not checked.)
func checkTrayHost() trayHost { return hostPresent }
