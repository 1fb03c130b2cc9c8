package server

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/internal/netnstest"
)

// TestIssue10CheckAddr: an address beyond loopback is refused unless
// allowed, before anything is bound; loopback is 127.0.0.0/8, ::1 and
// localhost; other host names are decided when binding.
func TestIssue10CheckAddr(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		addr   string
		remote bool // refused without allowRemote
	}{
		{"9911", false},
		{"127.0.0.1:9911", false},
		{"127.1.2.3:9911", false},
		{"[::1]:9911", false},
		{"[::ffff:127.0.0.1]:9911", false},
		{"localhost:9911", false},
		{"some-host-name:9911", false}, // decided by the address it resolves to
		{"0.0.0.0:9911", true},
		{"[::]:9911", true},
		{"192.0.2.2:9911", true},
		{"172.17.0.1:0", true},
		{"[fd00::1]:9911", true},
		{"[::ffff:192.0.2.2]:9911", true},
	} {
		t.Run(tc.addr, func(t *testing.T) {
			t.Parallel()
			err := CheckAddr(tc.addr, false)
			var re *RemoteBindError
			if got := errors.As(err, &re); got != tc.remote {
				t.Errorf("CheckAddr(%q, false) = %v; want a RemoteBindError: %v", tc.addr, err, tc.remote)
			}
			if tc.remote && !strings.Contains(err.Error(), "not a loopback address: any machine that can reach it could read the credentials") {
				t.Errorf("message %q", err)
			}
			if err := CheckAddr(tc.addr, true); err != nil {
				t.Errorf("CheckAddr(%q, true) = %v", tc.addr, err)
			}
		})
	}
	if err := CheckAddr("99999", true); err == nil || !strings.Contains(err.Error(), "invalid port") {
		t.Errorf("a bad port: %v", err)
	}
	// A name that resolved beyond loopback, once bound.
	err := checkBound("box.lan:9911", &net.TCPAddr{IP: net.ParseIP("192.0.2.2"), Port: 9911}, false)
	if want := "listen on box.lan:9911: it is 192.0.2.2, not a loopback address"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("checkBound = %v, want %q…", err, want)
	}
	if err := checkBound("box.lan:9911", &net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 9911}, false); err != nil {
		t.Errorf("checkBound loopback = %v", err)
	}
}

