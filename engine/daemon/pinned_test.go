package daemon

import (
	"bufio"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials/ec2rolecreds"
	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/google/go-cmp/cmp"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/engine/activity"
	"github.com/awsxc/awsxc/engine/settings"
	"github.com/awsxc/awsxc/internal/porttest"
)

// sdkIMDS fetches credentials from an IMDS server with the Go SDK's
// instance-role provider.
func sdkIMDS(t *testing.T, url string) (string, error) {
	t.Helper()
	p := ec2rolecreds.New(func(o *ec2rolecreds.Options) {
		o.Client = imds.New(imds.Options{Endpoint: url, ClientEnableState: imds.ClientEnabled})
	})
	c, err := p.Retrieve(context.Background())
	return c.AccessKeyID, err
}

// sdkECS fetches credentials from an ECS server with the Go SDK's
// container provider, its token read from file as for
// AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE.
func sdkECS(t *testing.T, url, file string) (string, error) {
	t.Helper()
	p := endpointcreds.New(url, func(o *endpointcreds.Options) {
		o.AuthorizationTokenProvider = endpointcreds.TokenProviderFunc(func() (string, error) {
			b, err := os.ReadFile(file)
			return string(b), err
		})
	})
	c, err := p.Retrieve(context.Background())
	return c.AccessKeyID, err
}

func infoOf(t *testing.T, d *Daemon, name string) ServerInfo {
	t.Helper()
	for _, i := range d.ServerList() {
		if i.Name == name {
			return i
		}
	}
	t.Fatalf("no server %q in %+v", name, d.ServerList())
	return ServerInfo{}
}

