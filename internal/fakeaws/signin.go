package fakeaws

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"
)

// The OAuth client ids of `aws login` (awscli/customizations/login/utils.py
// CLIENT_ID).
const (
	LoginSameDevice   = "arn:aws:signin:::devtools/same-device"
	LoginCrossDevice  = "arn:aws:signin:::devtools/cross-device"
	loginConfirmation = "/v1/sessions/confirmation"
)

// SigninCall is one request the signin fake received.
type SigninCall struct {
	Op         string // Authorize, Confirmation, CreateOAuth2Token
	ClientID   string
	GrantType  string
	Exception  string // the exception (or OAuth error, for Authorize) answered; "" on success
	Thumbprint string // CreateOAuth2Token: the DPoP key's RFC 7638 thumbprint, when the proof verified
}

// Signin is a fake of the AWS Sign-In OAuth service behind `aws login`
// (service "Signin", AWS_ENDPOINT_URL_SIGNIN): the browser's authorize
// endpoint (GET /v1/authorize), the cross-device confirmation page and
// CreateOAuth2Token (POST /v1/token) for authorization_code (PKCE) and
// refresh_token, DPoP-bound as the real service is. The credentials it
// issues are registered with its STS fake (kind KindLogin).
type Signin struct {
	*httptest.Server
	sts *Server
	key *ecdsa.PrivateKey // signs id tokens (ES384, like the real ones)

	mu         sync.Mutex // protects the fields below
	now        func() time.Time
	accessTTL  time.Duration
	sessionTTL time.Duration
	codeTTL    time.Duration
	rotate     bool
	decision   Decision
	sessionArn string
	fail       string
	n          int
	codes      map[string]*loginCode
	refresh    map[string]*loginRefresh
	jtis       map[string]time.Time
	calls      []SigninCall
}

type loginCode struct {
	client, redirect, challenge string
	expires                     time.Time
	used                        bool
}

type loginSession struct {
	arn     string
	expires time.Time
}

type loginRefresh struct {
	client, thumbprint string
	sess               *loginSession
	revoked            bool
}

// NewSignin starts a signin fake whose credentials sts knows.
func NewSignin(sts *Server) *Signin {
	key, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	s := &Signin{sts: sts, key: key, now: time.Now, accessTTL: 15 * time.Minute, sessionTTL: 12 * time.Hour,
		codeTTL: 5 * time.Minute, rotate: true, decision: Allow, sessionArn: "arn:aws:iam::123456789012:user/alice",
		codes: map[string]*loginCode{}, refresh: map[string]*loginRefresh{}, jtis: map[string]time.Time{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// SetNow sets the clock for codes, sessions, credentials and DPoP iat.
func (s *Signin) SetNow(now func() time.Time) { s.mu.Lock(); s.now = now; s.mu.Unlock() }

// SetAccessTTL sets the credentials' lifetime (expiresIn; default 15
// minutes, as the service documents).
func (s *Signin) SetAccessTTL(d time.Duration) { s.mu.Lock(); s.accessTTL = d; s.mu.Unlock() }

// SetSessionTTL sets how long a login session can be refreshed (default
// 12 hours).
func (s *Signin) SetSessionTTL(d time.Duration) { s.mu.Lock(); s.sessionTTL = d; s.mu.Unlock() }

// SetRefreshRotation says whether refresh_token grants return a new
// refresh token and revoke the old one (default true) or return the same.
func (s *Signin) SetRefreshRotation(rotate bool) { s.mu.Lock(); s.rotate = rotate; s.mu.Unlock() }

// SetDecision sets what the authorize page does without a DecisionHeader.
func (s *Signin) SetDecision(d Decision) { s.mu.Lock(); s.decision = d; s.mu.Unlock() }

// SetSessionArn sets the principal of new login sessions: the id token's
// sub, which the AWS CLI stores as login_session (default
// arn:aws:iam::123456789012:user/alice).
func (s *Signin) SetSessionArn(arn string) { s.mu.Lock(); s.sessionArn = arn; s.mu.Unlock() }

// Fail makes every CreateOAuth2Token answer AccessDeniedException with
// this error code (TOKEN_EXPIRED, USER_CREDENTIALS_CHANGED,
// INSUFFICIENT_PERMISSIONS, AUTHCODE_EXPIRED); "" restores success.
func (s *Signin) Fail(code string) { s.mu.Lock(); s.fail = code; s.mu.Unlock() }

// EndSessions makes every login session so far expire: refreshes answer
// TOKEN_EXPIRED.
func (s *Signin) EndSessions() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.refresh {
		r.sess.expires = s.now().Add(-time.Second)
	}
}

// Calls returns a copy of the requests so far.
func (s *Signin) Calls() []SigninCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SigninCall(nil), s.calls...)
}

