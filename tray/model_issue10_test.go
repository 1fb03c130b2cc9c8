//go:build !darwin || cgo

package tray

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/awsxc/awsxc/engine"
	"github.com/google/go-cmp/cmp"
)

// ownKeys is a state whose copies hand out dev's own long-term keys:
// the Source has fetched nothing.
func ownKeys(f func(*State)) State {
	return with(func(s *State) {
		s.Status = engine.Status{Profile: "dev", Kind: engine.KindStatic, LongTerm: true}
		if f != nil {
			f(s)
		}
	})
}

// final is a state with session credentials a refresh could not renew.
func final(left time.Duration, f func(*State)) State {
	return with(func(s *State) {
		s.Status.Kind, s.Status.Final = engine.KindSession, true
		s.Status.Expires = now.Add(left)
		s.Status.Valid = left > 0
		if f != nil {
			f(s)
		}
	})
}

// TestMenuOwnKeys is issue 10 item 25 (menu side): with long-term keys
// and no ensure_temporary the headline is about the keys, Copy and Write
// work whatever the Source says, and what the servers serve is in the
// tooltip.
func TestMenuOwnKeys(t *testing.T) {
	t.Parallel()
	stsErr := &engine.Error{Profile: "dev", Kind: engine.ErrResolve, Err: errors.New("STS GetSessionToken: no such host")}
	mfaErr := &engine.Error{Profile: "dev", Kind: engine.ErrMFARequired, Action: engine.ActionMFACode}
	imdsOn := ServerState{On: true, Running: true, Addr: "127.0.0.1:9911"}
	tests := []struct {
		name        string
		state       State
		wantStatus  string
		wantHint    string
		wantTooltip string // a line of the icon's tooltip, if set
		wantMFA     bool   // Enter MFA code… offered
		wantIcon    IconState
		wantNote    string // the notification's summary; "" for none
	}{
		{name: "servers_off", state: ownKeys(nil), wantStatus: "dev · static keys · no expiry"},
		{name: "servers_off_sts_failed", state: ownKeys(func(s *State) { s.Status.Err = stsErr }),
			wantStatus: "dev · static keys · no expiry"},
		{name: "servers_off_mfa_needed", state: ownKeys(func(s *State) { s.Status.Err = mfaErr }),
			wantStatus: "dev · static keys · no expiry"},
		{name: "server_on_serving", state: ownKeys(func(s *State) {
			s.IMDS = imdsOn
			s.Status.Valid, s.Status.Expires = true, now.Add(42*time.Minute)
		}), wantStatus: "dev · static keys · no expiry", wantTooltip: "Servers: temporary credentials, expire in 42 min"},
		{name: "server_on_sts_failed", state: ownKeys(func(s *State) { s.IMDS, s.Status.Err = imdsOn, stsErr }),
			wantStatus: "dev · static keys · no expiry · servers: cannot get credentials", wantHint: "STS GetSessionToken: no such host",
			wantTooltip: "Servers: no temporary credentials (cannot get credentials)", wantIcon: IconExpiring,
			wantNote: "dev: the servers have no temporary credentials, cannot get credentials"},
		{name: "server_on_mfa_needed", state: ownKeys(func(s *State) { s.ECS, s.Status.Err = imdsOn, mfaErr }),
			wantStatus: "dev · static keys · no expiry · servers: MFA code needed", wantHint: "choose Enter MFA code… in this menu",
			wantTooltip: "Servers: no temporary credentials (MFA code needed)",
			wantMFA:     true, wantIcon: IconExpiring, wantNote: "dev: the servers have no temporary credentials, MFA code needed"},
		{name: "process_long_term", state: ownKeys(func(s *State) { s.Status.Kind = engine.KindProcess }),
			wantStatus: "dev · long-term keys · no expiry"},
		{name: "ensure_temporary", state: ownKeys(func(s *State) {
			s.EnsureTemporary = true
			s.Status.Valid, s.Status.Expires = true, now.Add(42*time.Minute)
		}), wantStatus: "dev · expires in 42 min"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, hint := Summary(tt.state, now)
			if diff := cmp.Diff([]string{tt.wantStatus, tt.wantHint}, []string{status, hint}); diff != "" {
				t.Errorf("Summary mismatch (-want +got):\n%s", diff)
			}
			m := BuildMenu(tt.state, now)
			for _, id := range []string{idCopy, idWrite} {
				if it, _ := menuItem(m.Items, id); it.Disabled {
					t.Errorf("%s disabled", id)
				}
			}
			if tt.wantTooltip != "" && !strings.Contains(m.Tooltip, "\n"+tt.wantTooltip) {
				t.Errorf("tooltip %q; want %q in it", m.Tooltip, tt.wantTooltip)
			}
			if tt.wantTooltip == "" && strings.Contains(m.Tooltip, "Servers:") {
				t.Errorf("tooltip %q speaks of the servers", m.Tooltip)
			}
			if it, _ := menuItem(m.Items, idEnterMFA); it.Hidden == tt.wantMFA {
				t.Errorf("Enter MFA code… hidden %v; want offered %v", it.Hidden, tt.wantMFA)
			}
			if m.Icon != tt.wantIcon {
				t.Errorf("icon %v; want %v", m.Icon, tt.wantIcon)
			}
			if n, _ := NoteFor(tt.state, now); n.Summary != tt.wantNote {
				t.Errorf("notification %q; want %q", n.Summary, tt.wantNote)
			}
		})
	}
	// Without the Source's credentials, copies of anything but own keys
	// are disabled.
	m := BuildMenu(ownKeys(func(s *State) { s.EnsureTemporary = true }), now)
	if it, _ := menuItem(m.Items, idCopy); !it.Disabled {
		t.Errorf("Copy as enabled with ensure_temporary and no credentials")
	}
}

