//go:build !darwin || cgo

package tray

import (
	"context"
	"errors"
	"time"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/engine/server"
)

// expiryWarning is how long before expiry the user is warned about
// credentials that cannot refresh on their own.
const expiryWarning = 10 * time.Minute

// Note is a desktop notification the state calls for. Key identifies the
// condition, so the same one is not shown again on every tick.
type Note struct {
	Key, Summary, Body string
}

// NoteFor returns the notification s calls for at now, if any: credentials
// that will expire within 10 minutes and cannot refresh, a failed refresh,
// a profile that cannot be loaded, a server that cannot listen.
func NoteFor(s State, now time.Time) (Note, bool) {
	if s.NoConfig || s.Active == "" || s.MFAAsking {
		return serverNote(s)
	}
	p := s.Active
	if s.LoadErr != nil {
		return Note{Key: "load:" + p + ":" + errSummary(s.LoadErr), Summary: p + ": " + errSummary(s.LoadErr), Body: hintOf(s.LoadErr)}, true
	}
	st := s.Status
	if !s.HaveSource || !sourceUsed(s) {
		// Copies hand out the profile's own keys and no server runs:
		// nothing uses what the Source would say.
		return serverNote(s)
	}
	// A closed MFA dialog is the user's choice, not a failure: the menu
	// says the code is needed, quietly.
	failed := st.Err != nil && !errors.Is(st.Err, context.Canceled) && !mfaCanceled(st.Err)
	// Credentials that a refresh could not renew (Final), or that failed
	// to refresh, expire for good: warn ahead.
	if left := st.Expires.Sub(now); st.Valid && !st.Expires.IsZero() && left <= expiryWarning && (failed || (st.Final && st.Err == nil)) {
		what := "credentials"
		if OwnKeys(s) {
			what = "the servers' credentials"
		}
		return Note{
			Key:     "expiring:" + p + ":" + st.Expires.String(),
			Summary: p + ": " + what + " expire in " + Countdown(left),
			Body:    "They cannot be renewed: " + renewHint(s),
		}, true
	}
	if failed {
		sum := p + ": " + errSummary(st.Err)
		switch {
		case OwnKeys(s):
			sum = p + ": the servers have no temporary credentials, " + errSummary(st.Err)
		case st.Valid:
			sum = p + ": refresh failed, " + errSummary(st.Err)
		}
		key := "fail:" + p + ":" + errSummary(st.Err)
		if errors.Is(st.Err, engine.ErrMFARequired) && s.MFAErr != nil {
			key += ":no dialog" // say once that the dialog cannot be shown
		}
		return Note{Key: key, Summary: sum, Body: statusHint(s)}, true
	}
	return serverNote(s)
}

func serverNote(s State) (Note, bool) {
	for _, sv := range []struct {
		name string
		st   ServerState
	}{{"IMDS server", s.IMDS}, {"ECS server", s.ECS}} {
		if sv.st.Err == nil {
			continue
		}
		sum := sv.name + " did not start"
		body := "Change its address in the settings, or stop what uses the port. " + sv.st.Err.Error()
		var re *server.RemoteBindError
		switch {
		case isAddrInUse(sv.st.Err):
			sum = sv.name + ": port " + portOf(sv.st.Addr) + " is in use"
		case errors.As(sv.st.Err, &re):
			sum = sv.name + ": " + sv.st.Addr + " is not a loopback address"
			body = sv.st.Err.Error() + ". To serve beyond this machine anyway, set \"allow_remote\": true next to its " +
				"\"addr\" in the settings; otherwise use 127.0.0.1."
		}
		return Note{Key: "server:" + sv.name + ":" + sv.st.Err.Error(), Summary: sum, Body: body}, true
	}
	return Note{}, false
}
