package daemon

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/awsxc/awsxc/engine/server"
	"github.com/awsxc/awsxc/engine/settings"
	"github.com/awsxc/awsxc/internal/localsock"
)

// TestChangesDuringReloads is review 3's H1: servers added and a
// consumer revoked through the socket, all at once, while the watcher
// reads the settings every millisecond and a front end asks for reloads
// too. Every add is saved and listed, the revoked consumer stays
// revoked, and its token file stays gone: no reload takes the daemon's
// own earlier write for a user's edit.
func TestChangesDuringReloads(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "settings.json")
	tokenDir := filepath.Join(dir, "tokens")
	const rounds, adds = 8, 8
	s := settings.Default()
	for r := range rounds {
		s.Servers = append(s.Servers, settings.Pinned{Name: fmt.Sprintf("victim%d", r), Kind: KindConsumer, Profile: "static"})
	}
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	w := newWorld(t, Options{SettingsPath: path, TokenDir: tokenDir, ReloadInterval: time.Millisecond})
	ctx := context.Background()
	stop := keepReloading(w.d)
	var want []string
	for r := range rounds {
		victim := fmt.Sprintf("victim%d", r)
		if _, err := os.Stat(filepath.Join(tokenDir, victim+".token")); err != nil {
			t.Fatalf("before the revoke: %v", err)
		}
		var wg sync.WaitGroup
		for i := range adds {
			name := fmt.Sprintf("r%d-%d", r, i)
			want = append(want, name)
			wg.Go(func() {
				if _, _, err := w.client.AddServer(ctx, ServerSpec{Name: name, Kind: KindConsumer, Profile: "static"}); err != nil {
					t.Errorf("add %s: %v", name, err)
				}
			})
		}
		wg.Go(func() {
			if err := w.client.Revoke(ctx, victim); err != nil {
				t.Errorf("revoke %s: %v", victim, err)
			}
		})
		wg.Wait()
	}
	time.Sleep(20 * time.Millisecond) // more reloads
	stop()
	slices.Sort(want)

	saved, err := settings.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	var inFile, listed []string
	for _, p := range saved.Servers {
		inFile = append(inFile, p.Name)
	}
	for _, i := range w.d.ServerList() {
		if i.Kind == KindConsumer {
			listed = append(listed, i.Name)
		}
	}
	slices.Sort(inFile)
	slices.Sort(listed)
	if !slices.Equal(want, inFile) {
		t.Errorf("settings file holds %v\nwant %v", inFile, want)
	}
	if !slices.Equal(want, listed) {
		t.Errorf("ServerList holds %v\nwant %v", listed, want)
	}
	for r := range rounds {
		if _, err := os.Stat(filepath.Join(tokenDir, fmt.Sprintf("victim%d.token", r))); err == nil {
			t.Errorf("victim%d's token file is back", r)
		}
	}
	for _, name := range want {
		if _, err := os.Stat(filepath.Join(tokenDir, name+".token")); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestNotSaved is review 3's M1: while settings.json has an error, a
// revocation is made (the token stops working and its file goes) but
// answered as not saved, 409 not-saved, which the Client returns as an
// error wrapping ErrNotSaved; an add is refused and changes nothing.
// Once the user fixes the file, the revocation is saved: the consumer
// does not come back.
func TestNotSaved(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "settings.json")
	tokenDir := filepath.Join(dir, "tokens")
	s := settings.Default()
	s.Servers = []settings.Pinned{
		{Name: "zombie", Kind: KindConsumer, Profile: "static"},
		{Name: "keep", Kind: KindConsumer, Profile: "static"},
	}
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	w := newWorld(t, Options{SettingsPath: path, TokenDir: tokenDir, ReloadInterval: time.Hour})
	ctx := context.Background()
	zombie := infoOf(t, w.d, "zombie")
	if _, err := sdkECS(t, zombie.URL, zombie.TokenFile); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	bad := bytes.Replace(good, []byte(`"export_name": "awsxc"`), []byte(`"export_name": 42`), 1)
	if bytes.Equal(bad, good) {
		t.Fatalf("no export_name in %s", good)
	}
	if err := os.WriteFile(path, bad, 0o600); err != nil {
		t.Fatal(err)
	}
	w.d.Reload()
	if _, err := w.d.Settings(); err == nil {
		t.Fatal("the broken file gave no error")
	}

	// The wire: 409, code not-saved, one line that says what holds.
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return localsock.Dial(ctx, localsock.Options{Path: w.sock})
	}}}
	post := func(path, body string) (int, ErrorResponse) {
		req, _ := http.NewRequest(http.MethodPost, "http://awsxc"+path, strings.NewReader(body))
		req.Header.Set(Header, versionText)
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var er ErrorResponse
		json.NewDecoder(resp.Body).Decode(&er)
		return resp.StatusCode, er
	}
	code, er := post(PathServers, `{"name":"new","kind":"ecs-consumer","profile":"static"}`)
	if code != http.StatusConflict || er.Error.Code != CodeNotSaved || !strings.Contains(er.Error.Message, `server "new" not added: settings not saved`) ||
		!strings.Contains(er.Error.Message, path) {
		t.Errorf("add: %d %+v", code, er)
	}
	if _, err := os.Stat(filepath.Join(tokenDir, "new.token")); err == nil || slices.ContainsFunc(w.d.ServerList(), func(i ServerInfo) bool { return i.Name == "new" }) {
		t.Error("a refused add left a consumer or its token file")
	}
	if _, _, err := w.client.AddServer(ctx, ServerSpec{Name: "new", Kind: KindConsumer, Profile: "static"}); !errors.Is(err, ErrNotSaved) || errors.Is(err, ErrFallback) {
		t.Errorf("Client.AddServer: %v", err)
	}

	err = w.client.Revoke(ctx, "zombie")
	if !errors.Is(err, ErrNotSaved) || errors.Is(err, ErrFallback) ||
		!strings.HasPrefix(err.Error(), `consumer "zombie" revoked until the daemon stops: settings not saved: settings.json has an error`) {
		t.Errorf("Client.Revoke: %v", err)
	}
	if _, err := sdkECS(t, zombie.URL, zombie.TokenFile); err == nil {
		t.Error("the revoked token still reads credentials")
	}
	if _, err := os.Stat(zombie.TokenFile); err == nil {
		t.Error("the revoked consumer's token file is still there")
	}
	if code, er := post(PathRemove, `{"name":"keep"}`); code != http.StatusConflict || er.Error.Code != CodeNotSaved ||
		!strings.HasPrefix(er.Error.Message, `consumer "keep" revoked until the daemon stops`) {
		t.Errorf("remove: %d %+v", code, er)
	}

	// The user fixes the file, which still lists both: neither comes back,
	// and the file is saved without them.
	if err := os.WriteFile(path, good, 0o600); err != nil {
		t.Fatal(err)
	}
	w.d.Reload()
	if _, err := w.d.Settings(); err != nil {
		t.Fatal(err)
	}
	if list := w.d.ServerList(); slices.ContainsFunc(list, func(i ServerInfo) bool { return i.Kind == KindConsumer }) {
		t.Errorf("after the fix: %+v", list)
	}
	if saved, err := settings.Load(path); err != nil || len(saved.Servers) != 0 {
		t.Errorf("saved after the fix: %+v, %v", saved.Servers, err)
	}
	for _, f := range []string{zombie.TokenFile, filepath.Join(tokenDir, "keep.token")} {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("%s is back", f)
		}
	}
	// Now an add is saved.
	if _, _, err := w.client.AddServer(ctx, ServerSpec{Name: "new", Kind: KindConsumer, Profile: "static"}); err != nil {
		t.Errorf("add after the fix: %v", err)
	}
}

