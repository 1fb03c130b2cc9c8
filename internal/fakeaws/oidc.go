package fakeaws

import (
	"cmp"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// The grant types IAM Identity Center OIDC knows.
const (
	GrantAuthorizationCode = "authorization_code"
	GrantRefreshToken      = "refresh_token"
	GrantDeviceCode        = "urn:ietf:params:oauth:grant-type:device_code"
)

// OIDCCall is one request the OIDC fake received.
type OIDCCall struct {
	Op        string     // RegisterClient, StartDeviceAuthorization, CreateToken, Authorize, Verify
	ClientID  string     // the client the request named
	GrantType string     // CreateToken's grantType
	Exception string     // the exception answered ("" on success; for Authorize, the OAuth error)
	Query     url.Values // Authorize's and Verify's query; nil otherwise
}

// Registration is one client registration the fake holds.
type Registration struct {
	ClientID     string
	ClientName   string
	ClientType   string
	Scopes       []string
	GrantTypes   []string
	RedirectURIs []string
	IssuerURL    string
	Expires      time.Time
}

// OIDC is a fake IAM Identity Center OIDC service (service "SSO OIDC",
// AWS_ENDPOINT_URL_SSO_OIDC): RegisterClient, StartDeviceAuthorization
// and CreateToken in restJson1, plus the browser side that the SDK does
// not model: the authorize endpoint (GET /authorize) and the device
// verification page (/device). See the package documentation for what
// each checks.
type OIDC struct {
	*httptest.Server

	mu           sync.Mutex // protects every field below
	now          func() time.Time
	regTTL       time.Duration
	accessTTL    time.Duration
	sessionTTL   time.Duration
	deviceTTL    time.Duration
	codeTTL      time.Duration
	interval     int           // seconds, as StartDeviceAuthorization reports it
	pollMin      time.Duration // polls closer than this answer slow_down
	slowStep     time.Duration // added to a device's threshold at each slow_down
	rotate       bool          // refresh_token grants return a new refresh token
	issueRefresh bool
	decision     Decision
	codeInURL    bool
	clients      map[string]*oidcClient
	codes        map[string]*authCode
	devices      map[string]*device // by device code
	byUser       map[string]*device // by user code
	order        []*device          // in the order they were started
	access       map[string]*accessTok
	refresh      map[string]*refreshTok
	calls        []OIDCCall
}

type oidcClient struct {
	Registration
	secret string
}

type authCode struct {
	client, redirect, challenge string
	scopes                      []string
	expires                     time.Time
	used                        bool
}

type deviceState int

const (
	devicePending deviceState = iota
	deviceApproved
	deviceDenied
	deviceConsumed
)

type device struct {
	code, user, client string
	expires            time.Time
	state              deviceState
	polls              int
	lastPoll           time.Time
	threshold          time.Duration
}

// session is one sign-in: every token issued from it ends with it.
type session struct {
	expires time.Time
	ended   bool
}

type accessTok struct {
	client  string
	sess    *session
	expires time.Time
}

type refreshTok struct {
	client  string
	sess    *session
	scopes  []string
	revoked bool
}

// NewOIDC starts an OIDC fake on a loopback port.
func NewOIDC() *OIDC {
	o := &OIDC{now: time.Now, regTTL: 90 * 24 * time.Hour, accessTTL: time.Hour, sessionTTL: 8 * time.Hour,
		deviceTTL: 10 * time.Minute, codeTTL: 5 * time.Minute, interval: 1, pollMin: time.Second,
		slowStep: 5 * time.Second, rotate: true, issueRefresh: true, decision: Allow, codeInURL: true,
		clients: map[string]*oidcClient{}, codes: map[string]*authCode{}, devices: map[string]*device{},
		byUser: map[string]*device{}, access: map[string]*accessTok{}, refresh: map[string]*refreshTok{}}
	o.Server = httptest.NewServer(http.HandlerFunc(o.serve))
	return o
}

// SetNow sets the clock for every expiry the fake decides.
func (o *OIDC) SetNow(now func() time.Time) { o.mu.Lock(); o.now = now; o.mu.Unlock() }

// SetRegistrationTTL sets how long a new client registration lasts
// (clientSecretExpiresAt; default 90 days).
func (o *OIDC) SetRegistrationTTL(d time.Duration) { o.mu.Lock(); o.regTTL = d; o.mu.Unlock() }

// ExpireRegistrations makes every registration so far expire now: their
// client secrets are then refused with InvalidClientException.
func (o *OIDC) ExpireRegistrations() {
	o.mu.Lock()
	defer o.mu.Unlock()
	now := o.now()
	for _, c := range o.clients {
		c.Expires = now.Add(-time.Second)
	}
}

// SetAccessTokenTTL sets the lifetime of new access tokens (expiresIn;
// default 1h). Access tokens never outlive their session.
func (o *OIDC) SetAccessTokenTTL(d time.Duration) { o.mu.Lock(); o.accessTTL = d; o.mu.Unlock() }

// SetSessionTTL sets how long a sign-in lasts (default 8h, Identity
// Center's default session duration): its refresh tokens stop working
// then.
func (o *OIDC) SetSessionTTL(d time.Duration) { o.mu.Lock(); o.sessionTTL = d; o.mu.Unlock() }

// SetDeviceCodeTTL sets how long a device code can be approved and
// redeemed (expiresIn; default 10 minutes).
func (o *OIDC) SetDeviceCodeTTL(d time.Duration) { o.mu.Lock(); o.deviceTTL = d; o.mu.Unlock() }

// SetPolling sets the interval StartDeviceAuthorization reports (whole
// seconds, default 1), the spacing below which a poll answers slow_down
// (default 1s) and how much each slow_down adds to that spacing for the
// device (default 5s, the RFC 8628 §3.5 step clients add).
func (o *OIDC) SetPolling(intervalSeconds int, min, step time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.interval, o.pollMin, o.slowStep = intervalSeconds, min, step
}

// SetRefreshRotation says whether a refresh_token grant returns a new
// refresh token, revoking the old one (true, the default), or returns
// none, leaving the old one valid.
func (o *OIDC) SetRefreshRotation(rotate bool) { o.mu.Lock(); o.rotate = rotate; o.mu.Unlock() }

// SetIssueRefreshTokens says whether tokens come with a refresh token
// (default true, for clients registered with the sso:account:access
// scope or the refresh_token grant; legacy clients never get one).
func (o *OIDC) SetIssueRefreshTokens(on bool) { o.mu.Lock(); o.issueRefresh = on; o.mu.Unlock() }

// SetDecision sets what the authorize and verification pages do when a
// request carries no DecisionHeader (default Allow).
func (o *OIDC) SetDecision(d Decision) { o.mu.Lock(); o.decision = d; o.mu.Unlock() }

// SetUserCodeInURL says whether verificationUriComplete carries the user
// code (default true). Without it, as on the sign-in page AWS introduced
// in 2026 (ByteNess/aws-vault#440), a browser cannot approve without the
// code the client printed; approve with ApproveDevice.
func (o *OIDC) SetUserCodeInURL(on bool) { o.mu.Lock(); o.codeInURL = on; o.mu.Unlock() }

// ApproveDevice approves the pending device authorization with this user
// code, as a user entering it on the verification page does.
func (o *OIDC) ApproveDevice(userCode string) error { return o.decideDevice(userCode, Allow) }

// DenyDevice denies the pending device authorization with this user code.
func (o *OIDC) DenyDevice(userCode string) error { return o.decideDevice(userCode, Deny) }

// UserCodes returns the user codes of the device authorizations still
// pending (and unexpired), oldest first.
func (o *OIDC) UserCodes() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []string
	now := o.now()
	for _, d := range o.order {
		if d.state == devicePending && now.Before(d.expires) {
			out = append(out, d.user)
		}
	}
	return out
}

