package tray

import (
	"github.com/awsxc/awsxc/platform"
	"github.com/godbus/dbus/v5"
)

// checkTrayHost looks for org.kde.StatusNotifierWatcher on the session
// bus. fyne.io/systray speaks only StatusNotifierItem, with no XEmbed
// fallback, so without a watcher no icon appears: stock GNOME lacks one
// (the AppIndicator extension adds it), and i3bar or polybar need
// snixembed (fyne-io/systray#30).
//
// It connects only to the bus of platform.SessionBusAddress (which also
// points the variable systray reads at $XDG_RUNTIME_DIR/bus when it is
// unset): left to itself godbus could autolaunch a bus and leak it.
func checkTrayHost() trayHost {
	addr := platform.SessionBusAddress()
	if addr == "" {
		return hostNoBus
	}
	conn, err := dbus.Connect(addr)
	if err != nil {
		return hostNoBus
	}
	defer conn.Close()
	var has bool
	err = conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, "org.kde.StatusNotifierWatcher").Store(&has)
	if err != nil || !has {
		return hostMissing
	}
	return hostPresent
}