// TestConsumerNamesFold is review 3's M4: consumer names differing only
// in letter case are one token file on macOS and Windows, so AddServer
// refuses the second; and a token file that holds another consumer's
// token (what Api.token and api.token are there, simulated here with a
// copy) gets a new token, so both consumers and the ECS listener run.
func TestConsumerNamesFold(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "settings.json")
	tokenDir := filepath.Join(dir, "tokens")
	s := settings.Default()
	s.Servers = []settings.Pinned{{Name: "web", Kind: KindConsumer, Profile: "static"}, {Name: "Zed", Kind: KindConsumer, Profile: "role"}}
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	tok := server.NewToken()
	for _, n := range []string{"web", "Zed"} {
		if err := server.WriteTokenFile(filepath.Join(tokenDir, n+".token"), tok); err != nil {
			t.Fatal(err)
		}
	}
	w := newWorld(t, Options{SettingsPath: path, TokenDir: tokenDir, ReloadInterval: time.Hour})
	web, zed := infoOf(t, w.d, "web"), infoOf(t, w.d, "Zed")
	if !web.Running || !zed.Running || web.Error != "" || zed.Error != "" {
		t.Fatalf("web %+v\nZed %+v", web, zed)
	}
	if got, _ := os.ReadFile(web.TokenFile); string(got) != tok {
		t.Error("web's token file changed")
	}
	if got, _ := os.ReadFile(zed.TokenFile); string(got) == tok {
		t.Error("Zed kept web's token")
	}
	if got, err := sdkECS(t, web.URL, web.TokenFile); err != nil || got != keyOf(t, w.d, "static") {
		t.Errorf("web: %s, %v", got, err)
	}
	if got, err := sdkECS(t, zed.URL, zed.TokenFile); err != nil || got != keyOf(t, w.d, "role") {
		t.Errorf("Zed: %s, %v", got, err)
	}

	for _, name := range []string{"WEB", "zed"} {
		if _, err := w.d.AddServer(ServerSpec{Name: name, Kind: KindConsumer, Profile: "static"}); err == nil || !strings.Contains(err.Error(), "letter case aside") {
			t.Errorf("AddServer(%s): %v", name, err)
		}
	}
	if _, err := w.d.AddServer(ServerSpec{Kind: KindIMDS, Profile: "static", Name: "IMDS"}); err == nil {
		t.Error("AddServer(IMDS) was taken")
	}
	if saved, _ := settings.Load(path); len(saved.Servers) != 2 {
		t.Errorf("saved %+v", saved.Servers)
	}
}

