package server

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/awsxc/awsxc/engine"
)

// lanAddr is an address of this machine on an interface that is not a
// bridge (eth0's): what a user might paste instead of docker0's. The
// test skips without one, and fails under CI=true.
func lanAddr(t *testing.T) (netip.Addr, string) {
	t.Helper()
	ifs, _ := net.Interfaces()
	for _, ifc := range ifs {
		if isBridge(ifc.Name) {
			continue
		}
		for _, p := range prefixes(ifc) {
			if a := p.Addr(); a.Is4() && !a.IsLoopback() && !a.IsLinkLocalUnicast() {
				return a, ifc.Name
			}
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("this machine has no IPv4 address beyond loopback")
	}
	t.Skip("this machine has no IPv4 address beyond loopback")
	return netip.Addr{}, ""
}

// TestCheckBridge: only a container bridge's own address passes; a
// wildcard, loopback, multicast, link-local address, an address of no
// interface here and the LAN's are refused, saying why (review 2, H1).
func TestCheckBridge(t *testing.T) {
	t.Parallel()
	lan, lanIf := lanAddr(t)
	for _, tc := range []struct {
		addr, want string
	}{
		{"0.0.0.0", "0.0.0.0 is every interface of this machine, not a bridge"},
		{"::", ":: is every interface of this machine, not a bridge"},
		{"127.0.0.1", "127.0.0.1 is a loopback address, not a bridge"},
		{"224.0.0.1", "224.0.0.1 is a multicast address"},
		{"169.254.170.2", "169.254.170.2 is a link-local address, not a bridge"},
		{"203.0.113.254", "203.0.113.254 is not an address of this machine"},
		{lan.String(), lan.String() + " is on " + lanIf + ", which is not a bridge"},
	} {
		err := CheckBridge(netip.MustParseAddr(tc.addr))
		var be *BridgeError
		if !errors.As(err, &be) || be.Reason != tc.want {
			t.Errorf("CheckBridge(%s) = %v, want a BridgeError: %s", tc.addr, err, tc.want)
		}
	}
}

// TestExtraAddrNotBridge: a server asked to listen also on 0.0.0.0 or
// on the LAN's address is refused unless AllowRemote, and nothing
// listens; allowed, it serves and Reach names the address (review 2,
// H1).
func TestExtraAddrNotBridge(t *testing.T) {
	t.Parallel()
	lan, _ := lanAddr(t)
	_, _, env := srvEnv(t)
	src := newTestSource(t, engine.SourceOptions{Env: env, Profile: "static"})
	ctx := context.Background()
	for _, tc := range []struct{ addr, extra string }{
		{"[::1]:0", "0.0.0.0:0"}, // different families: no port clash
		{"127.0.0.1:0", netip.AddrPortFrom(lan, 0).String()},
	} {
		_, err := NewIMDS(ctx, src, IMDSOptions{Options: Options{Addr: tc.addr, ExtraAddrs: []string{tc.extra}}})
		var be *BridgeError
		if !errors.As(err, &be) || !strings.HasPrefix(be.Addr, strings.TrimSuffix(tc.extra, "0")) {
			t.Errorf("extra %s: %v, want a BridgeError", tc.extra, err)
		}
		if _, err := NewECS(ctx, src, ECSOptions{Options: Options{Addr: tc.addr, ExtraAddrs: []string{tc.extra}}}); !errors.As(err, &be) {
			t.Errorf("ECS extra %s: %v, want a BridgeError", tc.extra, err)
		}
	}
	m, err := NewIMDS(ctx, src, IMDSOptions{Options: Options{Addr: "127.0.0.1:0", ExtraAddrs: []string{netip.AddrPortFrom(lan, 0).String()}, AllowRemote: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	at := netip.AddrPortFrom(lan, uint16(m.Port())).String()
	if r := m.Reach(); !r.Remote || r.String() != at {
		t.Errorf("reach %q, want %s", r, at)
	}
	if imdsFetchKey(t, "http://"+at+"/") == "" {
		t.Error("the allowed LAN address does not serve")
	}
	if s := (Reach{Remote: true, Addrs: []string{"172.17.0.1:9911"}, Subnets: map[string][]netip.Prefix{
		"172.17.0.1:9911": {netip.MustParsePrefix("172.17.0.0/16"), netip.MustParsePrefix("172.18.0.0/16")}}}).String(); !strings.Contains(s,
		"172.17.0.1:9911 (from container bridges only: 172.17.0.0/16, 172.18.0.0/16)") {
		t.Errorf("reach words %q", s)
	}
}
