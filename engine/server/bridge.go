package server

import (
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"sync"
	"time"
)

// BridgeError is an address of [Options.ExtraAddrs] that is not a
// container bridge's, asked for without [Options.AllowRemote]: nothing
// was bound. An extra address is meant for the docker bridge's gateway
// (172.17.0.1 on docker0); a wildcard or a LAN address there would
// serve the credentials to the network.
type BridgeError struct {
	// Addr is the address asked for, host:port.
	Addr string
	// Reason says why it is not a bridge's ("192.0.2.2 is on eth0, which
	// is not a bridge").
	Reason string
}

func (e *BridgeError) Error() string {
	return "listen on " + e.Addr + ": " + e.Reason + "; beyond loopback only a container bridge's own address is served unless remote clients are allowed"
}

// CheckBridge reports why ip is not a container bridge's address, as
// a *BridgeError, or nil when it is one. A container bridge here is a
// Linux bridge interface of this machine (docker0, a Docker network's
// br-…, podman0, cni0) that carries no default route (a bridge that
// does, as a virtual machine host's br0, is the LAN). Anything else is
// refused: a wildcard (0.0.0.0), a loopback, multicast or link-local
// address, an address of no interface here, an address on an interface
// that is not a bridge (the LAN's eth0), and, elsewhere than on Linux,
// every address.
func CheckBridge(ip netip.Addr) error {
	ip = ip.Unmap()
	refuse := func(format string, args ...any) error {
		return &BridgeError{Addr: ip.String(), Reason: fmt.Sprintf(format, args...)}
	}
	switch {
	case !ip.IsValid():
		return refuse("no address")
	case ip.IsUnspecified():
		return refuse("%s is every interface of this machine, not a bridge", ip)
	case ip.IsLoopback():
		return refuse("%s is a loopback address, not a bridge", ip)
	case ip.IsMulticast():
		return refuse("%s is a multicast address", ip)
	case ip.IsLinkLocalUnicast():
		return refuse("%s is a link-local address, not a bridge", ip)
	}
	ifs, err := net.Interfaces()
	if err != nil {
		return refuse("cannot list this machine's interfaces: %v", err)
	}
	for _, ifc := range ifs {
		if !slices.ContainsFunc(prefixes(ifc), func(p netip.Prefix) bool { return p.Addr() == ip }) {
			continue
		}
		if !isBridge(ifc.Name) {
			return refuse("%s is on %s, which is not a bridge", ip, ifc.Name)
		}
		if defaultRoute(ifc.Name) {
			return refuse("%s is on %s, a bridge that carries the default route (the LAN)", ip, ifc.Name)
		}
		return nil
	}
	return refuse("%s is not an address of this machine", ip)
}

// prefixes are ifc's addresses with their prefix lengths (unmasked).
func prefixes(ifc net.Interface) []netip.Prefix {
	addrs, err := ifc.Addrs()
	if err != nil {
		return nil
	}
	var out []netip.Prefix
	for _, a := range addrs {
		n, ok := a.(*net.IPNet)
		if !ok {
			continue
		}
		addr, ok := netip.AddrFromSlice(n.IP)
		if !ok {
			continue
		}
		bits, _ := n.Mask.Size()
		out = append(out, netip.PrefixFrom(addr.Unmap(), bits))
	}
	return out
}

// bridgeSubnets are the subnets of this machine's container bridges
// (see [CheckBridge]), link-local ones aside: where their containers'
// addresses are.
func bridgeSubnets() []netip.Prefix {
	ifs, _ := net.Interfaces()
	var out []netip.Prefix
	for _, ifc := range ifs {
		if !isBridge(ifc.Name) || defaultRoute(ifc.Name) {
			continue
		}
		for _, p := range prefixes(ifc) {
			if !p.Addr().IsLinkLocalUnicast() {
				out = append(out, p.Masked())
			}
		}
	}
	return out
}

// peerListener accepts connections from this machine's container bridges
// only ([bridgeSubnets]), and closes any other at once, before a byte is
// read: a container bridge's listener. Linux takes a packet for any of
// its addresses on any interface (the weak host model), so without it a
// LAN neighbour that routes the bridge's subnet to this machine reaches
// the bridge address. A neighbour that forges a source address in a
// bridge's subnet cannot finish the handshake: the answer goes to the
// bridge. Every bridge's subnet is taken, not only the one listened on:
// a container on a Compose project's network reaches docker0's address
// (host.docker.internal is host-gateway) from its own network's. The
// subnets are read again, at most once a second, when a peer is in none
// of them: Docker makes a bridge for each new network.
type peerListener struct {
	net.Listener
	log *slog.Logger

	mu      sync.Mutex
	subnets []netip.Prefix
	read    time.Time // when subnets were read
}

func newPeerListener(ln net.Listener, log *slog.Logger) *peerListener {
	return &peerListener{Listener: ln, log: log, subnets: bridgeSubnets(), read: time.Now()}
}

func (l *peerListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if ta, ok := c.RemoteAddr().(*net.TCPAddr); ok && l.allowed(ta.AddrPort().Addr().Unmap()) {
			return c, nil
		}
		l.log.Debug("connection refused: not from a container bridge", "addr", l.Addr().String(), "client", c.RemoteAddr().String())
		c.Close()
	}
}

func (l *peerListener) allowed(a netip.Addr) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	in := func() bool {
		return slices.ContainsFunc(l.subnets, func(p netip.Prefix) bool { return p.Contains(a) })
	}
	if in() {
		return true
	}
	if time.Since(l.read) < time.Second {
		return false
	}
	l.subnets, l.read = bridgeSubnets(), time.Now()
	return in()
}

// current is the subnets last read.
func (l *peerListener) current() []netip.Prefix {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.subnets)
}
