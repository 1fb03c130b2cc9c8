//go:build !darwin || cgo

package tray

import (
	"errors"
	"strings"
	"syscall"
)

// isAddrInUse reports whether err says the port is taken. The message
// test is for errors that lost their errno on the way.
func isAddrInUse(err error) bool {
	return errors.Is(err, syscall.EADDRINUSE) || errors.Is(err, errAddrInUse) ||
		(err != nil && strings.Contains(err.Error(), "address already in use"))
}
