package platform

// SessionBusAddress returns the address of the user's D-Bus session bus,
// or "" when there is none.
//
// It is DBUS_SESSION_BUS_ADDRESS, else on Linux the systemd user bus
// $XDG_RUNTIME_DIR/bus when that is a socket: sessions not started
// through dbus-launch (a console login, some display managers, ssh -X)
// have the bus without the variable. It then also sets the variable, so
// everything else in the process (fyne.io/systray, through godbus) uses
// that bus too.
//
// It never starts a bus: godbus, left to find one on its own, would
// autolaunch one through dbus-launch and leak it.
func SessionBusAddress() string { return sessionBusAddress() }