// Count returns how many requests of op were made ("" counts all); op may
// be "CreateOAuth2Token/<grant type>".
func (s *Signin) Count(op string) int {
	n := 0
	for _, c := range s.Calls() {
		if op == "" || c.Op == op || c.Op+"/"+c.GrantType == op {
			n++
		}
	}
	return n
}

func (s *Signin) serve(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/v1/authorize":
		s.authorize(w, r)
	case r.Method == http.MethodGet && r.URL.Path == loginConfirmation:
		s.confirmation(w, r)
	case r.Method == http.MethodPost && r.URL.Path == "/v1/token" && r.URL.RawQuery == "":
		s.token(w, r)
	default:
		writeSigninError(w, http.StatusNotFound, "ResourceNotFoundException", "RESOURCE_NOT_FOUND", "unknown operation")
	}
}

// authorize checks an `aws login` authorize URL (utils.py
// _get_authorization_uri: response_type=code, client_id, state,
// code_challenge_method=SHA-256, scope=openid, redirect_uri,
// code_challenge) and, standing in for the console sign-in, redirects to
// redirect_uri with a code and the state.
func (s *Signin) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	call := SigninCall{Op: "Authorize", ClientID: q.Get("client_id")}
	s.mu.Lock()
	defer s.mu.Unlock()
	redirect, err := url.Parse(q.Get("redirect_uri"))
	var bad string
	switch {
	case q.Get("client_id") != LoginSameDevice && q.Get("client_id") != LoginCrossDevice:
		bad = "unknown client_id"
	case err != nil || q.Get("redirect_uri") == "":
		bad = "redirect_uri is required"
	case q.Get("client_id") == LoginSameDevice && (redirect.Scheme != "http" || !isLoopback(redirect.Hostname())):
		bad = "the same-device client redirects only to a loopback http URI"
	case q.Get("client_id") == LoginCrossDevice && q.Get("redirect_uri") != "http://"+r.Host+loginConfirmation:
		bad = "the cross-device client redirects only to " + loginConfirmation
	}
	if bad != "" {
		call.Exception = "invalid_request"
		s.calls = append(s.calls, call)
		errorPage(w, http.StatusBadRequest, bad)
		return
	}
	state := q.Get("state")
	back := func(v url.Values) {
		s.calls = append(s.calls, call)
		rq := redirect.Query()
		for k, vs := range v {
			rq[k] = vs
		}
		redirect.RawQuery = rq.Encode()
		http.Redirect(w, r, redirect.String(), http.StatusFound)
	}
	fail := func(e, desc string) {
		call.Exception = e
		back(url.Values{"error": {e}, "error_description": {desc}, "state": {state}})
	}
	switch m := q.Get("code_challenge_method"); {
	case q.Get("response_type") != "code":
		fail("unsupported_response_type", "response_type must be code")
		return
	case m != "SHA-256" && m != "S256" || len(q.Get("code_challenge")) != 43:
		fail("invalid_request", "a SHA-256 code_challenge is required")
		return
	case state == "":
		fail("invalid_request", "state is required")
		return
	case q.Get("scope") != "openid":
		fail("invalid_scope", "scope must be openid")
		return
	}
	switch parseDecision(r.Header.Get(DecisionHeader), s.decision) {
	case Deny:
		fail("access_denied", "The user denied the request")
		return
	case WrongState:
		state = "forged-" + state
	}
	code := randToken("fakelogincode-", 24)
	s.codes[code] = &loginCode{client: q.Get("client_id"), redirect: q.Get("redirect_uri"),
		challenge: q.Get("code_challenge"), expires: s.now().Add(s.codeTTL)}
	back(url.Values{"code": {code}, "state": {state}})
}

