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
	"github.com/awsxc/awsxc/engine/activity"
)

// ECS emulates the ECS container credentials endpoint
// (AWS_CONTAINER_CREDENTIALS_FULL_URI) and the EKS Pod Identity agent's
// on a local port.
//
// GET (or HEAD) /, /creds and /v1/credentials serve the source the
// request's token reads: the server's own token (Token) reads the default
// source, and each [Consumer]'s token its own source. /profiles/NAME
// serves profile NAME when [ECSOptions] Profiles is set, to the server's
// own token; a consumer's token reads there only its own profile. Every
// request must carry a token in the Authorization header, exactly as
// given (no "Bearer"): missing is 401, unknown or revoked 403, another
// profile than the consumer's 403, all with a JSON {"Code","Message"}
// body, as are 404 and 405; /v1/credentials answers as the EKS Pod
// Identity agent does: errors as plain text, credentials as compact JSON
// with AccountId. No error body carries a secret.
//
// A server made without a default source has no token of its own: only
// its consumers' tokens read anything.
type ECS struct {
	srv      *core
	token    string // "" when there is no default source
	tokenB   []byte
	profiles ProfileFunc
	def      atomic.Pointer[ecsEntry] // nil when there is no default source
	cons     *consumers
}

// ECSOptions configures [NewECS].
type ECSOptions struct {
	Options
	// Token is the value clients must send in the Authorization header
	// to read the default source, as [ValidToken] takes it (at least
	// [MinTokenLen] visible ASCII characters); empty generates a random
	// 256-bit token. It must be empty when there is no default source.
	Token string
	// Consumers are the clients with tokens of their own, each bound to
	// one source (see [Consumer]); [ECS.SetConsumers] changes them while
	// the server runs.
	Consumers []Consumer
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
	src     Source
	profile string // src's profile, for activity records
	body    atomic.Pointer[ecsBody]
}

func newECSEntry(src Source) *ecsEntry {
	return &ecsEntry{src: src, profile: src.Status().Profile}
}