// TestMenuFinal is issue 10 item 28 (menu side): credentials a refresh
// could not renew say so, with what to do for the kind of profile, and
// are warned of ten minutes before they expire.
func TestMenuFinal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		state      State
		wantStatus string
		wantHint   string
		wantNote   *Note
		wantIcon   IconState
	}{
		{name: "session_42_min_left", state: final(42*time.Minute, nil),
			wantStatus: "dev · expires in 42 min · cannot be renewed",
			wantHint:   "replace the session in the AWS files (its keys, aws_session_token and aws_credential_expiration)",
			wantIcon:   IconExpiring},
		{name: "session_9_min_left", state: final(9*time.Minute+30*time.Second, nil),
			wantStatus: "dev · expires in 9 min · cannot be renewed",
			wantHint:   "replace the session in the AWS files (its keys, aws_session_token and aws_credential_expiration)",
			wantNote: &Note{Summary: "dev: credentials expire in 9 min",
				Body: "They cannot be renewed: replace the session in the AWS files (its keys, aws_session_token and aws_credential_expiration)"},
			wantIcon: IconExpiring},
		{name: "process", state: final(5*time.Minute, func(s *State) { s.Status.Kind = engine.KindProcess }),
			wantStatus: "dev · expires in 5 min · cannot be renewed",
			wantHint:   "check what credential_process returns: it gives the same credentials again",
			wantNote: &Note{Summary: "dev: credentials expire in 5 min",
				Body: "They cannot be renewed: check what credential_process returns: it gives the same credentials again"},
			wantIcon: IconExpiring},
		{name: "sso", state: final(5*time.Minute, func(s *State) { s.Status.Kind = engine.KindSSO }),
			wantStatus: "dev · expires in 5 min · cannot be renewed", wantHint: "choose Sign in to its session… in this menu",
			wantNote: &Note{Summary: "dev: credentials expire in 5 min", Body: "They cannot be renewed: choose Sign in to its session… in this menu"},
			wantIcon: IconExpiring},
		{name: "expired_not_fetched_again_yet", state: final(-time.Minute, nil),
			wantStatus: "dev · expired 1 min ago",
			wantHint:   "replace the session in the AWS files (its keys, aws_session_token and aws_credential_expiration)",
			wantIcon:   IconFailing},
		{name: "expired_refetch_failed", state: final(-time.Minute, func(s *State) {
			s.Status.Err = &engine.Error{Profile: "dev", Kind: engine.ErrResolve, Err: errors.New("the credentials it gave expired at …"),
				Hint: "its session token has expired: replace its keys, session token and aws_credential_expiration with a new session"}
		}),
			wantStatus: "dev · expired, cannot get credentials",
			wantHint:   "its session token has expired: replace its keys, session token and aws_credential_expiration with a new session",
			wantNote: &Note{Summary: "dev: cannot get credentials",
				Body: "its session token has expired: replace its keys, session token and aws_credential_expiration with a new session"},
			wantIcon: IconFailing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, hint := Summary(tt.state, now)
			if diff := cmp.Diff([]string{tt.wantStatus, tt.wantHint}, []string{status, hint}); diff != "" {
				t.Errorf("Summary mismatch (-want +got):\n%s", diff)
			}
			n, ok := NoteFor(tt.state, now)
			n.Key = ""
			if ok != (tt.wantNote != nil) || (ok && *tt.wantNote != n) {
				t.Errorf("NoteFor() = %+v, %v; want %+v", n, ok, tt.wantNote)
			}
			if got := IconFor(tt.state, now); got != tt.wantIcon {
				t.Errorf("IconFor() = %v; want %v", got, tt.wantIcon)
			}
		})
	}
}
