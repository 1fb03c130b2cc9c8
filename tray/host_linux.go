package tray

import (
	"context"

	"github.com/awsxc/awsxc/platform"
	"github.com/godbus/dbus/v5"
)

// watcherName is the bus name a tray host owns.
const watcherName = "org.kde.StatusNotifierWatcher"

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
	if !hasOwner(conn) {
		return hostMissing
	}
	return hostPresent
}

func hasOwner(conn *dbus.Conn) bool {
	var has bool
	err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, watcherName).Store(&has)
	return err == nil && has
}

// watchTrayHost calls changed with whether a tray host is on the session
// bus, at once and then whenever one comes or goes, until ctx ends: the
// bus says so (NameOwnerChanged), so a panel started after awsxc is seen
// at once, not at the next tick. It fails when it cannot watch.
func watchTrayHost(ctx context.Context, changed func(present bool)) error {
	conn, err := platform.SessionBus()
	if err != nil {
		return err
	}
	err = conn.AddMatchSignal(
		dbus.WithMatchSender("org.freedesktop.DBus"),
		dbus.WithMatchObjectPath("/org/freedesktop/DBus"),
		dbus.WithMatchInterface("org.freedesktop.DBus"),
		dbus.WithMatchMember("NameOwnerChanged"),
		dbus.WithMatchArg(0, watcherName),
	)
	if err != nil {
		conn.Close()
		return err
	}
	sigs := make(chan *dbus.Signal, 8)
	conn.Signal(sigs)
	changed(hasOwner(conn)) // asked once subscribed: no change falls between
	go func() {
		defer conn.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case sig, ok := <-sigs:
				if !ok {
					return
				}
				// NameOwnerChanged(name, old owner, new owner)
				if len(sig.Body) != 3 || sig.Body[0] != watcherName {
					continue
				}
				owner, _ := sig.Body[2].(string)
				changed(owner != "")
			}
		}
	}()
	return nil
}
