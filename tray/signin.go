//go:build !darwin || cgo

package tray

import (
	"context"
	"crypto/sha256"
	"errors"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/engine/signin"
	"github.com/awsxc/awsxc/internal/browser"
	"github.com/awsxc/awsxc/platform"
)

// Signing in from the tray (issue 12 §2), the event loop's part: the
// active profile's session is looked up off the loop whenever the
// profile or the AWS files change, its token cache is read on every tick
// (one small file, no network), a sign-in runs off the loop once per
// session key however many profiles share it, and its end refreshes
// every Source on the session. Reminders come 15 and 5 minutes before a
// known end, never while the screen is locked or the machine asleep.
// What the menu shows of it is in signin_model.go.

// actionNotifier shows notifications with actions: a
// *platform.Notifier, or a recorder in tests.
type actionNotifier interface {
	Actions() bool
	Notify(summary, body string, actions []platform.Action, onAction func(key string)) (bool, error)
}

// signins is the sign-in state of the app. The loop owns it, except
// names, which the servers read.
type signins struct {
	// sessions are the sessions looked up, by key: the active profile's,
	// and those of profiles active before, whose sign-ins and reminders
	// are kept.
	sessions map[string]*SessionState
	// active is the key of the active profile's session; "" for none.
	active string
	// looked says for which profile and AWS files the active session
	// was looked up (or is being: lookGen counts lookups, to drop
	// stale answers).
	looked struct {
		profile string
		sum     [sha256.Size]byte
	}
	lookGen int
	// runs cancel the sign-ins that run, by session key.
	runs map[string]context.CancelFunc
	// shown are the reminders shown (and skipped), by Reminder.Key.
	shown map[string]bool
	// screen is what the screen watcher last said; reminders and
	// notifications wait while it is away.
	screen platform.ScreenState
	// notifier shows reminders with a Sign in button.
	notifier actionNotifier
	// names maps profile names to their session's name, for the
	// servers' hints (read from the servers' goroutines).
	names atomic.Pointer[map[string]string]
}

// startSessions starts the screen watcher and the notifier. The loop
// calls it once, before its first event.
func (a *app) startSessions() {
	a.si.sessions, a.si.runs, a.si.shown = map[string]*SessionState{}, map[string]context.CancelFunc{}, map[string]bool{}
	if a.si.notifier == nil {
		n := platform.NewNotifier()
		a.si.notifier = n
		go func() { <-a.ctx.Done(); n.Close() }()
	}
	if a.watchScreen == nil {
		return
	}
	// Off the loop: it asks the buses (each call bounded) what they know.
	go func() {
		watching := a.watchScreen(a.ctx, platform.ScreenOptions{On: func(e platform.ScreenEvent) {
			a.post(func() { a.onScreen(e) })
		}})
		a.log.Debug("watching the screen's lock and sleep", "with", strings.Join(watching, ", "))
	}()
}

// onScreen takes news from the screen watcher. Coming back (unlocked,
// awake, or a clock gap) reads the token caches again: the render after
// it shows what is due, at most one reminder per session.
func (a *app) onScreen(e platform.ScreenEvent) {
	was := a.si.screen.Away()
	a.si.screen = e.ScreenState
	a.log.Debug("screen", "locked", e.Locked, "asleep", e.Asleep, "woke", e.Woke, "from", e.From)
	if e.Woke || (was && !e.Away()) {
		a.readSessions()
	}
}

// away says nothing is to be shown now.
func (a *app) away() bool { return a.si.screen.Away() }

// updateSessions keeps the sign-in state current; render calls it before
// it builds the menu. On a tick (tick set) the token caches are read
// again, for the countdown and for a sign-in made elsewhere (awsxc-cli
// login, aws sso login).
func (a *app) updateSessions(tick bool) {
	if a.si.sessions == nil {
		return // before the loop started
	}
	a.lookSession()
	if tick {
		a.readSessions()
	}
	a.state.Session = a.si.sessions[a.si.active]
	a.remind()
}

