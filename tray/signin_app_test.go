//go:build !darwin || cgo

package tray

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/engine/signin"
	"github.com/awsxc/awsxc/internal/browser"
	"github.com/awsxc/awsxc/internal/fakeaws"
	"github.com/awsxc/awsxc/platform"
)

// In-process tests of signing in from the tray (issue 12 §2): the real
// app and engine/signin against the OIDC, portal and STS fakes, with the
// stand-in browser as $BROWSER.

const ssoStartURL = "https://d-1234567890.awsapps.com/start"

// tenProfiles are ten profiles on one sso-session, and a legacy one.
func tenProfiles() string {
	var b strings.Builder
	for i := range 10 {
		fmt.Fprintf(&b, "[profile p%d]\nsso_session = my-sso\nsso_account_id = 111122223333\nsso_role_name = Admin\nregion = eu-west-1\n\n", i)
	}
	b.WriteString("[profile legacy]\nsso_start_url = " + ssoStartURL + "/legacy\nsso_region = eu-west-1\nsso_account_id = 111122223333\nsso_role_name = Admin\nregion = eu-west-1\n\n")
	b.WriteString("[sso-session my-sso]\nsso_start_url = " + ssoStartURL + "\nsso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n")
	return b.String()
}

// fakeBrowserPath builds the stand-in browser once per test binary.
var fakeBrowserPath = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "awsxc-fakebrowser")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "fakebrowser")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/awsxc/awsxc/internal/fakeaws/fakebrowser").CombinedOutput(); err != nil {
		return "", fmt.Errorf("building fakebrowser: %v\n%s", err, out)
	}
	return bin, nil
})

// FakeBrowser is the path of the stand-in browser (internal/fakeaws/fakebrowser),
// built for the test run.
func FakeBrowser(t testing.TB) string {
	t.Helper()
	bin, err := fakeBrowserPath()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// BrowserLog reads the URLs the stand-in browser was given.
func BrowserLog(t testing.TB, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	if s := strings.TrimSpace(string(b)); s != "" {
		return strings.Split(s, "\n")
	}
	return nil
}

// fakeActions records the notifications with actions (the reminders).
type fakeActions struct {
	mu      sync.Mutex
	actions bool // the service shows actions
	got     []actionNote
}

type actionNote struct {
	summary, body string
	on            func(string)
}

func (f *fakeActions) Actions() bool { f.mu.Lock(); defer f.mu.Unlock(); return f.actions }

func (f *fakeActions) Notify(summary, body string, actions []platform.Action, on func(string)) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got = append(f.got, actionNote{summary, body, on})
	return f.actions, nil
}

func (f *fakeActions) notes() []actionNote {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]actionNote(nil), f.got...)
}

type signinFixture struct {
	*harness
	fakes   *fakeaws.Fakes
	browser string // FAKEBROWSER_LOG
}

func newSigninFixture(t *testing.T, settings string, clock *testClock) *signinFixture {
	t.Helper()
	return newFixture(t, tenProfiles(), "", settings, clock, nil)
}

// newFixture is a harness on every fake, with config and creds as the
// AWS files and extra variables set.
func newFixture(t *testing.T, config, creds, settings string, clock *testClock, extra map[string]string) *signinFixture {
	t.Helper()
	f := fakeaws.StartAll()
	t.Cleanup(f.Close)
	if clock != nil {
		f.SetNow(clock.Now)
		f.OIDC.SetPolling(1, 0, 0) // the clock stands still between polls
	}
	f.STS.Portal().SetAccounts([]fakeaws.Account{{ID: "111122223333", Roles: []string{"Admin"}}})
	log := filepath.Join(t.TempDir(), "browser.log")
	env := f.Env()
	env["BROWSER"], env["FAKEBROWSER_LOG"], env["FAKEBROWSER_MODE"] = FakeBrowser(t), log, "none"
	env["AWSXC_SIGNIN_URL"] = f.Federation.Endpoint()
	for k, v := range extra {
		env[k] = v
	}
	h := newHarness(t, harnessOptions{config: config, creds: creds, settings: settings, env: env, clock: clock})
	return &signinFixture{harness: h, fakes: f, browser: log}
}