// ExpireAccessTokens makes every access token issued so far expire now
// (their sessions go on: refresh tokens still work).
func (o *OIDC) ExpireAccessTokens() {
	o.mu.Lock()
	defer o.mu.Unlock()
	now := o.now()
	for _, a := range o.access {
		a.expires = now.Add(-time.Second)
	}
}

// EndSessions ends every sign-in so far: their access and refresh tokens
// stop working, as when the Identity Center session ends.
func (o *OIDC) EndSessions() {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, a := range o.access {
		a.sess.ended = true
	}
	for _, r := range o.refresh {
		r.sess.ended = true
	}
}

// ValidAccessToken reports whether tok is a live access token: issued
// here, not expired, and its session not ended (Logout ends it).
func (o *OIDC) ValidAccessToken(tok string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	a, ok := o.access[tok]
	return ok && !a.sess.ended && o.now().Before(a.expires)
}

// endSession ends the session an access token belongs to (SSO Logout).
func (o *OIDC) endSession(tok string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if a, ok := o.access[tok]; ok {
		a.sess.ended = true
	}
}

// Registrations returns the client registrations so far, in no order.
func (o *OIDC) Registrations() []Registration {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []Registration
	for _, c := range o.clients {
		out = append(out, c.Registration)
	}
	return out
}

