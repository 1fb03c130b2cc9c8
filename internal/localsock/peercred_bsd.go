//go:build darwin || freebsd

package localsock

import (
	"fmt"
	"net"

	"golang.org/x/sys/unix"
)

// peerCred returns the effective user id of the process at the other end
// of c, as the kernel recorded it at connect(2) (for a client's socket:
// at the listener's listen(2)): LOCAL_PEERCRED, which is what
// getpeereid(3) asks. The process id is for messages only.
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
	cred, err := unix.GetsockoptXucred(fd, unix.SOL_LOCAL, unix.LOCAL_PEERCRED)
	if err != nil {
		return -1, 0, err
	}
	// XUCRED_VERSION in <sys/ucred.h>; another layout would put the uid
	// elsewhere.
	if cred.Version != 0 {
		return -1, 0, fmt.Errorf("unknown xucred version %d", cred.Version)
	}
	return int(cred.Uid), peerPID(fd), nil
}
