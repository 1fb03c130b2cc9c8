package signin

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/signin"
	"github.com/aws/aws-sdk-go-v2/service/signin/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/awsxc/awsxc/engine"
)

// The OAuth clients of aws login: public ARNs that AWS registered for the
// AWS CLI (awscli/customizations/login/utils.py CLIENT_ID). There is no
// way to register another; see the package documentation, "What aws
// login cannot do faithfully".
const (
	loginSameDevice   = "arn:aws:signin:::devtools/same-device"
	loginCrossDevice  = "arn:aws:signin:::devtools/cross-device"
	loginConfirmation = "/v1/sessions/confirmation"
)

// loginHint is what to run when awsxc cannot sign in to aws login itself.
func loginHint(profile string) string {
	if profile == "" {
		return "sign in with the AWS CLI (aws login) instead"
	}
	return "sign in with the AWS CLI instead: aws login --profile " + engine.ShellQuote(profile)
}

type loginFlow struct {
	s      Session
	c      Config
	o      SignInOptions
	client *signin.Client
	log    *slog.Logger
}

// loginSignIn refreshes an aws login session or signs it in again, the
// way the AWS CLI v2 (2.32 and later) does, and writes its cache file.
func loginSignIn(ctx context.Context, s Session, c Config, o SignInOptions, st Status) (*Result, error) {
	client, err := c.signinClient(ctx, s)
	if err != nil {
		return nil, err
	}
	f := &loginFlow{s: s, c: c, o: o, client: client, log: c.log().With("session", s.Key())}
	if res, done, err := refreshFirst(ctx, s, c, o, st, f.log, f.refresh); done {
		return res, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, wrap(s, ErrFailed, err)
	}
	base, err := signinBase(ctx, client)
	if err != nil {
		return nil, wrap(s, ErrConfig, err)
	}
	state, verifier := newUUID(), newVerifier()
	authURL := func(clientID, redirect string) string {
		// login/utils.py _get_authorization_uri: SHA-256 (not S256) and
		// scope (singular) openid, then the challenge unencoded.
		return base + "/v1/authorize?" + pctEncode([][2]string{{"response_type", "code"}, {"client_id", clientID},
			{"state", state}, {"code_challenge_method", "SHA-256"}, {"scope", "openid"}, {"redirect_uri", redirect}}) +
			"&code_challenge=" + challengeS256(verifier)
	}
	var clientID, redirect, code string
	if o.Flow == FlowDevice {
		clientID, redirect = loginCrossDevice, base+loginConfirmation
		code, err = f.crossDevice(ctx, authURL(clientID, redirect), state)
	} else {
		clientID = loginSameDevice
		var cb *callback
		if cb, err = listenCallback(state); err != nil {
			return nil, wrap(s, ErrFailed, err)
		}
		defer cb.close()
		redirect = cb.uri
		u := authURL(clientID, redirect)
		code, err = waitForCode(ctx, s, c, o, cb, Prompt{Session: s, Flow: FlowBrowser, URL: u, BrowserURL: u}, f.log)
	}
	if err != nil {
		return nil, err
	}
	out, err := client.CreateOAuth2Token(ctx, &signin.CreateOAuth2TokenInput{TokenInput: &types.CreateOAuth2TokenRequestBody{
		ClientId: aws.String(clientID), GrantType: aws.String("authorization_code"), Code: aws.String(code),
		CodeVerifier: aws.String(verifier), RedirectUri: aws.String(redirect)}}, withDPoP(key, c.Env.Now))
	if err != nil {
		return nil, f.classify(err)
	}
	to := out.TokenOutput
	if to == nil || to.AccessToken == nil || to.ExpiresIn == nil || aws.ToString(to.RefreshToken) == "" {
		return nil, &Error{Session: s.Name, Profile: s.Profile, Kind: ErrFailed, Err: errors.New("the token response lacks credentials or a refresh token")}
	}
	sub, err := idTokenSubject(aws.ToString(to.IdToken))
	if err != nil {
		return nil, &Error{Session: s.Name, Profile: s.Profile, Kind: ErrFailed, Err: err}
	}
	if sub != s.Name {
		return nil, &Error{Session: s.Name, Profile: s.Profile, Kind: ErrSessionMismatch,
			Err:  fmt.Errorf("signed in as %s", sub),
			Hint: fmt.Sprintf("sign in as the principal login_session names, or set login_session = %s in the profile (aws login --profile %s does that)", sub, s.Profile)}
	}
	account, err := arnAccount(sub)
	if err != nil {
		return nil, &Error{Session: s.Name, Profile: s.Profile, Kind: ErrFailed, Err: err}
	}
	pemKey, err := sec1PEM(key)
	if err != nil {
		return nil, wrap(s, ErrFailed, err)
	}
	expires := c.Env.Now().Add(time.Duration(*to.ExpiresIn) * time.Second)
	// login/utils.py _exchange_auth_code_for_access_token, in its order.
	o2 := object{
		{"accessToken", object{{"accessKeyId", aws.ToString(to.AccessToken.AccessKeyId)},
			{"secretAccessKey", aws.ToString(to.AccessToken.SecretAccessKey)},
			{"sessionToken", aws.ToString(to.AccessToken.SessionToken)}, {"accountId", account},
			{"expiresAt", expires.UTC().Format(cacheTimeFormat)}}},
		{"tokenType", aws.ToString(to.TokenType)}, {"clientId", clientID}, {"refreshToken", aws.ToString(to.RefreshToken)},
		{"idToken", aws.ToString(to.IdToken)}, {"dpopKey", pemKey},
	}
	if err := writeCache(s, st.Path, o2); err != nil {
		return nil, err
	}
	f.log.Debug("login session cached", "path", st.Path, "expires", expires.UTC().Format(time.RFC3339),
		"key", engine.MaskKey(aws.ToString(to.AccessToken.AccessKeyId)))
	st, err = StatusOf(s, c)
	return &Result{How: SignedIn, Status: st}, err
}

