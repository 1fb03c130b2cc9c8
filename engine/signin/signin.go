package signin

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"
)

// Flow is how a sign-in reaches the user's browser.
type Flow int

const (
	// FlowBrowser opens the browser on this machine and takes its
	// redirect on a loopback listener: the authorization code grant with
	// PKCE (IAM Identity Center sso-sessions, the AWS CLI's default since
	// 2.22), or aws login's same-device flow. Legacy profiles (no
	// sso-session) use the device code flow whatever is asked, as the
	// AWS CLI does.
	FlowBrowser Flow = iota
	// FlowDevice works from any browser on any device, for sessions with
	// no display or over SSH: the device code grant (the user enters a
	// code on the page), or aws login's cross-device flow (the user pastes
	// back the code the page shows; SignInOptions.ReadCode).
	FlowDevice
)

// String names the flow.
func (f Flow) String() string {
	if f == FlowDevice {
		return "device"
	}
	return "browser"
}

// SignInOptions says how [SignIn] reaches the user.
type SignInOptions struct {
	// Flow picks the browser (loopback) or the device flow; the front
	// end decides from its environment (no display, an SSH session).
	Flow Flow
	// Force signs in again even when the cached token is still good or
	// can be refreshed, with a new client registration (the way out when
	// the service refuses a cached one that has not expired yet).
	Force bool
	// Explicit is a sign-in the user asked for (awsxc-cli login, the
	// tray's Sign in to NAME…). It signs in as aws sso login does, in
	// the browser, unless the cached token is good for a while yet and
	// the service still accepts it: IAM Identity Center's portal is asked
	// (ListAccounts), since an administrator may have ended the session,
	// or another tool signed it out, before the token's expiry. It never
	// only refreshes: a sign-in starts a new session, for the whole
	// session duration. Without it (a renewal nobody asked for) a good
	// token is left alone unasked and an expiring one is refreshed when
	// it can be.
	Explicit bool
	// OpenBrowser opens a URL in the user's browser (internal/browser's
	// Open, say). It is called in a goroutine of its own and may block
	// until the browser command exits; the sign-in waits for the
	// redirect, not for it. Its ctx is done when the sign-in ends: that
	// must end the wait only, never the browser, which may be the user's
	// whole browser (internal/browser's Open leaves it running). Nil
	// opens nothing: the URL is only shown.
	OpenBrowser func(ctx context.Context, url string) error
	// Show is called once, before the browser is opened, with what the
	// user must see: the URL, and for the device flow the code to enter.
	// It must not block. Nil shows nothing.
	Show func(Prompt)
	// BrowserFailed is called when OpenBrowser returned an error; the
	// sign-in goes on waiting (the URL was shown). Nil ignores it.
	BrowserFailed func(error)
	// ReadCode reads the code that aws login's cross-device page shows,
	// as the user pastes it. Only that flow calls it; without it, that
	// flow fails with [ErrConfig].
	ReadCode func(ctx context.Context) (string, error)
	// Timeout bounds the wait for the user; 0 is 10 minutes (the AWS
	// CLI's). The device flow also ends when its code expires.
	Timeout time.Duration
}

// Prompt is what the user must see to finish a sign-in.
type Prompt struct {
	Session Session
	Flow    Flow
	// URL is the page to open: the authorize URL, or the device
	// verification page (where the code is entered).
	URL string
	// BrowserURL is what the browser is given: URL, or for the device
	// flow the verification page with the code filled in, where the
	// service offers one. Since 2026 the page no longer shows the code
	// from the URL: always show UserCode too.
	BrowserURL string
	// UserCode is the code to enter on the device verification page;
	// empty for the other flows.
	UserCode string
	// Expires is when the sign-in stops waiting.
	Expires time.Time
	// ReadsCode says that the page will show a code to paste back
	// (aws login cross-device): ReadCode is called next.
	ReadsCode bool
}

// How says what a [SignIn] did.
type How int

const (
	// SignedIn: the user signed in in the browser.
	SignedIn How = iota
	// Refreshed: the cached refresh token renewed the session; no browser
	// was needed.
	Refreshed
	// StillValid: the cached token is good for a while yet; nothing was
	// done (SignInOptions.Force signs in anyway).
	StillValid
)

// String names what was done.
func (h How) String() string {
	return [...]string{"signed-in", "refreshed", "still-valid"}[h]
}

// Result is the outcome of a [SignIn].
type Result struct {
	How    How
	Status Status // the session's state afterwards, as [StatusOf] reads it
}

// defaultTimeout is how long a sign-in waits for the user: the AWS CLI's
// AuthCodeFetcher _OVERALL_TIMEOUT, and the device codes' usual life.
const defaultTimeout = 10 * time.Minute

