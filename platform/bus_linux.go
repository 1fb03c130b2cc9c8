package platform

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/godbus/dbus/v5"
)

func sessionBusAddress() string {
	if addr := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); addr != "" {
		return addr
	}
	dir := os.Getenv("XDG_RUNTIME_DIR")
	if dir == "" {
		return ""
	}
	path := filepath.Join(dir, "bus")
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Type() != os.ModeSocket {
		return ""
	}
	addr := "unix:path=" + dbus.EscapeBusAddressValue(path)
	os.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	return addr
}

// SessionBus connects to the session bus of [SessionBusAddress], on a
// private connection the caller closes. With none it fails rather than
// let godbus autolaunch a bus through dbus-launch, which leaks a daemon.
//
// It is Linux only: its result is a godbus type, and godbus does not
// build on every GOOS.
func SessionBus() (*dbus.Conn, error) {
	addr := SessionBusAddress()
	if addr == "" {
		return nil, errors.New("no session bus (DBUS_SESSION_BUS_ADDRESS is not set, and $XDG_RUNTIME_DIR/bus is no socket)")
	}
	return dbus.Connect(addr)
}
