// Package creds is a set of AWS credentials as awsxc hands them out, and
// the formats it writes them in: credential_process JSON and environment
// lines for every common shell. It needs none of the AWS SDK; package
// engine names all of it as its own (engine.Credentials, engine.Render),
// and a front end may use it before the SDK's packages are initialized.
package creds

import (
	"time"
	"unicode/utf8"
)

// Credentials is one set of AWS credentials as awsxc hands them out.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string    // empty for long-term keys
	Expires         time.Time // zero when the credentials do not expire
	AccountID       string    // empty when unknown
}

// CanExpire reports whether the credentials carry an expiry time.
func (c Credentials) CanExpire() bool { return !c.Expires.IsZero() }

// Temporary reports whether the credentials carry a session token.
func (c Credentials) Temporary() bool { return c.SessionToken != "" }

// Expired reports whether the credentials have expired at now.
func (c Credentials) Expired(now time.Time) bool {
	return c.CanExpire() && !now.Before(c.Expires)
}

// FormatTime writes t the way every AWS SDK accepts it: UTC, whole
// seconds, a literal Z (2006-01-02T15:04:05Z). JS SDK v3 rejects +00:00.
func FormatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

// MaskKey shows an access key id without giving it away: the first four
// and the last four characters, "AKIA…WXYZ". Short or empty ids are
// masked whole.
func MaskKey(id string) string {
	if id == "" {
		return ""
	}
	if utf8.RuneCountInString(id) < 12 {
		return "…"
	}
	return id[:4] + "…" + id[len(id)-4:]
}
