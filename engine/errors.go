package engine

import (
	"errors"
	"strconv"
	"strings"

	"github.com/awsxc/awsxc/internal/textsafe"
)

// Sentinel errors. Every error that [Load], [Obtain], [Profile.Retrieve],
// [NewSource] and a [Source] return about a profile, and the long-term-keys
// refusal of [WriteCredentialsProfile], is an [*Error] whose Kind is one
// of these, so a front end can test them with errors.Is and choose a
// message, an exit code or a notification.
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
	// ErrLongTermKeys: [WriteCredentialsProfile] was asked to overwrite a
	// section that holds long-term keys (an aws_access_key_id with no
	// session token) without [WriteOptions.Force].
	ErrLongTermKeys = errors.New("holds long-term access keys")
)

// Error is a failure concerning one profile: obtaining its credentials,
// or writing it to the credentials file. Its message is one line and
// holds no secret: its cause, whoever made it, goes through [Redact],
// keeping the file paths it names readable (see [RedactError]).
type Error struct {
	Profile string // the profile concerned
	Kind    error  // one of the Err* sentinels
	Err     error  // the underlying cause, may be nil
	// Action is what the user can do about it, for a front end to word
	// for its own controls (see [Hints]); ActionNone when nothing in
	// particular.
	Action Action
	// Hint says what the user can do in neutral words, naming no front
	// end's controls; may be empty. With an Action it is
	// Action.Hint(Profile).
	Hint string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("profile ")
	b.WriteString(quote(e.Profile))
	b.WriteString(": ")
	b.WriteString(e.Kind.Error())
	if e.Err != nil {
		// Every cause, whatever package made it (engine/console's calls
		// to STS included): a service's error text may quote the request.
		b.WriteString(": ")
		b.WriteString(RedactError(e.Err))
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

// quote quotes a profile name for a message, with its control characters
// escaped (a name comes from a file).
func quote(s string) string { return `"` + textsafe.Escape(s) + `"` }

// oneLine folds a multi-line SDK message into one line, since every error
// awsxc prints is a single line.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if !strings.ContainsAny(s, "\r\n\t") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// newError returns an Error whose hint is a's neutral wording.
func newError(profile string, kind, err error, a Action) *Error {
	return &Error{Profile: profile, Kind: kind, Err: err, Action: a, Hint: a.Hint(profile)}
}

// Action is what a user can do about a failure. The engine names it and
// each front end words it for its own controls: the CLI names its flags,
// the tray its menu items, a server's client its settings. No engine
// message names a front end's controls; [Action.Hint] is the neutral
// wording, for a front end that has none of its own.
type Action int

// The actions. New ones are added at the end, so the numbers stay.
const (
	// ActionNone: nothing in particular; the hint, if any, says what to
	// check.
	ActionNone Action = iota
	// ActionMFACode: give an MFA code for the profile's mfa_serial.
	ActionMFACode
	// ActionSSOLogin: sign in to IAM Identity Center for the profile
	// again, as aws sso login --profile NAME does.
	ActionSSOLogin
	// ActionAWSLogin: sign in again for the profile's login_session, as
	// aws login --profile NAME does.
	ActionAWSLogin
	// ActionConfigure: the implicit default profile does not exist:
	// configure credentials, or name another profile.
	ActionConfigure
	// ActionCheckProfileName: no profile has this name: compare it with
	// the list of profiles.
	ActionCheckProfileName
	// ActionForce: the credentials-file section to write holds
	// long-term keys: overwrite it only on an explicit request, or write
	// another section.
	ActionForce
	// ActionAllowHost: a local server refused a request because of its
	// Host header: allow that host name, or use one it accepts.
	ActionAllowHost
)

var actionNames = [...]string{"none", "mfa-code", "sso-login", "aws-login", "configure", "check-profile-name", "force", "allow-host"}

// String returns the action's name ("mfa-code", "sso-login", ...), for
// logs and protocols.
func (a Action) String() string {
	if a < 0 || int(a) >= len(actionNames) {
		return "action(" + strconv.Itoa(int(a)) + ")"
	}
	return actionNames[a]
}

// Hint words the action neutrally for profile (which may be empty): what
// to do, naming no front end's controls. It is "" for ActionNone.
func (a Action) Hint(profile string) string {
	switch a {
	case ActionMFACode:
		return "give an MFA code"
	case ActionSSOLogin:
		return "run aws sso login --profile " + ShellQuote(profile)
	case ActionAWSLogin:
		return "run aws login --profile " + ShellQuote(profile)
	case ActionConfigure:
		return "configure credentials (aws configure), or name another profile"
	case ActionCheckProfileName:
		return "check the name against the list of profiles"
	case ActionForce:
		return "not overwriting them unless asked to"
	case ActionAllowHost:
		return "allow the host name in the server's settings, or use localhost"
	}
	return ""
}

// Hints words actions for one front end's controls: it returns what the
// front end's user does about a for profile (which may be empty), or ""
// to keep the engine's neutral hint. The CLI names its flags, the tray
// its menu items.
type Hints func(a Action, profile string) string

// Reword returns err as the front end of h shows it: when err is an
// [*Error] (not wrapped) whose action h words, a copy with h's hint;
// otherwise err itself. A nil h returns err.
func (h Hints) Reword(err error) error {
	e, ok := err.(*Error)
	if !ok || h == nil || e.Action == ActionNone {
		return err
	}
	hint := h(e.Action, e.Profile)
	if hint == "" {
		return err
	}
	c := *e
	c.Hint = hint
	return &c
}

// upstream wraps an error from the AWS SDK or a service it called, whose
// text may quote the request (an endpoint that echoes what it was sent,
// session token included): its message is err's through [Redact], and it
// unwraps to err, so errors.Is and errors.As still see the SDK's types.
type upstream struct{ err error }

// fromUpstream wraps err as [upstream]; nil stays nil.
func fromUpstream(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := err.(*upstream); ok {
		return err
	}
	return &upstream{err}
}

func (u *upstream) Error() string { return RedactError(u.err) }
func (u *upstream) Unwrap() error { return u.err }