// imdsURL is the running IMDS server's URL.
func (s *signinFixture) imdsURL(t *testing.T) string {
	t.Helper()
	s.waitFor(t, "the IMDS server", func(a *app) bool { return a.imds != nil })
	var u string
	s.do(t, func(a *app) { u = a.imds.URL() })
	return u
}

// signedOut waits until the active profile p reads signed out.
func (s *signinFixture) waitHeader(t *testing.T, want string) {
	t.Helper()
	s.waitFor(t, "header "+want, func(a *app) bool {
		st, _ := Summary(a.state, a.now())
		return st == want
	})
}

// TestSignInOncePerSession: ten profiles on one sso-session are one
// sign-in, one browser tab: clicks while it runs, on any of them, start
// no other. While it waits, the servers answer at once with the
// retryable 503; after it, the Source refreshes and IMDS serves.
func TestSignInOncePerSession(t *testing.T) {
	s := newSigninFixture(t, `{"profile": "p0", "imds": {"enabled": true, "addr": "127.0.0.1:0"}}`, nil)
	s.waitHeader(t, "p0 · signed out of my-sso")
	if it := s.item(t, idSignIn); it.Hidden || it.Disabled || it.Label != "Sign in to my-sso…" {
		t.Fatalf("sign-in item %+v", it)
	}
	if it := s.item(t, idHint); it.Label != "choose Sign in to my-sso… in this menu" {
		t.Errorf("hint %q", it.Label)
	}
	imds := s.imdsURL(t)
	status, body := imdsGet(t, imds)
	if status != http.StatusServiceUnavailable || !strings.Contains(body, "choose Sign in to my-sso… in this menu") {
		t.Errorf("IMDS while signed out: %d %q", status, body)
	}

	// The browser records the page and nobody signs in: the sign-in waits.
	for range 3 {
		s.do(t, func(a *app) { a.onClick(idSignIn) })
	}
	s.do(t, func(a *app) { a.onClick(profilePrefix + "p5") })
	s.waitHeader(t, "p5 · signing in to my-sso…")
	s.do(t, func(a *app) { a.onClick(idSignIn) })
	if it := s.item(t, idSignIn); !it.Disabled || it.Label != "Signing in to my-sso…" {
		t.Errorf("while signing in: %+v", it)
	}
	deadline := time.Now().Add(patience)
	for len(BrowserLog(t, s.browser)) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	// A request while the sign-in waits on the user is answered now.
	status, body = imdsGet(t, imds)
	if status != http.StatusServiceUnavailable {
		t.Errorf("IMDS while signing in: %d %q", status, body)
	}
	var running int
	s.do(t, func(a *app) { running = len(a.si.runs) })
	if got := BrowserLog(t, s.browser); len(got) != 1 || running != 1 {
		t.Fatalf("%d sign-ins running, browser given %q; want one", running, got)
	}
	// Cancel: nothing is written, and no failure is notified.
	s.do(t, func(a *app) { a.onClick(idSignInCancel) })
	s.waitHeader(t, "p5 · signed out of my-sso")
	for _, n := range s.notesShown() {
		if strings.Contains(n, "failed") {
			t.Errorf("notification %q after a cancel", n)
		}
	}

	// Now the user signs in in the browser.
	t.Setenv("FAKEBROWSER_MODE", "follow")
	s.do(t, func(a *app) { a.onClick(idSignIn) })
	s.waitHeader(t, "p5 · signed in to my-sso · renews")
	s.waitFor(t, "valid credentials", func(a *app) bool { return a.state.Status.Valid })
	status, body = imdsGet(t, imds)
	if status != http.StatusOK || !strings.HasPrefix(imdsKey(t, body), "ASIA") {
		t.Errorf("IMDS after the sign-in: %d %q", status, body)
	}
	if n := s.fakes.OIDC.Count("Authorize"); n != 1 {
		t.Errorf("%d authorize requests, want 1", n)
	}
	if m := s.noteBodies(); !strings.Contains(m["Signed in to my-sso"], "p0, p1, p2") {
		t.Errorf("notifications %q", m)
	}

	// Another of the ten needs no sign-in.
	s.do(t, func(a *app) { a.onClick(profilePrefix + "p9") })
	s.waitHeader(t, "p9 · signed in to my-sso · renews")
	s.waitFor(t, "p9's credentials", valid("p9"))
	if got := BrowserLog(t, s.browser); len(got) != 2 || s.fakes.OIDC.Count("Authorize") != 1 {
		t.Errorf("browser given %d URLs, %d authorize requests; want 2 and 1", len(got), s.fakes.OIDC.Count("Authorize"))
	}
	if it := s.item(t, idSignIn); !it.Hidden {
		t.Errorf("sign-in item shown while signed in: %+v", it)
	}

	// Sign out: every profile on the session reads signed out, and the
	// servers no longer hand out what the Source held.
	if it := s.item(t, idSignOut); it.Hidden || it.Label != "Sign out of my-sso" {
		t.Fatalf("sign-out item %+v", it)
	}
	s.do(t, func(a *app) { a.onClick(idSignOut) })
	s.waitHeader(t, "p9 · signed out of my-sso")
	s.waitFor(t, "the Source replaced", func(a *app) bool { return a.src != nil && !a.state.Status.Valid && a.state.Status.Err != nil })
	if status, body := imdsGet(t, s.imdsURL(t)); status != http.StatusServiceUnavailable {
		t.Errorf("IMDS after sign-out: %d %q", status, body)
	}
	s.waitNote(t, "Signed out of my-sso") // shown off the loop
}