// Calls returns a copy of the requests so far.
func (o *OIDC) Calls() []OIDCCall {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]OIDCCall(nil), o.calls...)
}

// Count returns how many requests of op were made ("" counts all); for
// CreateToken, op may also be "CreateToken/<grant type>".
func (o *OIDC) Count(op string) int {
	n := 0
	for _, c := range o.Calls() {
		if op == "" || c.Op == op || c.Op+"/"+c.GrantType == op {
			n++
		}
	}
	return n
}

func (o *OIDC) record(c OIDCCall) {
	o.mu.Lock()
	o.calls = append(o.calls, c)
	o.mu.Unlock()
}

func (o *OIDC) serve(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/client/register":
		o.registerClient(w, r)
	case r.Method == http.MethodPost && r.URL.Path == "/device_authorization":
		o.startDeviceAuthorization(w, r)
	case r.Method == http.MethodPost && r.URL.Path == "/token" && r.URL.RawQuery == "":
		o.createToken(w, r)
	case r.Method == http.MethodGet && r.URL.Path == "/authorize":
		o.authorize(w, r)
	case r.URL.Path == "/device" && (r.Method == http.MethodGet || r.Method == http.MethodPost):
		o.verify(w, r)
	default:
		writeOIDCError(w, http.StatusNotFound, "InvalidRequestException", "invalid_request", "unknown operation "+r.Method+" "+r.URL.Path)
	}
}

type registerClientInput struct {
	ClientName   string   `json:"clientName"`
	ClientType   string   `json:"clientType"`
	Scopes       []string `json:"scopes"`
	GrantTypes   []string `json:"grantTypes"`
	RedirectURIs []string `json:"redirectUris"`
	IssuerURL    string   `json:"issuerUrl"`
}

func (o *OIDC) registerClient(w http.ResponseWriter, r *http.Request) {
	var in registerClientInput
	fail := func(status int, exc, oauth, desc string) {
		o.record(OIDCCall{Op: "RegisterClient", Exception: exc})
		writeOIDCError(w, status, exc, oauth, desc)
	}
	if err := readJSON(r, &in); err != nil {
		fail(400, "InvalidRequestException", "invalid_request", "malformed request body")
		return
	}
	if err := checkRegistration(in); err != nil {
		var re *regError
		errors.As(err, &re)
		fail(400, re.exc, re.oauth, re.desc)
		return
	}
	o.mu.Lock()
	now := o.now()
	c := &oidcClient{Registration: Registration{ClientID: randToken("fakeclient-", 12), ClientName: in.ClientName,
		ClientType: in.ClientType, Scopes: in.Scopes, GrantTypes: in.GrantTypes, RedirectURIs: in.RedirectURIs,
		IssuerURL: in.IssuerURL, Expires: now.Add(o.regTTL).Truncate(time.Second)}, secret: randToken("fakesecret-", 32)}
	o.clients[c.ClientID] = c
	o.calls = append(o.calls, OIDCCall{Op: "RegisterClient", ClientID: c.ClientID})
	o.mu.Unlock()
	writeJSON(w, 200, map[string]any{"clientId": c.ClientID, "clientSecret": c.secret,
		"clientIdIssuedAt": now.Unix(), "clientSecretExpiresAt": c.Expires.Unix()})
}

type regError struct{ exc, oauth, desc string }

