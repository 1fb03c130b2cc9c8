//go:build linux

package tray_test

import (
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/awsxc/awsxc/internal/desktoptest"
	"github.com/awsxc/awsxc/internal/fakeaws"
	"github.com/awsxc/awsxc/tray"
	"github.com/awsxc/awsxc/tray/internal/snitest"
)

// End-to-end tests of signing in (issue 12 §2) and the console items
// (issue 13) with the real awsxc binary, over D-Bus as a panel drives it,
// against the AWS fakes, with the stand-in browser as $BROWSER, a
// notification service with actions, a stand-in screensaver on the
// session bus and a stand-in logind on a private "system" bus.

const signinStartURL = "https://d-1234567890.awsapps.com/start"

const signinConfig = `[profile dev]
sso_session = my-sso
sso_account_id = 111122223333
sso_role_name = Admin
region = eu-west-1

[profile ops]
sso_session = my-sso
sso_account_id = 111122223333
sso_role_name = Admin
region = eu-west-1

[profile legacy]
sso_start_url = ` + signinStartURL + `/legacy
sso_region = eu-west-1
sso_account_id = 111122223333
sso_role_name = Admin
region = eu-west-1

[profile role]
role_arn = arn:aws:iam::111122223333:role/Admin
source_profile = base
region = eu-west-1

[profile base]
region = eu-west-1

[sso-session my-sso]
sso_start_url = ` + signinStartURL + `
sso_region = eu-west-1
sso_registration_scopes = sso:account:access
`

// signinDesktop is a desktop with every service the sign-in uses.
type signinDesktop struct {
	bus, display string
	w            *snitest.Watcher
	notes        *snitest.Notifications
	logind       *desktoptest.Logind
	gnome        *desktoptest.Screensaver
	fakes        *fakeaws.Fakes
	e            *env
	browserLog   string
}

func newSigninDesktop(t *testing.T, settings string) *signinDesktop {
	t.Helper()
	bus, display, w := setup(t)
	system := desktoptest.StartBus(t)
	d := &signinDesktop{bus: bus, display: display, w: w,
		notes:  snitest.StartNotifications(t, bus, "actions"),
		logind: desktoptest.StartLogind(t, system),
		gnome:  desktoptest.StartScreensaver(t, bus, "org.gnome.ScreenSaver", "/org/gnome/ScreenSaver"),
		fakes:  fakeaws.StartAll(),
	}
	t.Cleanup(d.fakes.Close)
	d.fakes.STS.Portal().SetAccounts([]fakeaws.Account{{ID: "111122223333", Roles: []string{"Admin"}}})
	d.e = newEnv(t, bus, display, d.fakes.STS.URL, false)
	os.WriteFile(filepath.Join(d.e.home, ".aws", "config"), []byte(signinConfig), 0o600)
	os.WriteFile(d.e.credsFile, []byte("[base]\naws_access_key_id = AKIABASEEXAMPLE00001\naws_secret_access_key = basesecret\n"), 0o600)
	settingsFile := filepath.Join(d.e.config, "awsxc", "settings.json")
	os.MkdirAll(filepath.Dir(settingsFile), 0o700)
	os.WriteFile(settingsFile, []byte(settings), 0o600)
	d.browserLog = filepath.Join(d.e.home, "browser.log")
	for k, v := range d.fakes.Env() {
		d.e.vars = append(d.e.vars, k+"="+v)
	}
	d.e.vars = append(d.e.vars, "DBUS_SYSTEM_BUS_ADDRESS="+system,
		"BROWSER="+tray.FakeBrowser(t), "FAKEBROWSER_LOG="+d.browserLog)
	return d
}

// start runs awsxc with the stand-in browser in mode.
func (d *signinDesktop) start(t *testing.T, mode string) (*app, *snitest.Tray) {
	t.Helper()
	d.e.vars = append(d.e.vars, "FAKEBROWSER_MODE="+mode)
	a := start(t, d.e, "--debug")
	return a, snitest.Open(t, d.w.Conn, d.w.Wait(t, patience))
}

// waitLines waits until the file has n lines.
func waitLines(t *testing.T, path string, n int) []string {
	t.Helper()
	for deadline := time.Now().Add(patience); ; time.Sleep(20 * time.Millisecond) {
		got := tray.BrowserLog(t, path)
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s has %q, want %d lines", path, got, n)
		}
	}
}

