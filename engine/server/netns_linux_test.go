package server

import (
	"bufio"
	"context"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/internal/netnstest"
)

// The tests here put a client in a network namespace joined to the
// test's by a veth pair (internal/netnstest), the way a Docker Engine
// container on a bridge reaches the bridge's gateway: botocore inside the
// namespace fetches credentials from servers bound on the host end.

// botocoreClient prints "<method> <access key id> <account id>" from
// botocore's default chain; the environment says where to look.
const botocoreClient = `
import sys
import botocore.session
c = botocore.session.get_session().get_credentials()
if c is None:
    sys.exit("botocore: no credentials found")
f = c.get_frozen_credentials()
print(c.method, f.access_key, getattr(c, "account_id", None) or "-")
`

// relay forwards TCP from addresses of the namespace's own (port 80) to
// the server: what a relay container at 169.254.170.2 or .23 does on a
// container network or a Kubernetes node (docs/kind).
const relay = `
import socket, sys, threading
host, port = sys.argv[1].rsplit(":", 1)
def pipe(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d)
    except OSError:
        pass
    finally:
        try:
            b.shutdown(socket.SHUT_WR)
        except OSError:
            pass
def serve(l):
    while True:
        c, _ = l.accept()
        u = socket.create_connection((host, int(port)))
        threading.Thread(target=pipe, args=(c, u), daemon=True).start()
        threading.Thread(target=pipe, args=(u, c), daemon=True).start()
for a in sys.argv[2:]:
    threading.Thread(target=serve, args=(socket.create_server((a, 80)),), daemon=True).start()
print("ready", flush=True)
sys.stdin.read()
`

// systemBotocore is Debian's python3 with python3-botocore, the client
// the project's tests use (botocore 1.29: no token files, no EKS host).
const systemBotocore = "/usr/bin/python3"

// needBotocore skips without /usr/bin/python3 and botocore, or fails
// under CI.
func needBotocore(t *testing.T) {
	t.Helper()
	if err := exec.Command(systemBotocore, "-c", "import botocore").Run(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s with botocore: %v (apt-get install python3-botocore)", systemBotocore, err)
		}
		t.Skipf("%s with botocore: %v", systemBotocore, err)
	}
}

// clientEnv is a client's whole environment: no AWS files, nothing of
// the test's own.
func clientEnv(t *testing.T, extra ...string) []string {
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	return append([]string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir(), "AWS_CONFIG_FILE=" + empty,
		"AWS_SHARED_CREDENTIALS_FILE=" + empty}, extra...)
}

// inNamespace runs python with the script inside ns and returns its
// output (and whether it exited 0).
func inNamespace(t *testing.T, ns *netnstest.Namespace, python string, env []string) (string, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmd := ns.Command(ctx, python, "-c", botocoreClient)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err == nil
}

