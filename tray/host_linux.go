package tray

import "github.com/awsxc/awsxc/platform"

// checkTrayHost looks for org.kde.StatusNotifierWatcher on the session
// bus. fyne.io/systray speaks only StatusNotifierItem, with no XEmbed
// fallback, so without a watcher no icon appears: stock GNOME lacks one
// (the AppIndicator extension adds it), and i3bar or polybar need
// snixembed (fyne-io/systray#30).
//
// It connects only through platform.SessionBus (whose address also
// points the variable systray reads at $XDG_RUNTIME_DIR/bus when it is
// unset): left to itself godbus could autolaunch a bus and leak it.
func checkTrayHost() trayHost {
	conn, err := platform.SessionBus()
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