// TestSignInDeviceCode: a legacy profile signs in with the device code,
// which the menu and a notification show while it waits.
func TestSignInDeviceCode(t *testing.T) {
	s := newSigninFixture(t, `{"profile": "legacy"}`, nil)
	name := ssoStartURL + "/legacy"
	s.waitHeader(t, "legacy · signed out of "+name)
	s.do(t, func(a *app) { a.onClick(idSignIn) })
	s.waitFor(t, "the code", func(a *app) bool { return a.state.Session != nil && a.state.Session.Prompt != nil })
	var code, url string
	s.do(t, func(a *app) { code, url = a.state.Session.Prompt.UserCode, a.state.Session.Prompt.URL })
	if code == "" {
		t.Fatal("no user code")
	}
	if it := s.item(t, idSignInCode); it.Hidden || it.Label != "Code "+code+" at "+url {
		t.Errorf("code item %+v", it)
	}
	if it := s.item(t, idHint); it.Label != shortHint("enter the code "+code+" at "+url) {
		t.Errorf("hint %q", it.Label)
	}
	// The notification is shown off the loop, after the state that
	// asked for it.
	if body := s.waitNote(t, "Signing in to "+name); !strings.Contains(body, code) {
		t.Errorf("notification body %q lacks the code", body)
	}
	if err := s.fakes.OIDC.ApproveDevice(code); err != nil {
		t.Fatal(err)
	}
	s.waitFor(t, "signed in", func(a *app) bool {
		return a.state.Session != nil && a.state.Session.Status.SignedIn && a.state.Status.Valid
	})
	var st string
	s.do(t, func(a *app) { st, _ = Summary(a.state, a.now()) })
	if !strings.HasPrefix(st, "legacy · signed in to "+name+" until ") {
		t.Errorf("header %q", st)
	}
}

// TestSignInFails: a refused sign-in is one notification in the tray's
// words, never the AWS CLI.
func TestSignInFails(t *testing.T) {
	s := newSigninFixture(t, `{"profile": "p0"}`, nil)
	s.waitHeader(t, "p0 · signed out of my-sso")
	t.Setenv("FAKEBROWSER_MODE", "deny")
	s.do(t, func(a *app) { a.onClick(idSignIn) })
	s.waitFor(t, "the failure", func(a *app) bool { _, ok := s.noteBodies()["Sign-in to my-sso failed"]; return ok })
	body := s.noteBodies()["Sign-in to my-sso failed"]
	if body != "the sign-in was refused in the browser; choose Sign in to my-sso… to try again" {
		t.Errorf("body %q", body)
	}
	s.waitHeader(t, "p0 · signed out of my-sso")
}

