package fakeaws

import (
	"crypto/rand"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc/types"
)

const testStartURL = "https://d-1234567890.awsapps.com/start"

func newOIDCClient(o *OIDC) *ssooidc.Client {
	return ssooidc.New(ssooidc.Options{Region: "eu-west-1", BaseEndpoint: aws.String(o.URL), Retryer: fastRetryer()})
}

// registerDevice registers a client as botocore's SSOTokenFetcher does
// for an sso-session (utils.py _register_client: no grant types).
func registerDevice(t *testing.T, c *ssooidc.Client) *ssooidc.RegisterClientOutput {
	t.Helper()
	reg, err := c.RegisterClient(bg(), &ssooidc.RegisterClientInput{ClientName: aws.String("botocore-client-my-sso"),
		ClientType: aws.String("public"), Scopes: []string{"sso:account:access"}})
	if err != nil {
		t.Fatalf("RegisterClient: %v", err)
	}
	return reg
}

func pollDevice(c *ssooidc.Client, reg *ssooidc.RegisterClientOutput, dev *ssooidc.StartDeviceAuthorizationOutput) (*ssooidc.CreateTokenOutput, error) {
	return c.CreateToken(bg(), &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
		GrantType: aws.String(GrantDeviceCode), DeviceCode: dev.DeviceCode})
}

func TestOIDCDeviceFlow(t *testing.T) {
	t.Parallel()
	o := NewOIDC()
	defer o.Close()
	clk := newClock()
	o.SetNow(clk.Now)
	c := newOIDCClient(o)
	reg := registerDevice(t, c)
	if got := time.Unix(reg.ClientSecretExpiresAt, 0); !got.Equal(clk.Now().Add(90 * 24 * time.Hour)) {
		t.Errorf("clientSecretExpiresAt = %v, want 90 days on", got)
	}
	dev, err := c.StartDeviceAuthorization(bg(), &ssooidc.StartDeviceAuthorizationInput{ClientId: reg.ClientId,
		ClientSecret: reg.ClientSecret, StartUrl: aws.String(testStartURL)})
	if err != nil {
		t.Fatal(err)
	}
	if dev.Interval != 1 || dev.ExpiresIn != 600 || !strings.HasSuffix(*dev.VerificationUriComplete, "?user_code="+*dev.UserCode) {
		t.Errorf("StartDeviceAuthorization = interval %d, expiresIn %d, complete %s", dev.Interval, dev.ExpiresIn, *dev.VerificationUriComplete)
	}

	// Two polls back to back are pending (botocore polls twice before it
	// first sleeps); a third one too soon is told to slow down.
	var pending *types.AuthorizationPendingException
	for i := range 2 {
		if _, err := pollDevice(c, reg, dev); !errors.As(err, &pending) || *pending.Error_ != "authorization_pending" {
			t.Fatalf("poll %d before approval: %v, want authorization_pending", i+1, err)
		}
	}
	var slow *types.SlowDownException
	if _, err := pollDevice(c, reg, dev); !errors.As(err, &slow) || *slow.Error_ != "slow_down" {
		t.Fatalf("poll too soon: %v, want slow_down", err)
	}
	clk.Add(2 * time.Second) // the interval (1s) plus slow_down's 5s have not passed
	if _, err := pollDevice(c, reg, dev); !errors.As(err, &slow) {
		t.Fatalf("poll before the slowed interval: %v, want slow_down", err)
	}

	// The user follows verificationUriComplete and approves.
	if _, err := openBrowser(t, "approve-device", *dev.VerificationUriComplete, true); err != nil {
		t.Fatalf("browser: %v", err)
	}
	clk.Add(12 * time.Second)
	tok, err := pollDevice(c, reg, dev)
	if err != nil {
		t.Fatalf("poll after approval: %v", err)
	}
	if tok.ExpiresIn != 3600 || tok.RefreshToken == nil || *tok.TokenType != "Bearer" || !o.ValidAccessToken(*tok.AccessToken) {
		t.Errorf("token: expiresIn %d, refresh %v, type %v", tok.ExpiresIn, tok.RefreshToken != nil, aws.ToString(tok.TokenType))
	}
	clk.Add(12 * time.Second)
	var invalid *types.InvalidGrantException
	if _, err := pollDevice(c, reg, dev); !errors.As(err, &invalid) {
		t.Errorf("second redemption: %v, want InvalidGrantException", err)
	}

	// refresh_token: rotated by default, the old one refused after.
	ref, err := c.CreateToken(bg(), &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
		GrantType: aws.String(GrantRefreshToken), RefreshToken: tok.RefreshToken})
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if *ref.RefreshToken == *tok.RefreshToken || *ref.AccessToken == *tok.AccessToken {
		t.Error("refresh returned the old tokens")
	}
	if _, err := c.CreateToken(bg(), &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
		GrantType: aws.String(GrantRefreshToken), RefreshToken: tok.RefreshToken}); !errors.As(err, &invalid) {
		t.Errorf("rotated-out refresh token: %v, want InvalidGrantException", err)
	}
	if got, want := o.Count("CreateToken/"+GrantDeviceCode), 6; got != want {
		t.Errorf("device_code polls = %d, want %d", got, want)
	}
}

