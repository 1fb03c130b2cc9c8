//go:build !darwin || cgo

package tray

import (
	"strings"
	"testing"
	"time"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/engine/signin"
	"github.com/google/go-cmp/cmp"
)

// Sessions as StatusOf reads them at now.
var (
	ssoSession    = signin.Session{Kind: signin.KindSSOSession, Name: "my-sso", StartURL: "https://my-sso.awsapps.com/start", Region: "eu-west-1"}
	legacySession = signin.Session{Kind: signin.KindSSOLegacy, Name: "https://old.awsapps.com/start", StartURL: "https://old.awsapps.com/start"}
	loginSession  = signin.Session{Kind: signin.KindLogin, Name: "arn:aws:iam::123456789012:user/alice", Region: "eu-west-1"}
)

// session is a SessionState of s whose token expires at exp (zero: not
// signed in), refreshable or not.
func session(s signin.Session, exp time.Time, refreshable bool) *SessionState {
	st := signin.Status{Session: s, Path: "/cache/x.json"}
	if !exp.IsZero() {
		st.SignedIn, st.ExpiresAt, st.Refreshable = true, exp, refreshable
	}
	return &SessionState{Status: st, Profiles: []string{"dev", "ops"}}
}

// onSession is base() with its profile on ss.
func onSession(ss *SessionState, f func(*State)) State {
	s := base()
	s.Session = ss
	if f != nil {
		f(&s)
	}
	return s
}

func hm(t time.Time) string { return t.Local().Format("15:04") }

