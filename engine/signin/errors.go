package signin

import (
	"errors"
	"strings"

	"github.com/awsxc/awsxc/engine"
)

// Sentinel errors. Every error that [ProfileSession], [NamedSession],
// [SignIn] and [SignOut] return is an [*Error] whose Kind is one of these,
// so that a front end can tell them apart with errors.Is.
var (
	// ErrNoSession: the profile signs in to nothing (static keys, a
	// credential_process, ...), or does not exist.
	ErrNoSession = errors.New("no sign-in session")
	// ErrConfig: the session's settings are incomplete or wrong (an
	// sso-session that does not exist, no sso_start_url or sso_region, no
	// region for aws login, a start URL that is not https).
	ErrConfig = errors.New("sign-in settings incomplete")
	// ErrDenied: the user (or the administrator's policy) refused the
	// sign-in in the browser.
	ErrDenied = errors.New("sign-in denied")
	// ErrExpired: the sign-in ran out of time before the user finished it
	// (the device code or authorization code expired, or nobody came back
	// to the loopback redirect within the time allowed).
	ErrExpired = errors.New("sign-in expired")
	// ErrStateMismatch: the browser came back with a state that is not
	// the one sent; the code it carried was never redeemed.
	ErrStateMismatch = errors.New("sign-in refused: the callback's state does not match")
	// ErrRegistrationExpired: the service no longer accepts the client
	// registration. The cached one is removed, so that the next sign-in
	// registers again.
	ErrRegistrationExpired = errors.New("client registration expired")
	// ErrUnreachable: the OIDC, portal or sign-in endpoint could not be
	// reached.
	ErrUnreachable = errors.New("sign-in service unreachable")
	// ErrFailed: the service refused the sign-in in some other way, or
	// its answer could not be used.
	ErrFailed = errors.New("sign-in failed")
	// ErrSessionMismatch: aws login signed in as a principal other than
	// the profile's login_session names.
	ErrSessionMismatch = errors.New("signed in to another login session")
	// ErrCancelled: ctx was cancelled (Ctrl-C, the tray's Cancel) before
	// the sign-in finished. The error also wraps ctx's own error.
	ErrCancelled = errors.New("sign-in cancelled")
	// ErrCache: a token cache file could not be written or removed.
	ErrCache = errors.New("token cache not written")
)

// Error is a sign-in failure. Its message is one line and holds no
// token, secret, code or key: its cause goes through [engine.RedactError]
// (engine.Redact, keeping the file paths it names whole), as an engine
// error's does, since a service's error text may quote the request it
// was sent (client secret, refresh token, device code).
type Error struct {
	// Session names the session as people know it (the sso-session
	// name, a legacy profile's start URL, a login session's ARN); empty
	// when the failure is about a profile that has none.
	Session string
	// Profile is the profile concerned, if any.
	Profile string
	Kind    error // one of the Err* sentinels
	Err     error // the cause, may be nil
	// Hint says what to do, in neutral words (no front end's controls);
	// may be empty.
	Hint string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Session != "" {
		b.WriteString("sign in to ")
		b.WriteString(quote(e.Session))
	} else {
		b.WriteString("profile ")
		b.WriteString(quote(e.Profile))
	}
	b.WriteString(": ")
	b.WriteString(e.Kind.Error())
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(engine.RedactError(e.Err))
	}
	if e.Hint != "" {
		b.WriteString("; ")
		b.WriteString(e.Hint)
	}
	return b.String()
}

// Unwrap returns the sentinel and the cause.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

func quote(s string) string { return `"` + s + `"` }
