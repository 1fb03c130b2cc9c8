//go:build unix && !linux && !darwin && !freebsd

package localsock

import (
	"errors"
	"net"
)

// errNoPeerCred: peer credentials are not implemented on this system, so
// every peer is refused: without the peer's user id neither side can
// trust the other.
var errNoPeerCred = errors.New("peer credentials are not supported on this system")

func peerCred(*net.UnixConn) (uid, pid int, err error) { return -1, 0, errNoPeerCred }

func peerCredFD(int) (uid, pid int, err error) { return -1, 0, errNoPeerCred }