// TestIssue10RemoteBind binds for real. Without AllowRemote a wildcard is
// refused and nothing listens. With it, 0.0.0.0 is every IPv4 interface
// and no more (not [::] as well), Reach lists this machine's addresses,
// and a request from another network namespace, over a veth pair,
// reaches the server: what AllowRemote exposes is real. The Host
// allowlist still answers that client.
func TestIssue10RemoteBind(t *testing.T) {
	_, _, env := srvEnv(t)
	src := newTestSource(t, engine.SourceOptions{Env: env, Profile: "static"})
	ctx := context.Background()
	for _, addr := range []string{"0.0.0.0:0", "[::]:0"} {
		_, err := NewIMDS(ctx, src, IMDSOptions{Options: Options{Addr: addr}})
		var re *RemoteBindError
		if !errors.As(err, &re) || re.Addr != addr {
			t.Errorf("NewIMDS on %s without AllowRemote: %v, want a RemoteBindError", addr, err)
		}
		if _, err := NewECS(ctx, src, ECSOptions{Options: Options{Addr: addr}}); !errors.As(err, &re) {
			t.Errorf("NewECS on %s without AllowRemote: %v, want a RemoteBindError", addr, err)
		}
	}
	// Loopback needs nothing, and reaches no one else.
	lo, err := NewIMDS(ctx, src, IMDSOptions{Options: Options{Addr: "127.0.0.1:0"}})
	if err != nil {
		t.Fatal(err)
	}
	defer lo.Close()
	if r := lo.Reach(); r.Remote || r.String() != "" {
		t.Errorf("loopback reach %+v %q", r, r)
	}

	ns := netnstest.New(t) // before the server starts: its address is one of this machine's
	m, err := NewIMDS(ctx, src, IMDSOptions{Options: Options{Addr: "0.0.0.0:0", AllowRemote: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	port := strconv.Itoa(m.Port())
	r := m.Reach()
	if !r.Remote || !slices.Equal(r.Addrs, []string{"0.0.0.0:" + port}) || !slices.Contains(r.Interfaces, ns.Host.String()) || slices.Contains(r.Interfaces, "127.0.0.1") {
		t.Errorf("reach %+v; want every IPv4 interface, with %s and without loopback", r, ns.Host)
	}
	if want := "every IPv4 interface (0.0.0.0:" + port + ": "; !strings.HasPrefix(r.String(), want) {
		t.Errorf("reach %q, want %q…", r, want)
	}
	if m.URL() != "http://127.0.0.1:"+port+"/" {
		t.Errorf("URL %q: want this machine's loopback", m.URL())
	}
	if c, err := net.DialTimeout("tcp6", "[::1]:"+port, time.Second); err == nil {
		c.Close()
		t.Errorf("0.0.0.0 also listens on [::1]:%s", port)
	}

	// An extra address beyond loopback that is not a container bridge's
	// (this veth end is none) is refused unless allowed (review 2, H1);
	// allowed, it is served to anyone and reported.
	extra := netip.AddrPortFrom(ns.Host, 0).String()
	var be *BridgeError
	if _, err := NewIMDS(ctx, src, IMDSOptions{Options: Options{Addr: "127.0.0.1:0", ExtraAddrs: []string{extra}}}); !errors.As(err, &be) ||
		be.Reason != ns.Host.String()+" is on "+ns.HostLink+", which is not a bridge" {
		t.Errorf("extra address %s without AllowRemote: %v, want a BridgeError", extra, err)
	}
	bridge, err := NewIMDS(ctx, src, IMDSOptions{Options: Options{Addr: "127.0.0.1:0", ExtraAddrs: []string{extra}, AllowRemote: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer bridge.Close()
	if want := netip.AddrPortFrom(ns.Host, uint16(bridge.Port())).String(); bridge.Reach().String() != want || len(bridge.Reach().Interfaces) != 0 {
		t.Errorf("bridge reach %+v, want %s", bridge.Reach(), want)
	}

	// From the namespace: a token, then the role, as a client elsewhere on
	// the network would (it may send Host: localhost).
	curl := needProgram(t, "curl")
	base := "http://" + netip.AddrPortFrom(ns.Host, uint16(m.Port())).String()
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	fetch := func(args ...string) string {
		t.Helper()
		cmd := ns.Command(cctx, curl, append([]string{"-sS", "--max-time", "20"}, args...)...)
		cmd.Env = []string{}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("curl %v in the namespace: %v: %s", args, err, out)
		}
		return string(out)
	}
	tok := fetch("-X", "PUT", "-H", "X-aws-ec2-metadata-token-ttl-seconds: 60", "-H", "Host: localhost", base+"/latest/api/token")
	if len(tok) != imdsTokenLen {
		t.Fatalf("token from the namespace: %q", tok)
	}
	if role := fetch("-H", "X-aws-ec2-metadata-token: "+tok, "-H", "Host: localhost", base+"/latest/meta-data/iam/security-credentials/"); role != "static" {
		t.Errorf("role from the namespace: %q", role)
	}
	if got := fetch("-o", "/dev/null", "-w", "%{http_code}", "-H", "X-aws-ec2-metadata-token: "+tok, "-H", "Host: evil.example",
		base+"/latest/meta-data/iam/security-credentials/"); got != "403" {
		t.Errorf("Host evil.example from the namespace: %s, want 403", got)
	}
}

// needProgram finds a program the test needs: the test skips without
// it, and fails under CI=true.
func needProgram(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not found (scripts/deps.sh installs it)", name)
		}
		t.Skipf("%s not found", name)
	}
	return p
}

// TestIssue10ListenError: a port in use is a *ListenError that still
// says EADDRINUSE, in one line that names the address once.
func TestIssue10ListenError(t *testing.T) {
	_, _, env := srvEnv(t)
	src := newTestSource(t, engine.SourceOptions{Env: env, Profile: "static"})
	taken, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	addr := taken.Addr().String()
	_, err = NewIMDS(context.Background(), src, IMDSOptions{Options: Options{Addr: addr}})
	var le *ListenError
	if !errors.As(err, &le) || le.Addr != addr {
		t.Fatalf("port in use: %v, want a ListenError", err)
	}
	if runtime.GOOS != "windows" && !errors.Is(err, syscall.EADDRINUSE) {
		t.Errorf("%v: not EADDRINUSE", err)
	}
	if want := "listen on " + addr + ": bind: address already in use"; runtime.GOOS == "linux" && err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
}

// TestIssue10GroupRemote: the Group passes AllowRemote, reports Reach,
// restarts a server whose AllowRemote changes, and reports a refused
// address as the server's error.
func TestIssue10GroupRemote(t *testing.T) {
	_, _, env := srvEnv(t)
	src := newTestSource(t, engine.SourceOptions{Env: env, Profile: "static"})
	g := newTestGroup(t)
	want := func(allow bool) []Want {
		return []Want{{Name: "imds", Source: src, IMDS: &IMDSOptions{Options: Options{Addr: "0.0.0.0:0", AllowRemote: allow}}}}
	}
	st := g.Apply(want(false))[0]
	var re *RemoteBindError
	if st.Running() || !errors.As(st.Err, &re) {
		t.Fatalf("without AllowRemote: %+v", st)
	}
	st = mustRun(t, g.Apply(want(true))[0], true)
	if !st.Reach.Remote || len(st.Reach.Addrs) != 1 || !strings.HasPrefix(st.Reach.String(), "every IPv4 interface (0.0.0.0:") {
		t.Errorf("reach %+v", st.Reach)
	}
	mustRun(t, g.Apply(want(true))[0], false)
	// Taking the permission back stops it.
	if st := g.Apply([]Want{{Name: "imds", Source: src, IMDS: &IMDSOptions{Options: Options{Addr: st.Addr}}}})[0]; st.Running() || !errors.As(st.Err, &re) {
		t.Errorf("AllowRemote taken back: %+v, want refused", st)
	}
}

// TestIssue10CheckToken: ECS tokens are 16 or more visible ASCII
// characters; the error never quotes the token.
func TestIssue10CheckToken(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, tok, err string
	}{
		{"empty_is_random", "", ""},
		{"sixteen", "0123456789abcdef", ""},
		{"symbols", "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", ""},
		{"fifteen", "0123456789abcde", "invalid ECS token: 15 characters, want at least 16"},
		{"too_long", strings.Repeat("x", 257), "invalid ECS token: 257 characters, want at most 256"},
		{"leading_space", " 0123456789abcdef", "invalid ECS token: it holds a space (at byte 1); use visible ASCII only"},
		{"trailing_space", "0123456789abcdef ", "it holds a space (at byte 17)"},
		{"tab", "0123456789\tabcdef", "it holds a control character (at byte 11)"},
		{"newline", "0123456789abcdef\n", "a control character"},
		{"nul", "0123456789abcdef\x00", "a control character"},
		{"del", "0123456789abcdef\x7f", "a control character"},
		{"non_ascii", "0123456789abcdéf", "a character beyond ASCII"},
		{"nbsp", "0123456789abcdef\u00a0", "a character beyond ASCII"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := CheckToken(tc.tok)
			switch {
			case tc.err == "" && err != nil:
				t.Errorf("CheckToken = %v, want nil", err)
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err) || !errors.Is(err, ErrInvalidToken)):
				t.Errorf("CheckToken = %v, want %q", err, tc.err)
			case err != nil && len(tc.tok) > 3 && strings.Contains(err.Error(), strings.TrimSpace(tc.tok)):
				t.Errorf("the error quotes the token: %v", err)
			}
			if tc.err != "" {
				if _, err := NewECS(context.Background(), nil, ECSOptions{Token: tc.tok}); err == nil {
					t.Errorf("NewECS took the token")
				}
			}
		})
	}
	// What a client sends is what is compared: a token that passes goes
	// through net/http unchanged.
	e, _, _, _ := newTestECS(t, "static", ECSOptions{Token: "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"})
	req, _ := http.NewRequest("GET", e.URL(), nil)
	req.Header.Set("Authorization", e.Token())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("every visible character: status %d", resp.StatusCode)
	}
}