// crossDevice runs aws login's cross-device flow (login/utils.py
// CrossDeviceLoginTokenFetcher): the URL is shown, never opened here;
// the page shows base64("state=...&code=..."), which the user pastes.
func (f *loginFlow) crossDevice(parent context.Context, u, state string) (string, error) {
	if f.o.ReadCode == nil {
		return "", &Error{Session: f.s.Name, Profile: f.s.Profile, Kind: ErrConfig,
			Err: errors.New("the cross-device sign-in needs the code the browser shows, and nothing here can read it")}
	}
	ctx, cancel := context.WithTimeout(parent, f.o.Timeout)
	defer cancel()
	show(f.o, Prompt{Session: f.s, Flow: FlowDevice, URL: u, BrowserURL: u, ReadsCode: true, Expires: f.c.Env.Now().Add(f.o.Timeout)})
	type read struct {
		v   string
		err error
	}
	got := make(chan read, 1)
	go func() { v, err := f.o.ReadCode(ctx); got <- read{v, err} }()
	var r read
	select {
	case r = <-got:
	case <-ctx.Done():
		return "", timedOut(parent, f.s, fmt.Sprintf("no code was entered within %s", f.o.Timeout.Round(time.Second)))
	}
	if r.err != nil {
		return "", &Error{Session: f.s.Name, Profile: f.s.Profile, Kind: ErrFailed, Err: fmt.Errorf("read the code: %w", r.err)}
	}
	code, gotState, err := parseVerificationCode(r.v)
	if err != nil {
		return "", &Error{Session: f.s.Name, Profile: f.s.Profile, Kind: ErrFailed, Err: err}
	}
	if gotState != state {
		return "", &Error{Session: f.s.Name, Profile: f.s.Profile, Kind: ErrStateMismatch, Err: errors.New("its code was not redeemed")}
	}
	return code, nil
}

// parseVerificationCode reads what the cross-device page shows:
// base64("state=...&code=...") (login/utils.py parse_verification_code).
func parseVerificationCode(v string) (code, state string, err error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(v))
	if err != nil {
		return "", "", errors.New("the code is not the one the page shows (not base64)")
	}
	q, err := url.ParseQuery(string(raw))
	if err != nil || q.Get("code") == "" || !q.Has("state") {
		return "", "", errors.New("the code is not the one the page shows (no code and state in it)")
	}
	return q.Get("code"), q.Get("state"), nil
}

