//go:build !darwin || cgo

package tray

import (
	"errors"
	"strings"
	"time"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/engine/signin"
)

// The pure part of signing in from the tray (issue 12 §2): what the menu
// and the reminders say of the active profile's sign-in session. The
// event loop's part is in signin.go.

// SessionState is the sign-in session of a profile (an sso-session, a
// legacy profile's start URL, an aws login session) as the menu shows it.
type SessionState struct {
	// Status is the session's token cache, read without network;
	// Status.Session names the session.
	Status signin.Status
	// SigningIn says a sign-in runs for the session; Prompt is what it
	// asks the user to do, once it is known (nil before).
	SigningIn bool
	Prompt    *signin.Prompt
	// Profiles are the profiles on the session, in the files' order;
	// nil while unknown.
	Profiles []string
}

// Key is the session's [signin.Session.Key]: one sign-in per key.
func (ss *SessionState) Key() string { return ss.Status.Session.Key() }

// Name is what the menu calls the session: the sso-session's name, the
// start URL of a legacy profile, the login session's ARN.
func (ss *SessionState) Name() string { return ss.Status.Session.Name }

// reminderWindow is how long before a known end the session is
// reminded of and Sign in is offered (the first of reminderTimes).
const reminderWindow = 15 * time.Minute

// reminderTimes are the times before a session's known end that a
// reminder is due, earliest first.
var reminderTimes = []time.Duration{15 * time.Minute, 5 * time.Minute}

// loginNeeded says err asks for a new sign-in (the service refused the
// token or its refresh, whatever the cache says).
func loginNeeded(err error) bool {
	return errors.Is(err, engine.ErrSSOLoginRequired) || errors.Is(err, engine.ErrLoginRequired)
}

// needsSignIn says the session of s's active profile must be signed in
// to again at now for the profile to work: the cache has no token, or an
// expired one that cannot be refreshed, or the service refused it.
func needsSignIn(s State, now time.Time) bool {
	ss := s.Session
	if ss == nil || ss.SigningIn {
		return false
	}
	return ss.Status.NeedsSignIn(now) || (s.HaveSource && loginNeeded(s.Status.Err))
}

// endsSoon says the session ends for sure within reminderWindow of now.
func endsSoon(ss *SessionState, now time.Time) bool {
	if ss == nil || !ss.Status.SignedIn {
		return false
	}
	end, certain := ss.Status.Ends()
	return certain && now.Before(end) && end.Sub(now) <= reminderWindow
}

// offerSignIn says the menu shows Sign in to NAME…: the session has
// ended, or ends within the reminder window.
func offerSignIn(s State, now time.Time) bool {
	return s.Session != nil && !s.Session.SigningIn && (needsSignIn(s, now) || endsSoon(s.Session, now))
}

// signInHint is the tray's words for signing in to the session.
func signInHint(name string) string { return "choose Sign in to " + name + "… in this menu" }

// clock is a time of day for the menu: "18:05", or "Tue 18:05" when it
// is not on now's day.
func clock(t, now time.Time) string {
	t, now = t.Local(), now.Local()
	if y, m, d := t.Date(); y == now.Year() && m == now.Month() && d == now.Day() {
		return t.Format("15:04")
	}
	return t.Format("Mon 15:04")
}

// sessionSummary is [Summary] for a profile on a sign-in session, when
// the session is what matters: a sign-in running or needed, or valid
// credentials that the session renews. ok is false otherwise (getting
// the first credentials, a refresh that failed for another reason),
// which Summary words as for any profile.
func sessionSummary(s State, now time.Time) (status, hint string, ok bool) {
	ss, p := s.Session, s.Active
	if ss == nil {
		return "", "", false
	}
	name := ss.Name()
	switch {
	case ss.SigningIn:
		return p + " · signing in to " + name + "…", promptHint(ss.Prompt), true
	case needsSignIn(s, now):
		st := ss.Status
		switch {
		case !st.SignedIn:
			return p + " · signed out of " + name, signInHint(name), true
		case st.NeedsSignIn(now):
			return p + " · sign-in to " + name + " ended " + clock(st.ExpiresAt, now), signInHint(name), true
		}
		// The cache has a token the service no longer takes (the
		// session ended before the refresh token says, or was revoked).
		return p + " · sign-in to " + name + " needed", signInHint(name), true
	case !s.Status.Valid || s.Status.Err != nil:
		return "", "", false
	}
	st := ss.Status
	end, certain := st.Ends()
	if !certain {
		// Refreshable: the real end is in no cache (IAM Identity Center's
		// session duration; 12 hours for aws login). Say only what is
		// known.
		return p + " · signed in to " + name + " · renews", "", true
	}
	line := p + " · signed in to " + name + " until " + clock(end, now)
	if endsSoon(ss, now) {
		return line, "ends in " + Countdown(end.Sub(now)) + ": " + signInHint(name) + " to stay signed in", true
	}
	return line, "", true
}

// promptHint is what a running sign-in asks of the user, for the hint
// line: the code to enter and where, or to finish in the browser.
func promptHint(p *signin.Prompt) string {
	switch {
	case p == nil:
		return "opening the sign-in page…"
	case p.ReadsCode:
		return "paste the code the sign-in page shows into the dialog"
	case p.UserCode != "":
		return "enter the code " + p.UserCode + " at " + p.URL
	}
	return "finish signing in in the browser"
}

