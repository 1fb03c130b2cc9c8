package netnstest

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// testRange is RFC 2544's benchmarking range (IANA special-purpose, not
// routed on the internet), which neither Docker, Kubernetes nor VPNs use
// by default.
var testRange = netip.MustParsePrefix("198.18.0.0/15")

// New makes a network namespace for the test and removes it when the
// test ends. It skips the test when it cannot (not root, a program
// missing, namespaces not allowed here), or fails it under CI=true.
func New(t testing.TB) *Namespace {
	t.Helper()
	return newNamespace(t, false)
}

// NewBridged is [New] with the host end of the veth pair made a port of
// a Linux bridge of its own, which holds the Host address, as docker0
// does for Docker Engine's containers: Bridge names it. The bridge goes
// when the test ends.
func NewBridged(t testing.TB) *Namespace {
	t.Helper()
	return newNamespace(t, true)
}

func newNamespace(t testing.TB, bridged bool) *Namespace {
	t.Helper()
	if os.Geteuid() != 0 {
		unavailable(t, "network namespaces need root")
	}
	paths := map[string]string{}
	for _, p := range []string{"ip", "unshare", "nsenter"} {
		path, err := exec.LookPath(p)
		if err != nil {
			unavailable(t, p+" not found (packages iproute2, util-linux)")
		}
		paths[p] = path
	}
	n := &Namespace{nsenter: paths["nsenter"]}
	ip := func(args ...string) []byte {
		t.Helper()
		out, err := exec.Command(paths["ip"], args...).CombinedOutput()
		if err != nil {
			t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, bytes.TrimSpace(out))
		}
		return out
	}
	n.PID = hold(t, paths["unshare"])

	prefix, ok := freePrefix(t, ip("-j", "-4", "route", "show", "table", "all"))
	if !ok {
		unavailable(t, "this machine routes all of "+testRange.String())
	}
	n.Prefix = prefix
	n.Host = prefix.Addr().Next()
	n.Peer = n.Host.Next()
	var id [3]byte
	_, _ = rand.Read(id[:])
	n.HostLink, n.PeerLink = "awxh"+hex.EncodeToString(id[:]), "awxn"+hex.EncodeToString(id[:])

	// The peer is created inside the namespace, so it goes with it.
	ip("link", "add", n.HostLink, "type", "veth", "peer", "name", n.PeerLink, "netns", strconv.Itoa(n.PID))
	t.Cleanup(func() {
		// The kernel removes the pair when the holder exits; deleting it
		// first makes the end of the test visible at once.
		_ = exec.Command(paths["ip"], "link", "del", n.HostLink).Run()
	})
	bits := strconv.Itoa(prefix.Bits())
	hostSide := n.HostLink // where Host is
	if bridged {
		n.Bridge = "awxb" + hex.EncodeToString(id[:])
		ip("link", "add", n.Bridge, "type", "bridge")
		t.Cleanup(func() { _ = exec.Command(paths["ip"], "link", "del", n.Bridge).Run() })
		ip("link", "set", n.HostLink, "master", n.Bridge)
		ip("link", "set", n.Bridge, "up")
		hostSide = n.Bridge
	}
	ip("addr", "add", n.Host.String()+"/"+bits, "dev", hostSide)
	ip("link", "set", n.HostLink, "up")
	for _, args := range [][]string{
		{"link", "set", "lo", "up"}, // down in a new namespace: 127.0.0.1 would be unreachable
		{"addr", "add", n.Peer.String() + "/" + bits, "dev", n.PeerLink},
		{"link", "set", n.PeerLink, "up"},
	} {
		cmd := n.Command(t.Context(), paths["ip"], args...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("in the namespace: ip %s: %v: %s", strings.Join(args, " "), err, bytes.TrimSpace(out))
		}
	}
	// Another test may have picked the same /30 at the same moment.
	if routes := routesTo(ip("-j", "-4", "route", "show", "table", "main"), prefix); len(routes) != 1 || routes[0] != hostSide {
		t.Fatalf("%s is routed through %v: another test took the same addresses; run again", prefix, routes)
	}
	waitUp(t, n.HostLink, paths["ip"])
	if bridged {
		waitUp(t, n.Bridge, paths["ip"])
	}
	return n
}