// TestTraySignInEndToEnd: the profile on an sso-session reads signed out
// with Sign in to my-sso… first; choosing it signs in in the browser
// once, the headline shows the session and the tooltip the renewal;
// Sign out of my-sso signs out.
func TestTraySignInEndToEnd(t *testing.T) {
	d := newSigninDesktop(t, `{"profile": "dev"}`)
	_, tr := d.start(t, "follow")
	const wait = patience
	tr.WaitLabel(t, wait, "dev · signed out of my-sso")
	root := tr.Layout(t)
	var labels []string
	for _, c := range root.Children {
		if c.Visible() && !c.Separator() {
			labels = append(labels, c.Text())
		}
	}
	if len(labels) < 3 || labels[1] != "choose Sign in to my-sso… in this menu" || labels[2] != "Sign in to my-sso…" {
		t.Fatalf("menu starts %q; want the headline, the hint, then Sign in to my-sso…\n%s", labels, root)
	}
	// Nothing the user reads sends them to the AWS CLI. (The log keeps
	// the engine's own words.)
	if ui := root.String() + tr.Tooltip(t); strings.Contains(ui, "aws sso login") {
		t.Errorf("the menu or the tooltip tells the user to run the AWS CLI:\n%s", ui)
	}
	tr.Click(t, "Sign in to my-sso…")
	tr.WaitLabel(t, wait, "dev · signed in to my-sso · renews")
	tr.WaitFor(t, wait, "the session in the tooltip", func(snitest.Item) bool {
		tip := tr.Tooltip(t)
		return strings.Contains(tip, "Sign-in token valid until") && strings.Contains(tip, "Credentials expire in 59 min, renewed by themselves")
	})
	if got := tray.BrowserLog(t, d.browserLog); len(got) != 1 || !strings.HasPrefix(got[0], d.fakes.OIDC.URL+"/authorize?") {
		t.Errorf("the browser was given %q; want the authorize page once", got)
	}
	d.notes.Wait(t, wait, "Signed in to my-sso")

	// ops shares the session: no sign-in.
	tr.Click(t, "ops")
	tr.WaitLabel(t, wait, "ops · signed in to my-sso · renews")
	if n := d.fakes.OIDC.Count("Authorize"); n != 1 {
		t.Errorf("%d authorize requests", n)
	}

	tr.Click(t, "Sign out of my-sso")
	tr.WaitLabel(t, wait, "ops · signed out of my-sso")
	d.notes.Wait(t, wait, "Signed out of my-sso")
}

