package engine

import (
	"errors"
	"strings"
)

// Sentinel errors. Every error returned by [Resolve], [GetSessionToken] and
// the functions built on them wraps an [*Error] whose Kind is one of these,
// so a front end can test them with errors.Is and choose a message, an exit
// code or a notification.
var (
	// ErrProfileNotFound: the named profile is in neither the config nor
	// the credentials file.
	ErrProfileNotFound = errors.New("profile not found")
	// ErrNoCredentials: the profile exists (or is the implicit default)
	// but configures no way to obtain credentials.
	ErrNoCredentials = errors.New("no credentials")
	// ErrMFARequired: the profile needs an MFA code and none could be had
	// (no token provider, or the provider failed).
	ErrMFARequired = errors.New("MFA code needed")
	// ErrSSOLoginRequired: the cached IAM Identity Center token is missing,
	// expired or invalid.
	ErrSSOLoginRequired = errors.New("SSO login needed")
	// ErrLoginRequired: the `aws login` session is missing or expired.
	ErrLoginRequired = errors.New("aws login needed")
	// ErrInvalidConfig: the config or credentials file cannot be used as
	// it is (a parse error, a missing source_profile, a bad setting).
	ErrInvalidConfig = errors.New("invalid configuration")
	// ErrRecursion: resolving the profile would run awsxc-cli again for a
	// profile already being resolved, or nest too deep.
	ErrRecursion = errors.New("credential_process recursion")
	// ErrResolve: any other failure to obtain credentials (STS refused or
	// unreachable, a credential_process failed, ...).
	ErrResolve = errors.New("cannot get credentials")
)

// Error is a failure to obtain credentials for a profile.
type Error struct {
	Profile string // the profile being resolved
	Kind    error  // one of the Err* sentinels
	Err     error  // the underlying cause, may be nil
	Hint    string // what the user can do about it, may be empty
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("profile ")
	b.WriteString(quote(e.Profile))
	b.WriteString(": ")
	b.WriteString(e.Kind.Error())
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(oneLine(e.Err.Error()))
	}
	if e.Hint != "" {
		b.WriteString("; ")
		b.WriteString(e.Hint)
	}
	return b.String()
}

// Unwrap returns both the sentinel and the cause, so errors.Is and
// errors.As see both.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

func quote(s string) string { return `"` + s + `"` }

// oneLine folds a multi-line SDK message into one line, since every error
// awsxc prints is a single line.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if !strings.ContainsAny(s, "\r\n\t") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}
