//go:build !darwin || cgo

package tray

import (
	"errors"
	"testing"
	"time"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/platform"
)

func TestIconFor(t *testing.T) {
	t.Parallel()
	ssoErr := &engine.Error{Profile: "dev", Kind: engine.ErrSSOLoginRequired}
	tests := []struct {
		name  string
		state State
		want  IconState
	}{
		{"valid", base(), IconOK},
		{"static_keys", with(func(s *State) { s.Status.Kind, s.Status.Expires = engine.KindStatic, time.Time{} }), IconOK},
		{"loading", with(func(s *State) { s.HaveSource, s.Status = false, engine.Status{} }), IconOK},
		{"getting_credentials", with(func(s *State) { s.Status = engine.Status{Profile: "dev", Refreshing: true} }), IconOK},
		{"mfa_dialog_open", with(func(s *State) { s.Status = engine.Status{Err: ssoErr}; s.MFAAsking = true }), IconOK},
		{"expiring_soon", with(func(s *State) { s.Status.Expires = now.Add(9 * time.Minute) }), IconExpiring},
		{"refresh_failed_still_valid", with(func(s *State) { s.Status.Err = ssoErr }), IconExpiring},
		{"mfa_canceled_still_valid", with(func(s *State) {
			s.Status.Err = &engine.Error{Kind: engine.ErrMFARequired, Err: platform.ErrCanceled}
		}), IconExpiring},
		{"sso_login_needed", with(func(s *State) { s.Status = engine.Status{Err: ssoErr} }), IconFailing},
		{"expired", with(func(s *State) { s.Status.Valid, s.Status.Expires = false, now.Add(-time.Minute) }), IconFailing},
		{"profile_broken", with(func(s *State) { s.HaveSource, s.LoadErr = false, errors.New("bad") }), IconFailing},
		{"no_profiles", State{NoConfig: true}, IconFailing},
		{"no_profile_chosen", with(func(s *State) { s.Active, s.HaveSource = "", false }), IconFailing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := IconFor(tt.state, now); got != tt.want {
				t.Errorf("IconFor() = %v; want %v", got, tt.want)
			}
			if got := BuildMenu(tt.state, now).Icon; got != tt.want {
				t.Errorf("BuildMenu().Icon = %v; want %v", got, tt.want)
			}
		})
	}
}