// FuzzCheckToken: a token CheckToken takes is long enough and survives
// an HTTP header as it is.
func FuzzCheckToken(f *testing.F) {
	f.Add("0123456789abcdef")
	f.Add(" 0123456789abcdef")
	f.Add("")
	f.Fuzz(func(t *testing.T, tok string) {
		if CheckToken(tok) != nil || tok == "" {
			return
		}
		if len(tok) < MinTokenLen || strings.TrimSpace(tok) != tok || strings.ContainsFunc(tok, func(r rune) bool { return r <= ' ' || r > '~' }) {
			t.Fatalf("CheckToken took %q", tok)
		}
	})
}

// FuzzCheckAddr: no panic; an address it takes without allowRemote is a
// loopback address or a host name, and ParseAddr takes it too.
func FuzzCheckAddr(f *testing.F) {
	for _, s := range []string{"9911", "0.0.0.0:1", "[::]:1", "[::1]:1", "localhost:1", "box:1", ":1", "[]:1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if CheckAddr(s, false) != nil {
			return
		}
		a, err := ParseAddr(s)
		if err != nil {
			t.Fatalf("CheckAddr took %q, ParseAddr did not: %v", s, err)
		}
		host, _, _ := net.SplitHostPort(a)
		if ip := net.ParseIP(host); ip != nil && !ip.IsLoopback() {
			t.Fatalf("CheckAddr took %q beyond loopback", s)
		}
	})
}