// confirmation is the page the cross-device flow ends on: it shows the
// verification code the user pastes into `aws login --remote`,
// base64("state=...&code=...") (utils.py parse_verification_code).
func (s *Signin) confirmation(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	s.calls = append(s.calls, SigninCall{Op: "Confirmation", ClientID: LoginCrossDevice})
	s.mu.Unlock()
	v := url.Values{"state": {q.Get("state")}, "code": {q.Get("code")}}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, "<!doctype html><title>Authorization code</title><p>Enter this code in your terminal:<pre id=code>%s</pre>\n",
		html.EscapeString(base64.StdEncoding.EncodeToString([]byte(v.Encode()))))
}

type loginTokenInput struct {
	ClientID     string `json:"clientId"`
	GrantType    string `json:"grantType"`
	Code         string `json:"code"`
	CodeVerifier string `json:"codeVerifier"`
	RedirectURI  string `json:"redirectUri"`
	RefreshToken string `json:"refreshToken"`
}

func (s *Signin) token(w http.ResponseWriter, r *http.Request) {
	var in loginTokenInput
	call := SigninCall{Op: "CreateOAuth2Token"}
	if err := readJSON(r, &in); err != nil {
		call.Exception = "ValidationException"
		s.record(call)
		writeSigninError(w, 400, "ValidationException", "INVALID_REQUEST", "malformed request body")
		return
	}
	call.ClientID, call.GrantType = in.ClientID, in.GrantType
	s.mu.Lock()
	defer s.mu.Unlock()
	out, exc := s.decide(r, in, &call)
	if exc != nil {
		call.Exception = exc.exc
	}
	s.calls = append(s.calls, call)
	if exc != nil {
		status := 400
		if exc.exc == "InternalServerException" {
			status = 500
		}
		writeSigninError(w, status, exc.exc, exc.oauth, exc.desc)
		return
	}
	writeJSON(w, 200, out)
}

// decide answers a CreateOAuth2Token request. Call with s.mu held.
func (s *Signin) decide(r *http.Request, in loginTokenInput, call *SigninCall) (map[string]any, *regError) {
	now := s.now()
	// htu must be the URL this request was sent to (RFC 9449 §4.3), as
	// the client addressed it.
	proof, err := verifyDPoP(r.Header.Get("DPoP"), http.MethodPost, "http://"+r.Host+"/v1/token", now)
	if err != nil {
		return nil, &regError{"ValidationException", "INVALID_REQUEST", "invalid DPoP proof: " + err.Error()}
	}
	call.Thumbprint = proof.thumbprint
	if _, seen := s.jtis[proof.jti]; seen {
		return nil, &regError{"ValidationException", "INVALID_REQUEST", "DPoP proof replayed (jti reused)"}
	}
	s.jtis[proof.jti] = proof.iat
	if s.fail != "" {
		return nil, &regError{"AccessDeniedException", s.fail, "fake signin refuses: " + s.fail}
	}
	if in.ClientID != LoginSameDevice && in.ClientID != LoginCrossDevice {
		return nil, &regError{"ValidationException", "INVALID_REQUEST", "unknown clientId"}
	}
	invalid := func(desc string) (map[string]any, *regError) {
		return nil, &regError{"InvalidGrantException", "OAUTH_INVALID_GRANT", desc}
	}
	switch in.GrantType {
	case "authorization_code":
		c, ok := s.codes[in.Code]
		switch {
		case !ok || c.client != in.ClientID || c.used:
			return invalid("invalid authorization code")
		case !now.Before(c.expires):
			return nil, &regError{"AccessDeniedException", "AUTHCODE_EXPIRED", "the authorization code has expired"}
		case in.RedirectURI != c.redirect:
			return invalid("redirectUri does not match the authorization request")
		case !validVerifier(in.CodeVerifier) || s256(in.CodeVerifier) != c.challenge:
			return invalid("codeVerifier does not match the code challenge")
		}
		c.used = true
		sess := &loginSession{arn: s.sessionArn, expires: now.Add(s.sessionTTL)}
		out := s.issue(sess, in.ClientID, proof.thumbprint, now, "")
		out["idToken"] = s.idToken(sess.arn, in.ClientID, now)
		return out, nil
	case "refresh_token":
		rt, ok := s.refresh[in.RefreshToken]
		switch {
		case !ok || rt.revoked || rt.client != in.ClientID:
			return nil, &regError{"AccessDeniedException", "TOKEN_EXPIRED", "the refresh token is invalid or expired"}
		case !now.Before(rt.sess.expires):
			return nil, &regError{"AccessDeniedException", "TOKEN_EXPIRED", "the login session has expired"}
		case rt.thumbprint != proof.thumbprint:
			return invalid("the DPoP key does not match the one the refresh token is bound to")
		}
		keep := ""
		if s.rotate {
			rt.revoked = true
		} else {
			keep = in.RefreshToken
		}
		return s.issue(rt.sess, in.ClientID, proof.thumbprint, now, keep), nil
	}
	return nil, &regError{"ValidationException", "OAUTH_UNSUPPORTED_GRANT_TYPE", "unsupported grantType " + in.GrantType}
}

