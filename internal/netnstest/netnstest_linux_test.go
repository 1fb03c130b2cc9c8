package netnstest

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// need finds a program the test runs inside the namespace: skipped
// without it, failed under CI.
func need(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		unavailable(t, name+" not found")
	}
	return p
}

// A plain HTTP server on the host end, curl inside the namespace: the
// request arrives over the veth pair, from the namespace's address.
func TestFetchFromNamespace(t *testing.T) {
	t.Parallel()
	curl := need(t, "curl")
	ns := New(t)
	if !ns.Prefix.Contains(ns.Host) || !ns.Prefix.Contains(ns.Peer) || ns.Host == ns.Peer || !testRange.Contains(ns.Host) {
		t.Fatalf("addresses %v and %v in %v", ns.Host, ns.Peer, ns.Prefix)
	}
	ln, err := net.Listen("tcp", netip.AddrPortFrom(ns.Host, 0).String())
	if err != nil {
		t.Fatal(err)
	}
	from := make(chan string, 1)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		from <- r.RemoteAddr
		fmt.Fprintf(w, "hello %s\n", r.URL.Path)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cmd := ns.Command(ctx, curl, "-sS", "--max-time", "20", "http://"+ln.Addr().String()+"/from-inside")
	cmd.Env = []string{}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("curl in the namespace: %v: %s", err, out)
	}
	if got := string(out); got != "hello /from-inside\n" {
		t.Errorf("body %q", got)
	}
	remote, err := netip.ParseAddrPort(<-from)
	if err != nil || remote.Addr() != ns.Peer {
		t.Errorf("request came from %v (%v), want %v", remote, err, ns.Peer)
	}
}

// Inside the namespace loopback is up and it is the namespace's own: a
// server on the test's 127.0.0.1 is not there.
func TestNamespaceLoopback(t *testing.T) {
	t.Parallel()
	python := need(t, "/usr/bin/python3")
	ns := New(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	out, err := ns.Command(t.Context(), "/bin/sh", "-c", "cat /sys/class/net/lo/operstate /sys/class/net/lo/flags").Output()
	if err != nil {
		t.Fatal(err)
	}
	// lo reports "unknown" as its state; IFF_UP (0x1) is in its flags.
	var state string
	var flags int
	if _, err := fmt.Sscanf(string(out), "%s\n%v", &state, &flags); err != nil || flags&syscall.IFF_UP == 0 {
		t.Errorf("lo in the namespace: %q (%v)", out, err)
	}
	// Connecting to the test's 127.0.0.1 port from inside is refused
	// (ECONNREFUSED: lo is up, and nothing listens on the namespace's
	// own loopback); a down lo would give ENETUNREACH.
	addr := ln.Addr().(*net.TCPAddr)
	cmd := ns.Command(t.Context(), python, "-c", fmt.Sprintf(`
import socket
try:
    socket.create_connection(("127.0.0.1", %d), timeout=10)
    print("connected")
except OSError as e:
    print(e.errno)`, addr.Port))
	cmd.Env = []string{}
	b, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(b)) != fmt.Sprint(int(syscall.ECONNREFUSED)) {
		t.Errorf("connect to the test's loopback port from the namespace: %v: %s", err, b)
	}
}

// After the test, nothing is left: no link, no holder.
func TestCleanup(t *testing.T) {
	t.Parallel()
	ip := need(t, "ip")
	var ns *Namespace
	t.Run("make", func(t *testing.T) { ns = New(t) })
	if ns == nil {
		t.Fatal("no namespace")
	}
	if out, err := exec.Command(ip, "link", "show", "dev", ns.HostLink).CombinedOutput(); err == nil {
		t.Errorf("%s still there after the test: %s", ns.HostLink, out)
	}
	if err := syscall.Kill(ns.PID, 0); err != syscall.ESRCH {
		t.Errorf("holder %d still there: %v", ns.PID, err)
	}
}

// A test binary that is killed leaves nothing behind either: the holder
// sees its standard input close and exits, and the kernel removes the
// namespace and the veth pair. The child is this test binary, running
// TestHelperKilled.
func TestKilledTestLeavesNothing(t *testing.T) {
	t.Parallel()
	ip := need(t, "ip")
	if os.Geteuid() != 0 {
		unavailable(t, "network namespaces need root")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperKilled$", "-test.v")
	cmd.Env = append(os.Environ(), "NETNSTEST_HELPER=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	link := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if l, ok := strings.CutPrefix(sc.Text(), "link "); ok {
				link <- l
			}
		}
		close(link)
	}()
	var name string
	select {
	case name = <-link:
	case <-time.After(60 * time.Second):
		t.Fatal("the helper made no namespace")
	}
	if name == "" {
		t.Fatal("the helper exited without a namespace")
	}
	if err := exec.Command(ip, "link", "show", "dev", name).Run(); err != nil {
		t.Fatalf("%s is not there while the helper runs: %v", name, err)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for exec.Command(ip, "link", "show", "dev", name).Run() == nil {
		if time.Now().After(deadline) {
			t.Fatalf("%s still there 30 s after the test binary was killed", name)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestHelperKilled(t *testing.T) {
	if os.Getenv("NETNSTEST_HELPER") != "1" {
		return // only as TestKilledTestLeavesNothing's child
	}
	ns := New(t)
	fmt.Println("link", ns.HostLink)
	time.Sleep(time.Minute)
}