// TestReminders: a session with a known end (a legacy profile's: no
// refresh token) is reminded of 15 and 5 minutes before it ends, once
// each; not while the screen is locked, and after a lock through both
// only once; the reminder's Sign in action starts the sign-in.
func TestReminders(t *testing.T) {
	clock := newTestClock()
	s := newSigninFixture(t, `{"profile": "legacy"}`, clock)
	s.fakes.OIDC.SetAccessTokenTTL(time.Hour)
	name := ssoStartURL + "/legacy"
	s.waitHeader(t, "legacy · signed out of "+name)
	s.do(t, func(a *app) { a.onClick(idSignIn) })
	s.waitFor(t, "the code", func(a *app) bool { return a.state.Session != nil && a.state.Session.Prompt != nil })
	var code string
	s.do(t, func(a *app) { code = a.state.Session.Prompt.UserCode })
	if err := s.fakes.OIDC.ApproveDevice(code); err != nil {
		t.Fatal(err)
	}
	s.waitFor(t, "signed in", func(a *app) bool { return a.state.Session.Status.SignedIn && !a.state.Session.SigningIn })
	var end time.Time
	s.do(t, func(a *app) { end = a.state.Session.Status.ExpiresAt })
	tick := func(to time.Time) {
		clock.Add(to.Sub(clock.Now()))
		s.do(t, func(a *app) { a.render(true) })
	}
	// summaries are the reminders' summaries, once want of them have
	// come (a notification is sent from a goroutine of its own).
	summaries := func(want int) []string {
		t.Helper()
		var out []string
		for deadline := time.Now().Add(patience); ; time.Sleep(10 * time.Millisecond) {
			out = out[:0]
			for _, n := range s.actions.notes() {
				out = append(out, n.summary)
			}
			if len(out) >= want || time.Now().After(deadline) {
				return out
			}
		}
	}

	tick(end.Add(-16 * time.Minute))
	if got := summaries(0); len(got) != 0 {
		t.Fatalf("reminders %q before 15 min", got)
	}
	tick(end.Add(-15 * time.Minute))
	tick(end.Add(-14 * time.Minute))
	if got := summaries(1); len(got) != 1 || got[0] != "Sign-in to "+name+" ends in 15 min" {
		t.Fatalf("reminders %q", got)
	}
	if it := s.item(t, idSignIn); it.Hidden || it.Label != "Sign in to "+name+"…" {
		t.Errorf("sign-in item within the window: %+v", it)
	}
	// Locked from 10 to 2 minutes before the end: the 5-minute reminder
	// waits for the unlock.
	tick(end.Add(-10 * time.Minute))
	s.do(t, func(a *app) { a.onScreen(platform.ScreenEvent{ScreenState: platform.ScreenState{Locked: true}}) })
	tick(end.Add(-5 * time.Minute))
	tick(end.Add(-3 * time.Minute))
	time.Sleep(100 * time.Millisecond) // for a reminder that should not come
	if got := summaries(1); len(got) != 1 {
		t.Fatalf("reminders %q while locked", got)
	}
	tick(end.Add(-2 * time.Minute))
	s.do(t, func(a *app) { a.onScreen(platform.ScreenEvent{}); a.render(false) }) // the render at this time
	tick(end.Add(-time.Minute))
	if got := summaries(2); len(got) != 2 || got[1] != "Sign-in to "+name+" ends in 2 min" {
		t.Fatalf("reminders %q after the unlock", got)
	}
	// The action starts the sign-in, once however often it is chosen.
	n := s.actions.notes()[1]
	n.on("signin")
	n.on("signin")
	s.waitFor(t, "a sign-in", func(a *app) bool { return a.state.Session.SigningIn })
	s.do(t, func(a *app) {
		if len(a.si.runs) != 1 {
			t.Errorf("%d sign-ins run", len(a.si.runs))
		}
	})
	if !strings.Contains(n.body, "Choose Sign in to "+name+"… in the awsxc menu") {
		t.Errorf("body without actions %q", n.body)
	}
}