// lookSession looks up the active profile's session, off the loop (the
// SDK reads the AWS files), when the profile or the files changed.
func (a *app) lookSession() {
	profile, sum := a.state.Active, a.awsSum
	if profile == a.si.looked.profile && sum == a.si.looked.sum {
		return
	}
	if profile != a.si.looked.profile {
		a.si.active = "" // another profile's session until the answer
	}
	a.si.looked.profile, a.si.looked.sum = profile, sum
	a.si.lookGen++
	gen := a.si.lookGen
	if profile == "" {
		a.si.active = ""
		return
	}
	env := a.opts.Env
	a.background(func() {
		s, err := signin.ProfileSession(a.ctx, env, profile)
		var profiles []string
		if err == nil {
			profiles, _ = signin.SessionProfiles(a.ctx, env, s.Key())
		}
		a.post(func() {
			if gen != a.si.lookGen {
				return
			}
			if err != nil {
				// No session (static keys, a role on them), or settings
				// the SDK will refuse too: the menu says as for any profile.
				a.log.Debug("no sign-in session", "profile", profile, "why", err)
				a.si.active = ""
				return
			}
			ss := a.si.sessions[s.Key()]
			if ss == nil {
				ss = &SessionState{}
				a.si.sessions[s.Key()] = ss
			}
			ss.Status.Session, ss.Profiles = s, profiles
			a.si.active = s.Key()
			a.readSession(ss)
			a.noteNames()
			a.log.Debug("sign-in session", "profile", profile, "key", s.Key(), "profiles", len(profiles))
		})
	})
}

// noteNames publishes which session each profile signs in to, for the
// servers' hints.
func (a *app) noteNames() {
	names := map[string]string{}
	for _, ss := range a.si.sessions {
		for _, p := range ss.Profiles {
			names[p] = ss.Name()
		}
		if p := ss.Status.Session.Profile; p != "" {
			names[p] = ss.Name()
		}
	}
	a.si.names.Store(&names)
}

// hints are trayHints with the sign-in naming the profile's session:
// the servers' words to their clients ("choose Sign in to my-sso… in
// this menu"). The servers call it from their goroutines.
func (a *app) hints(act engine.Action, profile string) string {
	if act == engine.ActionSSOLogin || act == engine.ActionAWSLogin {
		if m := a.si.names.Load(); m != nil && (*m)[profile] != "" {
			return signInHint((*m)[profile])
		}
	}
	return trayHints(act, profile)
}

// readSessions reads every session's token cache again.
func (a *app) readSessions() {
	for _, ss := range a.si.sessions {
		a.readSession(ss)
	}
}

// readSession reads ss's token cache. A session found signed in that
// was not (someone signed in elsewhere) refreshes its Sources.
func (a *app) readSession(ss *SessionState) {
	st, err := signin.StatusOf(ss.Status.Session, a.signinConfig(ss.Status.Session))
	if err != nil {
		a.log.Debug("cannot read the sign-in cache", "session", ss.Name(), "err", err)
	}
	now := a.now()
	before := ss.Status
	ss.Status = st
	// A new token where there was none usable: the Sources on the
	// session fetch again (after a sign-in elsewhere; or the service had
	// refused the old token, which the cache cannot tell).
	renewed := before.NeedsSignIn(now) || (!st.ExpiresAt.Equal(before.ExpiresAt) && ss.Key() == a.si.active && loginNeeded(a.state.Status.Err))
	if before.Path != "" && !ss.SigningIn && renewed && !st.NeedsSignIn(now) {
		a.log.Info("signed in elsewhere; fetching the credentials again", "session", ss.Name())
		a.refreshSession(ss.Key())
	}
}

func (a *app) signinConfig(s signin.Session) signin.Config {
	return signin.Config{Env: a.opts.Env, LoginCacheDir: os.Getenv("AWS_LOGIN_CACHE_DIRECTORY"), Profile: s.Profile, Logger: a.log}
}

// onSessionClick acts on the sign-in and console items.
func (a *app) onSessionClick(id string) {
	switch id {
	case idSignIn:
		a.signIn(a.si.active)
	case idSignInCancel:
		if cancel := a.si.runs[a.si.active]; cancel != nil {
			cancel()
		}
	case idSignOut:
		a.signOut(a.si.active)
	case idConsole:
		a.openConsole(false)
	case idConsoleCopy:
		a.openConsole(true)
	}
}

