//go:build !darwin || cgo

package tray

import (
	"errors"
	"strings"
	"syscall"
)

// isAddrInUse reports whether err says the port is taken.
func isAddrInUse(err error) bool {
	return errors.Is(err, syscall.EADDRINUSE) || (err != nil && (strings.Contains(err.Error(), "address already in use") ||
		strings.Contains(err.Error(), "Only one usage of each socket address")))
}