func (e *regError) Error() string { return e.desc }

// checkRegistration applies RegisterClient's rules: a name, the public
// client type, known grant types, and for authorization_code a loopback
// (or https) redirect URI and an issuer URL (the start URL).
func checkRegistration(in registerClientInput) error {
	switch {
	case in.ClientName == "":
		return &regError{"InvalidRequestException", "invalid_request", "clientName is required"}
	case in.ClientType != "public":
		return &regError{"InvalidClientMetadataException", "invalid_client_metadata", "clientType must be public"}
	}
	for _, g := range in.GrantTypes {
		if g != GrantAuthorizationCode && g != GrantRefreshToken && g != GrantDeviceCode {
			return &regError{"InvalidClientMetadataException", "invalid_client_metadata", "unsupported grant type " + g}
		}
	}
	if slices.Contains(in.GrantTypes, GrantAuthorizationCode) {
		if len(in.RedirectURIs) == 0 {
			return &regError{"InvalidRedirectUriException", "invalid_redirect_uri", "redirectUris are required for authorization_code"}
		}
		for _, u := range in.RedirectURIs {
			if !validRedirect(u) {
				return &regError{"InvalidRedirectUriException", "invalid_redirect_uri", "invalid redirect uri " + u}
			}
		}
		if u, err := url.Parse(in.IssuerURL); err != nil || u.Scheme != "https" || u.Host == "" {
			return &regError{"InvalidRequestException", "invalid_request", "issuerUrl must be the https start URL"}
		}
	}
	return nil
}

