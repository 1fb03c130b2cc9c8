package platform

import (
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