// TestDockerBridgeNotLAN is review 3's M6 (review 2's H1 through the
// daemon): docker_bridge in settings.json naming an address that is not
// a container bridge's (every interface; a LAN address of this machine
// when it has one) is refused without allow_remote: nothing listens
// there, and Status and ServerList say why.
func TestDockerBridgeNotLAN(t *testing.T) {
	t.Parallel()
	bridges := []string{"0.0.0.0"}
	if lan := lanAddr(); lan != "" {
		bridges = append(bridges, lan)
	}
	for _, bridge := range bridges {
		dir := t.TempDir()
		path := filepath.Join(dir, "settings.json")
		s := settings.Default()
		s.Profile = "static"
		s.IMDS = settings.Server{Enabled: true, Addr: "127.0.0.1:0", DockerBridge: bridge}
		s.ECS = settings.Server{Enabled: true, Addr: "127.0.0.1:0", DockerBridge: bridge}
		if err := s.Save(path); err != nil {
			t.Fatal(err)
		}
		w := newWorld(t, Options{SettingsPath: path, ReloadInterval: time.Hour})
		for _, name := range []string{ServerIMDS, ServerECS} {
			i := infoOf(t, w.d, name)
			if i.Running || i.Reach != "" || !strings.Contains(i.Error, "beyond loopback only a container bridge's own address") {
				t.Errorf("%s: ServerList %+v", bridge, i)
			}
		}
		st := w.d.Status()
		for _, ss := range st.Servers {
			if ss.Running || !strings.Contains(ss.Error, bridge) {
				t.Errorf("%s: Status %+v", bridge, ss)
			}
		}
		for _, addr := range w.d.Servers() {
			if addr.Running() {
				t.Errorf("%s: %+v runs", bridge, addr)
			}
		}
	}
}

// lanAddr is an IPv4 address of this machine that is not loopback nor
// a container bridge's, "" for none.
func lanAddr() string {
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		n, ok := a.(*net.IPNet)
		if !ok || n.IP.To4() == nil || n.IP.IsLoopback() || n.IP.IsLinkLocalUnicast() {
			continue
		}
		if ip, _ := netip.AddrFromSlice(n.IP.To4()); server.CheckBridge(ip) != nil {
			return ip.String()
		}
	}
	return ""
}

// TestConsumerEditedOut is the orphan-token part of review 3's H1: a
// consumer the user removes from settings.json loses its token file at
// the next reload, and its token stops working; added again, it gets a
// new token, never the one a file left.
func TestConsumerEditedOut(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "settings.json")
	tokenDir := filepath.Join(dir, "tokens")
	s := settings.Default()
	s.Servers = []settings.Pinned{{Name: "gone", Kind: KindConsumer, Profile: "static"}, {Name: "stay", Kind: KindConsumer, Profile: "static"}}
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	w := newWorld(t, Options{SettingsPath: path, TokenDir: tokenDir, ReloadInterval: time.Hour})
	gone := infoOf(t, w.d, "gone")
	old, err := os.ReadFile(gone.TokenFile)
	if err != nil {
		t.Fatal(err)
	}
	keep := filepath.Join(t.TempDir(), "old.token") // what a container kept
	if err := os.WriteFile(keep, old, 0o600); err != nil {
		t.Fatal(err)
	}
	s.Servers = s.Servers[1:]
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	w.d.Reload()
	if _, err := os.Stat(gone.TokenFile); err == nil {
		t.Error("the edited-out consumer's token file stays")
	}
	if _, err := sdkECS(t, gone.URL, keep); err == nil {
		t.Error("the edited-out consumer's token still works")
	}
	// A file left at the name (an older run's) is not taken either.
	if err := server.WriteTokenFile(gone.TokenFile, string(old)); err != nil {
		t.Fatal(err)
	}
	info, err := w.d.AddServer(ServerSpec{Name: "gone", Kind: KindConsumer, Profile: "static"})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(info.TokenFile); string(got) == string(old) || len(got) == 0 {
		t.Error("the consumer added again took the old token")
	}
	if _, err := sdkECS(t, gone.URL, keep); err == nil {
		t.Error("the old token works again")
	}
	if _, err := sdkECS(t, info.URL, info.TokenFile); err != nil {
		t.Errorf("the new token: %v", err)
	}
	if _, err := sdkECS(t, gone.URL, filepath.Join(tokenDir, "stay.token")); err != nil {
		t.Errorf("stay: %v", err)
	}
}