func TestOIDCDeviceDeniedExpiredAndLegacy(t *testing.T) {
	t.Parallel()
	o := NewOIDC()
	defer o.Close()
	clk := newClock()
	o.SetNow(clk.Now)
	o.SetUserCodeInURL(false)
	c := newOIDCClient(o)
	reg := registerDevice(t, c)
	start := func() *ssooidc.StartDeviceAuthorizationOutput {
		dev, err := c.StartDeviceAuthorization(bg(), &ssooidc.StartDeviceAuthorizationInput{ClientId: reg.ClientId,
			ClientSecret: reg.ClientSecret, StartUrl: aws.String(testStartURL)})
		if err != nil {
			t.Fatal(err)
		}
		return dev
	}

	// Without the code in the URL the browser cannot approve on its own.
	dev := start()
	if *dev.VerificationUriComplete != *dev.VerificationUri {
		t.Errorf("verificationUriComplete %s carries the code", *dev.VerificationUriComplete)
	}
	if _, err := openBrowser(t, "approve-device", *dev.VerificationUriComplete, true); err == nil {
		t.Error("the browser approved without the user code")
	}
	if err := o.DenyDevice(*dev.UserCode); err != nil {
		t.Fatal(err)
	}
	var denied *types.AccessDeniedException
	if _, err := pollDevice(c, reg, dev); !errors.As(err, &denied) || *denied.Error_ != "access_denied" {
		t.Errorf("denied: %v, want access_denied", err)
	}

	dev = start()
	clk.Add(11 * time.Minute)
	var expired *types.ExpiredTokenException
	if _, err := pollDevice(c, reg, dev); !errors.As(err, &expired) || *expired.Error_ != "expired_token" {
		t.Errorf("after 11 minutes: %v, want expired_token", err)
	}
	if err := o.ApproveDevice(*dev.UserCode); err == nil {
		t.Error("an expired user code was approved")
	}

	// A legacy client (no scopes) gets no refresh token.
	legacy, err := c.RegisterClient(bg(), &ssooidc.RegisterClientInput{ClientName: aws.String("botocore-client-1700000000"),
		ClientType: aws.String("public")})
	if err != nil {
		t.Fatal(err)
	}
	reg = legacy
	dev = start()
	if got := o.UserCodes(); len(got) != 1 || got[0] != *dev.UserCode {
		t.Fatalf("UserCodes = %v, want [%s]", got, *dev.UserCode)
	}
	o.ApproveDevice(*dev.UserCode)
	tok, err := pollDevice(c, reg, dev)
	if err != nil || tok.RefreshToken != nil {
		t.Errorf("legacy token: err %v, refresh token %v", err, tok != nil && tok.RefreshToken != nil)
	}

	// An expired registration is refused with InvalidClientException.
	o.ExpireRegistrations()
	var invalidClient *types.InvalidClientException
	if _, err := c.StartDeviceAuthorization(bg(), &ssooidc.StartDeviceAuthorizationInput{ClientId: reg.ClientId,
		ClientSecret: reg.ClientSecret, StartUrl: aws.String(testStartURL)}); !errors.As(err, &invalidClient) {
		t.Errorf("expired registration: %v, want InvalidClientException", err)
	}
}