func TestSessionSummary(t *testing.T) {
	t.Parallel()
	ssoErr := &engine.Error{Profile: "dev", Kind: engine.ErrSSOLoginRequired, Action: engine.ActionSSOLogin, Hint: engine.ActionSSOLogin.Hint("dev")}
	loginErr := &engine.Error{Profile: "dev", Kind: engine.ErrLoginRequired, Action: engine.ActionAWSLogin, Hint: engine.ActionAWSLogin.Hint("dev")}
	end := now.Add(8 * time.Hour)
	soon := now.Add(12 * time.Minute)
	past := now.Add(-30 * time.Minute)
	code := &signin.Prompt{Flow: signin.FlowDevice, URL: "https://device.sso.eu-west-1.amazonaws.com/", UserCode: "ABCD-EFGH"}
	tests := []struct {
		name       string
		state      State
		wantStatus string
		wantHint   string
	}{
		// A refreshable session's end is in no cache: only "renews".
		{"sso_session_refreshable", onSession(session(ssoSession, now.Add(50*time.Minute), true), nil),
			"dev · signed in to my-sso · renews", ""},
		// Its access token has expired: the refresh token renews it.
		{"sso_session_token_expired_refreshable", onSession(session(ssoSession, past, true), nil),
			"dev · signed in to my-sso · renews", ""},
		// No refresh token: the end is known.
		{"legacy_until", onSession(session(legacySession, end, false), nil),
			"dev · signed in to https://old.awsapps.com/start until " + hm(end), ""},
		{"legacy_ends_soon", onSession(session(legacySession, soon, false), nil),
			"dev · signed in to https://old.awsapps.com/start until " + hm(soon),
			"ends in 12 min: choose Sign in to https://old.awsapps.com/start… in this menu to stay signed in"},
		// aws login: 15-minute credentials, renewed for 12 hours; never
		// "expires in 15 min" all day.
		{"login_session", onSession(session(loginSession, now.Add(14*time.Minute), true), func(s *State) {
			s.Status.Kind, s.Status.Expires = engine.KindLogin, now.Add(14*time.Minute)
		}), "dev · signed in to arn:aws:iam::123456789012:user/alice · renews", ""},
		{"signed_out", onSession(session(ssoSession, time.Time{}, false), func(s *State) { s.Status = engine.Status{Profile: "dev", Err: ssoErr} }),
			"dev · signed out of my-sso", "choose Sign in to my-sso… in this menu"},
		{"signed_out_credentials_still_valid", onSession(session(ssoSession, time.Time{}, false), nil),
			"dev · signed out of my-sso", "choose Sign in to my-sso… in this menu"},
		{"ended", onSession(session(legacySession, past, false), func(s *State) { s.Status = engine.Status{Profile: "dev", Err: ssoErr} }),
			"dev · sign-in to https://old.awsapps.com/start ended " + hm(past), "choose Sign in to https://old.awsapps.com/start… in this menu"},
		// The cache says refreshable; the service refused the refresh.
		{"refused", onSession(session(ssoSession, past, true), func(s *State) { s.Status.Err = ssoErr }),
			"dev · sign-in to my-sso needed", "choose Sign in to my-sso… in this menu"},
		{"login_refused", onSession(session(loginSession, past, true), func(s *State) { s.Status = engine.Status{Profile: "dev", Err: loginErr} }),
			"dev · sign-in to arn:aws:iam::123456789012:user/alice needed", "choose Sign in to arn:aws:iam::123456789012:user/alice… in this menu"},
		{"signing_in_device", onSession(&SessionState{Status: signin.Status{Session: legacySession}, SigningIn: true, Prompt: code}, nil),
			"dev · signing in to https://old.awsapps.com/start…", "enter the code ABCD-EFGH at https://device.sso.eu-west-1.amazonaws.com/"},
		{"signing_in_browser", onSession(&SessionState{Status: signin.Status{Session: ssoSession}, SigningIn: true,
			Prompt: &signin.Prompt{Flow: signin.FlowBrowser, URL: "https://oidc/authorize?x"}}, nil),
			"dev · signing in to my-sso…", "finish signing in in the browser"},
		{"signing_in_starting", onSession(&SessionState{Status: signin.Status{Session: ssoSession}, SigningIn: true}, nil),
			"dev · signing in to my-sso…", "opening the sign-in page…"},
		// The session is fine but the credentials are not: as for any profile.
		{"getting_credentials", onSession(session(ssoSession, end, true), func(s *State) { s.Status = engine.Status{Profile: "dev", Refreshing: true} }),
			"dev · getting credentials…", ""},
		{"no_session", base(), "dev · expires in 42 min", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, hint := Summary(tt.state, now)
			if status != tt.wantStatus || hint != tt.wantHint {
				t.Errorf("Summary() = %q, %q\nwant        %q, %q", status, hint, tt.wantStatus, tt.wantHint)
			}
			if got := BuildMenu(tt.state, now).Items[0].Label; got != status {
				t.Errorf("header %q, want %q", got, status)
			}
			for _, bad := range []string{"expires in 14 min", "aws sso login", "aws login"} {
				if strings.Contains(status+hint, bad) {
					t.Errorf("%q: says %q", status+" / "+hint, bad)
				}
			}
		})
	}
}

// TestSessionTooltip: the tooltip says what is known of the session and
// the role credentials' renewal.
func TestSessionTooltip(t *testing.T) {
	t.Parallel()
	tok := now.Add(50 * time.Minute)
	end := now.Add(3 * time.Hour)
	for _, tt := range []struct {
		name  string
		state State
		want  []string
	}{
		{"refreshable", onSession(session(ssoSession, tok, true), nil), []string{
			"Sign-in token valid until " + hm(tok) + ", renewed without a browser until the session ends (which no cache records)",
			"Credentials expire in 42 min, renewed by themselves while the sign-in lasts",
			"Signing in serves dev, ops",
		}},
		{"known_end", onSession(session(legacySession, end, false), nil), []string{
			"Sign-in ends at " + hm(end) + " (3 h); it cannot be renewed without signing in",
			"Credentials expire in 42 min, renewed by themselves while the sign-in lasts",
			"Signing in serves dev, ops",
		}},
		{"signed_out", onSession(session(ssoSession, time.Time{}, false), nil), []string{
			"Credentials expire in 42 min, not renewed until you sign in",
			"Signing in serves dev, ops",
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tip := BuildMenu(tt.state, now).Tooltip
			for _, w := range tt.want {
				if !strings.Contains(tip, "\n"+w) {
					t.Errorf("tooltip lacks %q:\n%s", w, tip)
				}
			}
		})
	}
}

