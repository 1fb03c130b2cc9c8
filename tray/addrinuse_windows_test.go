package tray

import (
	"fmt"
	"net"
	"os"
	"testing"

	"golang.org/x/sys/windows"
)

func TestIsAddrInUseWindows(t *testing.T) {
	t.Parallel()
	// What server.NewIMDS returns for a taken port, in any locale.
	err := fmt.Errorf("listen on 127.0.0.1:41002: %w", &net.OpError{Op: "listen", Net: "tcp",
		Err: os.NewSyscallError("bind", windows.WSAEADDRINUSE)})
	if !isAddrInUse(err) {
		t.Errorf("isAddrInUse(%v) = false", err)
	}
	if other := os.NewSyscallError("bind", windows.WSAEACCES); isAddrInUse(other) {
		t.Errorf("isAddrInUse(%v) = true", other)
	}
}
