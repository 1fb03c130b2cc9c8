//go:build !darwin || cgo

package tray

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/awsxc/awsxc/internal/fakeaws"
	"github.com/google/go-cmp/cmp"
)

// ssoConfig has a static profile and two sso-sessions; my-sso is the one
// the tests sign in to.
const ssoConfig = "[profile dev]\nregion = eu-west-1\n\n" +
	"[sso-session my-sso]\nsso_start_url = " + SSOStartURL + "\nsso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n\n" +
	"[sso-session other]\nsso_start_url = https://d-0000000000.awsapps.com/start\nsso_region = eu-west-1\n"

const ssoCreds = "[dev]\naws_access_key_id = AKIADEVEXAMPLE000001\naws_secret_access_key = s\n"

// newSSOHarness is a harness whose portal (on the fake STS) takes the
// tokens of an OIDC fake, which the SDK reaches through
// AWS_ENDPOINT_URL_SSO_OIDC.
func newSSOHarness(t *testing.T, accounts []fakeaws.Account) (*harness, *fakeaws.OIDC) {
	t.Helper()
	o := fakeaws.NewOIDC()
	t.Cleanup(o.Close)
	t.Setenv("AWS_ENDPOINT_URL_SSO_OIDC", o.URL)
	h := newHarness(t, harnessOptions{config: ssoConfig, creds: ssoCreds})
	h.sts.Portal().Link(o)
	h.sts.Portal().SetAccounts(accounts)
	return h, o
}

