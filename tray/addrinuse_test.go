//go:build !darwin || cgo

package tray

import (
	"net"
	"testing"
)

// A real taken port, as this OS reports it.
func TestIsAddrInUseListen(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, err = net.Listen("tcp", l.Addr().String())
	if err == nil || !isAddrInUse(err) {
		t.Errorf("isAddrInUse(%v) = false", err)
	}
}
