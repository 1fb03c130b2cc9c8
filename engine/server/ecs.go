package server

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/awsxc/awsxc/engine"
)

// ECS emulates the ECS/EKS container credentials endpoint
// (AWS_CONTAINER_CREDENTIALS_FULL_URI) on a local port.
//
// GET (or HEAD) / and /creds serve the default source; /profiles/NAME
// serves profile NAME when [ECSOptions] Profiles is set. Every request
// must carry the token in the Authorization header, exactly as given
// (no "Bearer"): missing is 401, wrong is 403, both with a JSON
// {"Code","Message"} body, as are 404 and 405. No error body carries a
// secret.
type ECS struct {
	srv      *core
	token    string
	tokenB   []byte
	profiles ProfileFunc
	def      atomic.Pointer[ecsEntry]
}

// ECSOptions configures [NewECS].
type ECSOptions struct {
	Options
	// Token is the value clients must send in the Authorization header;
	// empty generates a random 256-bit token.
	Token string
	// Profiles, if set, gives the sources for /profiles/NAME
	// ([FromRegistry] takes them from an [engine.Registry]). Nil
	// disables /profiles/.
	Profiles ProfileFunc
}

// ProfileFunc returns the source that serves profile, held until the
// caller calls release (exactly once) at the end of the request. Errors
// that wrap [engine.ErrProfileNotFound] or [engine.ErrNoCredentials]
// answer 404, [engine.ErrTooManySources] and [engine.ErrSourceClosed]
// 503, any other 500.
type ProfileFunc func(ctx context.Context, profile string) (src Source, release func(), err error)

// FromRegistry returns a [ProfileFunc] that holds reg's sources for the
// length of a request.
func FromRegistry(reg *engine.Registry) ProfileFunc {
	return func(ctx context.Context, profile string) (Source, func(), error) {
		src, release, err := reg.Acquire(ctx, profile)
		if err != nil {
			return nil, nil, err
		}
		return src, release, nil
	}
}

// ecsEntry is one served source with its rendered credentials.
type ecsEntry struct {
	src  Source
	body atomic.Pointer[ecsBody]
}

type ecsBody struct {
	key     string
	exp     time.Time
	json    []byte
	jsonLen []string
}

// ecsCreds is the container credentials document.
type ecsCreds struct {
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string
	Token           string
	Expiration      string
	RoleArn         string `json:",omitempty"`
	AccountID       string `json:"AccountId,omitempty"`
}

// NewECS listens on opts.Addr and serves src until ctx is done or Close
// is called. The listener is bound when it returns.
func NewECS(ctx context.Context, src Source, opts ECSOptions) (*ECS, error) {
	if src == nil {
		return nil, errNoSource
	}
	tok := opts.Token
	if tok == "" {
		tok = randomToken()
	}
	if strings.ContainsAny(tok, "\r\n") {
		return nil, errors.New("invalid ECS token: contains a newline")
	}
	s, err := newCore(ctx, opts.Options)
	if err != nil {
		return nil, err
	}
	e := &ECS{srv: s, token: tok, tokenB: []byte(tok), profiles: opts.Profiles}
	e.SetSource(src)
	s.route = e.route
	s.deny = ecsError
	s.start(ctx)
	return e, nil
}

// URL returns the server's base URL with a trailing slash, e.g.
// http://127.0.0.1:41234/, a value for AWS_CONTAINER_CREDENTIALS_FULL_URI.
func (e *ECS) URL() string { return e.srv.url }

// ProfileURL returns the URL that serves profile name.
func (e *ECS) ProfileURL(name string) string {
	return e.srv.url + "profiles/" + url.PathEscape(name)
}

// Port returns the port the server listens on.
func (e *ECS) Port() int { return e.srv.port }

// Token returns the token clients must send in the Authorization header.
func (e *ECS) Token() string { return e.token }

// SetSource switches the source served at / and /creds at once; requests
// already running finish with the old one. The caller keeps ownership of
// both sources.
func (e *ECS) SetSource(src Source) { e.def.Store(&ecsEntry{src: src}) }

// Source returns the source served at / and /creds.
func (e *ECS) Source() Source { return e.def.Load().src }

// Close stops the server gracefully: requests in flight get a few
// seconds to finish.
func (e *ECS) Close() error { return e.srv.close() }

// SettingsOptions tunes [ECS.Settings].
type SettingsOptions struct {
	// Profile, if set, points the client at /profiles/NAME.
	Profile string
	// TokenFile, if set, refers to the token through
	// AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (see [WriteTokenFile])
	// instead of putting it in the environment.
	TokenFile string
}

