package signin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc/types"
	smithy "github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// The OAuth grant types of IAM Identity Center OIDC.
const (
	grantAuthCode   = "authorization_code"
	grantRefresh    = "refresh_token"
	grantDeviceCode = "urn:ietf:params:oauth:grant-type:device_code"
)

const (
	// defaultScope is what the authorization code flow asks for without
	// sso_registration_scopes (botocore _AUTH_GRANT_DEFAULT_SCOPE).
	defaultScope = "sso:account:access"
	// registrationWindow: a cached registration is reused only while it
	// has longer than this left (botocore BaseSSOTokenFetcher
	// _EXPIRY_WINDOW).
	registrationWindow = 15 * time.Minute
	// slowDownStep is what a slow_down adds to the polling interval
	// (RFC 8628 §3.5; botocore _SLOW_DOWN_DELAY).
	slowDownStep = 5 * time.Second
	// defaultInterval is the polling interval when the service names none
	// (RFC 8628 §3.2; botocore _DEFAULT_INTERVAL).
	defaultInterval = 5 * time.Second
	// deviceGrace is how long past the device code's expiresIn the
	// polling goes on, waiting for the service's expired_token.
	deviceGrace = 5 * time.Second
)

// ssoFlow is one IAM Identity Center sign-in.
type ssoFlow struct {
	s      Session
	c      Config
	o      SignInOptions
	client *ssooidc.Client
	log    *slog.Logger
}

// refreshFirst renews a session its refresh token can renew, unless a
// new sign-in was asked for (o.Force) or the sign-in is one the user
// asked for (o.Explicit): done says that settled it, with the renewed
// session's result, or with an error that a new sign-in would not mend
// either (the service unreachable, the cache unusable, ctx ended). A
// refresh the service refused is logged, and the caller signs in anew.
func refreshFirst(ctx context.Context, s Session, c Config, o SignInOptions, st Status, log *slog.Logger,
	refresh func(ctx context.Context, path string) error) (res *Result, done bool, err error) {
	if o.Force || o.Explicit || !st.Refreshable {
		return nil, false, nil
	}
	err = refresh(ctx, st.Path)
	if err == nil {
		st, err := StatusOf(s, c)
		return &Result{How: Refreshed, Status: st}, true, err
	}
	if errors.Is(err, ErrUnreachable) || errors.Is(err, ErrCache) || ctx.Err() != nil {
		return nil, true, err
	}
	log.Debug("refresh did not renew the session; signing in", "err", err)
	return nil, false, nil
}

// ssoSignIn refreshes the session or signs it in, and writes its token.
func ssoSignIn(ctx context.Context, s Session, c Config, o SignInOptions, st Status) (*Result, error) {
	client, err := c.oidcClient(ctx, s)
	if err != nil {
		return nil, err
	}
	f := &ssoFlow{s: s, c: c, o: o, client: client, log: c.log().With("session", s.Key())}
	if res, done, err := refreshFirst(ctx, s, c, o, st, f.log, f.refresh); done {
		return res, err
	}
	var out *ssooidc.CreateTokenOutput
	var reg registration
	if s.Kind == KindSSOLegacy || o.Flow == FlowDevice {
		out, reg, err = f.deviceCode(ctx)
	} else {
		out, reg, err = f.authCode(ctx)
	}
	if err != nil {
		return nil, err
	}
	now := c.Env.Now()
	expires := now.Add(time.Duration(out.ExpiresIn) * time.Second)
	var old object
	if t, err := readSSOToken(st.Path); err == nil {
		old = t.obj
	}
	if err := writeCache(s, st.Path, newSSOToken(s, aws.ToString(out.AccessToken), expires, reg, aws.ToString(out.RefreshToken), old)); err != nil {
		return nil, err
	}
	f.log.Debug("token cached", "path", st.Path, "expires", expires.UTC().Format(time.RFC3339),
		"refresh_token", out.RefreshToken != nil)
	st, err = StatusOf(s, c)
	return &Result{How: SignedIn, Status: st}, err
}

