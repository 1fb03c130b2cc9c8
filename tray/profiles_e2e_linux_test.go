//go:build linux

package tray_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/internal/fakeaws"
	"github.com/awsxc/awsxc/tray"
	"github.com/awsxc/awsxc/tray/internal/snitest"
)

// The grouped Profiles menu and its Sync items, in the real awsxc
// binary driven over D-Bus (see e2e_linux_test.go).

const ssoSessionConfig = "[sso-session my-sso]\nsso_start_url = " + tray.SSOStartURL +
	"\nsso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n"

// newSSOEnv is a throwaway user whose config file holds a static
// profile dev and the sso-sessions, with the SSO portal and OIDC fakes
// (which the SDKs reach through AWS_ENDPOINT_URL_SSO and _SSO_OIDC),
// signed in to my-sso as aws sso login leaves it.
func newSSOEnv(t *testing.T, bus, display, sessions string, accounts []fakeaws.Account, settings string) (*env, *fakeaws.Fakes) {
	t.Helper()
	fakes := fakeaws.StartAll()
	t.Cleanup(fakes.Close)
	fakes.STS.Portal().SetAccounts(accounts)
	e := newEnv(t, bus, display, fakes.STS.URL, false)
	os.WriteFile(filepath.Join(e.home, ".aws", "config"), []byte("[profile dev]\nregion = eu-west-1\n\n"+sessions), 0o600)
	os.WriteFile(e.credsFile, []byte("[dev]\naws_access_key_id = AKIADEVEXAMPLE000001\naws_secret_access_key = s\n"), 0o600)
	e.vars = append(e.vars, "AWS_ENDPOINT_URL_SSO="+fakes.STS.URL, "AWS_ENDPOINT_URL_SSO_OIDC="+fakes.OIDC.URL)
	if settings != "" {
		os.MkdirAll(filepath.Join(e.config, "awsxc"), 0o700)
		os.WriteFile(e.settingsFile(), []byte(settings), 0o600)
	}
	tray.SSOSignIn(t, fakes.OIDC, e.home, "my-sso")
	return e, fakes
}

func (e *env) settingsFile() string { return filepath.Join(e.config, "awsxc", "settings.json") }