// Settings returns what a client needs to use the server. Containers get
// no settings: SDKs refuse plain-http container endpoints on hosts other
// than loopback (and the AWS link-local addresses), so a container
// cannot use host.docker.internal here; the Note says what to do.
func (e *ECS) Settings(o SettingsOptions) Settings {
	u := e.srv.url
	if o.Profile != "" {
		u = e.ProfileURL(o.Profile)
	}
	st := Settings{Env: []string{"AWS_CONTAINER_CREDENTIALS_FULL_URI=" + u}}
	if o.TokenFile != "" {
		st.Env = append(st.Env, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="+o.TokenFile)
	} else {
		st.Env = append(st.Env, "AWS_CONTAINER_AUTHORIZATION_TOKEN="+e.token)
	}
	st.Note = "SDKs accept this endpoint only on loopback: for Docker Desktop containers use the IMDS server; " +
		"on Linux, docker run --network host with these settings works"
	return st
}

var hdrAllowECS = []string{"GET, HEAD"}

type ecsErrorBody struct {
	Code    string
	Message string
}

func ecsError(w http.ResponseWriter, status int, code, msg string) int {
	body, _ := json.Marshal(ecsErrorBody{Code: code, Message: msg})
	return writeBody(w, status, hdrJSON, []string{strconv.Itoa(len(body))}, body)
}

func (e *ECS) route(w http.ResponseWriter, r *http.Request) (int, string) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header()["Allow"] = hdrAllowECS
		return ecsError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "use GET"), ""
	}
	auth := r.Header["Authorization"]
	if len(auth) == 0 || auth[0] == "" {
		return ecsError(w, http.StatusUnauthorized, "NoAuthorizationHeader", "Authorization header not provided"), ""
	}
	if subtle.ConstantTimeCompare([]byte(auth[0]), e.tokenB) != 1 {
		return ecsError(w, http.StatusForbidden, "InvalidToken", "the authorization token is not valid"), ""
	}
	p := r.URL.Path
	switch {
	case p == "/" || p == "/creds":
		return e.credentials(w, r, e.def.Load())
	case strings.HasPrefix(p, "/profiles/") && e.profiles != nil:
		name := p[len("/profiles/"):]
		if !validProfileName(name) {
			return ecsError(w, http.StatusNotFound, "InvalidPath", "invalid profile name"), ""
		}
		return e.profile(w, r, name)
	}
	return ecsError(w, http.StatusNotFound, "InvalidPath", "not found; use / or /profiles/NAME"), ""
}

// profile answers /profiles/NAME with the source Profiles gives, held
// for the request. Its credentials are rendered per request: the
// registry may replace the source between requests, and SDKs fetch
// again only near expiry.
func (e *ECS) profile(w http.ResponseWriter, r *http.Request, name string) (int, string) {
	src, release, err := e.profiles(r.Context(), name)
	switch {
	case err == nil:
		defer release()
		return e.credentials(w, r, &ecsEntry{src: src})
	case errors.Is(err, engine.ErrProfileNotFound) || errors.Is(err, engine.ErrNoCredentials):
		return ecsError(w, http.StatusNotFound, "ProfileNotFound", e.srv.unavailable(err)), ""
	case errors.Is(err, engine.ErrTooManySources):
		return ecsError(w, http.StatusServiceUnavailable, "TooManyProfiles", "too many profiles served"), ""
	case errors.Is(err, engine.ErrSourceClosed):
		return ecsError(w, http.StatusServiceUnavailable, "ServerClosing", "server is shutting down"), ""
	}
	return ecsError(w, http.StatusInternalServerError, "InvalidProfile", e.srv.unavailable(err)), ""
}

func validProfileName(name string) bool {
	if name == "" || len(name) > 128 || strings.ContainsRune(name, '/') {
		return false
	}
	for _, r := range name {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

func (e *ECS) credentials(w http.ResponseWriter, r *http.Request, ent *ecsEntry) (int, string) {
	c, err := credentialsFor(r, ent.src)
	if err != nil {
		// 503: every SDK retries a 5xx.
		return ecsError(w, http.StatusServiceUnavailable, "CredentialsUnavailable", e.srv.unavailable(err)), ""
	}
	b := ent.body.Load()
	if b == nil || b.key != c.AccessKeyID || !b.exp.Equal(c.Expires) {
		doc := ecsCreds{
			AccessKeyID:     c.AccessKeyID,
			SecretAccessKey: c.SecretAccessKey,
			Token:           c.SessionToken,
			Expiration:      engine.FormatTime(c.Expires),
			RoleArn:         ent.src.Status().RoleARN,
			AccountID:       c.AccountID,
		}
		b = &ecsBody{key: c.AccessKeyID, exp: c.Expires}
		b.json, _ = json.Marshal(doc)
		b.jsonLen = []string{strconv.Itoa(len(b.json))}
		ent.body.Store(b)
	}
	return writeBody(w, http.StatusOK, hdrJSON, b.jsonLen, b.json), c.AccessKeyID
}