// unavailable skips the test, or fails it under CI.
func unavailable(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("%s; CI must run as root with iproute2 and util-linux (scripts/deps.sh)", why)
	}
	t.Skip(why)
}

// hold starts the process that owns the namespace: unshare(1) puts itself
// in a new network namespace and becomes a shell that waits for its
// standard input to close. The test holds the other end of that pipe, so
// the holder exits, and the kernel removes the namespace, when the test
// ends, however it ends.
func hold(t testing.TB, unshare string) int {
	t.Helper()
	cmd := exec.Command(unshare, "--net", "--", "/bin/sh", "-c", "echo ready; read x")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("unshare: %v", err)
	}
	exited := make(chan struct{}) // closed when the holder has exited
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		stdin.Close()
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	ready := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		ready <- line
	}()
	select {
	case line := <-ready:
		if line == "ready\n" {
			return cmd.Process.Pid
		}
		<-exited // the holder failed: its stderr is complete
		unavailable(t, "unshare --net: "+strings.TrimSpace(stderr.String()))
	case <-time.After(10 * time.Second):
		t.Fatal("unshare --net did not start")
	}
	return 0
}

// route is an entry of `ip -j route`.
type route struct {
	Dst string `json:"dst"`
	Dev string `json:"dev"`
}

func parseRoutes(t testing.TB, b []byte) []route {
	var routes []route
	if err := json.Unmarshal(b, &routes); err != nil {
		t.Fatalf("ip -j route: %v", err)
	}
	return routes
}

// dst is a route's destination as a prefix ("default" is not one, and an
// address alone is a /32).
func dst(r route) (netip.Prefix, bool) {
	if p, err := netip.ParsePrefix(r.Dst); err == nil {
		return p.Masked(), true
	}
	if a, err := netip.ParseAddr(r.Dst); err == nil {
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	return netip.Prefix{}, false
}

// freePrefix picks a random /30 in testRange that overlaps no route of
// this machine (the default route aside).
func freePrefix(t testing.TB, routeJSON []byte) (netip.Prefix, bool) {
	var used []netip.Prefix
	for _, r := range parseRoutes(t, routeJSON) {
		if p, ok := dst(r); ok && p.Overlaps(testRange) {
			used = append(used, p)
		}
	}
	base := testRange.Addr().As4()
	first := binary.BigEndian.Uint32(base[:])
	blocks := uint32(1) << (32 - testRange.Bits() - 2)
	for range 64 {
		var r [4]byte
		_, _ = rand.Read(r[:])
		var a [4]byte
		binary.BigEndian.PutUint32(a[:], first+(binary.BigEndian.Uint32(r[:])%blocks)*4)
		p := netip.PrefixFrom(netip.AddrFrom4(a), 30)
		free := true
		for _, u := range used {
			if u.Overlaps(p) {
				free = false
				break
			}
		}
		if free {
			return p, true
		}
	}
	return netip.Prefix{}, false
}

// routesTo lists the links of the main table's routes for exactly p.
func routesTo(routeJSON []byte, p netip.Prefix) []string {
	var routes []route
	_ = json.Unmarshal(routeJSON, &routes)
	var devs []string
	for _, r := range routes {
		if d, ok := dst(r); ok && d == p {
			devs = append(devs, r.Dev)
		}
	}
	return devs
}

// waitUp waits until link (the host end, or the bridge) reports its
// carrier: both ends up.
func waitUp(t testing.TB, link, ip string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, err := exec.Command(ip, "-j", "link", "show", "dev", link).Output()
		var links []struct {
			Operstate string `json:"operstate"`
		}
		if err == nil && json.Unmarshal(out, &links) == nil && len(links) == 1 && links[0].Operstate == "UP" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not come up: %s", link, fmt.Sprint(string(out), err))
		}
		time.Sleep(20 * time.Millisecond)
	}
}