// TestBridgeIMDSBotocore: a pinned IMDS server listening on loopback and
// on the "bridge gateway" next to it (one server, two listeners) serves
// botocore inside the namespace, which reaches only the gateway, and the
// test's own clients on loopback; the activity record says where the
// request came from.
func TestBridgeIMDSBotocore(t *testing.T) {
	needBotocore(t)
	ns := netnstest.NewBridged(t)
	fake, _, env := srvEnv(t)
	env.Clock = nil // botocore checks expiry against the real clock
	fake.SetNow(time.Now)
	src := newTestSource(t, engine.SourceOptions{Env: env, Profile: "static"})
	log := newLog(t)
	g := newTestGroup(t)
	st := mustRun(t, g.Apply([]Want{{Name: "imds-static", Source: src, IMDS: &IMDSOptions{Options: Options{
		Addr: "127.0.0.1:0", ExtraAddrs: []string{netip.AddrPortFrom(ns.Host, 0).String()}, Activity: log}}}})[0], true)
	want, err := src.Credentials(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	bridge := "http://" + st.Addrs[1] + "/"
	if got := imdsFetchKey(t, st.URL); got != want.AccessKeyID {
		t.Errorf("on loopback: key %s", got)
	}
	out, ok := inNamespace(t, ns, systemBotocore, clientEnv(t, "AWS_EC2_METADATA_SERVICE_ENDPOINT="+bridge))
	if !ok || !strings.HasPrefix(out, "iam-role "+want.AccessKeyID) {
		t.Fatalf("botocore in the namespace: %s", out)
	}
	// The namespace has no route to the test's loopback: only the
	// gateway listener serves it.
	if out, ok := inNamespace(t, ns, systemBotocore, clientEnv(t, "AWS_EC2_METADATA_SERVICE_ENDPOINT="+st.URL,
		"AWS_METADATA_SERVICE_TIMEOUT=1", "AWS_METADATA_SERVICE_NUM_ATTEMPTS=1")); ok {
		t.Errorf("botocore in the namespace reached the test's loopback: %s", out)
	}
	var fromPeer bool
	for _, r := range log.Recent() {
		if host, _, _ := net.SplitHostPort(r.Client); host == ns.Peer.String() && r.Outcome == "served" &&
			strings.HasPrefix(r.UserAgent, "Botocore/") {
			fromPeer = true
		}
	}
	if !fromPeer {
		t.Errorf("no record of botocore's fetch from %s: %v", ns.Peer, log.Recent())
	}
}

// TestBridgeECSBotocore: a consumer of an ECS listener on the host end,
// fetched from inside the namespace. botocore takes a container endpoint
// over http only on loopback or the AWS link-local addresses (1.29:
// 169.254.170.2 alone), so the gateway address itself is refused before
// any request, and a relay at 169.254.170.2 (and .23) in the namespace,
// as on a container network or a Kubernetes node, reaches the server,
// whose Host allowlist takes those addresses. The EKS shape with a token
// file needs a newer botocore than Debian's: with one (AWSXC_BOTOCORE_NEW
// names its python), that is checked too.
func TestBridgeECSBotocore(t *testing.T) {
	needBotocore(t)
	ns := netnstest.New(t)
	fake, _, env := srvEnv(t)
	env.Clock = nil
	fake.SetNow(time.Now)
	src := newTestSource(t, engine.SourceOptions{Env: env, Profile: "role"})
	e, err := NewECS(context.Background(), nil, ECSOptions{Options: Options{Addr: netip.AddrPortFrom(ns.Host, 0).String(), AllowRemote: true},
		Consumers: []Consumer{{Name: "app", Token: devToken, Source: src}}})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	want, _ := src.Credentials(context.Background())
	ip := func(args ...string) {
		t.Helper()
		if out, err := ns.Command(t.Context(), "ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %v: %v: %s", args, err, out)
		}
	}
	// Link-local service addresses inside the namespace only.
	ip("addr", "add", "169.254.170.2/32", "dev", "lo")
	ip("addr", "add", "169.254.170.23/32", "dev", "lo")
	cmd := ns.Command(t.Context(), systemBotocore, "-c", relay, strings.TrimPrefix(strings.TrimSuffix(e.URL(), "/"), "http://"),
		"169.254.170.2", "169.254.170.23")
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); _ = cmd.Wait() })
	if line, _ := bufio.NewReader(stdout).ReadString('\n'); line != "ready\n" {
		t.Fatalf("relay: %q", line)
	}

	// The gateway address: refused by botocore itself.
	out, ok := inNamespace(t, ns, systemBotocore, clientEnv(t, "AWS_CONTAINER_CREDENTIALS_FULL_URI="+e.URL(),
		"AWS_CONTAINER_AUTHORIZATION_TOKEN="+devToken, "AWS_EC2_METADATA_DISABLED=true"))
	if ok || !strings.Contains(out, "Unsupported host") {
		t.Errorf("botocore took %s: %s", e.URL(), out)
	}
	// Through the relay, on / and on the EKS path.
	for _, path := range []string{"/", "/v1/credentials"} {
		out, ok = inNamespace(t, ns, systemBotocore, clientEnv(t, "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://169.254.170.2"+path,
			"AWS_CONTAINER_AUTHORIZATION_TOKEN="+devToken, "AWS_EC2_METADATA_DISABLED=true"))
		if !ok || !strings.HasPrefix(out, "container-role "+want.AccessKeyID) {
			t.Errorf("botocore via 169.254.170.2%s: %s", path, out)
		}
	}
	// Another token: refused.
	if out, ok = inNamespace(t, ns, systemBotocore, clientEnv(t, "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://169.254.170.2/",
		"AWS_CONTAINER_AUTHORIZATION_TOKEN="+prodToken, "AWS_EC2_METADATA_DISABLED=true")); ok {
		t.Errorf("a wrong token fetched: %s", out)
	}

	newer := os.Getenv("AWSXC_BOTOCORE_NEW")
	if newer == "" {
		t.Log("EKS Pod Identity shape (169.254.170.23 with a token file) not checked: botocore 1.29 predates it; set AWSXC_BOTOCORE_NEW to a python with botocore >= 1.34.41")
		return
	}
	file := filepath.Join(t.TempDir(), "token")
	if err := WriteTokenFile(file, devToken); err != nil {
		t.Fatal(err)
	}
	out, ok = inNamespace(t, ns, newer, clientEnv(t, "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://169.254.170.23/v1/credentials",
		"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="+file, "AWS_EC2_METADATA_DISABLED=true"))
	if want := "container-role " + want.AccessKeyID + " 210987654321"; !ok || out != want {
		t.Errorf("newer botocore via 169.254.170.23: %q, want %q", out, want)
	}
}

