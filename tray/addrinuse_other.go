//go:build !windows && (!darwin || cgo)

package tray

import "syscall"

var errAddrInUse error = syscall.EADDRINUSE