// signIn signs the session with key in, off the loop: once, however
// often it is asked for while it runs (the menu shows it running).
func (a *app) signIn(key string) {
	ss := a.si.sessions[key]
	if ss == nil || ss.SigningIn {
		return
	}
	ctx, cancel := context.WithCancel(a.ctx)
	a.si.runs[key] = cancel
	ss.SigningIn, ss.Prompt = true, nil
	s := ss.Status.Session
	conf := a.signinConfig(s)
	a.log.Info("signing in", "session", s.Name, "kind", s.Kind)
	a.background(func() {
		defer cancel()
		res, err := signin.SignIn(ctx, s, conf, signin.SignInOptions{
			Flow: signin.FlowBrowser, // legacy start URLs take the device flow whatever is asked
			OpenBrowser: func(ctx context.Context, u string) error {
				return browser.Open(ctx, u, browser.Options{Getenv: os.Getenv})
			},
			Show: func(p signin.Prompt) { a.post(func() { a.signInPrompt(key, p) }) },
			BrowserFailed: func(err error) {
				a.post(func() {
					a.notify("Cannot open a browser", err.Error()+"; open the sign-in page yourself: "+promptURL(ss.Prompt))
				})
			},
			// aws login's cross-device flow only (not chosen here, but a
			// session may ask for it): the code the page shows.
			ReadCode: func(ctx context.Context) (string, error) {
				return a.prompt(ctx, "awsxc: sign-in code", "Paste the code the sign-in page shows for "+s.Name+":")
			},
		})
		a.post(func() { a.signedIn(key, res, err) })
	})
}

func promptURL(p *signin.Prompt) string {
	if p == nil {
		return "(not known yet)"
	}
	return p.URL
}

// signInPrompt shows what a running sign-in asks: the code and the page
// for the device flow, in the menu and a notification. Neither the URL
// nor the code is logged.
func (a *app) signInPrompt(key string, p signin.Prompt) {
	ss := a.si.sessions[key]
	if ss == nil || !ss.SigningIn {
		return
	}
	ss.Prompt = &p
	name := ss.Name()
	a.log.Info("sign-in waiting for the user", "session", name, "flow", p.Flow, "until", p.Expires.Format(time.RFC3339))
	var body string
	switch {
	case p.UserCode != "":
		body = "Enter the code " + p.UserCode + " at " + p.URL + " (opening it in your browser). The code is also in the awsxc menu."
	case p.ReadsCode:
		body = "Open " + p.URL + ", then paste the code it shows into the dialog."
	default:
		body = "Finish signing in in the browser. If no browser opened, open " + p.URL
	}
	a.show("Signing in to "+name, body)
}

// show is a notification that holds what must not be logged (a sign-in
// code, a URL): only its summary is.
func (a *app) show(summary, body string) {
	a.log.Info(summary)
	go func() {
		if err := a.notifier(summary, body); err != nil {
			a.log.Debug("notification not shown", "err", err)
		}
	}()
}

// signedIn takes the end of a sign-in: every Source of the session
// refreshes at once, or the failure is notified in the tray's words.
func (a *app) signedIn(key string, res *signin.Result, err error) {
	delete(a.si.runs, key)
	ss := a.si.sessions[key]
	if ss == nil {
		return
	}
	ss.SigningIn, ss.Prompt = false, nil
	name := ss.Name()
	switch {
	case errors.Is(err, signin.ErrCancelled):
		a.log.Info("sign-in cancelled", "session", name)
		a.readSession(ss)
		return
	case err != nil:
		a.log.Warn("sign-in failed", "session", name, "err", err)
		a.notify("Sign-in to "+name+" failed", signinErrText(err, name))
		a.readSession(ss)
		return
	}
	ss.Status = res.Status
	body := "The profiles on it get their credentials again."
	if len(ss.Profiles) > 0 {
		body = "For " + strings.Join(ss.Profiles, ", ") + "."
	}
	switch end, certain := res.Status.Ends(); {
	case res.How == signin.StillValid && certain:
		body = "Already signed in until " + clock(end, a.now()) + ". " + body
	case certain:
		body = "Until " + clock(end, a.now()) + ". " + body
	default:
		body = "Renewed by itself until the session ends. " + body
	}
	a.inform("Signed in to "+name, body)
	a.refreshSession(key)
}

// signinErrText words a sign-in failure for the tray: the engine's
// reason, and what to do in the menu (never the AWS CLI, never a flag).
func signinErrText(err error, name string) string {
	again := "choose Sign in to " + name + "… to try again"
	var why string
	switch {
	case errors.Is(err, signin.ErrDenied):
		why = "the sign-in was refused in the browser"
	case errors.Is(err, signin.ErrExpired):
		why = "the sign-in page was not finished in time"
	case errors.Is(err, signin.ErrStateMismatch):
		why = "the browser came back with another sign-in's answer, which was refused"
	case errors.Is(err, signin.ErrRegistrationExpired):
		why = "the service no longer accepts awsxc's client registration; a new one is made next time"
	case errors.Is(err, signin.ErrUnreachable):
		why = "the sign-in service could not be reached; check the network"
	case errors.Is(err, signin.ErrSessionMismatch):
		why = "the browser signed in as someone other than the profile's login_session names"
		again = "sign in to the browser as that user, then " + again
	case errors.Is(err, signin.ErrConfig):
		return err.Error() + "; fix the profile in the AWS config file"
	case errors.Is(err, signin.ErrCache):
		return err.Error()
	default:
		why = err.Error()
	}
	return why + "; " + again
}