func validRedirect(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Fragment != "" {
		return false
	}
	return u.Scheme == "https" || (u.Scheme == "http" && isLoopback(u.Hostname()))
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// redirectMatches reports whether the redirect URI given at authorize
// matches a registered one: exactly, or for loopback URIs with any port
// (RFC 8252 §7.3; the AWS CLI registers http://127.0.0.1/oauth/callback
// and sends http://127.0.0.1:PORT/oauth/callback, botocore utils.py
// AuthCodeFetcher).
func redirectMatches(registered []string, given string) bool {
	g, err := url.Parse(given)
	if err != nil {
		return false
	}
	for _, r := range registered {
		if r == given {
			return true
		}
		ru, err := url.Parse(r)
		if err != nil || ru.Scheme != "http" || !isLoopback(ru.Hostname()) {
			continue
		}
		if g.Scheme == ru.Scheme && g.Hostname() == ru.Hostname() && g.Path == ru.Path && g.RawQuery == ru.RawQuery {
			return true
		}
	}
	return false
}

type clientAuth struct {
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
}

// client checks a client id and secret; it returns the exception to
// answer when they are wrong. Call with o.mu held.
func (o *OIDC) client(a clientAuth) (*oidcClient, *regError) {
	c, ok := o.clients[a.ClientID]
	if !ok || subtle.ConstantTimeCompare([]byte(c.secret), []byte(a.ClientSecret)) != 1 {
		return nil, &regError{"InvalidClientException", "invalid_client", "Invalid client provided"}
	}
	if !o.now().Before(c.Expires) {
		return nil, &regError{"InvalidClientException", "invalid_client", "Client secret has expired"}
	}
	return c, nil
}

func (o *OIDC) startDeviceAuthorization(w http.ResponseWriter, r *http.Request) {
	var in struct {
		clientAuth
		StartURL string `json:"startUrl"`
	}
	if err := readJSON(r, &in); err != nil || in.StartURL == "" {
		o.record(OIDCCall{Op: "StartDeviceAuthorization", Exception: "InvalidRequestException"})
		writeOIDCError(w, 400, "InvalidRequestException", "invalid_request", "clientId, clientSecret and startUrl are required")
		return
	}
	o.mu.Lock()
	c, rerr := o.client(in.clientAuth)
	if rerr != nil {
		o.calls = append(o.calls, OIDCCall{Op: "StartDeviceAuthorization", ClientID: in.ClientID, Exception: rerr.exc})
		o.mu.Unlock()
		writeOIDCError(w, 401, rerr.exc, rerr.oauth, rerr.desc)
		return
	}
	d := &device{code: randToken("fakedevice-", 24), user: userCode(), client: c.ClientID,
		expires: o.now().Add(o.deviceTTL), threshold: o.pollMin}
	o.devices[d.code] = d
	o.byUser[d.user] = d
	o.order = append(o.order, d)
	o.calls = append(o.calls, OIDCCall{Op: "StartDeviceAuthorization", ClientID: c.ClientID})
	complete := o.URL + "/device"
	if o.codeInURL {
		complete += "?user_code=" + d.user
	}
	out := map[string]any{"deviceCode": d.code, "userCode": d.user, "verificationUri": o.URL + "/device",
		"verificationUriComplete": complete, "expiresIn": int(o.deviceTTL / time.Second), "interval": o.interval}
	o.mu.Unlock()
	writeJSON(w, 200, out)
}

// userCode returns a code shaped like the real ones: 8 letters from an
// unambiguous alphabet, in two groups (ABCD-EFGH).
func userCode() string {
	const alphabet = "BCDFGHJKLMNPQRSTVWXZ"
	b := []byte(randToken("", 8))
	out := make([]byte, 0, 9)
	for i := range 8 {
		if i == 4 {
			out = append(out, '-')
		}
		out = append(out, alphabet[int(b[i])%len(alphabet)])
	}
	return string(out)
}

type createTokenInput struct {
	clientAuth
	GrantType    string   `json:"grantType"`
	DeviceCode   string   `json:"deviceCode"`
	Code         string   `json:"code"`
	RefreshToken string   `json:"refreshToken"`
	Scope        []string `json:"scope"`
	RedirectURI  string   `json:"redirectUri"`
	CodeVerifier string   `json:"codeVerifier"`
}

func (o *OIDC) createToken(w http.ResponseWriter, r *http.Request) {
	var in createTokenInput
	if err := readJSON(r, &in); err != nil {
		o.record(OIDCCall{Op: "CreateToken", Exception: "InvalidRequestException"})
		writeOIDCError(w, 400, "InvalidRequestException", "invalid_request", "malformed request body")
		return
	}
	o.mu.Lock()
	out, status, rerr := o.token(in)
	call := OIDCCall{Op: "CreateToken", ClientID: in.ClientID, GrantType: in.GrantType}
	if rerr != nil {
		call.Exception = rerr.exc
	}
	o.calls = append(o.calls, call)
	o.mu.Unlock()
	if rerr != nil {
		writeOIDCError(w, status, rerr.exc, rerr.oauth, rerr.desc)
		return
	}
	writeJSON(w, 200, out)
}

// token decides a CreateToken request. Call with o.mu held.
func (o *OIDC) token(in createTokenInput) (map[string]any, int, *regError) {
	if in.ClientID == "" || in.ClientSecret == "" || in.GrantType == "" {
		return nil, 400, &regError{"InvalidRequestException", "invalid_request", "clientId, clientSecret and grantType are required"}
	}
	c, rerr := o.client(in.clientAuth)
	if rerr != nil {
		return nil, 401, rerr
	}
	grants := c.GrantTypes
	if len(grants) == 0 { // registered without grantTypes: the device flow
		grants = []string{GrantDeviceCode, GrantRefreshToken}
	}
	switch in.GrantType {
	case GrantAuthorizationCode, GrantDeviceCode, GrantRefreshToken:
	default:
		return nil, 400, &regError{"UnsupportedGrantTypeException", "unsupported_grant_type", "Unsupported grant type " + in.GrantType}
	}
	if !slices.Contains(grants, in.GrantType) {
		return nil, 400, &regError{"UnauthorizedClientException", "unauthorized_client", "Client is not registered for " + in.GrantType}
	}
	now := o.now()
	invalid := func(desc string) (map[string]any, int, *regError) {
		return nil, 400, &regError{"InvalidGrantException", "invalid_grant", desc}
	}
	switch in.GrantType {
	case GrantAuthorizationCode:
		ac, ok := o.codes[in.Code]
		switch {
		case !ok || ac.client != c.ClientID:
			return invalid("Invalid authorization code")
		case ac.used:
			return invalid("Authorization code has already been used")
		case !now.Before(ac.expires):
			return nil, 400, &regError{"ExpiredTokenException", "expired_token", "Authorization code has expired"}
		case in.RedirectURI != ac.redirect:
			return invalid("Redirect URI does not match the authorization request")
		case !validVerifier(in.CodeVerifier):
			return invalid("Invalid code verifier")
		case s256(in.CodeVerifier) != ac.challenge:
			return invalid("Code verifier does not match the code challenge")
		}
		ac.used = true
		return o.issue(c, &session{expires: now.Add(o.sessionTTL)}, ac.scopes, now), 0, nil
	case GrantDeviceCode:
		d, ok := o.devices[in.DeviceCode]
		if !ok || d.client != c.ClientID || d.state == deviceConsumed {
			return invalid("Invalid device code")
		}
		if !now.Before(d.expires) {
			return nil, 400, &regError{"ExpiredTokenException", "expired_token", "Device code has expired"}
		}
		// The first two polls may come back to back, as botocore's do
		// (utils.py SSOTokenFetcher._poll_for_token); later ones must keep
		// to the interval.
		tooFast := d.polls >= 2 && now.Sub(d.lastPoll) < d.threshold
		d.polls++
		d.lastPoll = now
		if tooFast {
			d.threshold += o.slowStep
			return nil, 400, &regError{"SlowDownException", "slow_down", "Client is polling too quickly"}
		}
		switch d.state {
		case devicePending:
			return nil, 400, &regError{"AuthorizationPendingException", "authorization_pending", "Authorization is still pending"}
		case deviceDenied:
			return nil, 400, &regError{"AccessDeniedException", "access_denied", "Access denied"}
		}
		d.state = deviceConsumed
		return o.issue(c, &session{expires: now.Add(o.sessionTTL)}, c.Scopes, now), 0, nil
	default: // refresh_token
		rt, ok := o.refresh[in.RefreshToken]
		if !ok || rt.client != c.ClientID || rt.revoked || rt.sess.ended || !now.Before(rt.sess.expires) {
			return invalid("Invalid refresh token provided")
		}
		out := o.issue(c, rt.sess, rt.scopes, now)
		if o.rotate {
			rt.revoked = true
		} else {
			if tok, ok := out["refreshToken"].(string); ok {
				delete(o.refresh, tok)
			}
			delete(out, "refreshToken")
		}
		return out, 0, nil
	}
}

// issue mints an access token (and a refresh token where the client may
// have one) in sess. Call with o.mu held.
func (o *OIDC) issue(c *oidcClient, sess *session, scopes []string, now time.Time) map[string]any {
	exp := now.Add(o.accessTTL)
	if sess.expires.Before(exp) {
		exp = sess.expires
	}
	tok := randToken("fakeaccess-", 32)
	o.access[tok] = &accessTok{client: c.ClientID, sess: sess, expires: exp}
	out := map[string]any{"accessToken": tok, "tokenType": "Bearer", "expiresIn": int(exp.Sub(now) / time.Second)}
	if o.issueRefresh && (slices.Contains(c.GrantTypes, GrantRefreshToken) || slices.Contains(c.Scopes, "sso:account:access")) {
		rt := randToken("fakerefresh-", 32)
		o.refresh[rt] = &refreshTok{client: c.ClientID, sess: sess, scopes: scopes}
		out["refreshToken"] = rt
	}
	return out
}

// validVerifier checks RFC 7636 §4.1: 43 to 128 characters of
// [A-Za-z0-9-._~].
func validVerifier(v string) bool {
	if len(v) < 43 || len(v) > 128 {
		return false
	}
	for _, c := range v {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.ContainsRune("-._~", c)) {
			return false
		}
	}
	return true
}