// waitNote waits for a notification with summary and returns its body.
func (h *harness) waitNote(t *testing.T, summary string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if body, ok := h.noteBodies()[summary]; ok {
			return body
		}
		if time.Now().After(deadline) {
			t.Fatalf("no notification %q; got %q", summary, h.notesShown())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// clearNotes forgets the notifications shown so far.
func (h *harness) clearNotes() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.notes, h.bodies = nil, nil
}

// TestSyncFromMenu: a click on "Sync profiles from my-sso" writes the
// portal's 60 roles as profiles, says so, and the Profiles menu groups
// them; a second click after the portal changed says what was added and
// removed; a session not signed in cannot be synced, and one whose
// token the portal refuses says to sign in (in the tray's words).
func TestSyncFromMenu(t *testing.T) {
	accounts := fakeaws.GenerateAccounts(20, 3)
	h, o := newSSOHarness(t, accounts)
	home := os.Getenv("HOME")

	// Not signed in yet: the item says what to do first.
	if it := h.item(t, "sync:0"); it.Label != "Sync profiles from my-sso (Sign in to my-sso first)" || !it.Disabled {
		t.Errorf("before the sign-in: %q, disabled %v", it.Label, it.Disabled)
	}
	// A sign-in made elsewhere is seen at the next tick.
	SSOSignIn(t, o, home, "my-sso")
	h.do(t, func(a *app) { a.onTick() })
	for id, want := range map[string]string{"sync:0": "Sync profiles from my-sso", "sync:1": "Sync profiles from other (Sign in to other first)"} {
		if it := h.item(t, id); it.Label != want || it.Disabled != (id == "sync:1") || it.Hidden {
			t.Errorf("%s: %q, disabled %v, hidden %v; want %q", id, it.Label, it.Disabled, it.Hidden, want)
		}
	}
	h.do(t, func(a *app) { a.onClick("sync:1") }) // disabled: nothing happens
	h.do(t, func(a *app) {
		a.onClick("sync:0")
		if it, _ := menuItem(BuildMenu(a.state, a.now()).Items, "sync:0"); it.Label != "Syncing profiles from my-sso…" || !it.Disabled {
			t.Errorf("while syncing: %q, disabled %v", it.Label, it.Disabled)
		}
	})
	body := h.waitNote(t, "Synced profiles from my-sso")
	if want := "Added 60 profiles.\nAdded: account-000.Role00, account-000.Role01, account-000.Role02, account-001.Role00, account-001.Role01 and 55 more."; body != want {
		t.Errorf("notification body:\n%s\nwant\n%s", body, want)
	}
	if n := h.sts.Calls(); len(n) == 0 {
		t.Error("no portal call")
	}
	var profiles []string
	var tree Item
	h.do(t, func(a *app) {
		profiles = slices.Clone(a.state.Profiles)
		tree, _ = menuItem(BuildMenu(a.state, a.now()).Items, "session:my-sso")
	})
	if len(profiles) != 61 {
		t.Fatalf("%d profiles after the sync, want 61: %q", len(profiles), profiles)
	}
	if len(tree.Children) != 20 || tree.Children[0].Label != "account-000 (100000000000)" || tree.Children[0].Children[2].Label != "Role02" {
		t.Fatalf("my-sso's submenu: %v", flat([]Item{tree}, ""))
	}
	if strings.Contains(h.noteBodies()["Synced profiles from my-sso"], "other") {
		t.Error("the other session was synced")
	}

	// The portal changes: a role goes, another comes.
	accounts[19].Roles = accounts[19].Roles[:2]
	accounts[0].Roles = append(accounts[0].Roles, "Role03")
	h.sts.Portal().SetAccounts(accounts)
	h.clearNotes()
	h.do(t, func(a *app) { a.onClick("sync:0") })
	body = h.waitNote(t, "Synced profiles from my-sso")
	if want := "Added 1 profile, removed 1 profile; 59 profiles as they were.\nAdded: account-000.Role03.\nRemoved: account-019.Role02."; body != want {
		t.Errorf("notification body:\n%s\nwant\n%s", body, want)
	}
	h.do(t, func(a *app) {
		if !slices.Contains(a.state.Profiles, "account-000.Role03") || slices.Contains(a.state.Profiles, "account-019.Role02") {
			t.Errorf("profiles after the second sync: %q", a.state.Profiles)
		}
	})

	// The portal no longer takes the token: sign in again.
	o.EndSessions()
	o.ExpireAccessTokens()
	h.clearNotes()
	h.do(t, func(a *app) { a.onClick("sync:0") })
	body = h.waitNote(t, "Profiles not synced from my-sso")
	if !strings.HasSuffix(body, "; sign in to my-sso first") || strings.Contains(body, "--") {
		t.Errorf("notification body %q; want the tray's hint", body)
	}
}

// TestRecentAndFavouritesFromMenu: choosing profiles in the grouped menu
// fills Recent, most recent first, in settings.json; Edit favourites
// adds and removes favourites there, and the menu shows them first.
func TestRecentAndFavouritesFromMenu(t *testing.T) {
	h, o := newSSOHarness(t, fakeaws.GenerateAccounts(10, 2))
	SSOSignIn(t, o, os.Getenv("HOME"), "my-sso")
	h.do(t, func(a *app) { a.onTick(); a.onClick("sync:0") })
	h.waitNote(t, "Synced profiles from my-sso")

	pick := func(name string) string { // the tree item of profile name
		var id string
		h.do(t, func(a *app) {
			walk(BuildMenu(a.state, a.now()).Items, func(it Item) {
				if n, ok := pickedProfile(it.ID); ok && n == name {
					id = it.ID
				}
			})
		})
		if id == "" {
			t.Fatalf("no tree item for %s", name)
		}
		return id
	}
	saved := func() Settings {
		s, err := LoadSettings(h.settings)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	for _, p := range []string{"account-003.Role01", "account-007.Role00", "account-003.Role01"} {
		id := pick(p)
		h.do(t, func(a *app) { a.onClick(id) })
		h.waitFor(t, p+" active", func(a *app) bool { return a.state.Active == p })
	}
	if diff := cmp.Diff([]string{"account-003.Role01", "account-007.Role00"}, saved().Recent); diff != "" {
		t.Errorf("recent in settings.json (-want +got):\n%s", diff)
	}
	for i, want := range []string{"account-003.Role01 true", "account-007.Role00 false"} {
		it := h.item(t, slotID(recentPrefix, i))
		if got := fmt.Sprintf("%s %v", it.Label, it.Checked); got != want || it.Hidden {
			t.Errorf("recent slot %d: %s (hidden %v), want %s", i, got, it.Hidden, want)
		}
	}
	// A recent slot chooses what it shows.
	h.do(t, func(a *app) { a.onClick(slotID(recentPrefix, 1)) })
	h.waitFor(t, "account-007.Role00 active", func(a *app) bool { return a.state.Active == "account-007.Role00" })

	// Edit favourites lists the active profile, then the recent one.
	if got := h.label(t, "favourites:0") + "|" + h.label(t, "favourites:1"); got != "account-007.Role00|account-003.Role01" {
		t.Errorf("Edit favourites: %s", got)
	}
	h.do(t, func(a *app) { a.onClick("favourites:1") })
	if diff := cmp.Diff([]string{"account-003.Role01"}, saved().Favourites); diff != "" {
		t.Errorf("favourites in settings.json (-want +got):\n%s", diff)
	}
	if it := h.item(t, "fav:0"); it.Label != "★ account-003.Role01" || it.Checked || it.Hidden {
		t.Errorf("first favourite: %+v", it)
	}
	// The favourite now heads Edit favourites, checked; a click removes it.
	if it := h.item(t, "favourites:0"); it.Label != "account-003.Role01" || !it.Checked {
		t.Errorf("Edit favourites first: %+v", it)
	}
	h.do(t, func(a *app) { a.onClick("favourites:0") })
	if got := saved().Favourites; len(got) != 0 {
		t.Errorf("favourites after removing: %q", got)
	}
	if it := h.item(t, "fav:0"); !it.Hidden {
		t.Errorf("favourite slot still shown: %+v", it)
	}
	// The settings written by hand are taken in: a favourite and a
	// production pattern.
	s := saved()
	s.Favourites, s.ProductionProfiles = []string{"account-001.Role00"}, []string{"account-00[17].*"}
	if err := s.Save(filepath.Join(h.settings)); err != nil {
		t.Fatal(err)
	}
	h.do(t, func(a *app) { a.reloadSettings() })
	if got := h.label(t, "header"); !strings.HasPrefix(got, "⚠ PROD · account-007.Role00 · ") {
		t.Errorf("headline %q; want the production marker", got)
	}
	if got := h.label(t, "fav:0"); got != "★ ⚠ account-001.Role00" {
		t.Errorf("first favourite %q", got)
	}
}