// ecsBody is one set of credentials rendered for both paths.
type ecsBody struct {
	key     string
	masked  string // key, masked, for records
	exp     time.Time
	json    []byte
	jsonLen []string
	eks     []byte // the EKS Pod Identity agent's shape
	eksLen  []string
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

// eksCreds is the EKS Pod Identity agent's credentials document, in its
// order (aws/eks-pod-identity-agent pkg/credentials/model.go).
type eksCreds struct {
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string
	Token           string
	AccountID       string `json:"AccountId,omitempty"`
	Expiration      string
}

// NewECS listens on opts.Addr and serves src until ctx is done or Close
// is called. The listener is bound when it returns. src may be nil when
// the server is to serve its consumers only (opts.Consumers, or
// consumers added later); it then has no token of its own.
func NewECS(ctx context.Context, src Source, opts ECSOptions) (*ECS, error) {
	tok := opts.Token
	switch {
	case src == nil && tok != "":
		return nil, errors.New("a token of the server's own needs a default source")
	case src == nil && opts.Profiles != nil:
		return nil, errors.New("serving other profiles needs a default source")
	case src != nil && tok == "":
		tok = randomToken()
	}
	if err := CheckToken(opts.Token); err != nil {
		return nil, err
	}
	cons := newConsumers()
	if _, err := cons.set(opts.Consumers, false, tok); err != nil {
		return nil, err
	}
	s, err := newCore(ctx, opts.Options)
	if err != nil {
		return nil, err
	}
	s.act.kind = "ecs"
	e := &ECS{srv: s, token: tok, tokenB: []byte(tok), profiles: opts.Profiles, cons: cons}
	if src != nil {
		e.SetSource(src)
	}
	s.route = e.route
	s.deny = ecsError
	s.start(ctx)
	return e, nil
}

// URL returns the server's base URL with a trailing slash, e.g.
// http://127.0.0.1:41234/, a value for AWS_CONTAINER_CREDENTIALS_FULL_URI.
func (e *ECS) URL() string { return e.srv.url }

// Reach says who beyond this machine can connect; see [Options.AllowRemote].
func (e *ECS) Reach() Reach { return e.srv.reach }

// ProfileURL returns the URL that serves profile name.
func (e *ECS) ProfileURL(name string) string {
	return e.srv.url + "profiles/" + url.PathEscape(name)
}

// Port returns the port the server listens on.
func (e *ECS) Port() int { return e.srv.port }

// Token returns the token that reads the default source; "" when the
// server has none.
func (e *ECS) Token() string { return e.token }

// SetSource switches the default source at once; requests already
// running finish with the old one. The caller keeps ownership of both
// sources. A server made without one keeps having no token of its own,
// so SetSource does nothing there.
func (e *ECS) SetSource(src Source) {
	if e.token != "" && src != nil {
		e.def.Store(newECSEntry(src))
	}
}

// Source returns the default source, nil when there is none.
func (e *ECS) Source() Source {
	if ent := e.def.Load(); ent != nil {
		return ent.src
	}
	return nil
}

// SetConsumers replaces the server's consumers with list at once, and
// returns them with their tokens (generated for those with none, kept for
// a consumer already there). A consumer not in list is revoked: its token
// stops working at once, and requests of it still waiting for
// credentials are refused. A consumer whose token or source changes is
// replaced the same way. A consumer's token must not be the server's
// own ([ECS.Token]). On error nothing changes.
func (e *ECS) SetConsumers(list []Consumer) ([]Consumer, error) {
	return e.cons.set(list, false, e.token)
}

// AddConsumer adds one consumer, or replaces the one of that name, and
// returns it with its token.
func (e *ECS) AddConsumer(c Consumer) (Consumer, error) {
	out, err := e.cons.set([]Consumer{c}, true, e.token)
	if err != nil {
		return Consumer{}, err
	}
	return out[0], nil
}

// Revoke removes the consumer named name: its token stops working at
// once, including for its requests still waiting for credentials, which
// are refused (403, recorded as [activity.Revoked]). It reports whether
// there was such a consumer.
func (e *ECS) Revoke(name string) bool { return e.cons.revoke(name) }

// Consumers returns the server's consumers, by name, with their tokens.
func (e *ECS) Consumers() []Consumer { return e.cons.list() }

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
	// Consumer, if set, gives the settings of that consumer (its token,
	// its file) instead of the server's own; Profile is then ignored.
	Consumer string
	// EKS points the client at /v1/credentials, the EKS Pod Identity
	// path, instead of /.
	EKS bool
}