// sessionLine is what the tooltip says of the session and of the role
// credentials it gives: "" for a profile on none.
func sessionLine(s State, now time.Time) string {
	ss := s.Session
	if ss == nil || !s.HaveSource || OwnKeys(s) {
		return ""
	}
	st := ss.Status
	var lines []string
	switch end, certain := st.Ends(); {
	case ss.SigningIn || !st.SignedIn:
	case !certain && now.Before(st.ExpiresAt):
		lines = append(lines, "Sign-in token valid until "+clock(st.ExpiresAt, now)+
			", renewed without a browser until the session ends (which no cache records)")
	case !certain:
		lines = append(lines, "Sign-in token renewed without a browser until the session ends (which no cache records)")
	case now.Before(end):
		lines = append(lines, "Sign-in ends at "+clock(end, now)+" ("+Countdown(end.Sub(now))+"); it cannot be renewed without signing in")
	}
	if c := s.Status; c.Valid && !c.Expires.IsZero() && now.Before(c.Expires) {
		renew := "renewed by themselves while the sign-in lasts"
		if needsSignIn(s, now) {
			renew = "not renewed until you sign in"
		}
		lines = append(lines, "Credentials expire in "+Countdown(c.Expires.Sub(now))+", "+renew)
	}
	if len(ss.Profiles) > 1 {
		lines = append(lines, "Signing in serves "+strings.Join(ss.Profiles, ", "))
	}
	return strings.Join(lines, "\n")
}

// sessionItems are the menu's sign-in entries for s: Sign in to NAME…
// (the first action: shown while the session needs it or ends soon;
// "Signing in to NAME…", disabled, while one runs), the code to enter,
// Cancel sign-in, and Sign out of NAME (while signed in). Every one is
// always there, hidden when not wanted, so the menu keeps its order.
func sessionItems(s State, now time.Time) (signIn []Item, signOut Item) {
	ss := s.Session
	in := Item{ID: idSignIn, Label: "Sign in…", Hidden: true}
	code := Item{ID: idSignInCode, Disabled: true, Hidden: true}
	cancel := Item{ID: idSignInCancel, Label: "Cancel sign-in", Hidden: true}
	signOut = Item{ID: idSignOut, Label: "Sign out", Hidden: true}
	if ss == nil {
		return []Item{in, code, cancel}, signOut
	}
	name := ss.Name()
	switch {
	case ss.SigningIn:
		in.Label, in.Disabled, in.Hidden = "Signing in to "+name+"…", true, false
		in.Tooltip = promptHint(ss.Prompt)
		if p := ss.Prompt; p != nil && p.UserCode != "" {
			code.Label, code.Hidden = "Code "+p.UserCode+" at "+p.URL, false
		}
		cancel.Hidden = false
	case offerSignIn(s, now):
		in.Label, in.Hidden = "Sign in to "+name+"…", false
		in.Tooltip = "Signs in once for every profile on " + name
		if len(ss.Profiles) > 1 {
			in.Tooltip += ": " + strings.Join(ss.Profiles, ", ")
		}
	}
	if ss.Status.SignedIn && !ss.SigningIn {
		signOut.Label, signOut.Hidden = "Sign out of "+name, false
		signOut.Tooltip = "Removes the cached sign-in and the credentials of every profile on " + name
	}
	return []Item{in, code, cancel}, signOut
}

// Reminder is a notification that a session ends soon.
type Reminder struct {
	// Key marks the reminder shown: one per session, end and time
	// before it. Skip are the keys of earlier reminders that the
	// machine slept (or the screen was locked) through: marked shown
	// with this one, never shown late.
	Key  string
	Skip []string
	// SessionKey is the session's [SessionState.Key].
	SessionKey string
	Summary    string
	// Body points to the menu's Sign in item; ActionBody is the body of
	// a notification that carries a Sign in button.
	Body, ActionBody string
}

// ReminderDue returns the reminder ss calls for at now, if one is due
// that shown (which tells the keys already shown) has not seen: 15 and 5
// minutes before a session's known end (no refresh token; a refreshable
// session's end is in no cache), each once per end. When both are due
// (the screen was locked through the first) only the later one is, and
// none once the session has ended (the menu and the failure notification
// say so).
func ReminderDue(ss *SessionState, now time.Time, shown func(key string) bool) (Reminder, bool) {
	if ss == nil || ss.SigningIn || !ss.Status.SignedIn {
		return Reminder{}, false
	}
	end, certain := ss.Status.Ends()
	if !certain || !now.Before(end) {
		return Reminder{}, false
	}
	due := -1
	for i, before := range reminderTimes {
		if !now.Before(end.Add(-before)) {
			due = i
		}
	}
	if due < 0 {
		return Reminder{}, false
	}
	key := func(i int) string {
		return "remind:" + ss.Key() + ":" + end.UTC().Format(time.RFC3339) + ":" + reminderTimes[i].String()
	}
	if shown(key(due)) {
		return Reminder{}, false
	}
	r := Reminder{Key: key(due), SessionKey: ss.Key()}
	for i := range due {
		r.Skip = append(r.Skip, key(i))
	}
	name := ss.Name()
	r.Summary = "Sign-in to " + name + " ends in " + Countdown(end.Sub(now))
	body := "It ends at " + clock(end, now) + " and cannot be renewed without signing in again"
	if len(ss.Profiles) > 0 {
		body += " (" + strings.Join(ss.Profiles, ", ") + ")"
	}
	r.Body = body + ". Choose Sign in to " + name + "… in the awsxc menu."
	r.ActionBody = body + ". Choose Sign in here, or Sign in to " + name + "… in the awsxc menu."
	return r, true
}
