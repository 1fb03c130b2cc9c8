//go:build !darwin || cgo

package tray

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/engine/server"
	"github.com/awsxc/awsxc/internal/fakeaws"
	"github.com/awsxc/awsxc/internal/porttest"
	"github.com/awsxc/awsxc/platform"
	"github.com/google/go-cmp/cmp"
)

// In-process tests of the event loop: a real app with real engine
// Sources against a fake STS, without a tray (ui is nil). Notifications
// are recorded instead of shown. They use t.Setenv, so none is parallel.

const twoProfiles = "[profile dev]\nregion = eu-west-1\n[profile prod]\nregion = us-east-2\n"
const twoProfilesCreds = "[dev]\naws_access_key_id = AKIADEVEXAMPLE000001\naws_secret_access_key = s\n" +
	"[prod]\naws_access_key_id = AKIAPRODEXAMPLE00001\naws_secret_access_key = s\n"

// patience bounds every wait for a condition: generous, since a CI
// machine running every package's tests at once under the race detector
// can take seconds to pass an event on. A test that passes never waits
// this long.
const patience = 30 * time.Second

type harness struct {
	a        *app
	sts      *fakeaws.Server
	settings string // path of settings.json

	clip    *fakeClipboard
	actions *fakeActions // notifications with actions (signin_app_test.go)

	mu     sync.Mutex // protects notes and bodies
	notes  []string   // summaries of the notifications shown
	bodies []string   // their bodies
}

type harnessOptions struct {
	config, creds string
	settings      string        // initial settings.json; "" for none
	settingsMode  os.FileMode   // its mode; 0 is 0600
	tick          time.Duration // 0 is an hour: no tick during the test
	clock         *testClock    // the engine's and the menu's clock; nil is the system's
	// env is set after the fake STS's (AWS_ENDPOINT_URL_SSO_OIDC of
	// fakeaws.StartAll, say).
	env map[string]string
}

func newHarness(t *testing.T, o harnessOptions) *harness {
	t.Helper()
	h := &harness{sts: fakeaws.Isolate(t, o.config, o.creds)}
	for k, v := range o.env {
		t.Setenv(k, v)
	}
	home := os.Getenv("HOME")
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	t.Setenv("XDG_RUNTIME_DIR", filepath.Join(home, "run"))
	h.settings = filepath.Join(home, "settings.json")
	if o.settings != "" {
		if err := os.WriteFile(h.settings, []byte(o.settings), 0o600); err != nil {
			t.Fatal(err)
		}
		if o.settingsMode != 0 {
			if err := os.Chmod(h.settings, o.settingsMode); err != nil {
				t.Fatal(err)
			}
		}
	}
	if o.tick == 0 {
		o.tick = time.Hour
	}
	ctx, cancel := context.WithCancel(context.Background())
	var env engine.Env
	if o.clock != nil {
		wd, _ := os.Getwd()
		env = engine.NewEnv(os.Getenv, wd)
		env.Clock = o.clock
		h.sts.SetNow(o.clock.Now)
	}
	h.a = newApp(ctx, cancel, Options{Version: "test", Logger: slog.New(slog.DiscardHandler), Stderr: io.Discard,
		SettingsPath: h.settings, Tick: o.tick, Env: env})
	if o.clock != nil {
		h.a.now = o.clock.Now
	}
	h.clip = &fakeClipboard{}
	h.a.clipboard.copy, h.a.clipboard.paste = h.clip.copy, h.clip.paste
	h.a.notifier = func(summary, body string) error {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.notes = append(h.notes, summary)
		h.bodies = append(h.bodies, body)
		return nil
	}
	// No screen watcher (tests call onScreen), and reminders recorded.
	h.a.watchScreen = nil
	h.actions = &fakeActions{}
	h.a.si.notifier = h.actions
	h.a.start()
	go h.a.loop(nil)
	t.Cleanup(func() {
		cancel()
		<-h.a.done
	})
	return h
}

// do runs f on the event loop and waits for it (and the render after it).
func (h *harness) do(t *testing.T, f func(a *app)) {
	t.Helper()
	done := make(chan struct{})
	h.a.post(func() { f(h.a); close(done) })
	select {
	case <-done:
	case <-time.After(patience):
		t.Fatal("the event loop did not run the function")
	}
}

// waitFor polls cond on the event loop until it holds.
func (h *harness) waitFor(t *testing.T, what string, cond func(a *app) bool) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for {
		var ok bool
		h.do(t, func(a *app) { ok = cond(a) })
		if ok {
			return
		}
		if time.Now().After(deadline) {
			var st State
			h.do(t, func(a *app) { st = a.state })
			t.Fatalf("timed out waiting for %s; state %+v", what, st)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// valid reports whether the active profile is p with credentials to
// hand out: valid ones from the Source, or the profile's own keys.
func valid(p string) func(a *app) bool {
	return func(a *app) bool {
		return a.state.Active == p && a.src != nil && (a.state.Status.Valid || OwnKeys(a.state))
	}
}

func closed(src *engine.Source) bool {
	_, err := src.Credentials(context.Background())
	return errors.Is(err, engine.ErrSourceClosed)
}

func sourceLoops() int {
	buf := make([]byte, 1<<20)
	n := runtime.Stack(buf, true)
	return strings.Count(string(buf[:n]), "engine.(*Source).loop(")
}

// Two switches in a row end on the second profile, in the menu and in
// the daemon the tray hosts: the tray shows the daemon's Source, which
// its servers serve, and switching back to dev finds dev's Source in the
// daemon's registry (one per profile, however often it is chosen).
func TestQuickSwitchEndsOnTheLast(t *testing.T) {
	h := newHarness(t, harnessOptions{config: twoProfiles, creds: twoProfilesCreds})
	h.waitFor(t, "dev", valid("dev"))
	var first *engine.Source
	h.do(t, func(a *app) {
		first = a.src
		a.switchProfile("prod", false)
		a.switchProfile("dev", false)
	})
	h.waitFor(t, "dev again", func(a *app) bool { return valid("dev")(a) && !a.switching })
	time.Sleep(50 * time.Millisecond) // a late switch to prod would show by now
	h.do(t, func(a *app) {
		profile, src, err := a.d.Active()
		if profile != "dev" || err != nil || src != a.src || a.served != a.src {
			t.Errorf("daemon serves %q (%p, %v); the menu shows %p, the servers %p", profile, src, err, a.src, a.served)
		}
		if a.src != first {
			t.Errorf("dev's Source %p, want the registry's first one %p", a.src, first)
		}
	})
	if n := sourceLoops(); n > 2 {
		t.Errorf("%d source loops running; want at most dev's and prod's", n)
	}
}

// editSettingsFile changes settings.json the way a user would, keeping
// its modification time, which a coarse clock may well leave unchanged.
func editSettingsFile(t *testing.T, path string, f func(map[string]any)) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]any{}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	f(m)
	data, _ = json.Marshal(m)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
}

