//go:build !darwin || cgo

package tray

import "time"

// IconState is which tray icon the state calls for.
type IconState int

// The tray icons: the plain one, with a yellow clock badge, and with a
// red "!" badge (packaging/icons).
const (
	IconOK       IconState = iota // credentials in hand, or on their way
	IconExpiring                  // valid, but they expire soon or the refresh failed
	IconFailing                   // no usable credentials, or the user has something to do
)

// IconFor is the icon for state s at now. It is a pure function, like
// [BuildMenu].
func IconFor(s State, now time.Time) IconState {
	st := s.Status
	switch {
	case s.NoConfig || s.Active == "" || s.LoadErr != nil:
		return IconFailing
	case !s.HaveSource || s.MFAAsking:
		return IconOK // loading, or the user is at it
	case OwnKeys(s):
		// The keys are good; the servers may lack credentials to serve.
		if serversOn(s) && st.Err != nil && !mfaCanceled(st.Err) {
			return IconExpiring
		}
		return IconOK
	case st.Final && st.Valid:
		return IconExpiring // the last credentials the profile gives
	case !st.Valid && (st.Err != nil || (!st.Expires.IsZero() && !now.Before(st.Expires))):
		return IconFailing
	case !st.Valid:
		return IconOK // getting the first credentials
	case st.Err != nil:
		return IconExpiring // still valid, but not renewed
	case s.Session != nil && (needsSignIn(s, now) || endsSoon(s.Session, now)):
		return IconExpiring // valid, but the sign-in that renews them ends
	case !st.Expires.IsZero() && st.Expires.Sub(now) <= expiryWarning:
		return IconExpiring // a refresh would have renewed them by now
	}
	return IconOK
}
