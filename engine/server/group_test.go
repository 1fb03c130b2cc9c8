package server

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/awsxc/awsxc/engine"
)

func newTestGroup(t *testing.T) *Group {
	t.Helper()
	g := NewGroup(context.Background())
	t.Cleanup(func() {
		if err := g.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return g
}

// get fetches base+path with the header set and returns status and body.
func get(t *testing.T, base, path string, header map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", base+strings.TrimPrefix(path, "/"), nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

const imdsRoles = "/latest/meta-data/iam/security-credentials/"

// freePort returns a loopback port nothing listens on.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// portFree reports whether port can be listened on again.
func portFree(port int) bool {
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return false
	}
	ln.Close()
	return true
}

func imdsWant(src Source, addr string) Want {
	return Want{Name: "imds", Source: src, IMDS: &IMDSOptions{Options: Options{Addr: addr}, AllowV1: true}}
}

func ecsWant(src Source, addr, token string) Want {
	return Want{Name: "ecs", Source: src, ECS: &ECSOptions{Options: Options{Addr: addr}, Token: token}}
}

func mustRun(t *testing.T, st State, started bool) State {
	t.Helper()
	if st.Err != nil || !st.Running() {
		t.Fatalf("%s: not running: %v", st.Name, st.Err)
	}
	if st.Started != started {
		t.Fatalf("%s: started %v, want %v", st.Name, st.Started, started)
	}
	return st
}

// TestGroupStartsSwapsStops: one Apply starts both servers, the next
// swaps their source without a restart, an empty one stops them and
// frees their ports at once.
func TestGroupStartsSwapsStops(t *testing.T) {
	_, _, env := srvEnv(t)
	static := newTestSource(t, engine.SourceOptions{Env: env, Profile: "static"})
	role := newTestSource(t, engine.SourceOptions{Env: env, Profile: "role"})
	g := newTestGroup(t)

	states := g.Apply([]Want{imdsWant(static, "127.0.0.1:0"), ecsWant(static, "0", "tok-0123456789abcdef")})
	if len(states) != 2 || states[0].Name != "imds" || states[1].Name != "ecs" {
		t.Fatalf("states %+v", states)
	}
	m, e := mustRun(t, states[0], true), mustRun(t, states[1], true)
	if m.IMDS == nil || m.ECS != nil || e.ECS == nil || e.IMDS != nil {
		t.Fatalf("servers of the wrong kind: %+v", states)
	}
	for _, st := range states {
		if st.Port == 0 || st.URL != "http://127.0.0.1:"+strconv.Itoa(st.Port)+"/" || st.Addr != "127.0.0.1:"+strconv.Itoa(st.Port) {
			t.Errorf("%s: addr %q url %q port %d", st.Name, st.Addr, st.URL, st.Port)
		}
	}
	if _, body := get(t, m.URL, imdsRoles, nil); body != "static" {
		t.Errorf("IMDS role %q, want static", body)
	}
	if e.ECS.Token() != "tok-0123456789abcdef" {
		t.Errorf("ECS token %q", e.ECS.Token())
	}

	// The same wants again, with the port filled in as a front end saves
	// it, on another source: no restart, the new source served.
	states = g.Apply([]Want{imdsWant(role, m.Addr), ecsWant(role, "0", "tok-0123456789abcdef")})
	m2, e2 := mustRun(t, states[0], false), mustRun(t, states[1], false)
	if m2.IMDS != m.IMDS || e2.ECS != e.ECS || m2.Port != m.Port || e2.Port != e.Port {
		t.Fatalf("swapping the source restarted a server")
	}
	if _, body := get(t, m.URL, imdsRoles, nil); body != "Deploy" {
		t.Errorf("IMDS role after the swap %q, want Deploy", body)
	}
	if status, body := get(t, e.URL, "/", map[string]string{"Authorization": "tok-0123456789abcdef"}); status != 200 || !strings.Contains(body, `"RoleArn":"arn:aws:iam::210987654321:role/Deploy"`) {
		t.Errorf("ECS after the swap: %d %s", status, body)
	}

	// Nothing wanted: both stop, and their ports are free already.
	if states := g.Apply(nil); len(states) != 0 {
		t.Fatalf("states %+v", states)
	}
	for _, st := range []State{m, e} {
		if !portFree(st.Port) {
			t.Errorf("%s: port %d still taken after Apply", st.Name, st.Port)
		}
	}
}

// TestGroupRestarts: each listening option that changes restarts the
// server; wanting what it already has does not.
func TestGroupRestarts(t *testing.T) {
	_, _, env := srvEnv(t)
	src := newTestSource(t, engine.SourceOptions{Env: env, Profile: "static"})
	fixed := "127.0.0.1:" + strconv.Itoa(freePort(t))
	reg := newTestRegistry(t, env, 0)
	withHosts := func(w Want, hosts ...string) Want {
		if w.IMDS != nil {
			w.IMDS.AllowHosts = hosts
		} else {
			w.ECS.AllowHosts = hosts
		}
		return w
	}
	for _, tc := range []struct {
		name        string
		first, then Want
		restart     bool
	}{
		{"same", imdsWant(src, "0"), imdsWant(src, "0"), false},
		{"same_normalised", imdsWant(src, "0"), imdsWant(src, "127.0.0.1:0"), false},
		{"default_addr", imdsWant(src, ""), imdsWant(src, "127.0.0.1:0"), false},
		{"addr", imdsWant(src, "0"), imdsWant(src, fixed), true},
		{"host_of_addr", imdsWant(src, "127.0.0.1:0"), imdsWant(src, "localhost:0"), true},
		{"allow_v1", imdsWant(src, "0"), Want{Name: "imds", Source: src, IMDS: &IMDSOptions{}}, true},
		{"allow_hosts", imdsWant(src, "0"), withHosts(imdsWant(src, "0"), "box.lan"), true},
		{"allow_hosts_same", withHosts(imdsWant(src, "0"), "Box.Lan", "a"), withHosts(imdsWant(src, "0"), "a", " box.lan "), false},
		{"kind", imdsWant(src, "0"), Want{Name: "imds", Source: src, ECS: &ECSOptions{}}, true},
		{"token", ecsWant(src, fixed, "token-one-0123456789"), ecsWant(src, fixed, "token-two-0123456789"), true},
		{"token_random_again", ecsWant(src, "0", ""), ecsWant(src, "0", ""), false},
		{"token_to_random", ecsWant(src, "0", "token-one-0123456789"), ecsWant(src, "0", ""), true},
		{"profiles", ecsWant(src, "0", testToken), Want{Name: "ecs", Source: src, ECS: &ECSOptions{Token: testToken, Profiles: FromRegistry(reg)}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newTestGroup(t)
			first := mustRun(t, g.Apply([]Want{tc.first})[0], true)
			then := mustRun(t, g.Apply([]Want{tc.then})[0], tc.restart)
			if tc.restart {
				if then.IMDS == first.IMDS && then.ECS == first.ECS {
					t.Errorf("Started, but the same server")
				}
				return
			}
			if then.IMDS != first.IMDS || then.ECS != first.ECS || then.Port != first.Port {
				t.Errorf("restarted")
			}
		})
	}

	// A token change on a fixed port: the new server gets the port, the
	// old token stops working.
	g := newTestGroup(t)
	mustRun(t, g.Apply([]Want{ecsWant(src, fixed, "token-one-0123456789")})[0], true)
	st := mustRun(t, g.Apply([]Want{ecsWant(src, fixed, "token-two-0123456789")})[0], true)
	if status, _ := get(t, st.URL, "/", map[string]string{"Authorization": "token-one-0123456789"}); status != 403 {
		t.Errorf("old token: %d, want 403", status)
	}
	if status, _ := get(t, st.URL, "/", map[string]string{"Authorization": "token-two-0123456789"}); status != 200 {
		t.Errorf("new token: %d, want 200", status)
	}

	// The port a server got for port 0, once wanted, is the address last
	// wanted: port 0 is then a change.
	g = newTestGroup(t)
	first := mustRun(t, g.Apply([]Want{imdsWant(src, "127.0.0.1:0")})[0], true)
	mustRun(t, g.Apply([]Want{imdsWant(src, first.Addr)})[0], false)
	if again := mustRun(t, g.Apply([]Want{imdsWant(src, "127.0.0.1:0")})[0], true); again.IMDS == first.IMDS {
		t.Errorf("port 0 after the bound port was wanted: not restarted")
	}
}

// TestGroupPortInUse: a server whose port is taken reports the error and
// the address asked, and starts on a later Apply once the port is free;
// the other servers run meanwhile.
func TestGroupPortInUse(t *testing.T) {
	_, _, env := srvEnv(t)
	src := newTestSource(t, engine.SourceOptions{Env: env, Profile: "static"})
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := taken.Addr().String()
	g := newTestGroup(t)
	states := g.Apply([]Want{imdsWant(src, addr), ecsWant(src, "0", testToken)})
	// Windows says WSAEADDRINUSE, which the tray knows (addrinuse_windows.go).
	inUse := runtime.GOOS == "windows" || errors.Is(states[0].Err, syscall.EADDRINUSE)
	if st := states[0]; st.Running() || st.Err == nil || !inUse || st.Addr != addr || st.Started {
		t.Errorf("IMDS on a taken port: %+v, want not running with EADDRINUSE at %s", st, addr)
	}
	mustRun(t, states[1], true)
	taken.Close()
	states = g.Apply([]Want{imdsWant(src, addr), ecsWant(src, "0", testToken)})
	mustRun(t, states[0], true)
	mustRun(t, states[1], false)
	if states[0].Addr != addr {
		t.Errorf("addr %q, want %q", states[0].Addr, addr)
	}
}

func TestGroupBadWants(t *testing.T) {
	_, _, env := srvEnv(t)
	src := newTestSource(t, engine.SourceOptions{Env: env, Profile: "static"})
	g := newTestGroup(t)
	states := g.Apply([]Want{
		{Source: src, IMDS: &IMDSOptions{}},
		{Name: "both", Source: src, IMDS: &IMDSOptions{}, ECS: &ECSOptions{}},
		{Name: "neither", Source: src},
		{Name: "nosource", IMDS: &IMDSOptions{}},
		{Name: "badaddr", Source: src, IMDS: &IMDSOptions{Options: Options{Addr: "99999"}}},
		imdsWant(src, "0"),
		imdsWant(src, "0"),
	})
	for i, want := range []string{"no name", "exactly one", "exactly one", "no credential source", "invalid port", "", "wanted twice"} {
		st := states[i]
		if want == "" {
			mustRun(t, st, true)
			continue
		}
		if st.Running() || st.Err == nil || !strings.Contains(st.Err.Error(), want) {
			t.Errorf("want %d: %+v, want an error with %q", i, st, want)
		}
	}
}

// TestGroupStopFinishesRequests: a server no longer wanted frees its port
// at once, and a request it was answering still gets its credentials.
// The fake STS holds the request until the test has looked, so the order
// is checked, not a time (review 1, L4).
func TestGroupStopFinishesRequests(t *testing.T) {
	fake, _, env := srvEnv(t)
	src := newTestSource(t, engine.SourceOptions{Env: env, Profile: "static"})
	g := newTestGroup(t)
	st := mustRun(t, g.Apply([]Want{imdsWant(src, "0")})[0], true)
	release := fake.Hold() // the first fetch waits for the test
	defer release()
	done := make(chan int, 1)
	go func() {
		status, _ := get(t, st.URL, imdsRoles+"static", nil)
		done <- status
	}()
	waitUntil(t, "fetch started", func() bool { return src.Status().Refreshing })
	applied := make(chan struct{})
	go func() { g.Apply(nil); close(applied) }()
	select {
	case <-applied:
	case <-done:
		t.Fatal("the request in flight finished before the fake STS answered it")
	case <-time.After(30 * time.Second):
		release()
		t.Fatal("Apply waits for a request in flight")
	}
	select {
	case <-done:
		t.Fatal("the request in flight finished before the fake STS answered it")
	default:
	}
	if !portFree(st.Port) {
		t.Errorf("port still taken after Apply")
	}
	release()
	if status := <-done; status != 200 {
		t.Errorf("request in flight: %d, want 200", status)
	}
}

func TestGroupClose(t *testing.T) {
	_, _, env := srvEnv(t)
	src := newTestSource(t, engine.SourceOptions{Env: env, Profile: "static"})
	g := NewGroup(context.Background())
	states := g.Apply([]Want{imdsWant(src, "0"), ecsWant(src, "0", "")})
	if err := g.Close(); err != nil {
		t.Fatal(err)
	}
	for _, st := range states {
		if !portFree(st.Port) {
			t.Errorf("%s: port still taken after Close", st.Name)
		}
	}
	if st := g.Apply([]Want{imdsWant(src, "0")})[0]; st.Running() || !errors.Is(st.Err, errGroupClosed) {
		t.Errorf("Apply after Close: %+v", st)
	}
	if err := g.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}

	// A group whose context ends stops its servers and starts no more.
	ctx, cancel := context.WithCancel(context.Background())
	g = NewGroup(ctx)
	defer g.Close()
	st := mustRun(t, g.Apply([]Want{imdsWant(src, "0")})[0], true)
	cancel()
	waitUntil(t, "server down", func() bool { return portFree(st.Port) })
	if st := g.Apply([]Want{imdsWant(src, "0")})[0]; st.Running() || !errors.Is(st.Err, errGroupClosed) {
		t.Errorf("Apply after the context ended: %+v", st)
	}
}