// TestRemindersAfterSleep: a machine that slept through both reminders
// and the end shows none on waking (the headline and the failure note
// say the sign-in ended), and opens nothing.
func TestRemindersAfterSleep(t *testing.T) {
	clk := newTestClock()
	s := newSigninFixture(t, `{"profile": "legacy"}`, clk)
	s.waitHeader(t, "legacy · signed out of "+ssoStartURL+"/legacy")
	s.do(t, func(a *app) { a.onClick(idSignIn) })
	s.waitFor(t, "the code", func(a *app) bool { return a.state.Session != nil && a.state.Session.Prompt != nil })
	var code string
	s.do(t, func(a *app) { code = a.state.Session.Prompt.UserCode })
	if err := s.fakes.OIDC.ApproveDevice(code); err != nil {
		t.Fatal(err)
	}
	s.waitFor(t, "signed in", func(a *app) bool { return a.state.Session.Status.SignedIn && !a.state.Session.SigningIn })
	// The sign-in opened the browser on the verification page, detached:
	// its log line may come after the sign-in completed.
	deadline := time.Now().Add(patience)
	for len(BrowserLog(t, s.browser)) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	logged := len(BrowserLog(t, s.browser))
	if logged == 0 {
		t.Fatal("the sign-in never opened the browser")
	}
	s.do(t, func(a *app) { a.onScreen(platform.ScreenEvent{ScreenState: platform.ScreenState{Asleep: true}}) })
	clk.Add(10 * time.Hour)
	s.do(t, func(a *app) { a.onScreen(platform.ScreenEvent{Woke: true, From: "logind"}) })
	s.do(t, func(a *app) { a.render(true) })
	time.Sleep(100 * time.Millisecond) // for a reminder that should not come
	if got := s.actions.notes(); len(got) != 0 {
		t.Errorf("reminders after sleeping past the end: %+v", got)
	}
	s.waitHeader(t, "legacy · sign-in to "+ssoStartURL+"/legacy ended "+clock(s.endOf(t), clk.Now()))
	if got := len(BrowserLog(t, s.browser)); got != logged {
		t.Errorf("the browser was opened %d times on waking", got-logged)
	}
}

func (s *signinFixture) endOf(t *testing.T) time.Time {
	var end time.Time
	s.do(t, func(a *app) { end = a.state.Session.Status.ExpiresAt })
	return end
}