func readSettingsFile(t *testing.T, path string) Settings {
	t.Helper()
	var s Settings
	data, err := os.ReadFile(path)
	if err == nil {
		err = json.Unmarshal(data, &s)
	}
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// A hand edit to settings.json survives a click that saves the settings
// before the next tick, even when the edit leaves the modification time
// as it was; the click acts on the edited settings.
func TestClickKeepsHandEditedSettings(t *testing.T) {
	tests := []struct {
		name  string
		click string
		check func(t *testing.T, s Settings)
	}{
		{"keep_refreshed", idKeep, func(t *testing.T, s Settings) {
			if !s.KeepRefreshed {
				t.Errorf("keep_refreshed = false; the click was lost")
			}
		}},
		{"profile", profilePrefix + "prod", func(t *testing.T, s Settings) {
			if s.Profile != "prod" {
				t.Errorf("profile = %q; want prod", s.Profile)
			}
		}},
		{"imds_toggle", idIMDSToggle, func(t *testing.T, s Settings) {
			if !s.IMDS.Enabled {
				t.Errorf("imds.enabled = false; the click was lost")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, harnessOptions{config: twoProfiles, creds: twoProfilesCreds})
			h.waitFor(t, "dev", valid("dev"))
			editSettingsFile(t, h.settings, func(m map[string]any) {
				m["export_name"] = "edited"
				m["clipboard_clear_seconds"] = 5
			})
			h.do(t, func(a *app) { a.onClick(tt.click) })
			if tt.click == idKeep { // let the write it starts end before the files go
				h.waitFor(t, "the credentials file", func(a *app) bool { return !a.state.Written.IsZero() })
			}
			s := readSettingsFile(t, h.settings)
			if s.ExportName != "edited" || s.ClipboardClearSeconds != 5 {
				t.Errorf("settings.json after the click: export_name %q, clipboard_clear_seconds %d; want the edit kept",
					s.ExportName, s.ClipboardClearSeconds)
			}
			tt.check(t, s)
			h.do(t, func(a *app) {
				if a.state.ExportName != "edited" {
					t.Errorf("the menu writes profile %q; want edited", a.state.ExportName)
				}
			})
		})
	}
}

// menuItem finds the item with id in m, at any depth.
func menuItem(items []Item, id string) (Item, bool) {
	for _, it := range items {
		if it.ID == id {
			return it, true
		}
		if c, ok := menuItem(it.Children, id); ok {
			return c, true
		}
	}
	return Item{}, false
}

func (h *harness) item(t *testing.T, id string) Item {
	t.Helper()
	var it Item
	h.do(t, func(a *app) {
		var ok bool
		if it, ok = menuItem(BuildMenu(a.state, a.now()).Items, id); !ok {
			t.Fatalf("no menu item %s", id)
		}
	})
	return it
}

// A server that could not start because its port is in use is switched
// off by its menu item, and on again by the next click.
func TestToggleServerWhosePortIsInUse(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	addr := taken.Addr().String()
	h := newHarness(t, harnessOptions{config: twoProfiles, creds: twoProfilesCreds,
		settings: `{"profile": "dev", "ecs": {"enabled": true, "addr": "` + addr + `"}}`})
	h.waitFor(t, "the ECS server to fail", func(a *app) bool { return a.src != nil && a.state.ECS.Err != nil })
	if it := h.item(t, idECSToggle); !it.Checked {
		t.Errorf("%s unchecked while switched on in the settings", it.Label)
	}
	for i, want := range []bool{false, true} {
		h.do(t, func(a *app) { a.onClick(idECSToggle) })
		if got := readSettingsFile(t, h.settings).ECS.Enabled; got != want {
			t.Errorf("click %d: ecs.enabled = %v, want %v", i+1, got, want)
		}
		h.do(t, func(a *app) {
			if a.state.ECS.On != want || (a.state.ECS.Err != nil) != want || (a.ecs != nil) {
				t.Errorf("click %d: ECS state %+v, running %v; want on %v", i+1, a.state.ECS, a.ecs != nil, want)
			}
		})
		if want {
			continue
		}
		if it := h.item(t, idECS); it.Label != "ECS server: off" {
			t.Errorf("click %d: label %q, want ECS server: off", i+1, it.Label)
		}
	}
}

// A server switched on stops when the new profile cannot be loaded; the
// menu says it is paused and offers no Docker settings for it.
func TestServerPausedWithoutSource(t *testing.T) {
	h := newHarness(t, harnessOptions{config: twoProfiles, creds: twoProfilesCreds,
		settings: `{"profile": "dev", "imds": {"enabled": true, "addr": "127.0.0.1:0"}}`})
	h.waitFor(t, "the IMDS server", func(a *app) bool { return a.src != nil && a.imds != nil })
	if it := h.item(t, idIMDSDocker); it.Disabled {
		t.Errorf("Copy settings for Docker disabled while the server runs")
	}
	h.do(t, func(a *app) { a.switchProfile("ghost", false) })
	h.waitFor(t, "the profile to fail", func(a *app) bool { return a.state.LoadErr != nil })
	h.do(t, func(a *app) {
		if a.imds != nil || a.state.IMDS.Running {
			t.Errorf("IMDS server still running without a source")
		}
	})
	if it := h.item(t, idIMDS); it.Label != "IMDS server: paused (no credentials)" {
		t.Errorf("label %q; want IMDS server: paused (no credentials)", it.Label)
	}
	if it := h.item(t, idIMDSDocker); !it.Disabled {
		t.Errorf("Copy settings for Docker enabled while the server is paused")
	}
}

// The servers follow the settings: a port picked on first start is
// saved; an address or token edited in settings.json restarts that
// server (the old port freed) and nothing else; a profile switch only
// swaps what they serve.
func TestServersFollowSettings(t *testing.T) {
	// The ECS server restarts on its port: one picked from the ephemeral
	// range could be taken meanwhile.
	h := newHarness(t, harnessOptions{config: twoProfiles, creds: twoProfilesCreds,
		settings: `{"profile": "dev", "imds": {"enabled": true, "addr": "127.0.0.1:0"}, "ecs": {"enabled": true, "addr": "` + porttest.Addr(t) + `"}}`})
	h.waitFor(t, "both servers", func(a *app) bool { return a.src != nil && a.imds != nil && a.ecs != nil })
	var imds0 *server.IMDS
	var ecs0 *server.ECS
	h.do(t, func(a *app) { imds0, ecs0 = a.imds, a.ecs })
	saved := readSettingsFile(t, h.settings)
	if want := "127.0.0.1:" + strconv.Itoa(imds0.Port()); saved.IMDS.Addr != want {
		t.Errorf("imds.addr saved as %q, want %q", saved.IMDS.Addr, want)
	}
	if want := "127.0.0.1:" + strconv.Itoa(ecs0.Port()); saved.ECS.Addr != want {
		t.Errorf("ecs.addr saved as %q, want %q", saved.ECS.Addr, want)
	}
	if ecs0.Token() != saved.ECSToken {
		t.Errorf("ECS token is not the saved one")
	}

	// Edit the IMDS address and the ECS token by hand.
	fixed := porttest.Addr(t)
	edited := saved
	edited.IMDS.Addr, edited.ECSToken = fixed, "edited-token-0123456789"
	data, _ := json.Marshal(edited)
	if err := os.WriteFile(h.settings, data, 0o600); err != nil {
		t.Fatal(err)
	}
	h.do(t, func(a *app) {
		a.reloadSettings()
		if a.imds == nil || a.imds == imds0 || a.state.IMDS.Addr != fixed || !a.state.IMDS.Running {
			t.Errorf("IMDS after the address edit: %+v", a.state.IMDS)
		}
		if a.ecs == nil || a.ecs == ecs0 || a.ecs.Token() != "edited-token-0123456789" || a.ecs.Port() != ecs0.Port() {
			t.Errorf("ECS after the token edit: %+v", a.state.ECS)
		}
	})
	if ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(imds0.Port())); err != nil {
		t.Errorf("the old IMDS port is still taken: %v", err)
	} else {
		ln.Close()
	}
	if got := readSettingsFile(t, h.settings); got.IMDS.Addr != fixed || got.ECSToken != "edited-token-0123456789" {
		t.Errorf("settings after the edit: imds.addr %q, token kept %v", got.IMDS.Addr, got.ECSToken == "edited-token-0123456789")
	}

	// A switch keeps both servers and serves the new profile.
	var imds1 *server.IMDS
	h.do(t, func(a *app) { imds1 = a.imds; a.switchProfile("prod", false) })
	h.waitFor(t, "prod served", func(a *app) bool {
		return a.src != nil && a.state.Active == "prod" && a.imds != nil && a.imds.Source() == server.Source(a.src)
	})
	h.do(t, func(a *app) {
		if a.imds != imds1 {
			t.Errorf("the IMDS server was restarted by a profile switch")
		}
	})
}

