//go:build !darwin || cgo

package tray

import (
	"errors"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/platform"
	"github.com/google/go-cmp/cmp"
)

func TestNoteFor(t *testing.T) {
	t.Parallel()
	ssoErr := &engine.Error{Profile: "dev", Kind: engine.ErrSSOLoginRequired, Action: engine.ActionSSOLogin, Hint: engine.ActionSSOLogin.Hint("dev")}
	tests := []struct {
		name  string
		state State
		want  *Note
	}{
		{"all_well", base(), nil},
		{"expiring_but_refreshes", with(func(s *State) { s.Status.Expires = now.Add(5 * time.Minute) }), nil},
		{"expiring_cannot_refresh", with(func(s *State) {
			s.Status.Expires = now.Add(9*time.Minute + 10*time.Second)
			s.Status.Err = ssoErr
		}), &Note{Summary: "dev: credentials expire in 9 min", Body: "They cannot be renewed: choose Sign in to its session… in this menu"}},
		{"refresh_failed_still_valid", with(func(s *State) { s.Status.Err = ssoErr }),
			&Note{Summary: "dev: refresh failed, SSO login needed", Body: "choose Sign in to its session… in this menu"}},
		{"no_credentials", with(func(s *State) { s.Status = engine.Status{Profile: "dev", Err: ssoErr} }),
			&Note{Summary: "dev: SSO login needed", Body: "choose Sign in to its session… in this menu"}},
		{"mfa_dialog_open", with(func(s *State) {
			s.Status = engine.Status{Profile: "dev", Err: &engine.Error{Kind: engine.ErrMFARequired}}
			s.MFAAsking = true
		}), nil},
		{"mfa_dialog_canceled", with(func(s *State) {
			s.Status.Err = &engine.Error{Kind: engine.ErrMFARequired, Err: platform.ErrCanceled}
		}), nil},
		{"mfa_dialog_canceled_no_credentials", with(func(s *State) {
			s.Status = engine.Status{Profile: "dev", Err: &engine.Error{Kind: engine.ErrMFARequired, Err: platform.ErrCanceled}}
		}), nil},
		{"port_in_use", with(func(s *State) {
			s.IMDS = ServerState{On: true, Addr: "127.0.0.1:9911", Err: fmt.Errorf("listen: %w", syscall.EADDRINUSE)}
		}), &Note{Summary: "IMDS server: port 9911 is in use"}},
		{"profile_broken", with(func(s *State) {
			s.HaveSource = false
			s.LoadErr = &engine.Error{Profile: "dev", Kind: engine.ErrInvalidConfig, Err: errors.New("bad source_profile")}
		}), &Note{Summary: "dev: invalid configuration", Body: "bad source_profile"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n, ok := NoteFor(tt.state, now)
			if (tt.want != nil) != ok {
				t.Fatalf("NoteFor() = %+v, %v; want %+v", n, ok, tt.want)
			}
			if !ok {
				return
			}
			if n.Key == "" {
				t.Error("empty Key")
			}
			got := Note{Summary: n.Summary, Body: n.Body}
			if tt.want.Body == "" {
				got.Body = ""
			}
			if diff := cmp.Diff(*tt.want, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestNoteForRepeats: the Key stays the same from tick to tick, so the
// loop shows a note once, and changes when the condition does.
func TestNoteForRepeats(t *testing.T) {
	t.Parallel()
	s := with(func(s *State) {
		s.Status.Expires = now.Add(9 * time.Minute)
		s.Status.Err = &engine.Error{Profile: "dev", Kind: engine.ErrResolve}
	})
	a, _ := NoteFor(s, now)
	b, _ := NoteFor(s, now.Add(30*time.Second))
	if a.Key != b.Key {
		t.Errorf("key changed between ticks: %q, %q", a.Key, b.Key)
	}
	s.Active = "prod"
	c, _ := NoteFor(s, now)
	if c.Key == a.Key {
		t.Error("key did not change with the profile")
	}
}