// issue mints credentials and a DPoP-bound refresh token (keep, when not
// rotating) for a session. Call with s.mu held.
func (s *Signin) issue(sess *loginSession, client, thumb string, now time.Time, keep string) map[string]any {
	s.n++
	exp := now.Add(s.accessTTL)
	c := Issued{Kind: KindLogin, AccessKeyID: fmt.Sprintf("ASIALOGIN%04dEXAMPLE", s.n),
		SecretAccessKey: fmt.Sprintf("loginSecret%d", s.n), SessionToken: fmt.Sprintf("LOGINTOKEN%d", s.n),
		Expires: exp, Arn: sess.arn}
	s.sts.reg.add(c)
	rt := keep
	if rt == "" {
		rt = randToken("fakeloginrefresh-", 32)
		s.refresh[rt] = &loginRefresh{client: client, thumbprint: thumb, sess: sess}
	}
	return map[string]any{
		"accessToken":  map[string]string{"accessKeyId": c.AccessKeyID, "secretAccessKey": c.SecretAccessKey, "sessionToken": c.SessionToken},
		"tokenType":    "aws_sigv4",
		"expiresIn":    int(s.accessTTL / time.Second),
		"refreshToken": rt,
	}
}

// idToken returns an ES384 JWT with the claims the real id token carries
// (sub and session_arn: the session ARN; aud, iss, iat, exp), signed by
// the fake's own key. The AWS CLI reads sub without verifying it.
func (s *Signin) idToken(arn, client string, now time.Time) string {
	aud := strings.Replace(client, ":::devtools/", ":::cli/", 1)
	hdr, _ := json.Marshal(map[string]string{"kid": "fakeaws", "typ": "JWT", "alg": "ES384"})
	claims, _ := json.Marshal(map[string]any{"sub": arn, "aud": aud, "iss": "https://signin.aws.amazon.com/signin",
		"session_arn": arn, "iat": now.Unix(), "exp": now.Add(15 * time.Minute).Unix()})
	msg := base64.RawURLEncoding.EncodeToString(hdr) + "." + base64.RawURLEncoding.EncodeToString(claims)
	sum := sha512.Sum384([]byte(msg))
	r, sg, _ := ecdsa.Sign(rand.Reader, s.key, sum[:])
	sig := make([]byte, 96)
	r.FillBytes(sig[:48])
	sg.FillBytes(sig[48:])
	return msg + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func (s *Signin) record(c SigninCall) {
	s.mu.Lock()
	s.calls = append(s.calls, c)
	s.mu.Unlock()
}

// writeSigninError answers as the signin service's restJson1 errors do:
// {"error": OAuth2ErrorCode, "message": ...} with the exception in
// X-Amzn-Errortype.
func writeSigninError(w http.ResponseWriter, status int, exception, code, msg string) {
	w.Header().Set("X-Amzn-Errortype", exception)
	writeJSON(w, status, map[string]string{"error": code, "message": msg})
}