// SignIn signs the session in, once for every profile on it: it writes
// the token cache that the AWS CLI, the SDKs and awsxc read.
//
// Unless o.Force, a token still good for longer than the session's
// window (15 minutes for IAM Identity Center, 5 for aws login, the
// margins botocore refreshes within) is left as it is ([StillValid]);
// with o.Explicit only when the portal still accepts it. Unless
// o.Explicit, a refreshable one is refreshed first ([Refreshed]). Only
// when neither is done (no refresh token, the session has ended, the
// registration has expired, the user asked) does the user sign in in
// the browser. A registration that has expired is renewed.
//
// ctx cancels the sign-in (the listener closes at once; no token is
// written, though a client registration made on the way stays cached). Errors are [*Error] values; they never hold a token.
func SignIn(ctx context.Context, s Session, c Config, o SignInOptions) (*Result, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	if o.Timeout <= 0 {
		o.Timeout = defaultTimeout
	}
	log := c.log().With("session", s.Key())
	st, err := StatusOf(s, c)
	if err != nil {
		return nil, err
	}
	now := c.Env.Now()
	if !o.Force && st.SignedIn && now.Add(s.window()).Before(st.ExpiresAt) {
		ok := true
		if o.Explicit && s.Kind != KindLogin {
			if ok, err = c.portalAccepts(ctx, s, st.Path); err != nil {
				return nil, err
			}
		}
		if ok {
			log.Debug("the cached token is still valid", "expires", st.ExpiresAt.UTC().Format(time.RFC3339))
			return &Result{How: StillValid, Status: st}, nil
		}
		log.Debug("the portal no longer accepts the cached token; signing in")
	}
	var res *Result
	switch s.Kind {
	case KindLogin:
		res, err = loginSignIn(ctx, s, c, o, st)
	default:
		res, err = ssoSignIn(ctx, s, c, o, st)
	}
	if err != nil {
		if ctx.Err() != nil && !errors.Is(err, ErrCancelled) {
			err = &Error{Session: s.Name, Profile: s.Profile, Kind: ErrCancelled, Err: ctx.Err()}
		}
		return nil, err
	}
	return res, nil
}

// window is how long before its expiry a cached token is renewed.
func (s Session) window() time.Duration {
	if s.Kind == KindLogin {
		return 5 * time.Minute // botocore credentials.py LoginCredentialFetcher
	}
	return 15 * time.Minute // botocore utils.py _EXPIRY_WINDOW, tokens.py _REFRESH_WINDOW
}

// Status is a session's state as the token cache tells it, without
// network.
type Status struct {
	Session Session
	// Path is the token cache file.
	Path string
	// SignedIn says that the cache holds a token for the session, expired
	// or not.
	SignedIn bool
	// ExpiresAt is when the cached access token (IAM Identity Center) or
	// the cached credentials (aws login) expire; zero when not SignedIn.
	ExpiresAt time.Time
	// Refreshable says that the token can be renewed past ExpiresAt
	// without a human: a refresh token is cached, and for IAM Identity
	// Center the client registration that goes with it has not expired
	// (as far as the cache knows).
	Refreshable bool
	// RegistrationExpiresAt is when the client registration cached with
	// an IAM Identity Center token expires; zero when unknown.
	RegistrationExpiresAt time.Time
}

// Ends returns when a new sign-in will be needed, and whether that time
// is certain. Without a refresh token it is ExpiresAt, certain. With one
// the session goes on past ExpiresAt until the service ends it (IAM
// Identity Center's session duration, 8 hours by default and set by the
// administrator; 12 hours for aws login), which no cache records: Ends
// returns ExpiresAt and false, the time the session lasts at least.
func (st Status) Ends() (time.Time, bool) {
	return st.ExpiresAt, !st.Refreshable
}

// Valid says whether the cached token is unexpired at now.
func (st Status) Valid(now time.Time) bool {
	return st.SignedIn && now.Before(st.ExpiresAt)
}

// NeedsSignIn says whether the user must sign in at now for the session
// to work: no token, or an expired one that cannot be refreshed.
func (st Status) NeedsSignIn(now time.Time) bool {
	return !st.SignedIn || (!st.Valid(now) && !st.Refreshable)
}

// StatusOf reads the session's token cache: where the session stands
// and when it ends ([Status.Ends]), for a headline such as "dev · signed
// in to my-sso until 18:05". It reads one file and touches no network.
// A missing or unreadable cache file is not an error: the session is not
// signed in. The error says why the file cannot even be named (no home
// folder).
func StatusOf(s Session, c Config) (Status, error) {
	st := Status{Session: s}
	path, err := c.tokenPath(s)
	if err != nil {
		return st, &Error{Session: s.Name, Profile: s.Profile, Kind: ErrConfig, Err: err}
	}
	st.Path = path
	now := c.Env.Now()
	if s.Kind == KindLogin {
		t, err := readLoginToken(path)
		if err != nil {
			logUnreadable(c, path, err)
			return st, nil
		}
		st.SignedIn, st.ExpiresAt = true, t.ExpiresAt
		st.Refreshable = t.RefreshToken != "" && t.DPoPKey != "" && t.ClientID != ""
		return st, nil
	}
	t, err := readSSOToken(path)
	if err != nil {
		logUnreadable(c, path, err)
		return st, nil
	}
	st.SignedIn, st.ExpiresAt, st.RegistrationExpiresAt = true, t.ExpiresAt, t.RegistrationExpiresAt
	// The Go SDK refreshes without looking at registrationExpiresAt
	// (botocore needs it); a known expiry in the past means the service
	// will refuse the client.
	st.Refreshable = t.RefreshToken != "" && t.ClientID != "" && t.ClientSecret != "" &&
		(t.RegistrationExpiresAt.IsZero() || now.Before(t.RegistrationExpiresAt))
	return st, nil
}

func logUnreadable(c Config, path string, err error) {
	if !errors.Is(err, fs.ErrNotExist) {
		c.log().Debug("token cache unreadable", "path", path, "err", err)
	}
}

// wrap returns err as an [*Error] of kind, keeping one that already is.
func wrap(s Session, kind error, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return &Error{Session: s.Name, Profile: s.Profile, Kind: kind, Err: err}
}

// writeCache writes a token file, as an [ErrCache] error on failure.
func writeCache(s Session, path string, o object) error {
	if err := writeObject(path, o); err != nil {
		return &Error{Session: s.Name, Profile: s.Profile, Kind: ErrCache, Err: fmt.Errorf("write %s: %w", path, err)}
	}
	return nil
}