// s256 is the PKCE S256 transform: base64url(sha256(verifier)) without
// padding (RFC 7636 §4.2; botocore trims the one '=' the same way).
func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// authorize is the browser's first stop in the authorization code flow:
// it checks the request, then (standing in for the portal's sign-in and
// consent pages) redirects to the client's loopback redirect URI with a
// code and the state, or with error=access_denied.
func (o *OIDC) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	call := OIDCCall{Op: "Authorize", ClientID: q.Get("client_id"), Query: q}
	o.mu.Lock()
	defer o.mu.Unlock()
	page := func(desc string) {
		call.Exception = "invalid_request"
		o.calls = append(o.calls, call)
		errorPage(w, http.StatusBadRequest, desc)
	}
	c, ok := o.clients[q.Get("client_id")]
	switch {
	case !ok:
		page("unknown client_id")
		return
	case !o.now().Before(c.Expires):
		page("the client registration has expired")
		return
	case !slices.Contains(c.GrantTypes, GrantAuthorizationCode):
		page("the client is not registered for authorization_code")
		return
	case !redirectMatches(c.RedirectURIs, q.Get("redirect_uri")):
		page("redirect_uri is not registered for this client")
		return
	}
	redirect, _ := url.Parse(q.Get("redirect_uri"))
	back := func(v url.Values) {
		o.calls = append(o.calls, call)
		rq := redirect.Query()
		for k, vs := range v {
			rq[k] = vs
		}
		redirect.RawQuery = rq.Encode()
		http.Redirect(w, r, redirect.String(), http.StatusFound)
	}
	state := q.Get("state")
	fail := func(oauthErr, desc string) {
		call.Exception = oauthErr
		back(url.Values{"error": {oauthErr}, "error_description": {desc}, "state": {state}})
	}
	scopes := c.Scopes
	if s := q.Get("scopes"); s != "" {
		scopes = strings.Fields(s)
	}
	switch {
	case q.Get("response_type") != "code":
		fail("unsupported_response_type", "response_type must be code")
		return
	case q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43:
		fail("invalid_request", "an S256 code_challenge is required")
		return
	case state == "":
		fail("invalid_request", "state is required")
		return
	}
	for _, s := range scopes {
		if !slices.Contains(c.Scopes, s) {
			fail("invalid_scope", "scope "+s+" was not registered")
			return
		}
	}
	switch parseDecision(r.Header.Get(DecisionHeader), o.decision) {
	case Deny:
		fail("access_denied", "The user denied the request")
		return
	case WrongState:
		state = "forged-" + state
	}
	code := randToken("fakecode-", 24)
	o.codes[code] = &authCode{client: c.ClientID, redirect: q.Get("redirect_uri"), challenge: q.Get("code_challenge"),
		scopes: scopes, expires: o.now().Add(o.codeTTL)}
	back(url.Values{"code": {code}, "state": {state}})
}

