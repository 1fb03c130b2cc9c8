package main

import (
	"context"
	"net"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/awsxc/awsxc/internal/netnstest"
)

// lanAddr is an IPv4 address of this machine beyond loopback (eth0's):
// the test skips without one, and fails under CI=true.
func lanAddr(t *testing.T) string {
	t.Helper()
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() && !n.IP.IsLinkLocalUnicast() {
			return n.IP.String()
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("this machine has no IPv4 address beyond loopback")
	}
	t.Skip("this machine has no IPv4 address beyond loopback")
	return ""
}

// runBounded is f.run for a command that must fail at once: accepted,
// serve would serve until the timeout ends it.
func runBounded(f *fixture, args ...string) result {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var stdout, stderr syncBuffer
	code := run(ctx, args, f.proc(strings.NewReader(""), &stdout, &stderr, nil))
	return result{stdout.String(), stderr.String(), code}
}

// serveUntilReady runs serve with args until it has started, and returns
// its start-up text; the server stops when the test ends.
func serveUntilReady(t *testing.T, f *fixture, args ...string) string {
	t.Helper()
	var stdout, stderr syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"serve"}, args...), f.proc(strings.NewReader(""), &stdout, &stderr, nil))
	}()
	t.Cleanup(func() { cancel(); <-done })
	return waitStderr(t, &stderr, "the servers", func(s string) bool {
		select {
		case code := <-done:
			done <- code
			t.Fatalf("serve %v exited %d: %s", args, code, stderr.String())
		default:
		}
		return strings.Contains(s, "Ctrl-C stops")
	})
}

// TestServeDockerBridge: --docker-bridge takes a container bridge's own
// address only. 0.0.0.0 or the machine's LAN address is a usage error
// (exit 2, one line) unless --allow-remote, and is then warned about as
// --allow-remote's addresses are; a real bridge's address is served to
// the bridges only, and the warning says so (review 2, H1 and M1).
func TestServeDockerBridge(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	lan := lanAddr(t)
	for _, tc := range []struct{ addr, why string }{
		{"0.0.0.0", "0.0.0.0 is every interface of this machine, not a bridge"},
		{lan, lan + " is on [^ ]+, which is not a bridge"},
		{"203.0.113.254", "203.0.113.254 is not an address of this machine"},
	} {
		r := runBounded(f, "serve", "--imds", "0=static", "--docker-bridge", tc.addr)
		want := `^awsxc-cli: .*argument --docker-bridge: ` + tc.why + ` \(want a container bridge's own address, as docker0's 172\.17\.0\.1, or auto\); add --allow-remote to listen there anyway \(see awsxc-cli serve --help\)\n$`
		if r.code != 2 || !regexp.MustCompile(want).MatchString(r.stderr) || r.stdout != "" {
			t.Errorf("--docker-bridge %s: exit %d, stderr %q; want 2 and %q", tc.addr, r.code, r.stderr, want)
		}
	}
	log := serveUntilReady(t, f, "--imds", "0=static", "--docker-bridge", lan, "--allow-remote")
	if !regexp.MustCompile(`(?m)^awsxc-cli: warning: imds-static listens beyond this machine, on ` + regexp.QuoteMeta(lan) + `:\d+: anyone who can reach it can read the credentials$`).MatchString(log) {
		t.Errorf("no warning naming %s:\n%s", lan, log)
	}

	t.Run("real_bridge", func(t *testing.T) {
		br := netnstest.NewBridged(t)
		log := serveUntilReady(t, f, "--imds", "0=static", "--docker-bridge", br.Host.String())
		m := regexp.MustCompile(`(?m)^awsxc-cli: warning: imds-static listens beyond this machine, on ` + regexp.QuoteMeta(br.Host.String()) +
			`:\d+ \(from container bridges only: ([^)]*)\): anyone who can reach it can read the credentials$`).FindStringSubmatch(log)
		if m == nil || !strings.Contains(m[1], br.Prefix.String()) {
			t.Errorf("no warning naming the bridge %s and its subnet %s:\n%s", br.Host, br.Prefix, log)
		}
		if strings.Contains(log, "every container on this machine's Docker networks") {
			t.Errorf("the old warning:\n%s", log)
		}
	})
}
