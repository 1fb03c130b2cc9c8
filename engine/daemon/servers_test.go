package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/engine/settings"
	"github.com/awsxc/awsxc/internal/porttest"
)

// getJSON fetches url with the headers and decodes the answer.
func getJSON(t *testing.T, url string, header map[string]string, out any) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

// TestServersFromSettings: the servers settings.json switches on serve
// the active profile from the same registry the local API answers from
// (one AssumeRole for both), keep the port they picked, and follow edits
// of the file.
func TestServersFromSettings(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "awsxc", "settings.json")
	s := settings.Default()
	s.Profile = "role"
	s.ECS = settings.Server{Enabled: true, Addr: "127.0.0.1:0"}
	s.ECSToken = "token-0123456789ab"
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	tokenFile := filepath.Join(t.TempDir(), "ecs-token")
	w := newWorld(t, Options{SettingsPath: path, ReloadInterval: time.Hour, ECSTokenFile: tokenFile})
	if b, err := os.ReadFile(tokenFile); err != nil || string(b) != "token-0123456789ab" {
		t.Errorf("ECS token file: %q, %v", b, err)
	}
	st := w.d.Status()
	if len(st.Servers) != 1 || !st.Servers[0].Running || st.Servers[0].Profile != "role" || st.Active != "role" || st.Settings != path {
		t.Fatalf("status %+v", st)
	}
	url := st.Servers[0].URL
	if active, src, err := w.d.Active(); active != "role" || src == nil || err != nil || src.Profile().Name != "role" {
		t.Errorf("Active() = %q, %v, %v", active, src, err)
	}
	if s := w.d.Servers(); len(s) != 1 || s[0].ECS == nil || s[0].URL != url {
		t.Errorf("Servers() = %+v", s)
	}
	saved, err := settings.Load(path)
	if err != nil || saved.ECS.Addr == "127.0.0.1:0" || !strings.HasSuffix(url, strings.TrimPrefix(saved.ECS.Addr, "127.0.0.1")+"/") {
		t.Errorf("the picked port was not saved: %+v (server at %s)", saved.ECS, url)
	}
	var creds struct{ AccessKeyId string }
	if code := getJSON(t, url, map[string]string{"Authorization": "token-0123456789ab"}, &creds); code != 200 {
		t.Fatalf("ECS: %d", code)
	}
	r := mustAsk(t, w, w.request("role"))
	if r.Credentials.AccessKeyID != creds.AccessKeyId || w.sts.Count("AssumeRole") != 1 {
		t.Errorf("ECS %s, local API %s, %d AssumeRole calls", creds.AccessKeyId, r.Credentials.AccessKeyID, w.sts.Count("AssumeRole"))
	}
	// Any profile at /profiles/NAME, from the same registry.
	if code := getJSON(t, url+"profiles/static", map[string]string{"Authorization": "token-0123456789ab"}, &creds); code != 200 {
		t.Errorf("/profiles/static: %d", code)
	}
	if p := w.d.Status().Profiles; len(p) != 2 || p[0].Profile != "role" || len(p[0].Servers) != 1 || p[0].Servers[0] != ServerECS {
		t.Errorf("profiles %+v", p)
	}

	// An edit: the IMDS server on, profile static.
	saved.IMDS = settings.Server{Enabled: true, Addr: "127.0.0.1:0"}
	saved.Profile = "static"
	saved.Save(path)
	w.d.reload()
	st = w.d.Status()
	if st.Active != "static" || len(st.Servers) != 2 || !st.Servers[0].Running || !st.Servers[1].Running {
		t.Fatalf("after the edit: %+v", st)
	}
	imds := st.Servers[0].URL
	req, _ := http.NewRequest("PUT", imds+"latest/api/token", nil)
	req.Header.Set("X-Aws-Ec2-Metadata-Token-Ttl-Seconds", "60")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("IMDS token: %v %v", resp, err)
	}
	resp.Body.Close()

	// A broken edit is reported and kept as it is; a fix is taken in.
	os.WriteFile(path, []byte(`{"profile": `), 0o600)
	w.d.reload()
	if st := w.d.Status(); !strings.Contains(st.SettingsError, "settings file is corrupt") || st.Active != "static" {
		t.Errorf("after a broken edit: %+v", st)
	}
	if err := w.d.SetActive("role"); !errors.Is(err, settings.ErrNotSaved) {
		t.Errorf("SetActive with a broken file: %v, want ErrNotSaved", err)
	}
	if b, _ := os.ReadFile(path); string(b) != `{"profile": ` {
		t.Errorf("the broken file was overwritten: %q", b)
	}
	os.WriteFile(path, []byte(`{"profile": "role"}`), 0o600)
	w.d.reload()
	st = w.d.Status()
	if st.SettingsError != "" || st.Active != "role" || len(st.Servers) != 0 {
		t.Errorf("after the fix: %+v", st)
	}
	if got, _ := w.d.Settings(); got.Profile != "role" {
		t.Errorf("Settings() = %+v", got)
	}
	// Beyond loopback only when allowed, and then said.
	w.d.UpdateSettings(func(s *settings.Settings) { s.IMDS = settings.Server{Enabled: true, Addr: "0.0.0.0:0"} })
	if st := w.d.Status(); len(st.Servers) != 1 || st.Servers[0].Running || !strings.Contains(st.Servers[0].Error, "loopback") {
		t.Errorf("0.0.0.0 without allow_remote: %+v", st.Servers)
	}
	w.d.UpdateSettings(func(s *settings.Settings) { s.IMDS.AllowRemote = true })
	if st := w.d.Status(); len(st.Servers) != 1 || !st.Servers[0].Running || !strings.Contains(st.Servers[0].Reach, "0.0.0.0:") {
		t.Errorf("0.0.0.0 with allow_remote: %+v", st.Servers)
	}
	if err := w.d.UpdateSettings(func(s *settings.Settings) { s.IMDS.Enabled = true }); err != nil {
		t.Fatal(err)
	}
	if st := w.d.Status(); len(st.Servers) != 1 || !st.Servers[0].Running {
		t.Errorf("after UpdateSettings: %+v", st)
	}
}