// TestBridgePeers: a server's listener on a container bridge's address
// serves a peer on the bridge, and refuses a LAN neighbour that routes
// the bridge's subnet to this machine, which Linux would otherwise let
// in (the weak host model); a plain listener on the same address shows
// the neighbour does reach it. Reach names the bridges' subnets
// (review 2, M1).
func TestBridgePeers(t *testing.T) {
	curl := needProgram(t, "curl")
	br := netnstest.NewBridged(t)
	lan := netnstest.New(t)
	if out, err := lan.Command(t.Context(), "ip", "route", "add", br.Prefix.String(), "via", lan.Host.String()).CombinedOutput(); err != nil {
		t.Fatalf("ip route add in the neighbour: %v: %s", err, out)
	}
	_, _, env := srvEnv(t)
	src := newTestSource(t, engine.SourceOptions{Env: env, Profile: "static"})
	g := newTestGroup(t)
	st := mustRun(t, g.Apply([]Want{{Name: "imds", Source: src, IMDS: &IMDSOptions{Options: Options{
		Addr: "127.0.0.1:0", ExtraAddrs: []string{netip.AddrPortFrom(br.Host, 0).String()}}}}})[0], true)
	bridge := st.Addrs[1]
	if r := st.Reach.String(); !strings.HasPrefix(r, bridge+" (from container bridges only: ") || !strings.Contains(r, br.Prefix.String()) {
		t.Errorf("reach %q, want %s from the bridges, %s among them", r, bridge, br.Prefix)
	}
	// A listener of the test's own next to it: the neighbour's route works.
	plain, err := net.Listen("tcp4", netip.AddrPortFrom(br.Host, 0).String())
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	go func() {
		for {
			c, err := plain.Accept()
			if err != nil {
				return
			}
			c.Write([]byte("HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nplain"))
			c.Close()
		}
	}()
	get := func(ns *netnstest.Namespace, url string) (string, bool) {
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		defer cancel()
		cmd := ns.Command(ctx, curl, "-sS", "--max-time", "10", "-X", "PUT", "-H", "X-aws-ec2-metadata-token-ttl-seconds: 60", url)
		cmd.Env = []string{}
		out, err := cmd.CombinedOutput()
		return string(out), err == nil
	}
	if out, ok := get(lan, "http://"+plain.Addr().String()+"/"); !ok || out != "plain" {
		t.Fatalf("the neighbour does not reach the bridge address at all (%s): the test proves nothing", out)
	}
	if out, ok := get(br, "http://"+bridge+"/latest/api/token"); !ok || len(out) != imdsTokenLen {
		t.Errorf("the bridge's peer: %q, want a token", out)
	}
	if out, ok := get(lan, "http://"+bridge+"/latest/api/token"); ok {
		t.Errorf("the LAN neighbour got an answer from the bridge listener: %q", out)
	}
}
