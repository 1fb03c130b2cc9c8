package localsock

import "golang.org/x/sys/unix"

// peerPID returns the peer's process id (LOCAL_PEERPID), or 0.
func peerPID(fd int) int {
	pid, _ := unix.GetsockoptInt(fd, unix.SOL_LOCAL, unix.LOCAL_PEERPID)
	return pid
}
