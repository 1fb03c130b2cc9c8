package daemon

import (
	"errors"
	"strings"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/engine/daemon/wire"
)

// The wire format of the local API is package wire's, which needs none
// of the AWS SDK (a front end's quick path uses it before the SDK is
// initialized); the daemon names it as its own.
const (
	// Version is the protocol's version (wire.Version).
	Version = wire.Version
	// Header carries the protocol version (wire.Header).
	Header      = wire.Header
	versionText = wire.VersionText
	// PathCredentials answers a [CredentialsRequest] (wire.PathCredentials).
	PathCredentials = wire.PathCredentials
	// PathStatus answers a [StatusResponse] (wire.PathStatus).
	PathStatus = wire.PathStatus
	// MaxRequestBytes bounds a request body the daemon reads
	// (wire.MaxRequestBytes).
	MaxRequestBytes = wire.MaxRequestBytes
	// MaxResponseBytes bounds an answer a client reads
	// (wire.MaxResponseBytes).
	MaxResponseBytes = wire.MaxResponseBytes
)

type (
	// Config is what shapes a resolution besides the profile and the
	// call's options (wire.Config).
	Config = wire.Config
	// CredentialsRequest asks for a profile's credentials
	// (wire.CredentialsRequest).
	CredentialsRequest = wire.CredentialsRequest
	// CredentialsResponse is the answer to a CredentialsRequest that
	// succeeded (wire.CredentialsResponse).
	CredentialsResponse = wire.CredentialsResponse
	// Warning is an engine.FileWarning on the wire (wire.Warning).
	Warning = wire.Warning
	// Credentials are engine.Credentials on the wire (wire.Credentials).
	Credentials = wire.Credentials
)

// ConfigOf is wire.ConfigOf.
func ConfigOf(env engine.Env, environ []string) Config { return wire.ConfigOf(env, environ) }

// ErrorResponse is the answer to a request that did not succeed, with
// any HTTP status but 200.
type ErrorResponse struct {
	Error APIError `json:"error"`
}

// The codes of an [APIError].
const (
	// CodeFallback: the daemon does not answer this request (another
	// configuration, another protocol version, a profile it does not
	// serve); the client resolves by itself. HTTP 409.
	CodeFallback = "fallback"
	// CodeResolve: resolving the profile failed, as it would have in
	// the client's process; Kind, Action, Message and Hint say how.
	// HTTP 422.
	CodeResolve = "resolve"
	// CodeBadRequest: the request is malformed. HTTP 400.
	CodeBadRequest = "bad-request"
	// CodeUnavailable: the daemon cannot answer now (shutting down, too
	// many profiles held); the client resolves by itself. HTTP 503.
	CodeUnavailable = "unavailable"
)

// APIError says why a request did not succeed. For [CodeResolve] it
// carries an [engine.Error]: Profile, Kind (the sentinel's name, see
// [KindName]), Action ([engine.Action.String]), Message (the cause, one
// line, no secret) and Hint (the engine's neutral words; the client
// words the Action for its own controls).
type APIError struct {
	Code    string `json:"code"`
	Profile string `json:"profile,omitempty"`
	Kind    string `json:"kind,omitempty"`
	Action  string `json:"action,omitempty"`
	Message string `json:"message,omitempty"`
	Hint    string `json:"hint,omitempty"`
}

// kinds names the engine's sentinel errors on the wire.
var kinds = []struct {
	name string
	err  error
}{
	{"profile-not-found", engine.ErrProfileNotFound},
	{"no-credentials", engine.ErrNoCredentials},
	{"mfa-required", engine.ErrMFARequired},
	{"sso-login-required", engine.ErrSSOLoginRequired},
	{"login-required", engine.ErrLoginRequired},
	{"invalid-config", engine.ErrInvalidConfig},
	{"recursion", engine.ErrRecursion},
	{"resolve", engine.ErrResolve},
	{"long-term-keys", engine.ErrLongTermKeys},
}

// KindName returns the wire name of one of the engine's Err* sentinels
// ("mfa-required", …), or "" for any other error.
func KindName(kind error) string {
	for _, k := range kinds {
		if k.err == kind {
			return k.name
		}
	}
	return ""
}

