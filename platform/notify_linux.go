package platform

import (
	"errors"
	"fmt"
	"os/exec"

	"github.com/godbus/dbus/v5"
)

func notify(summary, body string) error {
	err := notifyDBus(summary, body)
	if err == nil {
		return nil
	}
	if _, lerr := exec.LookPath("notify-send"); lerr != nil {
		return fmt.Errorf("notify: %w", err)
	}
	if out, err := exec.Command("notify-send", "--app-name="+AppName, "--icon="+AppName, "--", summary, body).CombinedOutput(); err != nil {
		return fmt.Errorf("notify-send: %v: %s", err, out)
	}
	return nil
}

// notifyDBus calls org.freedesktop.Notifications.Notify over a private
// session-bus connection, so it shares no state with the tray's own.
func notifyDBus(summary, body string) error {
	conn, err := sessionBus()
	if err != nil {
		return err
	}
	defer conn.Close()
	obj := conn.Object("org.freedesktop.Notifications", "/org/freedesktop/Notifications")
	call := obj.Call("org.freedesktop.Notifications.Notify", 0,
		AppName,    // app_name
		uint32(0),  // replaces_id
		AppName,    // app_icon
		summary,    // summary
		body,       // body
		[]string{}, // actions
		map[string]dbus.Variant{"desktop-entry": dbus.MakeVariant(AppName)},
		int32(-1), // expire_timeout: the server's default
	)
	return call.Err
}

// sessionBus connects to the session bus of [SessionBusAddress]. With
// none it fails rather than let godbus autolaunch a bus through
// dbus-launch, which leaks a daemon.
func sessionBus() (*dbus.Conn, error) {
	addr := SessionBusAddress()
	if addr == "" {
		return nil, errors.New("no session bus (DBUS_SESSION_BUS_ADDRESS is not set, and $XDG_RUNTIME_DIR/bus is no socket)")
	}
	return dbus.Connect(addr)
}