// refresh renews the session's credentials with its refresh token and a
// DPoP proof of its key, as botocore's LoginCredentialFetcher and the Go
// SDK's logincreds do, and rewrites the file: accessToken (keeping its
// accountId) and refreshToken, every other member as it was.
func (f *loginFlow) refresh(ctx context.Context, path string) error {
	t, err := readLoginToken(path)
	if err != nil {
		return wrap(f.s, ErrFailed, err)
	}
	key, err := parseECKey(t.DPoPKey)
	if err != nil {
		return &Error{Session: f.s.Name, Profile: f.s.Profile, Kind: ErrFailed, Err: err}
	}
	out, err := f.client.CreateOAuth2Token(ctx, &signin.CreateOAuth2TokenInput{TokenInput: &types.CreateOAuth2TokenRequestBody{
		ClientId: aws.String(t.ClientID), GrantType: aws.String("refresh_token"), RefreshToken: aws.String(t.RefreshToken)}},
		withDPoP(key, f.c.Env.Now))
	if err != nil {
		return f.classify(err)
	}
	to := out.TokenOutput
	if to == nil || to.AccessToken == nil || to.ExpiresIn == nil {
		return &Error{Session: f.s.Name, Profile: f.s.Profile, Kind: ErrFailed, Err: errors.New("the token response lacks credentials")}
	}
	expires := f.c.Env.Now().Add(time.Duration(*to.ExpiresIn) * time.Second)
	t.obj.set("accessToken", object{{"accessKeyId", aws.ToString(to.AccessToken.AccessKeyId)},
		{"secretAccessKey", aws.ToString(to.AccessToken.SecretAccessKey)},
		{"sessionToken", aws.ToString(to.AccessToken.SessionToken)}, {"accountId", t.AccountID},
		{"expiresAt", expires.UTC().Format(cacheTimeFormat)}})
	if rt := aws.ToString(to.RefreshToken); rt != "" {
		t.obj.set("refreshToken", rt)
	}
	if err := writeCache(f.s, path, t.obj); err != nil {
		return err
	}
	f.log.Debug("refreshed the login session", "path", path, "expires", expires.UTC().Format(time.RFC3339))
	return nil
}

// classify turns a sign-in service error into an [*Error].
func (f *loginFlow) classify(err error) error {
	e := &Error{Session: f.s.Name, Profile: f.s.Profile}
	var denied *types.AccessDeniedException
	var grant *types.InvalidGrantException
	switch {
	case errors.Is(err, context.Canceled):
		e.Kind, e.Err = ErrCancelled, context.Canceled
	case errors.As(err, &denied):
		switch denied.Error_ {
		case types.OAuth2ErrorCodeAuthcodeExpired:
			e.Kind, e.Err = ErrExpired, errors.New("the authorization code expired (AUTHCODE_EXPIRED)")
		case types.OAuth2ErrorCodeTokenExpired:
			e.Kind, e.Err = ErrExpired, errors.New("the login session has ended (TOKEN_EXPIRED)")
		case types.OAuth2ErrorCodeUserCredentialsChanged:
			e.Kind, e.Err = ErrExpired, errors.New("the password changed since the sign-in (USER_CREDENTIALS_CHANGED)")
		case types.OAuth2ErrorCodeInsufficientPermissions:
			e.Kind, e.Err = ErrDenied, errors.New("the principal may not call signin:CreateOAuth2Token (INSUFFICIENT_PERMISSIONS)")
		default:
			e.Kind, e.Err = ErrDenied, fmt.Errorf("AccessDeniedException %s", denied.Error_)
			e.Hint = loginHint(f.s.Profile)
		}
	case errors.As(err, &grant):
		e.Kind, e.Err = ErrFailed, fmt.Errorf("the service refused the grant (%s)", grant.Error_)
		e.Hint = loginHint(f.s.Profile)
	default:
		return unreachableOr(f.s, "CreateOAuth2Token", err)
	}
	return e
}