// TestActiveProfile: the active profile is the settings', else the
// default; the export profile is never served; one that cannot be
// loaded is reported, and tried again once the files change.
func TestActiveProfile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "settings.json")
	s := settings.Default()
	// The server stops with no profile to serve and starts again on its
	// port: one picked from the ephemeral range could be taken meanwhile.
	s.IMDS = settings.Server{Enabled: true, Addr: porttest.Addr(t)}
	s.Save(path)
	w := newWorld(t, Options{SettingsPath: path, DefaultProfile: "missing", ReloadInterval: time.Hour})
	st := w.d.Status()
	// A switched-on server with nothing to serve is listed, with why.
	if st.Active != "missing" || !strings.Contains(st.ActiveError, "profile not found") ||
		len(st.Servers) != 1 || st.Servers[0].Running || !strings.Contains(st.Servers[0].Error, "profile not found") {
		t.Errorf("status %+v", st)
	}
	data, _ := os.ReadFile(w.env.ConfigFile)
	os.WriteFile(w.env.ConfigFile, append(data, "\n[profile missing]\nregion = eu-west-1\ncredential_process = true\n"...), 0o600)
	w.d.reload()
	if st := w.d.Status(); st.ActiveError != "" || len(st.Servers) != 1 {
		t.Errorf("after the profile appeared: %+v", st)
	}
	w.d.SetActive("awsxc") // the export profile
	if st := w.d.Status(); st.Active != "" || len(st.Servers) != 1 || st.Servers[0].Running || st.Servers[0].Error != "no active profile" {
		t.Errorf("export profile active: %+v", st)
	}
	// The held source is replaced when its configuration changes.
	w.d.SetActive("role")
	roleSource := func() *engine.Source {
		for _, s := range w.d.Registry().Sources() {
			if s.Profile().Name == "role" {
				return s
			}
		}
		return nil
	}
	old := roleSource()
	data, _ = os.ReadFile(w.env.ConfigFile)
	os.WriteFile(w.env.ConfigFile, []byte(strings.Replace(string(data), "role/Deploy", "role/Other", 1)), 0o600)
	w.d.reload()
	if src := roleSource(); old == nil || src == nil || src == old || src.Profile().RoleARN != "arn:aws:iam::210987654321:role/Other" {
		t.Errorf("source before %v, after %v", old, src)
	}
	if st := w.d.Status(); len(st.Servers) != 1 || !st.Servers[0].Running {
		t.Errorf("the server after the change: %+v", st.Servers)
	}
}

// TestNoSettings: without a settings path the daemon runs no servers
// and keeps no settings file, and still answers.
func TestNoSettings(t *testing.T) {
	t.Parallel()
	w := newWorld(t, Options{})
	if st := w.d.Status(); st.Settings != "" || len(st.Servers) != 0 {
		t.Errorf("status %+v", st)
	}
	if err := w.d.UpdateSettings(func(s *settings.Settings) { s.Profile = "static" }); err != nil {
		t.Errorf("UpdateSettings without a file: %v", err)
	}
	if err := w.d.Refresh(context.Background(), "nope"); !errors.Is(err, engine.ErrProfileNotFound) {
		t.Errorf("Refresh of an unknown profile: %v", err)
	}
}

// TestAllowHostsSetting: a Host name the settings' allow_hosts adds is
// accepted by the daemon's servers once the settings name it, and
// refused before (a VM's or a cluster's name for this machine).
func TestAllowHostsSetting(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "awsxc", "settings.json")
	s := settings.Default()
	s.Profile = "static"
	s.ECS = settings.Server{Enabled: true, Addr: "127.0.0.1:0"}
	s.ECSToken = "token-0123456789ab"
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	w := newWorld(t, Options{SettingsPath: path, ReloadInterval: time.Hour})
	get := func() int {
		t.Helper()
		st := w.d.Status()
		if len(st.Servers) != 1 || !st.Servers[0].Running {
			t.Fatalf("status %+v", st)
		}
		req, _ := http.NewRequest(http.MethodGet, st.Servers[0].URL, nil)
		req.Host = "dev-vm.internal:1234"
		req.Header.Set("Authorization", "token-0123456789ab")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := get(); code == http.StatusOK {
		t.Fatalf("Host dev-vm.internal answered %d before allow_hosts names it", code)
	}
	if err := w.d.UpdateSettings(func(s *settings.Settings) { s.AllowHosts = []string{"DEV-VM.internal"} }); err != nil {
		t.Fatal(err)
	}
	if code := get(); code != http.StatusOK {
		t.Errorf("Host dev-vm.internal answered %d with allow_hosts naming it, want 200", code)
	}
}