// keyOf is the key the daemon's registry holds for profile.
func keyOf(t *testing.T, d *Daemon, profile string) string {
	t.Helper()
	src, release, err := d.Registry().Acquire(context.Background(), profile)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	c, err := src.Credentials(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c.AccessKeyID
}

// TestPinnedDaemon is issue 14 §1 under the daemon: two pinned IMDS
// servers serve two profiles; each consumer's token (a file, kept across
// restarts) reads its profile alone; every fetch is recorded with the
// SDK's User-Agent, in memory and in the audit file, without a secret;
// a revoked consumer's next fetch fails and is recorded; ports survive
// a restart.
func TestPinnedDaemon(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "settings.json")
	tokenDir := filepath.Join(dir, "run", "tokens")
	audit := filepath.Join(dir, "audit.jsonl")
	s := settings.Default()
	s.Profile = "static"
	s.AuditLog = audit
	// The restart below listens on these ports again: ones picked from
	// the ephemeral range could be taken meanwhile (the picked port is
	// saved: TestAddServer, TestServersFromSettings).
	s.ECS.Addr = porttest.Addr(t)
	s.Servers = []settings.Pinned{
		{Name: "imds-static", Kind: KindIMDS, Profile: "static", Addr: porttest.Addr(t)},
		{Name: "imds-role", Kind: KindIMDS, Profile: "role", Addr: porttest.Addr(t)},
		{Name: "api", Kind: KindConsumer, Profile: "role"},
		{Name: "web", Kind: KindConsumer, Profile: "static"},
	}
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	w := newWorld(t, Options{SettingsPath: path, TokenDir: tokenDir, ReloadInterval: time.Hour})
	d := w.d
	names := func() []string {
		var n []string
		for _, i := range d.ServerList() {
			n = append(n, i.Name)
		}
		return n
	}
	if diff := cmp.Diff([]string{"ecs", "imds-static", "imds-role", "api", "web"}, names()); diff != "" {
		t.Fatalf("servers (-want +got):\n%s", diff)
	}
	for _, i := range d.ServerList() {
		if !i.Running || i.Error != "" || i.FollowsActive {
			t.Errorf("server %+v", i)
		}
	}
	if fi, err := os.Stat(tokenDir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("token folder: %v, %v", fi, err)
	}

	// Two IMDS servers, two profiles.
	staticKey, roleKey := keyOf(t, d, "static"), keyOf(t, d, "role")
	if staticKey == roleKey {
		t.Fatal("the two profiles have the same key")
	}
	for name, want := range map[string]string{"imds-static": staticKey, "imds-role": roleKey} {
		if got, err := sdkIMDS(t, infoOf(t, d, name).URL); err != nil || got != want {
			t.Errorf("%s: %s, %v; want %s", name, got, err, want)
		}
	}

	// Each consumer's token reads its profile, from its file.
	api, web := infoOf(t, d, "api"), infoOf(t, d, "web")
	tok, err := os.ReadFile(api.TokenFile)
	if fi, _ := os.Stat(api.TokenFile); err != nil || fi.Mode().Perm() != 0o600 || strings.HasSuffix(string(tok), "\n") || len(tok) < 40 {
		t.Fatalf("token file %s: %q, %v", api.TokenFile, tok, err)
	}
	if got, err := sdkECS(t, api.URL+"v1/credentials", api.TokenFile); err != nil || got != roleKey {
		t.Errorf("api: %s, %v; want %s", got, err, roleKey)
	}
	if got, err := sdkECS(t, web.URL, web.TokenFile); err != nil || got != staticKey {
		t.Errorf("web: %s, %v; want %s", got, err, staticKey)
	}
	// api's token cannot read another profile.
	if code := getJSON(t, api.URL+"profiles/static", map[string]string{"Authorization": string(tok)}, nil); code != 403 {
		t.Errorf("api's token on /profiles/static: %d, want 403", code)
	}
	if !slices.ContainsFunc(web.Settings.Env, func(kv string) bool { return kv == "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="+web.TokenFile }) ||
		strings.Contains(strings.Join(web.Settings.Env, " "), string(tok)) {
		t.Errorf("web's settings %+v", web.Settings)
	}

	// Activity: the SDK's User-Agent, the consumer, a masked key; the
	// last fetch of each; the same in the audit file; no secret.
	recs := d.Activity()
	var imdsRec, apiRec *activity.Record
	for i, r := range recs {
		switch {
		case r.Server == "imds-role" && r.Outcome == activity.Served:
			imdsRec = &recs[i]
		case r.Consumer == "api" && r.Outcome == activity.Served:
			apiRec = &recs[i]
		}
	}
	if imdsRec == nil || !strings.HasPrefix(imdsRec.UserAgent, "aws-sdk-go-v2/") || imdsRec.Profile != "role" || imdsRec.Key != engine.MaskKey(roleKey) {
		t.Errorf("IMDS record %+v", imdsRec)
	}
	if apiRec == nil || apiRec.Profile != "role" || apiRec.Kind != "ecs" || !strings.HasPrefix(apiRec.Client, "127.0.0.1:") {
		t.Errorf("api record %+v", apiRec)
	}
	if lf := infoOf(t, d, "api").LastFetch; lf == nil || lf.Status != 403 {
		t.Errorf("api's last fetch %+v; want the 403", lf)
	}
	if lf := infoOf(t, d, "imds-role").LastFetch; lf == nil || lf.Outcome != activity.Served {
		t.Errorf("imds-role's last fetch %+v", lf)
	}

	// Revoke: the next fetch fails, and both are recorded.
	sub := d.SubscribeActivity(8)
	defer sub.Close()
	if err := d.Revoke("api"); err != nil {
		t.Fatal(err)
	}
	if _, err := sdkECS(t, api.URL, writeToken(t, string(tok))); err == nil {
		t.Error("the revoked token still reads credentials")
	}
	r1, r2 := <-sub.C(), <-sub.C()
	if r1.Consumer != "api" || r1.Outcome != activity.Revoked || r1.Status != 0 || r1.Profile != "role" {
		t.Errorf("revocation record %+v", r1)
	}
	if r2.Consumer != "api" || r2.Outcome != activity.Revoked || r2.Status != 403 {
		t.Errorf("refused fetch record %+v", r2)
	}
	if _, err := os.Stat(api.TokenFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the revoked token file is still there: %v", err)
	}
	if saved, _ := settings.Load(path); slices.ContainsFunc(saved.Servers, func(p settings.Pinned) bool { return p.Name == "api" }) {
		t.Error("api is still in the settings")
	}
	if err := d.Revoke("api"); !errors.Is(err, ErrNoServer) {
		t.Errorf("Revoke again: %v", err)
	}
	if err := d.Revoke("imds-role"); !errors.Is(err, ErrNotConsumer) {
		t.Errorf("Revoke of a server: %v", err)
	}

	// The audit file: one JSON line a record, no secret.
	f, err := os.Open(audit)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	for sc := bufio.NewScanner(f); sc.Scan(); n++ {
		line := sc.Text()
		if _, err := activity.ParseJSON([]byte(line)); err != nil {
			t.Errorf("audit line %q: %v", line, err)
		}
		for _, secret := range []string{string(tok), staticKey, roleKey, "staticsecret"} {
			if strings.Contains(line, secret) {
				t.Errorf("audit line has a secret: %s", line)
			}
		}
	}
	if n < 5 {
		t.Errorf("%d audit lines, want every fetch", n)
	}

	// A restart keeps the ports and web's token.
	ports := map[string]string{}
	for _, i := range d.ServerList() {
		ports[i.Name] = i.URL
	}
	webTok, _ := os.ReadFile(web.TokenFile)
	d.Close()
	d2, err := New(context.Background(), Options{Env: w.env, SettingsPath: path, TokenDir: tokenDir, ReloadInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	for _, i := range d2.ServerList() {
		if i.URL != ports[i.Name] || !i.Running {
			t.Errorf("after a restart %s is at %s (running %v), was %s", i.Name, i.URL, i.Running, ports[i.Name])
		}
	}
	if b, _ := os.ReadFile(web.TokenFile); string(b) != string(webTok) {
		t.Error("web's token changed across a restart")
	}
	if got, err := sdkECS(t, infoOf(t, d2, "web").URL, web.TokenFile); err != nil || got != keyOf(t, d2, "static") {
		t.Errorf("web after a restart: %s, %v", got, err)
	}
}

func writeToken(t *testing.T, tok string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "tok")
	if err := os.WriteFile(file, []byte(tok), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// TestAddServer: AddServer and RemoveServer, and what they refuse.
func TestAddServer(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "settings.json")
	changes := make(chan struct{}, 100)
	w := newWorld(t, Options{SettingsPath: path, TokenDir: filepath.Join(dir, "tokens"), DefaultProfile: "role",
		ReloadInterval: time.Hour, OnChange: func() { changes <- struct{}{} }})
	d := w.d
	info, err := d.AddServer(ServerSpec{Kind: KindIMDS, Profile: "static"})
	if err != nil || info.Name != "imds-static" || !info.Running || info.Profile != "static" || info.Settings.Env == nil {
		t.Fatalf("AddServer: %+v, %v", info, err)
	}
	if len(changes) == 0 {
		t.Error("OnChange did not fire")
	}
	saved, _ := settings.Load(path)
	if len(saved.Servers) != 1 || saved.Servers[0].Addr != info.Addr || strings.HasSuffix(info.Addr, ":0") {
		t.Errorf("saved %+v; running at %s", saved.Servers, info.Addr)
	}
	if got, err := sdkIMDS(t, info.URL); err != nil || got != keyOf(t, d, "static") {
		t.Errorf("the added server: %s, %v", got, err)
	}
	// A second for the same profile gets the next name; a follower
	// serves the active profile.
	if i, err := d.AddServer(ServerSpec{Kind: KindIMDS, Profile: "static"}); err != nil || i.Name != "imds-static-2" {
		t.Errorf("second: %+v, %v", i, err)
	}
	f, err := d.AddServer(ServerSpec{Kind: KindIMDS, FollowActive: true})
	if err != nil || f.Name != "imds-active" || !f.FollowsActive || f.Profile != "role" {
		t.Errorf("follower: %+v, %v", f, err)
	}
	if got, err := sdkIMDS(t, f.URL); err != nil || got != keyOf(t, d, "role") {
		t.Errorf("follower serves %s, %v", got, err)
	}
	// Switching the active profile moves only the follower.
	if err := d.SetActive("static"); err != nil {
		t.Fatal(err)
	}
	if got, _ := sdkIMDS(t, f.URL); got != keyOf(t, d, "static") {
		t.Errorf("the follower did not follow: %s", got)
	}
	if i := infoOf(t, d, "imds-active"); i.Profile != "static" {
		t.Errorf("follower's profile %q", i.Profile)
	}

	for _, tt := range []struct {
		name string
		spec ServerSpec
		want string
	}{
		{"taken_name", ServerSpec{Name: "imds-static", Kind: KindIMDS, Profile: "role"}, "taken"},
		{"taken_port", ServerSpec{Name: "x", Kind: KindIMDS, Profile: "role", Addr: info.Addr}, "port"},
		{"no_profile", ServerSpec{Name: "x", Kind: KindConsumer}, "no profile"},
		{"unknown_profile", ServerSpec{Name: "x", Kind: KindConsumer, Profile: "nosuch"}, "not found"},
		{"remote", ServerSpec{Name: "x", Kind: KindIMDS, Profile: "role", Addr: "0.0.0.0:0"}, "not a loopback"},
	} {
		if _, err := d.AddServer(tt.spec); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v; want %q", tt.name, err, tt.want)
		}
	}
	if saved, _ := settings.Load(path); len(saved.Servers) != 3 {
		t.Errorf("a refused server changed the settings: %+v", saved.Servers)
	}
	if _, err := os.Stat(filepath.Join(dir, "tokens", "x.token")); err == nil {
		t.Error("a refused consumer left a token file")
	}

	if err := d.RemoveServer("imds-static"); err != nil {
		t.Fatal(err)
	}
	if _, err := sdkIMDS(t, info.URL); err == nil {
		t.Error("a removed server still serves")
	}
	if err := d.RemoveServer("nope"); !errors.Is(err, ErrNoServer) {
		t.Errorf("RemoveServer(nope): %v", err)
	}
}