// A profile that could not be loaded is loaded again by Refresh now, and
// on the tick once the AWS config files change.
func TestRetryBrokenProfile(t *testing.T) {
	tests := []struct {
		name  string
		tick  time.Duration
		retry func(a *app)
	}{
		{"refresh_now", 0, func(a *app) { a.onClick(idRefresh) }},
		{"files_changed", 20 * time.Millisecond, func(*app) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, harnessOptions{config: twoProfiles, creds: twoProfilesCreds,
				settings: `{"profile": "ghost"}`, tick: tt.tick})
			h.waitFor(t, "the profile to fail", func(a *app) bool { return a.state.LoadErr != nil })
			if it := h.item(t, idRefresh); it.Disabled {
				t.Errorf("Refresh now disabled for a profile that failed to load")
			}
			if err := os.WriteFile(os.Getenv("AWS_CONFIG_FILE"), []byte(twoProfiles+"[profile ghost]\nregion = eu-west-1\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(os.Getenv("AWS_SHARED_CREDENTIALS_FILE"),
				[]byte(twoProfilesCreds+"[ghost]\naws_access_key_id = AKIAGHOSTEXAMPLE0001\naws_secret_access_key = s\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			h.do(t, tt.retry)
			h.waitFor(t, "ghost to load", valid("ghost"))
		})
	}
}

const mfaConfig = "[profile mfa]\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\n"

// exchangeKeys are settings under which copies hand out temporary
// credentials for the tests' long-term keys, so they go through STS (and
// the MFA code of profile mfa).
const exchangeKeys = `{"ensure_temporary": true}`
const mfaCreds = "[mfa]\naws_access_key_id = AKIAMFAEXAMPLE000001\naws_secret_access_key = s\n"

// Closing the MFA dialog without a code leaves the "MFA code needed"
// notification shown once, however often it is opened and closed.
func TestCanceledMFADialogDoesNotNotifyAgain(t *testing.T) {
	h := newHarness(t, harnessOptions{config: mfaConfig, creds: mfaCreds, settings: exchangeKeys})
	prompts := make(chan struct{}, 10)
	h.do(t, func(a *app) {
		a.prompt = func(context.Context, string, string) (string, error) {
			prompts <- struct{}{}
			return "", platform.ErrCanceled
		}
	})
	h.waitFor(t, "MFA code needed", func(a *app) bool { return needsMFA(a.state) && !a.state.Status.Refreshing })
	for i := range 3 {
		h.do(t, func(a *app) { a.onClick(idEnterMFA) })
		select {
		case <-prompts:
		case <-time.After(patience):
			t.Fatalf("click %d: no dialog", i+1)
		}
		// Closed, and the daemon's refresh that asked ended: a click
		// while it finishes shares it, and shows no dialog of its own.
		h.waitFor(t, "the dialog to close", func(a *app) bool {
			return !a.state.MFAAsking && !a.state.Status.Refreshing && needsMFA(a.state) && !a.d.Prompting("mfa")
		})
	}
	n := settle(func() int {
		n := 0
		for _, s := range h.notesShown() {
			if strings.HasPrefix(s, "mfa: ") {
				n++
			}
		}
		return n
	}, 1)
	if n != 1 {
		t.Errorf("notifications %q; want one for profile mfa", h.notesShown())
	}
}

// TestCanceledMFAIsNoFailure is issue 10 item 31: closing the MFA dialog
// of a refresh, with credentials still valid, is no failed refresh: the
// menu says the code is needed and offers Enter MFA code…, and no
// notification is shown.
func TestCanceledMFAIsNoFailure(t *testing.T) {
	h := newHarness(t, harnessOptions{config: mfaConfig, creds: mfaCreds, settings: exchangeKeys})
	codes := make(chan string, 2)
	codes <- "123456"
	h.do(t, func(a *app) {
		a.prompt = func(context.Context, string, string) (string, error) {
			select {
			case c := <-codes:
				return c, nil
			default:
				return "", platform.ErrCanceled
			}
		}
	})
	h.waitFor(t, "MFA code needed", func(a *app) bool { return needsMFA(a.state) && !a.state.Status.Refreshing })
	h.do(t, func(a *app) { a.onClick(idEnterMFA) })
	h.waitFor(t, "credentials", valid("mfa"))
	before := settle(func() int { return len(h.notesShown()) }, 1)
	h.do(t, func(a *app) { a.onClick(idRefresh) })
	h.waitFor(t, "the dialog to be closed", func(a *app) bool {
		return a.state.Status.Err != nil && !a.state.Status.Refreshing && !a.state.MFAAsking
	})
	if it := h.item(t, idHeader); !strings.HasSuffix(it.Label, " · MFA code needed") {
		t.Errorf("header %q; want it to say the MFA code is needed", it.Label)
	}
	if it := h.item(t, idEnterMFA); it.Hidden || it.Disabled {
		t.Errorf("Enter MFA code… hidden %v, disabled %v; want it offered", it.Hidden, it.Disabled)
	}
	if n := settleWithin(func() int { return len(h.notesShown()) }, before+1, 2*time.Second); n != before {
		t.Errorf("notifications %q; want none for the closed dialog", h.notesShown()[before:])
	}
}

// With no program to show the dialog, the hint says so instead of
// pointing back at Enter MFA code….
func TestMFAHintWithoutDialog(t *testing.T) {
	h := newHarness(t, harnessOptions{config: mfaConfig, creds: mfaCreds, settings: exchangeKeys})
	h.do(t, func(a *app) {
		a.prompt = func(context.Context, string, string) (string, error) {
			return "", fmt.Errorf("prompt: %w: install zenity or kdialog", platform.ErrUnsupported)
		}
	})
	h.waitFor(t, "MFA code needed", func(a *app) bool { return needsMFA(a.state) && !a.state.Status.Refreshing })
	h.do(t, func(a *app) { a.onClick(idEnterMFA) })
	h.waitFor(t, "the dialog to fail", func(a *app) bool { return a.state.MFAErr != nil && !a.state.MFAAsking })
	if it := h.item(t, idHint); !strings.Contains(it.Label, "install zenity or kdialog") {
		t.Errorf("hint %q; want the dialog's error", it.Label)
	}
	h.do(t, func(a *app) { a.onClick(idEnterMFA) }) // again: no third notification
	h.waitFor(t, "the dialog to fail again", func(a *app) bool { return !a.state.MFAAsking && !a.state.Status.Refreshing })
	// One at start-up, one saying the dialog cannot be shown.
	if n := settle(func() int { return len(h.notesShown()) }, 2); n != 2 {
		t.Errorf("notifications %q; want 2", h.notesShown())
	}
}

func (h *harness) notesShown() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.notes...)
}

