//go:build !darwin || cgo

package tray

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"testing"

	"github.com/awsxc/awsxc/engine/daemon"
	"github.com/awsxc/awsxc/engine/settings"
)

// The daemon the tray hosts owns settings.json: it changes the settings
// by itself too (a server added through awsxc-cli or the menu, a port
// picked), and a tray click changes only what it changes.

// settingsClicks are clicks that save the settings: each changes them
// again when repeated.
var settingsClicks = []struct {
	name string
	id   func(i int) string
}{
	// Edit favourites: the active profile, added and removed in turn.
	{"favourite", func(int) string { return slotID(favEditPrefix, 0) }},
	// A profile chosen: saved, and the most recent.
	{"recent", func(i int) string { return profilePrefix + []string{"prod", "dev"}[i%2] }},
	{"server_toggle", func(int) string { return idIMDSToggle }},
}

// pinned is an IMDS server for dev on a free port.
func pinned(i int) daemon.ServerSpec {
	return daemon.ServerSpec{Name: fmt.Sprintf("pinned-%d", i), Kind: daemon.KindIMDS, Profile: "dev"}
}

// serverNames are the names of the pinned servers of list.
func serverNames(list []settings.Pinned) []string {
	var names []string
	for _, p := range list {
		names = append(names, p.Name)
	}
	return names
}

// TestServerAddedThroughDaemonSurvivesClicks: a server added through
// the daemon (as awsxc-cli serve has it added over the local API) is kept
// by a tray click that saves the settings, one made right after it,
// before the tray's next tick, and one made at the same time: in the
// daemon, in settings.json and in the tray's settings.
func TestServerAddedThroughDaemonSurvivesClicks(t *testing.T) {
	for _, c := range settingsClicks {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, harnessOptions{config: twoProfiles, creds: twoProfilesCreds, settings: `{"profile": "dev"}`})
			h.waitFor(t, "dev", func(a *app) bool { return valid("dev")(a) && !a.switching })
			d := h.a.d
			var want []string
			for i := range 8 {
				spec := pinned(i)
				want = append(want, spec.Name)
				if i == 0 { // one after the other
					if _, err := d.AddServer(spec); err != nil {
						t.Fatal(err)
					}
					h.do(t, func(a *app) { a.onClick(c.id(i)) })
					continue
				}
				added := make(chan error, 1)
				go func() { _, err := d.AddServer(spec); added <- err }()
				h.do(t, func(a *app) { a.onClick(c.id(i)) })
				if err := <-added; err != nil {
					t.Fatal(err)
				}
			}
			h.waitFor(t, "the switches", func(a *app) bool { return !a.switching })
			var running []string
			for _, info := range d.ServerList() {
				if !info.Builtin && info.Running {
					running = append(running, info.Name)
				}
			}
			if !slices.Equal(running, want) {
				t.Errorf("servers running %q; want %q", running, want)
			}
			if got := serverNames(readSettingsFile(t, h.settings).Servers); !slices.Equal(got, want) {
				t.Errorf("servers in settings.json %q; want %q", got, want)
			}
			// The tray takes them on the daemon's change, which may come
			// after this test's last look at the loop.
			h.waitFor(t, "the servers in the tray's settings", func(a *app) bool {
				return slices.Equal(serverNames(a.settings.Servers), want)
			})
		})
	}
}

// While settings.json has an error nothing is saved, and a server
// removed through the daemon stays removed until awsxc quits (it is
// saved once the file is fixed): a tray click, which saves nothing
// either, does not bring it back, and leaves the file as it is.
func TestServerRemovedWhileSettingsBrokenStaysRemoved(t *testing.T) {
	for _, c := range settingsClicks {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, harnessOptions{config: twoProfiles, creds: twoProfilesCreds, settings: `{"profile": "dev"}`})
			h.waitFor(t, "dev", func(a *app) bool { return valid("dev")(a) && !a.switching })
			d := h.a.d
			if _, err := d.AddServer(pinned(0)); err != nil {
				t.Fatal(err)
			}
			h.do(t, func(a *app) { a.reloadSettings() }) // the tray knows it
			bad := `{"profile": "dev", "clipboard_clear_seconds": -1}`
			if err := os.WriteFile(h.settings, []byte(bad), 0o600); err != nil {
				t.Fatal(err)
			}
			h.do(t, func(a *app) { a.reloadSettings() })
			if err := d.RemoveServer("pinned-0"); !errors.Is(err, daemon.ErrNotSaved) {
				t.Fatalf("RemoveServer with settings.json broken: %v; want it removed, not saved", err)
			}
			h.do(t, func(a *app) { a.onClick(c.id(0)) })
			h.waitFor(t, "the switch", func(a *app) bool { return !a.switching })
			if got := d.ServerList(); slices.ContainsFunc(got, func(i daemon.ServerInfo) bool { return i.Name == "pinned-0" }) {
				t.Errorf("servers %+v; want pinned-0 removed", got)
			}
			if b, _ := os.ReadFile(h.settings); string(b) != bad {
				t.Errorf("settings.json was rewritten:\n%s", b)
			}
		})
	}
}

// A click that chooses a profile saves it, and the switch it starts
// writes settings.json no more: a second write of what the click saved
// would put it back over an edit made in between (such a write landing
// after a test's edit made TestRecentAndFavouritesFromMenu fail under
// load).
func TestProfileClickSavesOnce(t *testing.T) {
	h := newHarness(t, harnessOptions{config: twoProfiles, creds: twoProfilesCreds, settings: `{"profile": "dev"}`})
	h.waitFor(t, "dev", func(a *app) bool { return valid("dev")(a) && !a.switching })
	// The switch waits for this: the edit comes after the click's save
	// and before anything the switch does.
	h.a.switchMu.Lock()
	h.do(t, func(a *app) { a.onClick(profilePrefix + "prod") })
	editSettingsFile(t, h.settings, func(m map[string]any) { m["favourites"] = []string{"dev"} })
	edited, err := os.ReadFile(h.settings)
	if err != nil {
		t.Fatal(err)
	}
	h.a.switchMu.Unlock()
	h.waitFor(t, "prod", func(a *app) bool { return valid("prod")(a) && !a.switching })
	if b, _ := os.ReadFile(h.settings); string(b) != string(edited) {
		t.Errorf("settings.json written again after the click:\n%s\nwant the edit as it was:\n%s", b, edited)
	}
	h.do(t, func(a *app) { a.reloadSettings() })
	if got := h.label(t, "fav:0"); got != "★ dev" {
		t.Errorf("first favourite %q; want the edit taken in", got)
	}
	if s := readSettingsFile(t, h.settings); s.Profile != "prod" || !slices.Equal(s.Recent, []string{"prod"}) {
		t.Errorf("saved: profile %q, recent %q; want prod, [prod]", s.Profile, s.Recent)
	}
}