// pkce makes a verifier as botocore does (64 characters of
// [A-Za-z0-9-._~], utils.py SSOTokenFetcherAuth) and its S256 challenge.
func pkce(t *testing.T) (verifier, challenge string) {
	const set = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
	b := make([]byte, 64)
	rand.Read(b)
	for i := range b {
		b[i] = set[int(b[i])%len(set)]
	}
	return string(b), s256(string(b))
}

// authorizeURL builds the authorize URL as botocore does
// (_get_authorization_uri): the query in this order, scopes space
// separated, code_challenge appended last.
func authorizeURL(base, clientID, redirect, state, challenge string) string {
	q := url.Values{}
	q.Set("response_type", "code")
	q.Set("client_id", clientID)
	q.Set("redirect_uri", redirect)
	q.Set("state", state)
	q.Set("code_challenge_method", "S256")
	q.Set("scopes", "sso:account:access")
	return base + "/authorize?" + q.Encode() + "&code_challenge=" + challenge
}

func registerPKCE(t *testing.T, c *ssooidc.Client) *ssooidc.RegisterClientOutput {
	t.Helper()
	reg, err := c.RegisterClient(bg(), &ssooidc.RegisterClientInput{ClientName: aws.String("botocore-client-my-sso"),
		ClientType: aws.String("public"), GrantTypes: []string{GrantAuthorizationCode, GrantRefreshToken},
		RedirectUris: []string{"http://127.0.0.1/oauth/callback"}, IssuerUrl: aws.String(testStartURL),
		Scopes: []string{"sso:account:access"}})
	if err != nil {
		t.Fatalf("RegisterClient: %v", err)
	}
	return reg
}

func TestOIDCAuthorizationCodePKCE(t *testing.T) {
	t.Parallel()
	o := NewOIDC()
	defer o.Close()
	c := newOIDCClient(o)
	reg := registerPKCE(t, c)
	verifier, challenge := pkce(t)
	cb := newCallback(t)
	state := "3f1c6a2e-8d3b-4b8e-9a51-2b7f6c0d4e11"
	u := authorizeURL(o.URL, *reg.ClientId, cb.URI, state, challenge)
	logFile, err := openBrowser(t, "follow", u, false) // detached, like xdg-open
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	q := cb.wait(t)
	if q.Get("state") != state || q.Get("code") == "" {
		t.Fatalf("callback query %v", q)
	}
	if got := readLines(t, logFile); len(got) != 1 || got[0] != u {
		t.Errorf("browser log = %q, want the authorize URL", got)
	}
	redeem := func(code, redirect, verifier string) (*ssooidc.CreateTokenOutput, error) {
		return c.CreateToken(bg(), &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
			GrantType: aws.String(GrantAuthorizationCode), Code: aws.String(code), RedirectUri: aws.String(redirect),
			CodeVerifier: aws.String(verifier)})
	}
	var invalid *types.InvalidGrantException
	other, _ := pkce(t)
	if _, err := redeem(q.Get("code"), cb.URI, other); !errors.As(err, &invalid) {
		t.Errorf("wrong verifier: %v, want InvalidGrantException", err)
	}
	if _, err := redeem(q.Get("code"), "http://127.0.0.1:1/oauth/callback", verifier); !errors.As(err, &invalid) {
		t.Errorf("other redirect URI: %v, want InvalidGrantException", err)
	}
	tok, err := redeem(q.Get("code"), cb.URI, verifier)
	if err != nil {
		t.Fatalf("CreateToken: %v", err)
	}
	if tok.RefreshToken == nil || !o.ValidAccessToken(*tok.AccessToken) {
		t.Error("no refresh token, or the access token is not live")
	}
	if _, err := redeem(q.Get("code"), cb.URI, verifier); !errors.As(err, &invalid) {
		t.Errorf("code reused: %v, want InvalidGrantException", err)
	}

	// Kept refresh tokens: the grant returns none and the old one works on.
	o.SetRefreshRotation(false)
	for range 2 {
		ref, err := c.CreateToken(bg(), &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
			GrantType: aws.String(GrantRefreshToken), RefreshToken: tok.RefreshToken})
		if err != nil || ref.RefreshToken != nil {
			t.Fatalf("refresh without rotation: %v, new refresh token %v", err, ref != nil && ref.RefreshToken != nil)
		}
	}
	o.EndSessions()
	if _, err := c.CreateToken(bg(), &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
		GrantType: aws.String(GrantRefreshToken), RefreshToken: tok.RefreshToken}); !errors.As(err, &invalid) {
		t.Errorf("refresh after the session ended: %v, want InvalidGrantException", err)
	}
}

