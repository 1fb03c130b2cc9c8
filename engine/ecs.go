package engine

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
)

// maxECSProfiles bounds the sources an ECS server creates for
// /profiles/NAME (only names that load are kept, so this is a backstop).
const maxECSProfiles = 256

// ECSServer emulates the ECS/EKS container credentials endpoint
// (AWS_CONTAINER_CREDENTIALS_FULL_URI) on a local port.
//
// GET (or HEAD) / and /creds serve the default source; /profiles/NAME
// serves profile NAME when [ServerOptions.SourceFor] is set. Every request
// must carry the token in the Authorization header, exactly as given
// (no "Bearer"): missing is 401, wrong is 403, both with a JSON
// {"Code","Message"} body, as are 404 and 405. No error body carries a
// secret.
type ECSServer struct {
	srv       *server
	token     string
	tokenB    []byte
	sourceFor func(string) (*Source, error)
	def       atomic.Pointer[ecsEntry]

	mu       sync.Mutex // protects profiles
	profiles map[string]*ecsEntry
}

// ecsEntry is one served source with its rendered credentials.
type ecsEntry struct {
	src  *Source
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

// NewECSServer listens on opts.Addr and serves src until ctx is done or
// Close is called. The listener is bound when it returns.
func NewECSServer(ctx context.Context, src *Source, opts ServerOptions) (*ECSServer, error) {
	if src == nil {
		return nil, errors.New("no credential source to serve")
	}
	tok := opts.Token
	if tok == "" {
		tok = randomToken()
	}
	if strings.ContainsAny(tok, "\r\n") {
		return nil, errors.New("invalid ECS token: contains a newline")
	}
	s, err := newServer(ctx, opts)
	if err != nil {
		return nil, err
	}
	e := &ECSServer{srv: s, token: tok, tokenB: []byte(tok), sourceFor: opts.SourceFor,
		profiles: map[string]*ecsEntry{}}
	e.SetSource(src)
	s.route = e.route
	s.deny = ecsError
	s.onClose = e.closeProfiles
	s.start(ctx)
	return e, nil
}

// URL returns the server's base URL with a trailing slash, e.g.
// http://127.0.0.1:41234/, a value for AWS_CONTAINER_CREDENTIALS_FULL_URI.
func (e *ECSServer) URL() string { return e.srv.url }

// ProfileURL returns the URL that serves profile name.
func (e *ECSServer) ProfileURL(name string) string {
	return e.srv.url + "profiles/" + url.PathEscape(name)
}

// Port returns the port the server listens on.
func (e *ECSServer) Port() int { return e.srv.port }

// Token returns the token clients must send in the Authorization header.
func (e *ECSServer) Token() string { return e.token }

// SetSource switches the source served at / and /creds at once.
func (e *ECSServer) SetSource(src *Source) { e.def.Store(&ecsEntry{src: src}) }

// Source returns the source served at / and /creds.
func (e *ECSServer) Source() *Source { return e.def.Load().src }

// Close stops the server gracefully and closes the sources it created
// through SourceFor.
func (e *ECSServer) Close() error { return e.srv.close() }

// SettingsOptions tunes [ECSServer.Settings].
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
func (e *ECSServer) Settings(o SettingsOptions) Settings {
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
	st.Note = "SDKs accept this endpoint only on loopback: for Docker Desktop containers use --imds; " +
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

func (e *ECSServer) route(w http.ResponseWriter, r *http.Request) (int, string) {
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
	var ent *ecsEntry
	switch {
	case p == "/" || p == "/creds":
		ent = e.def.Load()
	case strings.HasPrefix(p, "/profiles/") && e.sourceFor != nil:
		name := p[len("/profiles/"):]
		if !validProfileName(name) {
			return ecsError(w, http.StatusNotFound, "InvalidPath", "invalid profile name"), ""
		}
		var status int
		ent, status = e.profile(w, name)
		if ent == nil {
			return status, ""
		}
	default:
		return ecsError(w, http.StatusNotFound, "InvalidPath", "not found; use / or /profiles/NAME"), ""
	}
	return e.credentials(w, r, ent)
}

// profile returns the entry for /profiles/NAME, creating its source on
// first use. On failure it writes the error and returns nil.
func (e *ECSServer) profile(w http.ResponseWriter, name string) (*ecsEntry, int) {
	e.mu.Lock()
	ent := e.profiles[name]
	n := len(e.profiles)
	e.mu.Unlock()
	if ent != nil {
		return ent, 0
	}
	if n >= maxECSProfiles {
		return nil, ecsError(w, http.StatusServiceUnavailable, "TooManyProfiles", "too many profiles served")
	}
	src, err := e.sourceFor(name)
	if err != nil {
		if errors.Is(err, ErrProfileNotFound) || errors.Is(err, ErrNoCredentials) {
			return nil, ecsError(w, http.StatusNotFound, "ProfileNotFound", unavailable(err))
		}
		return nil, ecsError(w, http.StatusInternalServerError, "InvalidProfile", unavailable(err))
	}
	e.mu.Lock()
	if old := e.profiles[name]; old != nil || e.profiles == nil {
		e.mu.Unlock()
		src.Close() // lost a race, or the server closed meanwhile
		if old == nil {
			return nil, ecsError(w, http.StatusServiceUnavailable, "ServerClosing", "server is shutting down")
		}
		return old, 0
	}
	ent = &ecsEntry{src: src}
	e.profiles[name] = ent
	e.mu.Unlock()
	return ent, 0
}

// closeProfiles closes the sources made through SourceFor.
func (e *ECSServer) closeProfiles() {
	e.mu.Lock()
	ps := e.profiles
	e.profiles = nil
	e.mu.Unlock()
	for _, ent := range ps {
		ent.src.Close()
	}
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

func (e *ECSServer) credentials(w http.ResponseWriter, r *http.Request, ent *ecsEntry) (int, string) {
	c, err := credentialsFor(r, ent.src)
	if err != nil {
		// 503: every SDK retries a 5xx.
		return ecsError(w, http.StatusServiceUnavailable, "CredentialsUnavailable", unavailable(err)), ""
	}
	b := ent.body.Load()
	if b == nil || b.key != c.AccessKeyID || !b.exp.Equal(c.Expires) {
		doc := ecsCreds{
			AccessKeyID:     c.AccessKeyID,
			SecretAccessKey: c.SecretAccessKey,
			Token:           c.SessionToken,
			Expiration:      FormatTime(c.Expires),
			RoleArn:         ent.src.prof.RoleARN,
			AccountID:       c.AccountID,
		}
		b = &ecsBody{key: c.AccessKeyID, exp: c.Expires}
		b.json, _ = json.Marshal(doc)
		b.jsonLen = []string{strconv.Itoa(len(b.json))}
		ent.body.Store(b)
	}
	return writeBody(w, http.StatusOK, hdrJSON, b.jsonLen, b.json), c.AccessKeyID
}