// TestTrayRemindersWaitWhileAway: a session whose end is known (a legacy
// profile's: no refresh token) that ends within 15 minutes is reminded
// of, with a Sign in action, but not while the screen is locked (a GNOME
// screensaver, logind's LockedHint) or the machine asleep (logind's
// PrepareForSleep): the reminder comes once the user is back, and its
// action starts a sign-in.
func TestTrayRemindersWaitWhileAway(t *testing.T) {
	name := signinStartURL + "/legacy"
	for _, tc := range []struct {
		name       string
		away, back func(d *signinDesktop)
	}{
		{"screensaver", func(d *signinDesktop) { d.gnome.SetActive(t, true) }, func(d *signinDesktop) { d.gnome.SetActive(t, false) }},
		{"locked_hint", func(d *signinDesktop) { d.logind.SetLocked(t, true) }, func(d *signinDesktop) { d.logind.SetLocked(t, false) }},
		{"sleep", func(d *signinDesktop) { d.logind.PrepareForSleep(t, true) }, func(d *signinDesktop) { d.logind.PrepareForSleep(t, false) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newSigninDesktop(t, `{"profile": "legacy"}`)
			d.fakes.OIDC.SetAccessTokenTTL(14 * time.Minute)
			a, tr := d.start(t, "none") // the browser opens the page; the user signs in elsewhere
			const wait = patience
			tr.WaitLabel(t, wait, "legacy · signed out of "+name)
			tr.Click(t, "Sign in to "+name+"…")
			code := strings.TrimPrefix(tr.WaitLabel(t, wait, "Code ").Text(), "Code ")
			code, _, _ = strings.Cut(code, " ")
			if !slices.Contains(d.fakes.OIDC.UserCodes(), code) {
				t.Fatalf("the menu shows code %q; the service gave %q", code, d.fakes.OIDC.UserCodes())
			}
			d.notes.Wait(t, wait, "Signing in to "+name)

			tc.away(d)
			waitLog(t, a, "msg=screen")
			if err := d.fakes.OIDC.ApproveDevice(code); err != nil {
				t.Fatal(err)
			}
			tr.WaitLabel(t, wait, "legacy · signed in to "+name+" until ")
			// A second or so of ticks (200 ms each): no reminder.
			deadline := time.After(1200 * time.Millisecond)
		quiet:
			for {
				select {
				case n := <-d.notes.Got:
					if strings.HasPrefix(n.Summary, "Sign-in to ") {
						t.Fatalf("reminder %q while away", n.Summary)
					}
				case <-deadline:
					break quiet
				}
			}

			tc.back(d)
			var reminder snitest.Note
			for reminder.ID == 0 {
				select {
				case n := <-d.notes.Got:
					if strings.HasPrefix(n.Summary, "Sign-in to "+name+" ends in ") {
						reminder = n
					}
				case <-time.After(wait):
					t.Fatal("no reminder after coming back")
				}
			}
			if !slices.Equal(reminder.Actions, []string{"signin", "Sign in"}) || !strings.Contains(reminder.Body, "Choose Sign in here") {
				t.Errorf("reminder %+v; want a Sign in action", reminder)
			}
			before := len(tray.BrowserLog(t, d.browserLog))
			d.notes.Invoke(t, reminder.ID, "signin")
			tr.WaitLabel(t, wait, "legacy · signing in to "+name+"…")
			waitLines(t, d.browserLog, before+1)
		})
	}
}

// waitLog waits until awsxc's log has s.
func waitLog(t *testing.T, a *app, s string) {
	t.Helper()
	for deadline := time.Now().Add(patience); !strings.Contains(a.stderr.String(), s); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q in the log", s)
		}
	}
}

// TestTrayConsoleEndToEnd: Copy console link copies a federation link
// that the clipboard reads back (xclip), cleared after
// clipboard_clear_seconds, and never in the log; Open AWS console gives
// the stand-in browser a one-shot loopback link that leads to the
// console signed in.
func TestTrayConsoleEndToEnd(t *testing.T) {
	d := newSigninDesktop(t, `{"profile": "role", "clipboard_clear_seconds": 2}`)
	d.e.vars = append(d.e.vars, "AWSXC_SIGNIN_URL="+d.fakes.Federation.Endpoint())
	a, tr := d.start(t, "follow")
	const wait = patience
	tr.WaitLabel(t, wait, "role · expires in ")

	tr.Click(t, "Copy console link")
	link := snitest.WaitClipboard(t, d.display, wait, func(s string) bool { return strings.Contains(s, "Action=login") })
	u, err := url.Parse(link)
	if err != nil || !strings.HasPrefix(link, d.fakes.Federation.Endpoint()+"?") || u.Query().Get("SigninToken") == "" {
		t.Fatalf("clipboard %q; want the federation login link", link)
	}
	d.notes.Wait(t, wait, "Console link copied; cleared in 2 s")
	snitest.WaitClipboard(t, d.display, wait, func(s string) bool { return s == "" })

	tr.Click(t, "Open AWS console")
	given := waitLines(t, d.browserLog, 1)[0]
	if g, err := url.Parse(given); err != nil || g.Hostname() != "127.0.0.1" || strings.Contains(given, "Signin") {
		t.Errorf("the browser was given %q; want a one-shot loopback link", given)
	}
	hops := waitLines(t, d.browserLog+".follow", 3)
	if !strings.HasPrefix(hops[1], "GET "+d.fakes.Federation.Endpoint()+"?Action=login&") ||
		!strings.HasPrefix(hops[2], "stop https://eu-west-1.console.aws.amazon.com/") {
		t.Errorf("the browser went %q", hops)
	}
	waitLog(t, a, "opening the AWS console")
	log := a.stderr.String()
	if tok := u.Query().Get("SigninToken"); strings.Contains(log, tok) {
		t.Errorf("the log holds the console link:\n%s", log)
	}
}