// Settings returns what a client needs to use the server. Containers get
// no settings: SDKs refuse plain-http container endpoints on hosts other
// than loopback (and the AWS link-local addresses), so a container
// cannot use host.docker.internal here; the Note says what to do.
//
// With a token file, Docker holds the settings for a container on this
// machine's network (docker run --network host: Docker Engine on Linux,
// OrbStack), which gets the file read-only at [TokenTarget]; the token
// itself is never in them.
func (e *ECS) Settings(o SettingsOptions) Settings {
	u := e.srv.url
	tok := e.token
	switch {
	case o.Consumer != "":
		tok = ""
		for _, c := range e.cons.list() {
			if c.Name == o.Consumer {
				tok = c.Token
			}
		}
	case o.Profile != "":
		u = e.ProfileURL(o.Profile)
	}
	if o.EKS {
		u = e.srv.url + "v1/credentials"
	}
	st := Settings{Env: []string{"AWS_CONTAINER_CREDENTIALS_FULL_URI=" + u}}
	if o.TokenFile != "" {
		st.Env = append(st.Env, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="+o.TokenFile)
		if e.srv.loopback {
			st.Network = "host"
			st.Mounts = []string{o.TokenFile + ":" + TokenTarget + ":ro"}
			st.Docker = []string{"AWS_CONTAINER_CREDENTIALS_FULL_URI=" + u, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=" + TokenTarget}
		}
	} else {
		st.Env = append(st.Env, "AWS_CONTAINER_AUTHORIZATION_TOKEN="+tok)
	}
	st.Note = "SDKs accept this endpoint only on loopback: for Docker Desktop containers use the IMDS server; " +
		"on Linux, docker run --network host with these settings works"
	if len(st.Docker) > 0 {
		st.Note = "SDKs accept this endpoint only on loopback, so the container shares this machine's network " +
			"(Docker Engine on Linux, OrbStack); elsewhere use the IMDS server, or a relay at 169.254.170.23 (docs/kind)"
	}
	return st
}

// TokenTarget is where the settings of [ECS.Settings] mount a token file
// in a container.
const TokenTarget = "/run/secrets/awsxc/token"

var hdrAllowECS = []string{"GET, HEAD"}

type ecsErrorBody struct {
	Code    string
	Message string
}

func ecsError(w http.ResponseWriter, status int, code, msg string) int {
	body, _ := json.Marshal(ecsErrorBody{Code: code, Message: msg})
	return writeBody(w, status, hdrJSON, []string{strconv.Itoa(len(body))}, body)
}

// eksPath is the EKS Pod Identity agent's credentials path.
const eksPath = "/v1/credentials"

// ecsReq is one request being answered, for its activity record.
type ecsReq struct {
	w        http.ResponseWriter
	r        *http.Request
	eks      bool // /v1/credentials: the agent's shapes
	consumer string
	profile  string
	key      string // masked
	outcome  activity.Outcome
}

// fail answers an error in the path's shape.
func (q *ecsReq) fail(status int, code, msg string, o activity.Outcome) (int, string) {
	q.outcome = o
	if q.eks {
		// The agent answers with http.Error: text, a final newline.
		q.w.Header()["X-Content-Type-Options"] = hdrNoSniff
		return writeString(q.w, status, hdrText, msg+"\n"), ""
	}
	return ecsError(q.w, status, code, msg), ""
}

var hdrNoSniff = []string{"nosniff"}

func (e *ECS) route(w http.ResponseWriter, r *http.Request) (int, string) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header()["Allow"] = hdrAllowECS
		return ecsError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "use GET"), ""
	}
	q := ecsReq{w: w, r: r, eks: r.URL.Path == eksPath}
	status, key := e.answer(&q, r.URL.Path)
	if q.outcome != "" {
		e.srv.record(r, activity.Record{Consumer: q.consumer, Profile: q.profile, Key: q.key, Status: status, Outcome: q.outcome})
	}
	return status, key
}

// answer authorises q and serves path: the consumer's source, the
// default source, or /profiles/NAME. Requests for credentials set
// q.outcome; others (a path not found) leave it empty.
func (e *ECS) answer(q *ecsReq, path string) (int, string) {
	auth := q.r.Header["Authorization"]
	if len(auth) == 0 || auth[0] == "" {
		if q.eks {
			return q.fail(http.StatusBadRequest, "", "Service account token cannot be empty", activity.NoToken)
		}
		return q.fail(http.StatusUnauthorized, "NoAuthorizationHeader", "Authorization header not provided", activity.NoToken)
	}
	tok := auth[0]
	own := e.token != "" && subtle.ConstantTimeCompare([]byte(tok), e.tokenB) == 1
	var c *consumer
	if !own {
		var revoked string
		if c, revoked = e.cons.lookup(tok); c == nil {
			q.consumer = revoked
			o := activity.BadToken
			if revoked != "" {
				o = activity.Revoked
			}
			return q.fail(http.StatusForbidden, "InvalidToken", "the authorization token is not valid", o)
		}
		q.consumer = c.name
	}
	var name string
	switch {
	case path == "/" || path == "/creds" || q.eks:
	case strings.HasPrefix(path, "/profiles/") && (e.profiles != nil || c != nil):
		name = path[len("/profiles/"):]
		if !validProfileName(name) {
			return ecsError(q.w, http.StatusNotFound, "InvalidPath", "invalid profile name"), ""
		}
	default:
		return ecsError(q.w, http.StatusNotFound, "InvalidPath", "not found; use /, /v1/credentials or /profiles/NAME"), ""
	}
	q.profile = name
	switch {
	case own && name != "":
		return e.profile(q, name)
	case own:
		ent := e.def.Load()
		q.profile = ent.profile
		return e.credentials(q, ent, nil)
	case name != "" && name != c.entry.profile:
		return q.fail(http.StatusForbidden, "ProfileNotAllowed", "the authorization token does not grant this profile", activity.Forbidden)
	}
	q.profile = c.entry.profile
	return e.credentials(q, c.entry, c)
}

