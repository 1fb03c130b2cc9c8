package handoff

import (
	"encoding/binary"
	"net/netip"
	"os"
)

// peerOwned says whether the process connected from remote to local runs
// as this process's (effective) user: the uid of its socket, in
// /proc/net/tcp or /proc/net/tcp6 (a dual-stack socket). A peer found in
// neither is not ours (its connection is gone); tables that cannot be
// read leave the question open (known false).
func peerOwned(remote, local netip.AddrPort) (ok, known bool) {
	read := false
	for _, p := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		table, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		read = true
		// The client's socket: its local address is remote.
		if uid, found := procNetTCPUID(table, binary.NativeEndian, remote, local); found {
			return uid == os.Geteuid(), true
		}
	}
	return false, read
}