// TestSessionItems: Sign in to NAME… is the first action while the
// session needs it or ends soon; while one runs, the code and Cancel;
// Sign out while signed in.
func TestSessionItems(t *testing.T) {
	t.Parallel()
	ssoErr := &engine.Error{Profile: "dev", Kind: engine.ErrSSOLoginRequired, Action: engine.ActionSSOLogin}
	code := &signin.Prompt{Flow: signin.FlowDevice, URL: "https://device.example/", UserCode: "ABCD-EFGH"}
	for _, tt := range []struct {
		name  string
		state State
		want  []string
	}{
		{"no_session", base(), nil},
		{"signed_in", onSession(session(ssoSession, now.Add(time.Hour), true), nil), []string{"signout|Sign out of my-sso"}},
		{"signed_in_known_end", onSession(session(legacySession, now.Add(time.Hour), false), nil),
			[]string{"signout|Sign out of https://old.awsapps.com/start"}},
		{"ends_soon", onSession(session(legacySession, now.Add(15*time.Minute), false), nil),
			[]string{"signin|Sign in to https://old.awsapps.com/start…", "signout|Sign out of https://old.awsapps.com/start"}},
		{"signed_out", onSession(session(ssoSession, time.Time{}, false), func(s *State) { s.Status = engine.Status{Profile: "dev", Err: ssoErr} }),
			[]string{"signin|Sign in to my-sso…"}},
		{"ended", onSession(session(legacySession, now.Add(-time.Minute), false), nil),
			[]string{"signin|Sign in to https://old.awsapps.com/start…", "signout|Sign out of https://old.awsapps.com/start"}},
		{"signing_in", onSession(&SessionState{Status: session(ssoSession, time.Time{}, false).Status, SigningIn: true, Prompt: code}, nil),
			[]string{"signin|Signing in to my-sso… (disabled)", "signin:code|Code ABCD-EFGH at https://device.example/ (disabled)", "signin:cancel|Cancel sign-in"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			ids := map[string]bool{}
			for _, l := range flat(BuildMenu(tt.state, now).Items, "") {
				id, _, _ := strings.Cut(l, "|")
				if strings.HasPrefix(id, "sign") {
					got = append(got, l)
				}
				ids[id] = true
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("sign-in items (-want +got):\n%s", diff)
			}
			// Sign in comes first, right under the header's lines.
			items := BuildMenu(tt.state, now).Items
			var order []string
			for _, it := range items {
				order = append(order, it.ID)
			}
			want := []string{idHeader, idHint, idNoHost, idSignIn, idSignInCode, idSignInCancel, idEnterMFA, idRefresh, idSignOut}
			if diff := cmp.Diff(want, order[:len(want)]); diff != "" {
				t.Errorf("menu order (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReminderDue(t *testing.T) {
	t.Parallel()
	end := now.Add(time.Hour)
	legacy := func(exp time.Time) *SessionState { return session(legacySession, exp, false) }
	key := func(before string) string {
		return "remind:sso-start-url:https://old.awsapps.com/start:" + end.UTC().Format(time.RFC3339) + ":" + before
	}
	type want struct {
		key, summary string
		skip         []string
	}
	for _, tt := range []struct {
		name  string
		ss    *SessionState
		at    time.Time
		shown []string
		want  *want
	}{
		{"not_yet", legacy(end), end.Add(-16 * time.Minute), nil, nil},
		{"fifteen", legacy(end), end.Add(-15 * time.Minute), nil, &want{key("15m0s"), "Sign-in to https://old.awsapps.com/start ends in 15 min", nil}},
		{"fifteen_once", legacy(end), end.Add(-14 * time.Minute), []string{key("15m0s")}, nil},
		{"five", legacy(end), end.Add(-5 * time.Minute), []string{key("15m0s")}, &want{key("5m0s"), "Sign-in to https://old.awsapps.com/start ends in 5 min", []string{key("15m0s")}}},
		{"five_once", legacy(end), end.Add(-time.Minute), []string{key("15m0s"), key("5m0s")}, nil},
		// Locked (or asleep) through the first: only the second, once.
		{"both_due_after_a_lock", legacy(end), end.Add(-3 * time.Minute), nil,
			&want{key("5m0s"), "Sign-in to https://old.awsapps.com/start ends in 3 min", []string{key("15m0s")}}},
		{"ended", legacy(end), end, nil, nil},
		{"slept_past_the_end", legacy(end), end.Add(8 * time.Hour), nil, nil},
		{"refreshable_end_unknown", session(ssoSession, end, true), end.Add(-5 * time.Minute), nil, nil},
		{"signed_out", session(ssoSession, time.Time{}, false), now, nil, nil},
		{"signing_in", &SessionState{Status: legacy(end).Status, SigningIn: true}, end.Add(-5 * time.Minute), nil, nil},
		{"no_session", nil, now, nil, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, ok := ReminderDue(tt.ss, tt.at, func(k string) bool {
				for _, s := range tt.shown {
					if s == k {
						return true
					}
				}
				return false
			})
			switch {
			case tt.want == nil && ok:
				t.Fatalf("reminder %+v, want none", r)
			case tt.want == nil:
				return
			case !ok:
				t.Fatalf("no reminder, want %q", tt.want.summary)
			}
			if diff := cmp.Diff(*tt.want, want{r.Key, r.Summary, r.Skip}, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("reminder (-want +got):\n%s", diff)
			}
			if r.SessionKey != tt.ss.Key() {
				t.Errorf("session key %q", r.SessionKey)
			}
			if !strings.Contains(r.Body, "Choose Sign in to https://old.awsapps.com/start… in the awsxc menu") ||
				!strings.Contains(r.ActionBody, "Choose Sign in here") || !strings.Contains(r.Body, "(dev, ops)") {
				t.Errorf("bodies %q / %q", r.Body, r.ActionBody)
			}
		})
	}
}

// TestSessionIcon: the icon warns while valid credentials will not be
// renewed for want of a sign-in, or the sign-in ends soon.
func TestSessionIcon(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		state State
		want  IconState
	}{
		{"renews", onSession(session(ssoSession, now.Add(time.Hour), true), nil), IconOK},
		{"known_end_later", onSession(session(legacySession, now.Add(time.Hour), false), nil), IconOK},
		{"ends_soon", onSession(session(legacySession, now.Add(10*time.Minute), false), nil), IconExpiring},
		{"signed_out_still_valid", onSession(session(ssoSession, time.Time{}, false), nil), IconExpiring},
		{"signed_out_no_credentials", onSession(session(ssoSession, time.Time{}, false), func(s *State) {
			s.Status = engine.Status{Profile: "dev", Err: &engine.Error{Kind: engine.ErrSSOLoginRequired}}
		}), IconFailing},
	} {
		if got := IconFor(tt.state, now); got != tt.want {
			t.Errorf("%s: IconFor = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestConsoleItems: enabled only with credentials to use.
func TestConsoleItems(t *testing.T) {
	t.Parallel()
	find := func(s State, id string) Item {
		for _, it := range BuildMenu(s, now).Items {
			if it.ID == id {
				return it
			}
		}
		t.Fatalf("no item %s", id)
		return Item{}
	}
	for _, tt := range []struct {
		name    string
		state   State
		enabled bool
	}{
		{"valid", base(), true},
		{"own_keys", with(func(s *State) { s.Status = engine.Status{Profile: "dev", Kind: engine.KindStatic, LongTerm: true} }), true},
		{"no_credentials", with(func(s *State) {
			s.Status = engine.Status{Profile: "dev", Err: &engine.Error{Kind: engine.ErrSSOLoginRequired}}
		}), false},
		{"loading", with(func(s *State) { s.HaveSource = false }), false},
		{"no_profile", with(func(s *State) { s.Active, s.HaveSource = "", false }), false},
	} {
		for _, id := range []string{idConsole, idConsoleCopy} {
			if it := find(tt.state, id); it.Disabled == tt.enabled || it.Hidden {
				t.Errorf("%s: %s disabled %v hidden %v, want enabled %v", tt.name, id, it.Disabled, it.Hidden, tt.enabled)
			}
		}
	}
}