// TestSignedInElsewhere: a sign-in made by another program (awsxc-cli
// login, aws sso login) into the shared cache is seen on the next tick,
// and the Source fetches again without a click.
func TestSignedInElsewhere(t *testing.T) {
	s := newSigninFixture(t, `{"profile": "p0"}`, nil)
	s.waitHeader(t, "p0 · signed out of my-sso")
	wd, _ := os.Getwd()
	env := engine.NewEnv(os.Getenv, wd)
	sess, err := signin.ProfileSession(context.Background(), env, "p3")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err = signin.SignIn(ctx, sess, signin.Config{Env: env}, signin.SignInOptions{
		OpenBrowser: func(ctx context.Context, u string) error {
			return browser.Open(ctx, u, browser.Options{Getenv: os.Getenv, Env: append(os.Environ(), "FAKEBROWSER_MODE=follow")})
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	s.do(t, func(a *app) { a.render(true) }) // a tick
	s.waitHeader(t, "p0 · signed in to my-sso · renews")
	s.waitFor(t, "the credentials", valid("p0"))
}

// TestConsoleInProcess: Copy console link copies the federation link and
// clears it after clipboard_clear_seconds, or at the link's end when
// that comes first; an MFA profile's link is signed with the credentials
// the tray holds, with no dialog. (That the link is never logged the
// D-Bus test checks.)
func TestConsoleInProcess(t *testing.T) {
	const config = "[profile role]\nrole_arn = arn:aws:iam::111122223333:role/Admin\nsource_profile = base\nregion = eu-west-1\n" +
		"[profile mfa]\nrole_arn = arn:aws:iam::111122223333:role/Admin\nsource_profile = base\nmfa_serial = arn:aws:iam::111122223333:mfa/alice\nregion = eu-west-1\n" +
		"[profile base]\nregion = eu-west-1\n"
	const creds = "[base]\naws_access_key_id = AKIABASEEXAMPLE00001\naws_secret_access_key = basesecret\n"
	s := newFixture(t, config, creds, `{"profile": "role", "clipboard_clear_seconds": 3600}`, nil, nil)
	f := s.fakes
	s.waitFor(t, "role", valid("role"))
	var clears []time.Duration
	s.do(t, func(a *app) {
		done := a.clipboard.done
		a.clipboard.done = func(what, note string, clearAfter time.Duration) {
			clears = append(clears, clearAfter)
			done(what, note, clearAfter)
		}
	})
	s.do(t, func(a *app) { a.onClick(idConsoleCopy) })
	s.waitFor(t, "the link", func(*app) bool { return strings.Contains(s.clip.get(), "Action=login") })
	link := s.clip.get()
	if !strings.HasPrefix(link, f.Federation.Endpoint()+"?Action=login&") {
		t.Fatalf("clipboard %q", link)
	}
	s.waitFor(t, "the notification", func(*app) bool {
		return slices.ContainsFunc(s.notesShown(), func(n string) bool { return strings.HasPrefix(n, "Console link copied") })
	})
	s.do(t, func(a *app) {
		// Cleared after an hour, yet the link goes once it stops working.
		if len(clears) != 1 || clears[0] <= 14*time.Minute || clears[0] > 15*time.Minute {
			t.Errorf("cleared after %v; want the link's 15 minutes", clears)
		}
	})

	// An MFA profile whose credentials were made with a code from the
	// dialog: the link is signed with them, with no dialog of its own
	// and no second AssumeRole.
	var prompts atomic.Int32
	s.do(t, func(a *app) {
		a.prompt = func(context.Context, string, string) (string, error) { prompts.Add(1); return "123456", nil }
		a.switchProfile("mfa", true)
	})
	s.waitFor(t, "mfa", valid("mfa"))
	assumed := f.STS.Count("AssumeRole")
	s.do(t, func(a *app) { a.onClick(idConsoleCopy) })
	s.waitFor(t, "mfa's link", func(*app) bool { return strings.Contains(s.clip.get(), "Action=login") && s.clip.get() != link })
	if n := prompts.Load(); n != 1 {
		t.Errorf("%d MFA dialogs; want one, for the credentials", n)
	}
	if n := f.STS.Count("AssumeRole"); n != assumed {
		t.Errorf("%d AssumeRole calls for the link", n-assumed)
	}
}

// TestSignInLoginSession: an aws login profile signs in from the menu
// (the same-device flow) and reads "signed in · renews", not the 15
// minutes its credentials last.
func TestSignInLoginSession(t *testing.T) {
	const arn = "arn:aws:iam::123456789012:user/alice"
	s := newFixture(t, "[profile alice]\nlogin_session = "+arn+"\nregion = eu-west-1\n", "", `{"profile": "alice"}`, nil, nil)
	s.waitHeader(t, "alice · signed out of "+arn)
	t.Setenv("FAKEBROWSER_MODE", "follow")
	s.do(t, func(a *app) { a.onClick(idSignIn) })
	s.waitHeader(t, "alice · signed in to "+arn+" · renews")
	s.waitFor(t, "the credentials", valid("alice"))
	var exp time.Time
	s.do(t, func(a *app) { exp = a.state.Status.Expires })
	if left := time.Until(exp); left > 16*time.Minute {
		t.Errorf("aws login credentials last %v; the fake gives 15 minutes", left)
	}
}