// withDPoP signs each CreateOAuth2Token request with a DPoP proof of key
// (RFC 9449), as a Finalize step, after the endpoint is resolved, like
// the Go SDK's logincreds (its middleware is unexported).
func withDPoP(key *ecdsa.PrivateKey, now func() time.Time) func(*signin.Options) {
	return signin.WithAPIOptions(func(st *middleware.Stack) error {
		return st.Finalize.Add(middleware.FinalizeMiddlewareFunc("awsxcDPoP",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				req, ok := in.Request.(*smithyhttp.Request)
				if !ok {
					return middleware.FinalizeOutput{}, middleware.Metadata{}, fmt.Errorf("unexpected transport %T", in.Request)
				}
				htu := url.URL{Scheme: req.URL.Scheme, Host: req.URL.Host, Path: req.URL.Path}
				proof, err := dpopProof(key, htu.String(), now())
				if err != nil {
					return middleware.FinalizeOutput{}, middleware.Metadata{}, err
				}
				req.Header.Set("DPoP", proof)
				return next.HandleFinalize(ctx, in)
			}), middleware.After)
	})
}

// dpopProof is botocore's build_dpop_header: a compact JWT with header
// {"typ":"dpop+jwt","alg":"ES256","jwk":{kty, x, y, crv}} and payload
// {"htm":"POST","htu","iat","jti"}, signed ES256 as r||s. The
// coordinates are padded to 32 bytes, as RFC 7518 §6.2.1.2 requires
// (the Go SDK's proofs do not pad them).
func dpopProof(key *ecdsa.PrivateKey, htu string, now time.Time) (string, error) {
	pub, err := key.PublicKey.Bytes() // 0x04 || X || Y, each 32 bytes
	if err != nil || len(pub) != 65 {
		return "", fmt.Errorf("dpop key: %v", err)
	}
	b64 := base64.RawURLEncoding.EncodeToString
	type jwk struct {
		Kty string `json:"kty"`
		X   string `json:"x"`
		Y   string `json:"y"`
		Crv string `json:"crv"`
	}
	hdr, _ := json.Marshal(struct {
		Typ string `json:"typ"`
		Alg string `json:"alg"`
		JWK jwk    `json:"jwk"`
	}{"dpop+jwt", "ES256", jwk{"EC", b64(pub[1:33]), b64(pub[33:]), "P-256"}})
	payload, _ := json.Marshal(struct {
		Htm string `json:"htm"`
		Htu string `json:"htu"`
		Iat int64  `json:"iat"`
		Jti string `json:"jti"`
	}{"POST", htu, now.Unix(), newUUID()})
	msg := b64(hdr) + "." + b64(payload)
	sum := sha256.Sum256([]byte(msg))
	r, s, err := ecdsa.Sign(rand.Reader, key, sum[:])
	if err != nil {
		return "", err
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return msg + "." + b64(sig), nil
}

// sec1PEM is the key as the AWS CLI caches it (login/utils.py
// _serialize_to_pem): SEC1 DER, base64 in 64-column lines, the EC
// PRIVATE KEY armour. The Go SDK reads only SEC1.
func sec1PEM(key *ecdsa.PrivateKey) (string, error) {
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return "", err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})), nil
}

// parseECKey reads a cached DPoP key: SEC1, or PKCS#8 as botocore also
// accepts.
func parseECKey(s string) (*ecdsa.PrivateKey, error) {
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return nil, errors.New("the cached dpopKey is not PEM")
	}
	if k, err := x509.ParseECPrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if ek, ok := k.(*ecdsa.PrivateKey); err == nil && ok {
		return ek, nil
	}
	return nil, errors.New("the cached dpopKey is not an EC private key")
}

// idTokenSubject returns the sub claim of the id token: the login
// session's ARN. Like the AWS CLI (login/utils.py
// _extract_login_session_from_id_token) it does not verify the
// signature: no key to verify it with is published.
func idTokenSubject(tok string) (string, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return "", errors.New("the id token is not a JWT")
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return "", errors.New("the id token's payload is not base64url")
	}
	var claims struct {
		Sub string `json:"sub"`
	}
	if err := json.Unmarshal(raw, &claims); err != nil || claims.Sub == "" {
		return "", errors.New("the id token has no sub")
	}
	return claims.Sub, nil
}

// arnAccount is the account id of an ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE).
func arnAccount(arn string) (string, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[4] == "" {
		return "", fmt.Errorf("the session %q is not an ARN with an account", arn)
	}
	return parts[4], nil
}