func TestOIDCAuthorizeRefusals(t *testing.T) {
	t.Parallel()
	o := NewOIDC()
	defer o.Close()
	c := newOIDCClient(o)
	reg := registerPKCE(t, c)
	_, challenge := pkce(t)
	for _, tc := range []struct {
		name, mode string
		check      func(url.Values) bool
	}{
		{"deny", "deny", func(q url.Values) bool {
			return q.Get("error") == "access_denied" && q.Get("state") == "s1" && q.Get("code") == ""
		}},
		{"wrong_state", "wrong-state", func(q url.Values) bool { return q.Get("code") != "" && q.Get("state") != "s1" }},
	} {
		cb := newCallback(t)
		if _, err := openBrowser(t, tc.mode, authorizeURL(o.URL, *reg.ClientId, cb.URI, "s1", challenge), true); err != nil {
			t.Fatalf("%s: browser: %v", tc.name, err)
		}
		if q := cb.wait(t); !tc.check(q) {
			t.Errorf("%s: callback query %v", tc.name, q)
		}
	}

	// Requests the server must not redirect: an unregistered redirect URI
	// (another host) or an unknown client get an error page.
	for name, u := range map[string]string{
		"unregistered_redirect": authorizeURL(o.URL, *reg.ClientId, "http://127.0.0.2:9/oauth/callback", "s", challenge),
		"unknown_client":        authorizeURL(o.URL, "nobody", "http://127.0.0.1:9/oauth/callback", "s", challenge),
	} {
		if _, err := openBrowser(t, "follow", u, true); err == nil || !strings.Contains(err.Error(), "400") {
			t.Errorf("%s: browser got %v, want a 400 page", name, err)
		}
	}

	// A device client may not use the authorization code grant.
	dev := registerDevice(t, c)
	var unauthorized *types.UnauthorizedClientException
	if _, err := c.CreateToken(bg(), &ssooidc.CreateTokenInput{ClientId: dev.ClientId, ClientSecret: dev.ClientSecret,
		GrantType: aws.String(GrantAuthorizationCode), Code: aws.String("x")}); !errors.As(err, &unauthorized) {
		t.Errorf("device client, authorization_code: %v, want UnauthorizedClientException", err)
	}
	// RegisterClient rules.
	var badRedirect *types.InvalidRedirectUriException
	if _, err := c.RegisterClient(bg(), &ssooidc.RegisterClientInput{ClientName: aws.String("x"), ClientType: aws.String("public"),
		GrantTypes: []string{GrantAuthorizationCode}, RedirectUris: []string{"http://example.com/cb"},
		IssuerUrl: aws.String(testStartURL)}); !errors.As(err, &badRedirect) {
		t.Errorf("non-loopback http redirect: %v, want InvalidRedirectUriException", err)
	}
}

func TestFakeBrowserModes(t *testing.T) {
	t.Parallel()
	logFile, err := openBrowser(t, "fail", "http://127.0.0.1:9/x", true)
	if err == nil {
		t.Error("mode fail exited 0")
	}
	if got := readLines(t, logFile); len(got) != 1 || got[0] != "http://127.0.0.1:9/x" {
		t.Errorf("mode fail log = %q", got)
	}
	// none records and fetches nothing: port 9 would refuse the connection.
	if _, err := openBrowser(t, "none", "http://127.0.0.1:9/x", true); err != nil {
		t.Errorf("mode none: %v", err)
	}
	// URLs off loopback are recorded, never fetched.
	if _, err := openBrowser(t, "follow", testStartURL+"/#/console?account_id=111122223333&role_name=Admin", true); err != nil {
		t.Errorf("portal URL: %v", err)
	}
}
