//go:build !linux

package platform

import "os"

func sessionBusAddress() string { return os.Getenv("DBUS_SESSION_BUS_ADDRESS") }
