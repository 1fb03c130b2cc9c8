//go:build !darwin || cgo

package tray

// trayHost says whether anything can show the icon.
type trayHost int

const (
	hostPresent trayHost = iota // a host shows tray icons
	hostMissing                 // a session bus, but no StatusNotifierWatcher on it
	hostNoBus                   // no session bus at all (Linux)
)
