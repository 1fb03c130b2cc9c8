//go:build !darwin || cgo

package tray

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/awsxc/awsxc/engine/daemon"
)

// consumer is an ECS consumer for dev named name.
func consumer(name string) daemon.ServerSpec {
	return daemon.ServerSpec{Name: name, Kind: daemon.KindConsumer, Profile: "dev"}
}

// TestServerActionActsOnWhatWasShown: a Revoke clicked in the Servers
// menu reaches the consumer its line showed, also when the list changed
// between the menu's drawing and the click (review 3, L7): another
// consumer revoked meanwhile moves the others up a slot.
func TestServerActionActsOnWhatWasShown(t *testing.T) {
	h := newHarness(t, harnessOptions{config: twoProfiles, creds: twoProfilesCreds,
		settings: `{"profile": "dev", "ecs": {"enabled": true, "addr": "127.0.0.1:0"}}`})
	h.waitFor(t, "dev", func(a *app) bool { return valid("dev")(a) && !a.switching })
	d := h.a.d
	for _, n := range []string{"alpha", "beta"} {
		if _, err := d.AddServer(consumer(n)); err != nil {
			t.Fatal(err)
		}
	}
	var slot int
	h.do(t, func(a *app) {
		a.syncServers()
		a.render(true)
		slot = slices.Index(a.shownServers, "beta")
	})
	if slot < 0 {
		t.Fatal("beta is not in the Servers menu")
	}
	// alpha goes before the tray has drawn the menu again; the click on
	// beta's slot must revoke beta, not what now stands there.
	h.do(t, func(a *app) {
		if err := d.Revoke("alpha"); err != nil {
			t.Error(err)
		}
		a.syncServers()
		a.serverAction(slotID(srvRevokePrefix, slot))
	})
	for _, s := range d.ServerList() {
		if s.Name == "beta" || s.Name == "alpha" {
			t.Errorf("%s is still served after its revoke", s.Name)
		}
	}
	h.waitNote(t, "Revoked beta") // shown off the loop

	// A slot whose server went away meanwhile does nothing, and says so.
	if _, err := d.AddServer(consumer("gamma")); err != nil {
		t.Fatal(err)
	}
	h.do(t, func(a *app) {
		a.syncServers()
		a.render(true)
		slot = slices.Index(a.shownServers, "gamma")
		if err := d.Revoke("gamma"); err != nil {
			t.Error(err)
		}
		a.syncServers()
		a.serverAction(slotID(srvRevokePrefix, slot))
	})
	h.waitNote(t, "gamma is gone")
}

// TestRevokeNotSavedFromMenu: a revoke from the menu while settings.json
// has an error takes effect and says it was not saved, rather than
// "Cannot revoke" (the token did stop working).
func TestRevokeNotSavedFromMenu(t *testing.T) {
	h := newHarness(t, harnessOptions{config: twoProfiles, creds: twoProfilesCreds,
		settings: `{"profile": "dev", "ecs": {"enabled": true, "addr": "127.0.0.1:0"}}`})
	h.waitFor(t, "dev", func(a *app) bool { return valid("dev")(a) && !a.switching })
	d := h.a.d
	if _, err := d.AddServer(consumer("api")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(h.settings, []byte(`{"profile": "dev", "clipboard_clear_seconds": -1}`), 0o600); err != nil {
		t.Fatal(err)
	}
	var slot int
	h.do(t, func(a *app) {
		a.syncServers()
		a.render(true)
		slot = slices.Index(a.shownServers, "api")
		a.serverAction(slotID(srvRevokePrefix, slot))
	})
	body := h.waitNote(t, "Revoked api, but not saved")
	if !strings.Contains(body, "no longer works") || !strings.Contains(body, "fix the file") {
		t.Errorf("body %q", body)
	}
	for _, s := range d.ServerList() {
		if s.Name == "api" {
			t.Error("api is still served")
		}
	}
}

// TestAuditErrorInMenu: an audit log that cannot be written shows in
// Recent activity ▸, with the reason in its tooltip (review 3, L3).
func TestAuditErrorInMenu(t *testing.T) {
	dir := t.TempDir()
	audit := filepath.Join(dir, "audit") // a folder: no file can be opened there
	if err := os.Mkdir(audit, 0o700); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, harnessOptions{config: twoProfiles, creds: twoProfilesCreds,
		settings: `{"profile": "dev", "audit_log": "` + audit + `"}`})
	h.waitFor(t, "dev", func(a *app) bool { return valid("dev")(a) && !a.switching })
	h.waitFor(t, "the audit error", func(a *app) bool { a.syncServers(); return a.state.AuditErr != nil })
	h.do(t, func(a *app) { a.render(true) })
	it := h.item(t, idActivityAudit)
	if it.Hidden || !strings.Contains(it.Tooltip, audit) {
		t.Errorf("audit item %+v; want it shown, naming %s", it, audit)
	}
}