// verify is the device verification page. A GET without a decision only
// shows the page; a DecisionHeader (or a POSTed decision) approves or
// denies the user code in the query (or form).
func (o *OIDC) verify(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	r.ParseForm()
	userCode := r.Form.Get("user_code")
	dec := r.Header.Get(DecisionHeader)
	if r.Method == http.MethodPost {
		dec = cmp.Or(r.Form.Get("decision"), dec)
	}
	o.record(OIDCCall{Op: "Verify", Query: r.Form})
	if dec == "" {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<!doctype html><title>Authorize request</title><form method=post action=/device>"+
			"<input name=user_code value=\"%s\"><button name=decision value=allow>Allow</button>"+
			"<button name=decision value=deny>Deny</button></form>\n", html.EscapeString(userCode))
		return
	}
	if userCode == "" {
		errorPage(w, http.StatusBadRequest, "enter the code shown by your application")
		return
	}
	if err := o.decideDevice(userCode, parseDecision(dec, Allow)); err != nil {
		errorPage(w, http.StatusBadRequest, err.Error())
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	io.WriteString(w, "<!doctype html><title>Request approved</title><p>You can close this window.\n")
}

func (o *OIDC) decideDevice(userCode string, d Decision) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	dev, ok := o.byUser[strings.ToUpper(strings.TrimSpace(userCode))]
	switch {
	case !ok:
		return fmt.Errorf("unknown user code %q", userCode)
	case !o.now().Before(dev.expires):
		return fmt.Errorf("user code %q has expired", userCode)
	case dev.state != devicePending:
		return fmt.Errorf("user code %q was already used", userCode)
	}
	if d == Deny {
		dev.state = deviceDenied
	} else {
		dev.state = deviceApproved
	}
	return nil
}

func errorPage(w http.ResponseWriter, status int, desc string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!doctype html><title>Error</title><p>%s\n", html.EscapeString(desc))
}