// refresh renews the cached token with its refresh token (the
// refresh_token grant, as botocore's SSOTokenProvider and the Go SDK's
// SSOTokenProvider do) and rewrites the file. A response without a new
// refresh token keeps the old one (the SDKs would drop it, which only
// costs a sign-in later). It fails when the refreshed token would not
// outlast the window: the session is about to end, and only a sign-in
// renews it.
func (f *ssoFlow) refresh(ctx context.Context, path string) error {
	t, err := readSSOToken(path)
	if err != nil {
		return wrap(f.s, ErrFailed, err)
	}
	out, err := f.client.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: aws.String(t.ClientID),
		ClientSecret: aws.String(t.ClientSecret), GrantType: aws.String(grantRefresh), RefreshToken: aws.String(t.RefreshToken)})
	if err != nil {
		return f.classify("CreateToken", err)
	}
	now := f.c.Env.Now()
	expires := now.Add(time.Duration(out.ExpiresIn) * time.Second)
	refresh := aws.ToString(out.RefreshToken)
	if refresh == "" {
		refresh = t.RefreshToken
	}
	reg := registration{ClientID: t.ClientID, ClientSecret: t.ClientSecret, ExpiresAt: t.RegistrationExpiresAt}
	if reg.ExpiresAt.IsZero() {
		// A token the Go SDK wrote has no registrationExpiresAt, without
		// which botocore and the AWS CLI never refresh it: the
		// registration file of the same client says when it expires.
		if rpath, err := f.c.registrationPath(f.s); err == nil {
			if r, err := readRegistration(rpath); err == nil && r.ClientID == t.ClientID {
				reg.ExpiresAt = r.ExpiresAt
			}
		}
	}
	// Written even when it expires soon: the service may have rotated
	// the refresh token, and the old one is gone.
	if err := writeCache(f.s, path, newSSOToken(f.s, aws.ToString(out.AccessToken), expires, reg, refresh, t.obj)); err != nil {
		return err
	}
	f.log.Debug("refreshed the token", "path", path, "expires", expires.UTC().Format(time.RFC3339))
	if !now.Add(f.s.window()).Before(expires) {
		return &Error{Session: f.s.Name, Kind: ErrExpired, Err: fmt.Errorf("the session ends at %s", expires.UTC().Format(time.RFC3339))}
	}
	return nil
}

// registration returns a client registration for the flow: the cached
// one while it has longer than registrationWindow left and is of the
// flow's kind (the AWS CLI keeps one file for both kinds), else a new
// one, which is cached.
func (f *ssoFlow) registration(ctx context.Context, authCode bool) (registration, error) {
	path, err := f.c.registrationPath(f.s)
	if err != nil {
		return registration{}, wrap(f.s, ErrConfig, err)
	}
	now := f.c.Env.Now()
	if r, err := readRegistration(path); err == nil && !f.o.Force {
		if now.Add(registrationWindow).Before(r.ExpiresAt) && r.forAuthCode() == authCode {
			f.log.Debug("reusing the client registration", "path", path, "expires", r.ExpiresAt.Format(time.RFC3339))
			return r, nil
		}
		f.log.Debug("renewing the client registration", "path", path, "expires", r.ExpiresAt.Format(time.RFC3339),
			"authorization_code", r.forAuthCode())
	}
	// The name is free text; awsxc says who it is. The AWS CLI names
	// its registrations botocore-client-<session name> (or the time, for
	// a legacy profile).
	name := "awsxc-" + f.s.Name
	if f.s.Kind == KindSSOLegacy {
		name = "awsxc-" + strconv.FormatInt(now.Unix(), 10)
	}
	in := &ssooidc.RegisterClientInput{ClientName: aws.String(name), ClientType: aws.String("public")}
	r := registration{}
	if authCode {
		// botocore SSOTokenFetcherAuth._register_client: the redirect URI
		// without a port (a loopback redirect matches any port, RFC 8252
		// §7.3), the start URL as issuer, and the default scope.
		r.Scopes = f.s.Scopes
		if len(r.Scopes) == 0 {
			r.Scopes = []string{defaultScope}
		}
		r.GrantTypes = []string{grantAuthCode, grantRefresh}
		in.GrantTypes, in.RedirectUris = r.GrantTypes, []string{"http://127.0.0.1" + callbackPath}
		in.IssuerUrl, in.Scopes = aws.String(f.s.StartURL), r.Scopes
	} else if len(f.s.Scopes) > 0 {
		r.Scopes, in.Scopes = f.s.Scopes, f.s.Scopes
	}
	out, err := f.client.RegisterClient(ctx, in)
	if err != nil {
		return registration{}, f.classify("RegisterClient", err)
	}
	r.ClientID, r.ClientSecret = aws.ToString(out.ClientId), aws.ToString(out.ClientSecret)
	r.ExpiresAt = time.Unix(out.ClientSecretExpiresAt, 0).UTC()
	if err := writeCache(f.s, path, r.object()); err != nil {
		return registration{}, err
	}
	f.log.Debug("registered a client", "path", path, "expires", r.ExpiresAt.Format(time.RFC3339), "authorization_code", authCode)
	return r, nil
}

