//go:build !unix && !windows

package localsock

import (
	"context"
	"errors"
	"fmt"
	"net"
)

// sysListener is empty: there is no local endpoint on this system.
type sysListener struct{}

func defaultPath(func(string) string) (string, error) {
	return "", fmt.Errorf("local endpoint: %w", errors.ErrUnsupported)
}

func listen(Options) (*Listener, error) {
	return nil, fmt.Errorf("listen: %w", errors.ErrUnsupported)
}

func dial(context.Context, string) (net.Conn, error) {
	return nil, fmt.Errorf("%w: %w", ErrNoDaemon, errors.ErrUnsupported)
}

func (l *Listener) accept() (net.Conn, error) { return nil, net.ErrClosed }
func (l *Listener) close() error              { return nil }
func (l *Listener) addr() net.Addr            { return nil }

func exchange(context.Context, string, Request) ([]byte, error) {
	return nil, fmt.Errorf("%w: %w", ErrNoDaemon, errors.ErrUnsupported)
}
