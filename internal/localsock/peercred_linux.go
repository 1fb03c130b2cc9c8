package localsock

import (
	"net"

	"golang.org/x/sys/unix"
)

// peerCred returns the user and process ids of the process at the other
// end of c, as the kernel recorded them at connect(2) (for a client's
// socket: at the listener's listen(2)): SO_PEERCRED.
func peerCred(c *net.UnixConn) (uid, pid int, err error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return -1, 0, err
	}
	var serr error
	if err := raw.Control(func(fd uintptr) { uid, pid, serr = peerCredFD(int(fd)) }); err != nil {
		return -1, 0, err
	}
	return uid, pid, serr
}

// peerCredFD is peerCred on a socket's descriptor.
func peerCredFD(fd int) (uid, pid int, err error) {
	cred, err := unix.GetsockoptUcred(fd, unix.SOL_SOCKET, unix.SO_PEERCRED)
	if err != nil {
		return -1, 0, err
	}
	return int(cred.Uid), int(cred.Pid), nil
}