// dropRegistration removes the cached registration after the service
// refused it, so that the next sign-in registers again.
func (f *ssoFlow) dropRegistration() {
	if path, err := f.c.registrationPath(f.s); err == nil {
		if ok, _ := removeFile(path); ok {
			f.log.Debug("removed the refused client registration", "path", path)
		}
	}
}

// authCode runs the authorization code grant with PKCE on a loopback
// redirect (botocore SSOTokenFetcherAuth, awscli sso/utils.py
// AuthCodeFetcher).
func (f *ssoFlow) authCode(ctx context.Context) (*ssooidc.CreateTokenOutput, registration, error) {
	state, verifier := newUUID(), newVerifier()
	// Bound before the browser can be sent anywhere.
	cb, err := listenCallback(state)
	if err != nil {
		return nil, registration{}, wrap(f.s, ErrFailed, err)
	}
	defer cb.close()
	reg, err := f.registration(ctx, true)
	if err != nil {
		return nil, registration{}, err
	}
	base, err := oidcBase(ctx, f.client)
	if err != nil {
		return nil, registration{}, wrap(f.s, ErrConfig, err)
	}
	scopes := defaultScope
	if len(f.s.Scopes) > 0 {
		scopes = strings.Join(f.s.Scopes, " ")
	}
	// botocore _get_authorization_uri: these parameters in this order,
	// then the challenge, which needs no encoding.
	authURL := base + "/authorize?" + pctEncode([][2]string{{"response_type", "code"}, {"client_id", reg.ClientID},
		{"redirect_uri", cb.uri}, {"state", state}, {"code_challenge_method", "S256"}, {"scopes", scopes}}) +
		"&code_challenge=" + challengeS256(verifier)
	code, err := waitForCode(ctx, f.s, f.c, f.o, cb, Prompt{Session: f.s, Flow: FlowBrowser, URL: authURL, BrowserURL: authURL}, f.log)
	if err != nil {
		return nil, registration{}, err
	}
	out, err := f.client.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: aws.String(reg.ClientID),
		ClientSecret: aws.String(reg.ClientSecret), GrantType: aws.String(grantAuthCode), RedirectUri: aws.String(cb.uri),
		CodeVerifier: aws.String(verifier), Code: aws.String(code)})
	if err != nil {
		return nil, registration{}, f.classify("CreateToken", err)
	}
	return out, reg, nil
}

// waitForCode shows the prompt, opens the browser and waits for the
// loopback redirect, the timeout or ctx.
func waitForCode(parent context.Context, s Session, c Config, o SignInOptions, cb *callback, p Prompt, log *slog.Logger) (string, error) {
	p.Expires = c.Env.Now().Add(o.Timeout)
	ctx, cancel := context.WithTimeout(parent, o.Timeout)
	defer cancel()
	log.Debug("waiting for the browser", "redirect_uri", cb.uri, "timeout", o.Timeout)
	show(o, p)
	openBrowser(ctx, o, p.BrowserURL, log)
	select {
	case res := <-cb.done:
		if res.kind != nil {
			return "", &Error{Session: s.Name, Profile: s.Profile, Kind: res.kind, Err: errors.New(res.detail)}
		}
		return res.code, nil
	case <-ctx.Done():
		return "", timedOut(parent, s, fmt.Sprintf("nobody came back from the browser within %s", o.Timeout.Round(time.Second)))
	}
}

