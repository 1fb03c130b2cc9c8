package platform

import (
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
	conn, err := SessionBus()
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
