package netnstest

import (
	"context"
	"net/netip"
	"os/exec"
	"strconv"
)

// Namespace is a network namespace joined to the test's own by a veth
// pair. Both links are up, and so is the namespace's loopback.
type Namespace struct {
	// Host is the address of the veth end in the test's namespace (or of
	// its bridge): where a server listens for the namespace to reach it.
	Host netip.Addr
	// Peer is the address of the end inside the namespace: where its
	// requests come from.
	Peer netip.Addr
	// Prefix is the /30 both addresses are in.
	Prefix netip.Prefix
	// HostLink and PeerLink name the two ends of the veth pair.
	HostLink, PeerLink string
	// Bridge names the bridge whose port HostLink is and which holds
	// Host ([NewBridged]); empty for [New], where HostLink holds it.
	Bridge string
	// PID is the process that holds the namespace; it ends with the test.
	PID int

	nsenter string // nsenter's path
}

// Command returns a command that runs name with args inside the
// namespace (through nsenter). As with exec.Command, an unset Env passes
// on the test's environment; set it to give the program only what it
// needs.
func (n *Namespace) Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, n.nsenter, append([]string{"--target", strconv.Itoa(n.PID), "--net", "--", name}, args...)...)
}