// savedSettings reads the settings the tray wrote.
func (e *env) savedSettings(t *testing.T) tray.Settings {
	t.Helper()
	s, err := tray.LoadSettings(e.settingsFile())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestTrayGroupedProfiles: 300 synced profiles are grouped by session and
// account; one chosen three levels down becomes active, is checked where
// it appears and heads Recent; Edit favourites puts it at the top; its
// production pattern marks the headline, the tooltip and the menu.
func TestTrayGroupedProfiles(t *testing.T) {
	bus, display, w := setup(t)
	e, fakes := newSSOEnv(t, bus, display, ssoSessionConfig, fakeaws.GenerateAccounts(100, 3),
		`{"profile": "dev", "production_profiles": ["account-001.*"], "clipboard_clear_seconds": 0}`)
	// The profiles, as awsxc-cli sso sync writes them (the SDK reaches
	// the fakes through the variables the binary gets too).
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_ENDPOINT_URL_SSO", fakes.STS.URL)
	t.Setenv("AWS_ENDPOINT_URL_SSO_OIDC", fakes.OIDC.URL)
	res, err := engine.SyncSSO(context.Background(), engine.SSOSyncOptions{Session: "my-sso", LockDir: t.TempDir(),
		Env: engine.Env{ConfigFile: filepath.Join(e.home, ".aws", "config"), CredentialsFile: e.credsFile, Home: e.home,
			CacheDir: filepath.Join(e.home, ".cache")}})
	if err != nil || len(res.Added) != 300 {
		t.Fatalf("sync: %v", err)
	}

	if _, err := buildApp(); err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	start(t, e)
	tr := snitest.Open(t, w.Conn, w.Wait(t, patience))
	registered := time.Since(t0)
	const wait = patience
	root := tr.WaitFor(t, wait, "the 300 synced profiles", func(root snitest.Item) bool {
		s, ok := root.Path("Profiles", "my-sso")
		return ok && len(s.Shown()) == 100 && s.Count() == 400
	})
	published := time.Since(t0)
	t0 = time.Now()
	tr.Layout(t)
	t.Logf("300 profiles: registered after %v, the whole layout (%d items) published after %v; a GetLayout round trip %v",
		registered.Round(time.Millisecond), root.Count(), published.Round(time.Millisecond), time.Since(t0).Round(time.Microsecond))
	tr.WaitLabel(t, wait, "dev · static keys · no expiry")

	// Sessions, then accounts by name, then roles; production marked.
	profiles, _ := root.Path("Profiles")
	var top []string
	for _, it := range profiles.Shown() {
		top = append(top, it.Text())
	}
	if want := []string{"dev", "my-sso"}; !slices.Equal(top, want) {
		t.Errorf("Profiles shows %q, want %q", top, want)
	}
	acct, ok := root.Path("Profiles", "my-sso", "⚠ account-001 (100000000001)")
	if !ok || len(acct.Shown()) != 3 || acct.Shown()[2].Text() != "⚠ Role02" {
		t.Fatalf("account-001's submenu:\n%s", profiles)
	}
	if _, ok := root.Path("Profiles", "my-sso", "account-002 (100000000002)", "Role00"); !ok {
		t.Errorf("account-002 not there, or marked:\n%s", profiles)
	}

	tr.ClickPath(t, "Profiles", "my-sso", "⚠ account-001 (", "⚠ Role02")
	// The profile's session is found at once now (review 2, M7: one read
	// of the files): the headline says the sign-in, not the expiry.
	tr.WaitLabel(t, wait, "⚠ PROD · account-001.Role02 · signed in to my-sso")
	tr.WaitFor(t, wait, "the marker in the tooltip", func(snitest.Item) bool {
		return strings.Contains(tr.Tooltip(t), "\n⚠ PROD · account-001.Role02 · signed in to my-sso")
	})
	root = tr.WaitFor(t, wait, "Recent", func(root snitest.Item) bool {
		_, ok := root.Path("Profiles", "Recent")
		return ok
	})
	profiles, _ = root.Path("Profiles")
	shown := profiles.Shown()
	if len(shown) < 4 || shown[0].Text() != "Recent" || shown[0].Enabled() || shown[1].Text() != "⚠ account-001.Role02" ||
		!shown[1].Checked() || shown[2].Text() != "All profiles" {
		t.Errorf("the top of Profiles:\n%s", profiles)
	}
	if leaf, _ := root.Path("Profiles", "my-sso", "⚠ account-001 (", "⚠ Role02"); !leaf.Checked() {
		t.Errorf("the chosen profile is not checked in the tree:\n%s", profiles)
	}
	if dev, _ := root.Path("Profiles", "dev"); dev.Checked() {
		t.Error("dev still checked")
	}

	// Edit favourites lists the active profile; a click makes it the
	// first favourite.
	tr.ClickPath(t, "Edit favourites", "⚠ account-001.Role02")
	root = tr.WaitFor(t, wait, "the favourite at the top", func(root snitest.Item) bool {
		p, _ := root.Path("Profiles")
		s := p.Shown()
		return len(s) > 1 && s[0].Text() == "Favourites" && s[1].Text() == "★ ⚠ account-001.Role02" && s[1].Checked()
	})
	if fav, _ := root.Path("Edit favourites", "⚠ account-001.Role02"); !fav.Checked() {
		t.Errorf("Edit favourites:\n%s", root)
	}
	s := e.savedSettings(t)
	if !slices.Equal(s.Favourites, []string{"account-001.Role02"}) || !slices.Equal(s.Recent, []string{"account-001.Role02"}) ||
		s.Profile != "account-001.Role02" {
		t.Errorf("settings.json: profile %q, favourites %q, recent %q", s.Profile, s.Favourites, s.Recent)
	}
}

// TestTraySyncProfiles: Sync profiles from my-sso, clicked in the
// menu, writes the portal's roles, a notification says what was added
// and removed, and the Profiles menu grows from flat to grouped; a
// session not signed in says to sign in first.
func TestTraySyncProfiles(t *testing.T) {
	bus, display, w := setup(t)
	accounts := fakeaws.GenerateAccounts(30, 2)
	other := "\n[sso-session other]\nsso_start_url = https://d-0000000000.awsapps.com/start\nsso_region = eu-west-1\n"
	e, fakes := newSSOEnv(t, bus, display, ssoSessionConfig+other, accounts, "")
	notes := snitest.StartNotifications(t, bus)
	start(t, e)
	tr := snitest.Open(t, w.Conn, w.Wait(t, patience))
	const wait = patience
	tr.WaitLabel(t, wait, "dev · static keys · no expiry")
	// (systray answers the first GetLayout one level deep.)
	root := tr.WaitFor(t, wait, "the Sync items", func(root snitest.Item) bool {
		_, ok := root.Path("Sync profiles from my-sso")
		_, dev := root.Path("Profiles", "dev")
		return ok && dev
	})
	if it, ok := root.Path("Sync profiles from other (Sign in to other first)"); !ok || it.Enabled() {
		t.Errorf("other's Sync item:\n%s", root)
	}
	if p, _ := root.Path("Profiles"); len(p.Shown()) != 1 {
		t.Errorf("Profiles before the sync:\n%s", p)
	}

	tr.ClickPath(t, "Sync profiles from my-sso")
	n := notes.Wait(t, patience, "Synced profiles from my-sso")
	if !strings.HasPrefix(n.Body, "Added 60 profiles.\nAdded: account-000.Role00, account-000.Role01, ") {
		t.Errorf("notification body %q", n.Body)
	}
	root = tr.WaitFor(t, wait, "the synced profiles grouped", func(root snitest.Item) bool {
		_, ok := root.Path("Profiles", "my-sso", "account-029 (100000000029)", "Role01")
		return ok
	})
	// The profile on no session stays where it was, the session follows.
	p, _ := root.Path("Profiles")
	if s := p.Shown(); len(s) != 2 || s[0].Text() != "dev" || !s[0].Checked() || s[1].Text() != "my-sso" {
		t.Errorf("Profiles after the sync:\n%s", p)
	}
	// The Sync item comes back enabled once the sync's menu update is
	// published (the layout above may be one from before it).
	tr.WaitFor(t, wait, "the Sync item enabled after the sync", func(root snitest.Item) bool {
		it, ok := root.Path("Sync profiles from my-sso")
		return ok && it.Enabled()
	})

	// The portal changes: a role goes, an account comes.
	accounts[3].Roles = accounts[3].Roles[:1]
	accounts = append(accounts, fakeaws.Account{ID: "999900001111", Name: "New Team", Roles: []string{"Admin"}})
	fakes.STS.Portal().SetAccounts(accounts)
	tr.ClickPath(t, "Sync profiles from my-sso")
	n = notes.Wait(t, patience, "Synced profiles from my-sso")
	if want := "Added 1 profile, removed 1 profile; 59 profiles as they were.\nAdded: New-Team.Admin.\nRemoved: account-003.Role01."; n.Body != want {
		t.Errorf("notification body:\n%s\nwant\n%s", n.Body, want)
	}
	tr.WaitFor(t, wait, "the new account, and the role gone", func(root snitest.Item) bool {
		_, added := root.Path("Profiles", "my-sso", "New Team (999900001111)", "Admin")
		acct, _ := root.Path("Profiles", "my-sso", "account-003 (")
		return added && len(acct.Shown()) == 1
	})
}