// kindByName is KindName's inverse; nil for a name it does not know.
func kindByName(name string) error {
	for _, k := range kinds {
		if k.name == name {
			return k.err
		}
	}
	return nil
}

// actionByName is the Action whose String is name.
func actionByName(name string) (engine.Action, bool) {
	for a := engine.ActionNone; ; a++ {
		s := a.String()
		if strings.HasPrefix(s, "action(") {
			return 0, false
		}
		if s == name {
			return a, true
		}
	}
}

// apiError is the wire form of an engine error.
func apiError(e *engine.Error) APIError {
	a := APIError{Code: CodeResolve, Profile: e.Profile, Kind: KindName(e.Kind), Hint: e.Hint}
	if e.Action != engine.ActionNone {
		a.Action = e.Action.String()
	}
	if e.Err != nil {
		a.Message = strings.Join(strings.Fields(e.Err.Error()), " ")
	}
	return a
}

// EngineError returns the engine error a [CodeResolve] answer carries,
// which prints exactly as the daemon's did; ok is false when the answer
// names a kind or action this client does not know.
func (a APIError) EngineError() (e *engine.Error, ok bool) {
	kind := kindByName(a.Kind)
	if a.Code != CodeResolve || kind == nil {
		return nil, false
	}
	e = &engine.Error{Profile: a.Profile, Kind: kind, Hint: a.Hint}
	if a.Action != "" {
		if e.Action, ok = actionByName(a.Action); !ok {
			return nil, false
		}
	}
	if a.Message != "" {
		e.Err = errors.New(a.Message)
	}
	return e, true
}

// StatusResponse is what the daemon holds (GET [PathStatus]).
type StatusResponse struct {
	// FrontEnd is the program that runs the daemon ("awsxc-cli daemon",
	// "awsxc"), Version its version, PID its process id.
	FrontEnd string `json:"front_end"`
	Version  string `json:"version,omitempty"`
	PID      int    `json:"pid"`
	// Settings is the settings file; SettingsError its error, if any.
	Settings      string `json:"settings,omitempty"`
	SettingsError string `json:"settings_error,omitempty"`
	// Active is the profile the servers serve; ActiveError why it
	// cannot be served, if so.
	Active      string          `json:"active,omitempty"`
	ActiveError string          `json:"active_error,omitempty"`
	Profiles    []ProfileStatus `json:"profiles"`
	Servers     []ServerStatus  `json:"servers"`
	// AuditError says why the audit file (setting audit_log) is not
	// written, if it is not.
	AuditError string `json:"audit_error,omitempty"`
}

// ProfileStatus is one profile the daemon holds credentials for. It
// holds no secret: the key id is masked.
type ProfileStatus struct {
	Profile string `json:"profile"`
	Kind    string `json:"kind"`
	Region  string `json:"region,omitempty"`
	// Key is the masked access key id of the credentials in hand
	// (engine.MaskKey); empty when there are none.
	Key        string `json:"key,omitempty"`
	Expiration string `json:"expiration,omitempty"`
	Valid      bool   `json:"valid"`
	// Renews says the daemon renews the credentials on its own before
	// they expire; false when a renewal needs a human (an MFA code).
	Renews     bool   `json:"renews"`
	Refreshing bool   `json:"refreshing"`
	Error      string `json:"error,omitempty"`
	// Servers names the local servers that serve the profile.
	Servers []string `json:"servers,omitempty"`
}

// ServerStatus is one local server or consumer (see [ServerInfo]).
type ServerStatus struct {
	Name string `json:"name"` // "imds" or "ecs" for the switches, else the pinned one's
	// Kind is "imds", "ecs" or "ecs-consumer".
	Kind string `json:"kind,omitempty"`
	// Profile is the profile it serves while it runs.
	Profile       string `json:"profile,omitempty"`
	FollowsActive bool   `json:"follows_active,omitempty"`
	Addr          string `json:"addr"`
	URL           string `json:"url,omitempty"`
	Running       bool   `json:"running"`
	// Reach says who beyond this machine can connect to it (server.Reach:
	// "every IPv4 interface (0.0.0.0:9911: …)"); empty on loopback.
	Reach string `json:"reach,omitempty"`
	Error string `json:"error,omitempty"`
}