// sessionSources are the Sources the tray holds for profiles on the
// session with key: the active profile's, and the one the servers serve
// while a switch loads.
func (a *app) sessionSources(key string) []*engine.Source {
	var out []*engine.Source
	if key == a.si.active && a.src != nil {
		out = append(out, a.src)
	}
	if a.served != nil && !slices.Contains(out, a.served) && a.served.Profile() != nil {
		if ss := a.si.sessions[key]; ss != nil && slices.Contains(ss.Profiles, a.served.Profile().Name) {
			out = append(out, a.served)
		}
	}
	return out
}

// refreshSession has every Source on the session fetch again at once,
// without asking for an MFA code; the servers serve what they get.
func (a *app) refreshSession(key string) {
	for _, src := range a.sessionSources(key) {
		if st := src.Status(); st.Updated.IsZero() && st.Err == nil && !st.Refreshing {
			go a.fetch(src, false) // nothing fetched yet: Reload would not
			continue
		}
		src.Reload()
	}
}

// signOut signs the session with key out, off the loop.
func (a *app) signOut(key string) {
	ss := a.si.sessions[key]
	if ss == nil || ss.SigningIn {
		return
	}
	s := ss.Status.Session
	conf := a.signinConfig(s)
	a.background(func() {
		res, err := signin.SignOut(a.ctx, s, conf)
		a.post(func() { a.signedOut(key, res, err) })
	})
}

// signedOut takes the end of a sign-out: the Source of an affected
// active profile is replaced, so the credentials it held are no longer
// handed out (the servers answer 503 until the next sign-in).
func (a *app) signedOut(key string, res *signin.SignOutResult, err error) {
	ss := a.si.sessions[key]
	if ss == nil {
		return
	}
	name := ss.Name()
	a.readSession(ss)
	if err != nil {
		a.notify("Sign-out of "+name+" failed", err.Error())
		return
	}
	a.log.Info("signed out", "session", name, "tokens", len(res.Files), "cached_credentials", len(res.CachedCredentials))
	body := "Choose Sign in to " + name + "… to sign in again."
	if ss.Status.Session.Kind == signin.KindLogin {
		body = "Credentials handed out before stay valid for up to 15 minutes. " + body
	}
	a.inform("Signed out of "+name, body)
	if a.d != nil {
		// Nothing the daemon holds for the session's profiles is handed
		// out any more: not by the servers, not to awsxc-cli.
		for _, p := range ss.Profiles {
			a.d.Forget(p)
		}
	}
	if key == a.si.active && a.state.Active != "" {
		if a.d != nil {
			a.d.Forget(a.state.Active)
		}
		a.switchProfile(a.state.Active, false)
	}
}

// remindSessions are the sessions reminded of: the active profile's,
// the one the tray uses. (A front end serving many profiles adds theirs.)
func (a *app) remindSessions() []*SessionState {
	if ss := a.si.sessions[a.si.active]; ss != nil {
		return []*SessionState{ss}
	}
	return nil
}

// remind shows the reminders due, unless the user is away: then they
// wait, and coming back shows at most one per session.
func (a *app) remind() {
	if a.away() {
		return
	}
	now := a.now()
	for _, ss := range a.remindSessions() {
		r, ok := ReminderDue(ss, now, func(k string) bool { return a.si.shown[k] })
		if !ok {
			continue
		}
		a.si.shown[r.Key] = true
		for _, k := range r.Skip {
			a.si.shown[k] = true
		}
		a.log.Info(r.Summary)
		n := a.si.notifier
		go func() {
			body := r.Body
			if n.Actions() {
				body = r.ActionBody
			}
			offered, err := n.Notify(r.Summary, body, []platform.Action{{Key: "signin", Label: "Sign in"}}, func(k string) {
				a.log.Debug("reminder action chosen", "action", k)
				if k == "signin" {
					// The user asked: the sign-in starts (once, if it runs).
					a.post(func() { a.signIn(r.SessionKey) })
				}
			})
			if err != nil {
				a.log.Debug("reminder not shown", "err", err)
			} else {
				a.log.Debug("reminder shown", "with_actions", offered)
			}
		}()
	}
}
