//go:build !linux && !windows

package handoff

import "net/netip"

// peerOwned cannot say who is connecting: macOS and the BSDs have no
// table of loopback connections with their owners that an unprivileged
// process can read cheaply, so [Open] only detects a theft there.
func peerOwned(netip.AddrPort, netip.AddrPort) (ok, known bool) { return false, false }