// exportedKey is the access key id of profile awsxc in the credentials file.
func exportedKey(t *testing.T) string {
	t.Helper()
	data, _ := os.ReadFile(os.Getenv("AWS_SHARED_CREDENTIALS_FILE"))
	_, section, ok := strings.Cut(string(data), "[awsxc]")
	if !ok {
		return ""
	}
	for l := range strings.Lines(section) {
		if k, v, ok := strings.Cut(l, "="); ok && strings.TrimSpace(k) == "aws_access_key_id" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// With Keep it refreshed on, the file ends up holding the credentials in
// hand however refreshes and writes interleave: a write that finishes
// after a refresh records what it wrote, not what the Source holds by then,
// and a write that finishes after a later one is followed by another.
func TestKeepRefreshedFollowsRefreshes(t *testing.T) {
	h := newHarness(t, harnessOptions{config: twoProfiles, creds: twoProfilesCreds,
		settings: `{"profile": "dev", "keep_refreshed": true, "ensure_temporary": true}`})
	h.waitFor(t, "the first write", func(a *app) bool { return !a.state.Written.IsZero() })
	for range 5 {
		h.do(t, func(a *app) {
			a.onClick(idWrite)
			a.onClick(idRefresh)
			a.onClick(idWrite)
		})
	}
	var want string
	deadline := time.Now().Add(patience)
	for {
		var src *engine.Source
		h.do(t, func(a *app) { src = a.src })
		if st := src.Status(); !st.Refreshing {
			c, err := src.Credentials(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			// Done once a refresh has happened and the file holds the
			// current key (the clicks only start the refreshes).
			if want = c.AccessKeyID; exportedKey(t) == want && h.sts.Count("GetSessionToken") >= 2 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("profile awsxc holds %q; want the current key %q (%d GetSessionToken calls)", exportedKey(t), want, h.sts.Count("GetSessionToken"))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A save that keeps failing is notified once, not on every click, and
// again once it has worked in between.
func TestFailingSaveNotifiedOnce(t *testing.T) {
	h := newHarness(t, harnessOptions{config: twoProfiles, creds: twoProfilesCreds})
	h.waitFor(t, "dev", func(a *app) bool { return valid("dev")(a) && !a.switching })
	// A folder where settings.json should be: no file can be written
	// there, even by root.
	unwritable := func() {
		t.Helper()
		if err := os.Remove(h.settings); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(h.settings, "in-the-way"), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	count := func() int {
		n := 0
		for _, s := range h.notesShown() {
			if s == "Cannot save settings" {
				n++
			}
		}
		return n
	}
	unwritable()
	for range 3 {
		h.do(t, func(a *app) { a.onClick(idIMDSToggle) })
	}
	if n := settle(count, 1); n != 1 {
		t.Errorf("%d notifications for 3 failed saves; want 1", n)
	}
	if err := os.RemoveAll(h.settings); err != nil {
		t.Fatal(err)
	}
	h.do(t, func(a *app) { a.onClick(idIMDSToggle) })
	if s := readSettingsFile(t, h.settings); s.IMDS.Enabled {
		t.Errorf("saved once the folder is gone: imds.enabled %v after 4 clicks", s.IMDS.Enabled)
	}
	unwritable()
	h.do(t, func(a *app) { a.onClick(idIMDSToggle) })
	if n := settle(count, 2); n != 2 {
		t.Errorf("%d notifications; want a second one after a save worked", n)
	}
}

// settle waits for count to reach want (notifications are shown from
// goroutines), then a little more for any extra, and returns it.
func settle(count func() int, want int) int {
	return settleWithin(count, want, patience)
}

// settleWithin is settle waiting at most d for want, for a test that
// wants fewer: how long it gives a notification that should not come.
func settleWithin(count func() int, want int, d time.Duration) int {
	deadline := time.Now().Add(d)
	for count() < want && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	return count()
}

// Choosing the active profile again renews its credentials with the same
// Source, and never opens an MFA dialog.
func TestChooseActiveProfileAgain(t *testing.T) {
	tests := []struct {
		name, config, creds, profile string
		wantCalls                    int // GetSessionToken calls the click makes
	}{
		{"static_keys", twoProfiles, twoProfilesCreds, "dev", 1},
		{"mfa", mfaConfig, mfaCreds, "mfa", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, harnessOptions{config: tt.config, creds: tt.creds, settings: exchangeKeys})
			prompts := make(chan struct{}, 10)
			h.do(t, func(a *app) {
				a.prompt = func(context.Context, string, string) (string, error) {
					prompts <- struct{}{}
					return "123456", nil
				}
			})
			h.waitFor(t, "the first fetch", func(a *app) bool {
				return a.src != nil && !a.state.Status.Refreshing && (a.state.Status.Valid || a.state.Status.Err != nil)
			})
			var src *engine.Source
			var gen int
			before := h.sts.Count("GetSessionToken")
			h.do(t, func(a *app) { src, gen = a.src, a.gen; a.onClick(profilePrefix + tt.profile) })
			h.waitFor(t, "the refresh", func(a *app) bool {
				return h.sts.Count("GetSessionToken") >= before+tt.wantCalls && !a.state.Status.Refreshing
			})
			time.Sleep(50 * time.Millisecond)
			h.do(t, func(a *app) {
				if a.src != src || a.gen != gen {
					t.Errorf("the Source was replaced")
				}
			})
			if n := h.sts.Count("GetSessionToken") - before; n != tt.wantCalls {
				t.Errorf("%d GetSessionToken calls; want %d", n, tt.wantCalls)
			}
			if len(prompts) != 0 {
				t.Errorf("an MFA dialog was opened")
			}
		})
	}
}

// TestExportProfileNotActive is issue 10 item 32: a saved profile that is
// the export profile is not made active, with a note, neither at start-up
// nor from an edit to the settings, and its menu item does nothing.
func TestExportProfileNotActive(t *testing.T) {
	config := "[profile awsxc]\nregion = eu-west-1\n" + twoProfiles
	creds := twoProfilesCreds + "[awsxc]\naws_access_key_id = AKIAOUTPUTEXAMPLE001\naws_secret_access_key = s\n"
	h := newHarness(t, harnessOptions{config: config, creds: creds, settings: `{"profile": "awsxc"}`})
	h.waitFor(t, "dev", valid("dev"))
	if n := settle(func() int { return len(h.notesShown()) }, 1); n != 1 || h.notesShown()[0] != "Profile awsxc not used" {
		t.Errorf("notifications %q; want one saying profile awsxc is not used", h.notesShown())
	}
	h.do(t, func(a *app) { a.onClick(profilePrefix + "awsxc") })
	editSettingsFile(t, h.settings, func(m map[string]any) { m["profile"] = "awsxc" })
	h.do(t, func(a *app) { a.reloadSettings() })
	h.do(t, func(a *app) {
		if a.state.Active != "dev" || a.gen != 1 {
			t.Errorf("active profile %q after %d switches; want dev, never switched", a.state.Active, a.gen-1)
		}
	})
}

// TestCorruptSettingsWhileRunning is issue 10 item 29: a settings.json
// broken while awsxc runs is left as it is, byte for byte, even by a
// click that changes a setting; the settings in use stay; the error says
// where it is, in one notification per distinct error and in the menu;
// once the file is fixed it is read again.
func TestCorruptSettingsWhileRunning(t *testing.T) {
	h := newHarness(t, harnessOptions{config: twoProfiles, creds: twoProfilesCreds,
		settings: `{"profile": "prod", "export_name": "mine"}`})
	h.waitFor(t, "prod", valid("prod"))
	count := func(summary string) func() int {
		return func() int {
			n := 0
			for _, s := range h.notesShown() {
				if s == summary {
					n++
				}
			}
			return n
		}
	}
	broken := "{\n  \"profile\": \"dev\"\n  \"export_name\": \"edited\"\n}\n"
	if err := os.WriteFile(h.settings, []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	for range 3 { // a tick, and clicks that would save
		h.do(t, func(a *app) { a.reloadSettings() })
		h.do(t, func(a *app) { a.onClick(idKeep) })
	}
	if b, _ := os.ReadFile(h.settings); string(b) != broken {
		t.Errorf("settings.json was rewritten:\n%s", b)
	}
	if _, err := os.Stat(h.settings + ".bak"); !os.IsNotExist(err) {
		t.Errorf("settings.json was moved aside: %v", err)
	}
	h.do(t, func(a *app) {
		if a.settings.ExportName != "mine" || a.state.Active != "prod" {
			t.Errorf("settings in use: export_name %q, profile %q; want the last good ones", a.settings.ExportName, a.state.Active)
		}
		m := BuildMenu(a.state, a.now())
		if want := h.settings + ":3:3: settings file is corrupt"; !strings.Contains(m.Tooltip, want) {
			t.Errorf("tooltip %q; want %q in it", m.Tooltip, want)
		}
	})
	if it := h.item(t, idOpenSettings); it.Label != "Open settings (error at line 3, column 3)" {
		t.Errorf("settings item %q; want it to say where the error is", it.Label)
	}
	if n := settle(count("Settings not reloaded"), 1); n != 1 {
		t.Errorf("%d notifications of the error; want 1 (%q)", n, h.notesShown())
	}
	// Another error is notified again.
	os.WriteFile(h.settings, []byte(`{"clipboard_clear_seconds": -1}`), 0o600)
	h.do(t, func(a *app) { a.reloadSettings() })
	if n := settle(count("Settings not reloaded"), 2); n != 2 {
		t.Errorf("%d notifications after a second error; want 2 (%q)", n, h.notesShown())
	}
	// Fixed: read again, and saving works again.
	os.WriteFile(h.settings, []byte(`{"profile": "prod", "export_name": "fixed"}`), 0o600)
	h.do(t, func(a *app) { a.reloadSettings() })
	h.do(t, func(a *app) {
		if a.state.SettingsErr != nil || a.settings.ExportName != "fixed" {
			t.Errorf("after the fix: error %v, export_name %q; want none, fixed", a.state.SettingsErr, a.settings.ExportName)
		}
	})
	h.do(t, func(a *app) { a.onClick(idIMDSToggle) })
	if s := readSettingsFile(t, h.settings); !s.IMDS.Enabled || s.ExportName != "fixed" {
		t.Errorf("settings.json after a click: %+v; want it saved with the fix", s)
	}
}

// clipboard_clear_seconds above a day is an error with its place, and
// the default is used: a huge number would overflow into "never clear"
// (review 1, L6).
func TestClipboardClearCapped(t *testing.T) {
	for _, v := range []string{"86401", "9300000000", "9223372036854775807"} {
		t.Run(v, func(t *testing.T) {
			bad := `{"profile": "prod", "clipboard_clear_seconds": ` + v + `}`
			h := newHarness(t, harnessOptions{config: twoProfiles, creds: twoProfilesCreds, settings: bad})
			h.do(t, func(a *app) {
				if got := a.clearAfter(); got != DefaultClipboardClear {
					t.Errorf("clipboard cleared after %v; want the default %v", got, DefaultClipboardClear)
				}
				if a.state.SettingsErr == nil || !strings.Contains(a.state.SettingsErr.Error(), "at most 86400") ||
					!strings.Contains(a.state.SettingsErr.Error(), "settings.json:1:") {
					t.Errorf("settings error %v; want the cap, with its place", a.state.SettingsErr)
				}
			})
		})
	}
	h := newHarness(t, harnessOptions{config: twoProfiles, creds: twoProfilesCreds, settings: `{"clipboard_clear_seconds": 86400}`})
	h.do(t, func(a *app) {
		if got := a.clearAfter(); got != 24*time.Hour || a.state.SettingsErr != nil {
			t.Errorf("a day: cleared after %v, error %v; want 24h, none", got, a.state.SettingsErr)
		}
	})
}

// A settings.json with a bad value at start-up is left as it is; its
// other values are used and the bad one has its default.
func TestBadSettingsValueAtStart(t *testing.T) {
	bad := `{"profile": "prod", "clipboard_clear_seconds": -30}`
	h := newHarness(t, harnessOptions{config: twoProfiles, creds: twoProfilesCreds, settings: bad})
	h.waitFor(t, "prod", valid("prod"))
	h.do(t, func(a *app) {
		if got := a.clearAfter(); got != DefaultClipboardClear {
			t.Errorf("clipboard cleared after %v; want the default %v", got, DefaultClipboardClear)
		}
		if a.state.SettingsErr == nil {
			t.Errorf("no settings error shown")
		}
		a.onClick(idKeep)
	})
	if b, _ := os.ReadFile(h.settings); string(b) != bad {
		t.Errorf("settings.json was rewritten:\n%s", b)
	}
	if n := settle(func() int { return len(h.notesShown()) }, 1); n < 1 || h.notesShown()[0] != "Error in the settings" {
		t.Errorf("notifications %q; want the error first", h.notesShown())
	}
}

// The clipboard is cleared after 60 s unless the settings say otherwise.
func TestClipboardClearsByDefault(t *testing.T) {
	h := newHarness(t, harnessOptions{config: twoProfiles, creds: twoProfilesCreds})
	h.do(t, func(a *app) {
		if got := a.clearAfter(); got != 60*time.Second {
			t.Errorf("clipboard cleared after %v; want 60s", got)
		}
	})
	if s := readSettingsFile(t, h.settings); s.ClipboardClearSeconds != 60 {
		t.Errorf("clipboard_clear_seconds saved as %d; want 60", s.ClipboardClearSeconds)
	}
}

// A settings.json made by hand (or kept in a dotfiles repository) is
// often 0644; it holds the ECS server's token, which would let every
// local user fetch the active profile's credentials, so the tray's first
// save narrows it to 0600 (review 1, M2).
func TestSettingsTokenFileNarrowed(t *testing.T) {
	h := newHarness(t, harnessOptions{config: twoProfiles, creds: twoProfilesCreds,
		settings: `{"profile": "dev", "ecs_token": "a-token-every-user-could-read"}`, settingsMode: 0o644})
	h.waitFor(t, "dev", valid("dev"))
	fi, err := os.Stat(h.settings)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("settings.json holding the token is %04o; want 0600", fi.Mode().Perm())
	}
	if s := readSettingsFile(t, h.settings); s.ECSToken != "a-token-every-user-could-read" {
		t.Errorf("the token changed to %q", s.ECSToken)
	}
}

// A settings.json that links into a dotfiles folder stays a link when the
// tray saves a change; the change goes to the link's target.
func TestSettingsSymlinkKeptByTray(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "dotfiles", "awsxc.json")
	os.MkdirAll(filepath.Dir(target), 0o700)
	os.WriteFile(target, []byte(`{"profile": "dev"}`), 0o600)
	h := newHarness(t, harnessOptions{config: twoProfiles, creds: twoProfilesCreds})
	// The switch to dev at start-up saves it (the daemon's active
	// profile) in the background: done before the file is replaced.
	h.waitFor(t, "dev", func(a *app) bool { return valid("dev")(a) && !a.switching })
	h.do(t, func(a *app) {
		os.Remove(a.opts.SettingsPath)
		if err := os.Symlink(target, a.opts.SettingsPath); err != nil {
			t.Skip("no symlinks:", err)
		}
		a.onClick(idIMDSToggle)
	})
	if fi, err := os.Lstat(h.settings); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("settings.json is no longer a link: %v", err)
	}
	if s := readSettingsFile(t, target); !s.IMDS.Enabled || s.Profile != "dev" {
		t.Errorf("the link's target holds %+v; want the click saved into it", s)
	}
}

// Quit within clipboard_clear_seconds of a copy: the tray clears the
// clipboard before it exits, since xclip and the Windows and macOS
// clipboards keep what they hold (review 1, M6).
func TestClipboardClearedOnQuitByTray(t *testing.T) {
	h := newHarness(t, harnessOptions{config: twoProfiles, creds: twoProfilesCreds,
		settings: `{"profile": "dev", "clipboard_clear_seconds": 3600}`})
	h.waitFor(t, "dev", valid("dev"))
	h.do(t, func(a *app) { a.onClick(copyPrefix + string(engine.FormatEnv)) })
	deadline := time.Now().Add(patience)
	for !strings.Contains(h.clip.get(), "AWS_SECRET_ACCESS_KEY") {
		if time.Now().After(deadline) {
			t.Fatalf("nothing copied: %q", h.clip.get())
		}
		time.Sleep(time.Millisecond)
	}
	h.a.quit()
	<-h.a.done
	if got := h.clip.get(); got != "" {
		t.Errorf("after Quit the clipboard holds %q; want it cleared", got)
	}
}

// TestClickFeedback is issue 10 item 34 (part): a copy and a write made
// from the menu say so.
func TestClickFeedback(t *testing.T) {
	h := newHarness(t, harnessOptions{config: twoProfiles, creds: twoProfilesCreds,
		settings: `{"profile": "dev", "clipboard_clear_seconds": 120}`})
	h.waitFor(t, "dev", valid("dev"))
	h.do(t, func(a *app) { a.onClick(copyPrefix + string(engine.FormatEnv)) })
	h.do(t, func(a *app) { a.onClick(idWrite) })
	want := map[string]string{
		"Copied export lines (bash, zsh)": "The clipboard is cleared in 2 min, if it still holds them.",
		"Wrote profile awsxc":             "In " + os.Getenv("AWS_SHARED_CREDENTIALS_FILE") + ": use it with AWS_PROFILE=awsxc or --profile awsxc.",
	}
	settle(func() int { return len(h.notesShown()) }, 2)
	h.mu.Lock()
	got := map[string]string{}
	for i, s := range h.notes {
		got[s] = h.bodies[i]
	}
	h.mu.Unlock()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("notifications mismatch (-want +got):\n%s", diff)
	}
	if !strings.Contains(h.clip.get(), "export AWS_ACCESS_KEY_ID=") {
		t.Errorf("clipboard %q; want export lines", h.clip.get())
	}
}

// TestIssue10RemoteServer: a server address beyond loopback does not
// start without allow_remote, and the menu and a notification say why.
// With it the server listens there (a request to this machine's
// network address is answered), the menu says it is open to the network
// with the addresses in the tooltip, and one notification warns, not
// one per settings change. Taking allow_remote back stops it.
func TestIssue10RemoteServer(t *testing.T) {
	h := newHarness(t, harnessOptions{config: twoProfiles, creds: twoProfilesCreds,
		settings: `{"profile": "dev", "imds": {"enabled": true, "addr": "0.0.0.0:0"}}`})
	h.waitFor(t, "the IMDS server to be refused", func(a *app) bool { return a.src != nil && a.state.IMDS.Err != nil })
	h.do(t, func(a *app) {
		var re *server.RemoteBindError
		if a.imds != nil || a.state.IMDS.Running || !errors.As(a.state.IMDS.Err, &re) {
			t.Errorf("without allow_remote: %+v", a.state.IMDS)
		}
	})
	if it := h.item(t, idIMDS); it.Label != "IMDS server: 0.0.0.0:0 is not loopback (see allow_remote)" || !strings.Contains(it.Tooltip, "not a loopback address") {
		t.Errorf("refused: label %q, tooltip %q", it.Label, it.Tooltip)
	}
	settle(func() int { return len(h.notesShown()) }, 1)
	if notes := h.notesShown(); !slices.Contains(notes, "IMDS server: 0.0.0.0:0 is not a loopback address") {
		t.Errorf("notifications %q", notes)
	}

	editSettingsFile(t, h.settings, func(m map[string]any) {
		m["imds"] = map[string]any{"enabled": true, "addr": "0.0.0.0:0", "allow_remote": true}
	})
	var port int
	h.do(t, func(a *app) {
		a.reloadSettings()
		if a.imds == nil || !a.state.IMDS.Running || !strings.HasPrefix(a.state.IMDS.Remote, "every IPv4 interface (0.0.0.0:") {
			t.Fatalf("with allow_remote: %+v", a.state.IMDS)
		}
		port = a.imds.Port()
		a.syncServers() // again: no second notification
	})
	it := h.item(t, idIMDS)
	if want := "IMDS server: 0.0.0.0:" + strconv.Itoa(port) + " · open to the network"; it.Label != want {
		t.Errorf("label %q, want %q", it.Label, want)
	}
	if !strings.Contains(it.Tooltip, "IMDS server listens beyond this machine, on every IPv4 interface (0.0.0.0:"+strconv.Itoa(port)) ||
		!strings.Contains(it.Tooltip, "anyone who can reach it can read the credentials") {
		t.Errorf("tooltip %q", it.Tooltip)
	}
	if got := readSettingsFile(t, h.settings).IMDS; !got.AllowRemote || got.Addr != "0.0.0.0:"+strconv.Itoa(port) {
		t.Errorf("saved %+v", got)
	}
	// A client elsewhere on the network would reach it at this machine's
	// address.
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() {
			req, _ := http.NewRequest("PUT", "http://"+net.JoinHostPort(n.IP.String(), strconv.Itoa(port))+"/latest/api/token", nil)
			req.Header.Set("X-Aws-Ec2-Metadata-Token-Ttl-Seconds", "60")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("token at %s: %d", n.IP, resp.StatusCode)
			}
			break
		}
	}
	settle(func() int { return len(h.notesShown()) }, 2)
	n := 0
	for _, s := range h.notesShown() {
		if s == "IMDS server is open to the network" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d warnings in %q; want one", n, h.notesShown())
	}

	editSettingsFile(t, h.settings, func(m map[string]any) {
		m["imds"] = map[string]any{"enabled": true, "addr": "0.0.0.0:" + strconv.Itoa(port)}
	})
	h.do(t, func(a *app) {
		a.reloadSettings()
		if a.imds != nil || a.state.IMDS.Running || a.state.IMDS.Remote != "" {
			t.Errorf("allow_remote taken back: %+v", a.state.IMDS)
		}
	})
}
