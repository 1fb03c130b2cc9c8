package console

import (
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"time"
)

// Method is how a [URL] signs in.
type Method int

// The ways into the console.
const (
	// Federation: the federation endpoint's login link with a sign-in
	// token made from the credentials. It is a bearer credential for 15
	// minutes.
	Federation Method = iota + 1
	// Portal: the IAM Identity Center access portal's console shortcut
	// for the profile's account and role. It carries no credential: the
	// portal signs in with the browser's own portal session.
	Portal
)

// String names the method.
func (m Method) String() string {
	switch m {
	case Federation:
		return "federation"
	case Portal:
		return "portal"
	}
	return fmt.Sprintf("method(%d)", int(m))
}

// SigninTokenLifetime is how long a federation sign-in link works: "valid
// for 15 minutes after it is created" (IAM User Guide, custom identity
// broker access to the console).
const SigninTokenLifetime = 15 * time.Minute

// URL is a console sign-in link. A federation link is a bearer
// credential: whoever opens it within 15 minutes is signed in as the
// profile. Its String, Format (every fmt verb), LogValue and
// MarshalText show it masked, the sign-in token left out; only
// [URL.Reveal] returns it whole, for a browser, a clipboard or standard
// output on request.
type URL struct {
	// link is the URL itself. A pointer, so that even a struct holding
	// a URL printed field by field with %+v (fmt cannot call methods on
	// unexported fields) shows an address, not the link.
	link *string
	// masked is link as logs and messages show it.
	masked string

	Profile   string // the profile it signs in as
	Method    Method
	Partition string // the partition's id: aws, aws-cn, aws-us-gov, aws-eusc, ...
	// Destination is the console page it lands on; not a secret. Empty
	// for a portal link that leaves the page to the portal (the
	// permission set's relay state, else the console home).
	Destination string
	// Expires is when a federation link stops working (15 minutes after
	// it was made); zero for a portal link.
	Expires time.Time
	// SessionDuration is the console session's length that was asked of
	// the federation endpoint or of GetFederationToken; zero when the
	// console session lasts as long as the credentials do (see
	// SessionEnds).
	SessionDuration time.Duration
	// SessionEnds is when the console session ends, as far as awsxc
	// knows: the credentials' expiry, or the requested duration's end;
	// zero when unknown (a portal link, credentials without expiry).
	SessionEnds time.Time
}

// Reveal returns the link itself: a bearer credential for a federation
// link. Give it to a browser, a clipboard or standard output only; never
// to a log, an error message or a command line.
func (u *URL) Reveal() string {
	if u == nil || u.link == nil {
		return ""
	}
	return *u.link
}

// Secret reports whether the link is a credential (a federation link).
func (u *URL) Secret() bool { return u != nil && u.Method != Portal }

// String returns the link masked: a federation link without its sign-in
// token, a portal link whole (it holds no credential).
func (u *URL) String() string {
	if u == nil {
		return "<nil>"
	}
	return u.masked
}

// Format writes the masked link for every verb (%v, %s, %q, %+v, %#v).
func (u *URL) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", u.String())
		return
	}
	io.WriteString(f, u.String())
}

// LogValue is the masked link, for log/slog.
func (u *URL) LogValue() slog.Value { return slog.StringValue(u.String()) }

// MarshalText is the masked link, so that JSON and text encoders never
// write the credential.
func (u *URL) MarshalText() ([]byte, error) { return []byte(u.String()), nil }

// maskedLogin is the login link as a log shows it: every parameter but
// the sign-in token.
func maskedLogin(endpoint, destination string) string {
	return endpoint + "?" + url.Values{"Action": {"login"}, "Issuer": {issuer}, "Destination": {destination}}.Encode() +
		"&SigninToken=[hidden]"
}