// timedOut is the error of a wait that ended: [ErrCancelled] when parent
// was cancelled, else [ErrExpired] with why.
func timedOut(parent context.Context, s Session, why string) error {
	if err := parent.Err(); err != nil {
		return &Error{Session: s.Name, Profile: s.Profile, Kind: ErrCancelled, Err: err}
	}
	return &Error{Session: s.Name, Profile: s.Profile, Kind: ErrExpired, Err: errors.New(why),
		Hint: "sign in again, and complete it in the browser within the time allowed"}
}

// deviceCode runs the device authorization grant (RFC 8628; botocore
// SSOTokenFetcher).
func (f *ssoFlow) deviceCode(parent context.Context) (*ssooidc.CreateTokenOutput, registration, error) {
	ctx := parent
	reg, err := f.registration(ctx, false)
	if err != nil {
		return nil, registration{}, err
	}
	start := func() (*ssooidc.StartDeviceAuthorizationOutput, error) {
		return f.client.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: aws.String(reg.ClientID),
			ClientSecret: aws.String(reg.ClientSecret), StartUrl: aws.String(f.s.StartURL)})
	}
	auth, err := start()
	var ic *types.InvalidClientException
	if errors.As(err, &ic) {
		// The service no longer knows the cached registration: renew it
		// once.
		f.dropRegistration()
		if reg, err = f.registration(ctx, false); err != nil {
			return nil, registration{}, err
		}
		auth, err = start()
	}
	if err != nil {
		return nil, registration{}, f.classify("StartDeviceAuthorization", err)
	}
	interval := time.Duration(auth.Interval) * time.Second
	if interval <= 0 {
		interval = defaultInterval
	}
	// The service says when the code has expired (expired_token); the
	// wait ends a little after that in case it never does.
	timeout := f.o.Timeout
	if d := time.Duration(auth.ExpiresIn)*time.Second + interval + deviceGrace; auth.ExpiresIn > 0 && d < timeout {
		timeout = d
	}
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	why := fmt.Sprintf("the code was not entered within %s", timeout.Round(time.Second))
	attempt := func() (*ssooidc.CreateTokenOutput, error) {
		return f.client.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: aws.String(reg.ClientID),
			ClientSecret: aws.String(reg.ClientSecret), GrantType: aws.String(grantDeviceCode), DeviceCode: auth.DeviceCode})
	}
	// One attempt before anything is shown, for clients that are already
	// authorized; the loop's first attempt follows straight after, as
	// botocore's do.
	first := true
	for {
		out, err := attempt()
		var pending *types.AuthorizationPendingException
		var slow *types.SlowDownException
		switch {
		case err == nil:
			return out, reg, nil
		case errors.As(err, &slow):
			interval += slowDownStep
			f.log.Debug("slow_down: polling less often", "interval", interval)
		case errors.As(err, &pending):
		case ctx.Err() != nil:
			return nil, registration{}, timedOut(parent, f.s, why)
		default:
			return nil, registration{}, f.classify("CreateToken", err)
		}
		if first {
			first = false
			u := aws.ToString(auth.VerificationUri)
			open := aws.ToString(auth.VerificationUriComplete)
			if open == "" {
				open = u
			}
			f.log.Debug("waiting for the device code to be entered", "verification_uri", u, "interval", interval, "expires_in", auth.ExpiresIn)
			show(f.o, Prompt{Session: f.s, Flow: FlowDevice, URL: u, BrowserURL: open, UserCode: aws.ToString(auth.UserCode),
				Expires: f.c.Env.Now().Add(timeout)})
			openBrowser(ctx, f.o, open, f.log)
			continue
		}
		select {
		case <-time.After(interval):
		case <-ctx.Done():
			return nil, registration{}, timedOut(parent, f.s, why)
		}
	}
}