// profile answers /profiles/NAME with the source Profiles gives, held
// for the request. Its credentials are rendered per request: the
// registry may replace the source between requests, and SDKs fetch
// again only near expiry.
func (e *ECS) profile(q *ecsReq, name string) (int, string) {
	src, release, err := e.profiles(q.r.Context(), name)
	switch {
	case err == nil:
		defer release()
		return e.credentials(q, &ecsEntry{src: src, profile: name}, nil)
	case errors.Is(err, engine.ErrProfileNotFound) || errors.Is(err, engine.ErrNoCredentials):
		return q.fail(http.StatusNotFound, "ProfileNotFound", e.srv.unavailable(err), activity.Unavailable)
	case errors.Is(err, engine.ErrTooManySources):
		return q.fail(http.StatusServiceUnavailable, "TooManyProfiles", "too many profiles served", activity.Unavailable)
	case errors.Is(err, engine.ErrSourceClosed):
		return q.fail(http.StatusServiceUnavailable, "ServerClosing", "server is shutting down", activity.Unavailable)
	}
	return q.fail(http.StatusInternalServerError, "InvalidProfile", e.srv.unavailable(err), activity.Unavailable)
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

// credentials answers with ent's credentials; c is the consumer asking,
// nil for the server's own token.
func (e *ECS) credentials(q *ecsReq, ent *ecsEntry, c *consumer) (int, string) {
	creds, err := credentialsFor(q.r, ent.src)
	if c != nil && c.revoked.Load() {
		// Revoked while it waited: refused, as the next request would be.
		return q.fail(http.StatusForbidden, "InvalidToken", "the authorization token is not valid", activity.Revoked)
	}
	if err != nil {
		// 503: every SDK retries a 5xx.
		return q.fail(http.StatusServiceUnavailable, "CredentialsUnavailable", e.srv.unavailable(err), activity.Unavailable)
	}
	b := ent.body.Load()
	if b == nil || b.key != creds.AccessKeyID || !b.exp.Equal(creds.Expires) {
		b = renderECSCreds(creds, ent.src.Status().RoleARN)
		ent.body.Store(b)
	}
	q.key, q.outcome = b.masked, activity.Served
	if q.eks {
		return writeBody(q.w, http.StatusOK, hdrJSON, b.eksLen, b.eks), creds.AccessKeyID
	}
	return writeBody(q.w, http.StatusOK, hdrJSON, b.jsonLen, b.json), creds.AccessKeyID
}

func renderECSCreds(c engine.Credentials, roleARN string) *ecsBody {
	b := &ecsBody{key: c.AccessKeyID, masked: engine.MaskKey(c.AccessKeyID), exp: c.Expires}
	b.json, _ = json.Marshal(ecsCreds{
		AccessKeyID:     c.AccessKeyID,
		SecretAccessKey: c.SecretAccessKey,
		Token:           c.SessionToken,
		Expiration:      engine.FormatTime(c.Expires),
		RoleArn:         roleARN,
		AccountID:       c.AccountID,
	})
	b.eks, _ = json.Marshal(eksCreds{
		AccessKeyID:     c.AccessKeyID,
		SecretAccessKey: c.SecretAccessKey,
		Token:           c.SessionToken,
		AccountID:       c.AccountID,
		Expiration:      engine.FormatTime(c.Expires),
	})
	b.jsonLen = []string{strconv.Itoa(len(b.json))}
	b.eksLen = []string{strconv.Itoa(len(b.eks))}
	return b
}