// classify turns an OIDC error into an [*Error]. It never quotes a
// request: the SDK's messages carry the operation, the status and the
// service's error, never the body sent.
func (f *ssoFlow) classify(op string, err error) error {
	var (
		denied  *types.AccessDeniedException
		expired *types.ExpiredTokenException
		client  *types.InvalidClientException
		grant   *types.InvalidGrantException
	)
	e := &Error{Session: f.s.Name, Profile: f.s.Profile}
	switch {
	case errors.Is(err, context.Canceled):
		e.Kind, e.Err = ErrCancelled, context.Canceled
	case errors.As(err, &denied):
		e.Kind, e.Err = ErrDenied, errors.New(apiText(err))
	case errors.As(err, &expired):
		e.Kind, e.Err = ErrExpired, errors.New(apiText(err))
		e.Hint = "sign in again, and complete it in the browser within the time allowed"
	case errors.As(err, &client):
		f.dropRegistration()
		e.Kind, e.Err = ErrRegistrationExpired, errors.New(apiText(err))
		e.Hint = "sign in again: a new client is registered"
	case errors.As(err, &grant) && op == "CreateToken":
		e.Kind, e.Err = ErrFailed, fmt.Errorf("the service refused the grant: %s", apiText(err))
	default:
		return unreachableOr(f.s, op, err)
	}
	return e
}

// unreachableOr classifies a network failure as [ErrUnreachable],
// anything else as [ErrFailed].
func unreachableOr(s Session, op string, err error) error {
	e := &Error{Session: s.Name, Profile: s.Profile}
	var send *smithyhttp.RequestSendError
	var uerr *url.Error
	switch {
	case errors.As(err, &send) && errors.As(err, &uerr):
		host := uerr.URL
		if u, perr := url.Parse(uerr.URL); perr == nil {
			host = (&url.URL{Scheme: u.Scheme, Host: u.Host}).String()
		}
		e.Kind, e.Err = ErrUnreachable, fmt.Errorf("cannot reach %s: %v", host, innermost(uerr.Err))
		e.Hint = "check the network, the proxy and the endpoint settings"
	case errors.As(err, &send):
		e.Kind, e.Err = ErrUnreachable, send.Err
	default:
		e.Kind, e.Err = ErrFailed, fmt.Errorf("%s: %s", op, apiText(err))
	}
	return e
}

// apiText is a service error's code and description.
func apiText(err error) string {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return err.Error()
	}
	desc := ae.ErrorMessage()
	var s *string
	switch t := ae.(type) {
	case *types.AccessDeniedException:
		s = t.Error_description
	case *types.ExpiredTokenException:
		s = t.Error_description
	case *types.InvalidClientException:
		s = t.Error_description
	case *types.InvalidGrantException:
		s = t.Error_description
	case *types.InvalidRequestException:
		s = t.Error_description
	case *types.InvalidScopeException:
		s = t.Error_description
	case *types.UnauthorizedClientException:
		s = t.Error_description
	case *types.InvalidClientMetadataException:
		s = t.Error_description
	case *types.InvalidRedirectUriException:
		s = t.Error_description
	}
	if desc == "" && s != nil {
		desc = *s
	}
	if desc == "" {
		return ae.ErrorCode()
	}
	return ae.ErrorCode() + ": " + desc
}

// innermost is the last error of a wrapped chain: "connect: connection
// refused" rather than the whole request line.
func innermost(err error) error {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err
		}
		err = u
	}
}

func show(o SignInOptions, p Prompt) {
	if o.Show != nil {
		o.Show(p)
	}
}

// openBrowser opens u in a goroutine of its own: the sign-in waits for
// the redirect or the device code, never for the browser.
func openBrowser(ctx context.Context, o SignInOptions, u string, log *slog.Logger) {
	if o.OpenBrowser == nil {
		return
	}
	go func() {
		if err := o.OpenBrowser(ctx, u); err != nil && ctx.Err() == nil {
			log.Debug("the browser could not be opened", "err", err)
			if o.BrowserFailed != nil {
				o.BrowserFailed(err)
			}
		}
	}()
}
