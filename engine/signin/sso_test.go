package signin

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/google/go-cmp/cmp"

	"github.com/awsxc/awsxc/internal/fakeaws"
	"github.com/awsxc/awsxc/internal/porttest"
)

// cliTokenRe is the AWS CLI's token file, byte for byte: json.dumps of
// the fields in its order, %Y-%m-%dT%H:%M:%SZ times, no final newline.
var cliTokenRe = regexp.MustCompile(`^\{"startUrl": "https://d-1234567890\.awsapps\.com/start", "region": "eu-west-1", ` +
	`"accessToken": "fakeaccess-[A-Za-z0-9_-]+", "expiresAt": "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "clientId": "fakeclient-[A-Za-z0-9_-]+", ` +
	`"clientSecret": "fakesecret-[A-Za-z0-9_-]+", "registrationExpiresAt": "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "refreshToken": "fakerefresh-[A-Za-z0-9_-]+"\}$`)

func TestSignInAuthCode(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	s := w.session(t, "dev")
	if diff := cmp.Diff(Session{Kind: KindSSOSession, Name: "my-sso", StartURL: startURL, Region: "eu-west-1",
		Scopes: []string{"sso:account:access"}, Profile: "dev"}, s); diff != "" {
		t.Fatalf("session (-want +got):\n%s", diff)
	}
	b, p := &browser{decision: fakeaws.Allow}, newPrompts()
	res, err := SignIn(context.Background(), s, w.c, opts(b, p))
	if err != nil {
		t.Fatalf("SignIn: %v", err)
	}
	if res.How != SignedIn || !res.Status.SignedIn || !res.Status.Refreshable {
		t.Errorf("result %+v", res)
	}

	// The prompt and the browser got the authorize URL, in botocore's
	// form: the OIDC endpoint's /authorize, the parameters in order, the
	// S256 challenge last.
	pr := p.all()
	if len(pr) != 1 || pr[0].Flow != FlowBrowser || pr[0].UserCode != "" || pr[0].URL != b.opened()[0] {
		t.Fatalf("prompts %+v, browser %v", pr, b.opened())
	}
	authRe := regexp.MustCompile(`^` + regexp.QuoteMeta(w.f.OIDC.URL) + `/authorize\?response_type=code&client_id=fakeclient-[\w-]+` +
		`&redirect_uri=http%3A%2F%2F127\.0\.0\.1%3A\d+%2Foauth%2Fcallback&state=[0-9a-f-]{36}&code_challenge_method=S256` +
		`&scopes=sso%3Aaccount%3Aaccess&code_challenge=[\w-]{43}$`)
	if !authRe.MatchString(pr[0].URL) {
		t.Errorf("authorize URL %s", pr[0].URL)
	}

	// The token file, exactly as the AWS CLI writes it, 0600.
	want := filepath.Join(w.home, ".aws", "sso", "cache", sha1Hex("my-sso")+".json")
	if res.Status.Path != want {
		t.Errorf("path %s, want %s", res.Status.Path, want)
	}
	data := readFile(t, want)
	if !cliTokenRe.MatchString(data) {
		t.Errorf("token file:\n%s", data)
	}
	if fi, _ := os.Stat(want); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode().Perm())
	}
	noTempFiles(t, filepath.Dir(want))

	// The registration, in the AWS CLI's file and format.
	regs := w.f.OIDC.Registrations()
	if len(regs) != 1 || regs[0].ClientName != "awsxc-my-sso" || regs[0].IssuerURL != startURL ||
		!cmp.Equal(regs[0].RedirectURIs, []string{"http://127.0.0.1/oauth/callback"}) ||
		!cmp.Equal(regs[0].GrantTypes, []string{"authorization_code", "refresh_token"}) {
		t.Errorf("registrations %+v", regs)
	}
	regPath, _ := w.c.registrationPath(s)
	regRe := regexp.MustCompile(`^\{"clientId": "` + regs[0].ClientID + `", "clientSecret": "fakesecret-[\w-]+", "expiresAt": "` +
		regs[0].Expires.UTC().Format(cacheTimeFormat) + `", "scopes": \["sso:account:access"\], "grantTypes": \["authorization_code", "refresh_token"\]\}$`)
	if got := readFile(t, regPath); !regRe.MatchString(got) {
		t.Errorf("registration file %s:\n%s", regPath, got)
	}

	// The Go SDK's own providers read the file (with the token provider
	// an sso-session profile gets) and the portal takes the token.
	creds := goSDKRoleCredentials(t, w, want, "Admin")
	if !strings.HasPrefix(creds.AccessKeyID, "ASIA") {
		t.Errorf("credentials %s", creds.AccessKeyID)
	}

	// Signing in again reuses the registration and the valid token.
	res, err = SignIn(context.Background(), s, w.c, opts(b, p))
	if err != nil || res.How != StillValid || len(b.opened()) != 1 {
		t.Errorf("second SignIn: %v %+v, browser %d", err, res, len(b.opened()))
	}
	res, err = SignIn(context.Background(), s, w.c, SignInOptions{Force: true, OpenBrowser: b.open, Timeout: time.Minute})
	if err != nil || res.How != SignedIn || w.f.OIDC.Count("RegisterClient") != 2 {
		t.Errorf("forced SignIn (a new registration too): %v %+v, %d registrations", err, res, w.f.OIDC.Count("RegisterClient"))
	}
}

// goSDKRoleCredentials resolves role credentials from the token file
// with the Go SDK's own ssocreds providers, through the fake portal.
func goSDKRoleCredentials(t *testing.T, w *world, path, role string) aws.Credentials {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithSharedConfigFiles([]string{w.c.Env.ConfigFile}),
		config.WithSharedCredentialsFiles([]string{}), config.WithSharedConfigProfile("dev"),
		config.WithCredentialsProvider(aws.AnonymousCredentials{}))
	if err != nil {
		t.Fatal(err)
	}
	tp := ssocreds.NewSSOTokenProvider(ssooidc.NewFromConfig(cfg), path)
	p := ssocreds.New(sso.NewFromConfig(cfg), "111122223333", role, startURL, func(o *ssocreds.Options) {
		o.SSOTokenProvider = tp
	})
	creds, err := p.Retrieve(context.Background())
	if err != nil {
		t.Fatalf("the Go SDK with our token: %v", err)
	}
	return creds
}

func TestSignInWrongStateIsRefused(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	s := w.session(t, "dev")
	b := &browser{decision: fakeaws.WrongState}
	_, err := SignIn(context.Background(), s, w.c, opts(b, nil))
	if !errors.Is(err, ErrStateMismatch) {
		t.Fatalf("SignIn: %v, want ErrStateMismatch", err)
	}
	if n := w.f.OIDC.Count("CreateToken/" + grantAuthCode); n != 0 {
		t.Errorf("the code was redeemed %d times", n)
	}
	if n := w.f.OIDC.Count("Authorize"); n != 1 {
		t.Errorf("authorize calls %d", n)
	}
	if _, err := os.Stat(filepath.Join(w.home, ".aws", "sso", "cache", sha1Hex("my-sso")+".json")); !os.IsNotExist(err) {
		t.Errorf("a token file was written: %v", err)
	}
	want := `sign in to "my-sso": sign-in refused: the callback's state does not match: its code was not redeemed`
	if err.Error() != want {
		t.Errorf("message %q", err)
	}
}

func TestSignInDenied(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for _, flow := range []Flow{FlowBrowser, FlowDevice} {
		b := &browser{decision: fakeaws.Deny}
		o := opts(b, nil)
		o.Flow = flow
		_, err := SignIn(context.Background(), w.session(t, "dev"), w.c, o)
		if !errors.Is(err, ErrDenied) {
			t.Errorf("%v: %v, want ErrDenied", flow, err)
		}
	}
}

func TestSignInDeviceCode(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	// Polls must be 3 s apart (after the first two, which may come back to
	// back): a poll 1 s after the one before gets slow_down, which makes
	// the fake want 4 s and awsxc wait 6 s, so the next is in time. The
	// code is approved once the fake has answered two pending polls and a
	// slow_down, however late the polls come (review 2, L7).
	w.f.OIDC.SetPolling(1, 3*time.Second, time.Second)
	w.f.OIDC.SetUserCodeInURL(false)
	p := newPrompts()
	o := opts(nil, p)
	o.Flow = FlowDevice
	done := make(chan error, 1)
	go func() {
		_, err := SignIn(context.Background(), w.session(t, "dev"), w.c, o)
		done <- err
	}()
	pr := <-p.ch
	if pr.Flow != FlowDevice || pr.URL != w.f.OIDC.URL+"/device" || !regexp.MustCompile(`^[A-Z]{4}-[A-Z]{4}$`).MatchString(pr.UserCode) {
		t.Fatalf("prompt %+v", pr)
	}
	waitDevicePolls(t, w.f.OIDC)
	if err := w.f.OIDC.ApproveDevice(pr.UserCode); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("SignIn: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the device flow did not finish")
	}
	if pending, slow := devicePolls(w.f.OIDC); pending < 2 || slow != 1 {
		t.Errorf("%d pending and %d slow_down answers, want ≥2 and 1", pending, slow)
	}
	regs := w.f.OIDC.Registrations()
	if len(regs) != 1 || regs[0].GrantTypes != nil || regs[0].IssuerURL != "" {
		t.Errorf("device registration %+v", regs)
	}
}

func TestSignInDeviceCodeExpires(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.f.OIDC.SetDeviceCodeTTL(1500 * time.Millisecond)
	o := opts(nil, nil)
	o.Flow = FlowDevice
	_, err := SignIn(context.Background(), w.session(t, "dev"), w.c, o)
	if !errors.Is(err, ErrExpired) || !strings.Contains(err.Error(), "ExpiredTokenException") {
		t.Fatalf("SignIn: %v, want the service's ExpiredTokenException", err)
	}
}

func TestSignInLegacyUsesDeviceCode(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	s := w.session(t, "legacy")
	if s.Kind != KindSSOLegacy || s.Name != startURL || s.Key() != "sso-start-url:"+startURL {
		t.Fatalf("session %+v", s)
	}
	b := &browser{decision: fakeaws.Allow} // the verification page approves the code in its URL
	res, err := SignIn(context.Background(), s, w.c, opts(b, nil))
	if err != nil {
		t.Fatalf("SignIn: %v", err)
	}
	if n := w.f.OIDC.Count("Authorize"); n != 0 {
		t.Errorf("a legacy profile used the authorization code flow")
	}
	if res.Status.Path != filepath.Join(w.home, ".aws", "sso", "cache", sha1Hex(startURL)+".json") || res.Status.Refreshable {
		t.Errorf("status %+v", res.Status)
	}
	data := readFile(t, res.Status.Path)
	if strings.Contains(data, "refreshToken") || !strings.HasPrefix(data, `{"startUrl": "`+startURL+`", "region": "eu-west-1", "accessToken": "fakeaccess-`) {
		t.Errorf("legacy token file %s", data)
	}
	if regs := w.f.OIDC.Registrations(); len(regs) != 1 || !regexp.MustCompile(`^awsxc-\d+$`).MatchString(regs[0].ClientName) {
		t.Errorf("registration %+v", regs)
	}
}

// TestRefreshBeforeSignIn: an expired but refreshable token is renewed
// with its refresh token, without a browser; one that the service will
// not refresh any more (its session ended) leads to a sign-in.
func TestRefreshBeforeSignIn(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	s := w.session(t, "dev")
	b := &browser{decision: fakeaws.Allow}
	if _, err := SignIn(context.Background(), s, w.c, opts(b, nil)); err != nil {
		t.Fatal(err)
	}
	path, _ := w.c.tokenPath(s)
	old, _ := readSSOToken(path)
	expireTokenFile(t, path)
	w.f.OIDC.ExpireAccessTokens()

	st, _ := StatusOf(s, w.c)
	if st.Valid(time.Now()) || !st.Refreshable || st.NeedsSignIn(time.Now()) {
		t.Fatalf("status of an expired, refreshable token: %+v", st)
	}
	res, err := SignIn(context.Background(), s, w.c, opts(b, nil))
	if err != nil || res.How != Refreshed {
		t.Fatalf("SignIn: %v %+v", err, res)
	}
	if len(b.opened()) != 1 || w.f.OIDC.Count("CreateToken/"+grantRefresh) != 1 {
		t.Errorf("browser %d, refreshes %d", len(b.opened()), w.f.OIDC.Count("CreateToken/"+grantRefresh))
	}
	now, _ := readSSOToken(path)
	if now.AccessToken == old.AccessToken || now.RefreshToken == old.RefreshToken || !w.f.OIDC.ValidAccessToken(now.AccessToken) ||
		!cliTokenRe.MatchString(readFile(t, path)) {
		t.Errorf("refreshed file %s", readFile(t, path))
	}

	// No rotation: the service returns no refresh token, and the old one
	// is kept.
	w.f.OIDC.SetRefreshRotation(false)
	expireTokenFile(t, path)
	if res, err := SignIn(context.Background(), s, w.c, opts(b, nil)); err != nil || res.How != Refreshed {
		t.Fatalf("SignIn without rotation: %v", err)
	}
	if kept, _ := readSSOToken(path); kept.RefreshToken != now.RefreshToken {
		t.Errorf("the refresh token was not kept")
	}

	// The session ended: the refresh is refused, and the user signs in.
	w.f.OIDC.EndSessions()
	expireTokenFile(t, path)
	res, err = SignIn(context.Background(), s, w.c, opts(b, nil))
	if err != nil || res.How != SignedIn || len(b.opened()) != 2 {
		t.Errorf("after the session ended: %v %+v, browser %d", err, res, len(b.opened()))
	}
	if n := w.f.OIDC.Count("RegisterClient"); n != 1 {
		t.Errorf("the registration was not reused: %d registrations", n)
	}
}

// expireTokenFile moves a token file's expiresAt into the past.
func expireTokenFile(t *testing.T, path string) {
	t.Helper()
	o, err := readObject(path)
	if err != nil {
		t.Fatal(err)
	}
	o.set("expiresAt", time.Now().Add(-time.Minute))
	if err := writeObject(path, o); err != nil {
		t.Fatal(err)
	}
}

// TestRegistrationRenewed: a registration the cache says has (nearly)
// expired is renewed; one the service refuses although the cache still
// believes in it is dropped and renewed too.
func TestRegistrationRenewed(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	s := w.session(t, "dev")
	o := opts(nil, newPrompts())
	o.Flow = FlowDevice
	o.OpenBrowser = (&browser{decision: fakeaws.Allow}).open
	if _, err := SignIn(context.Background(), s, w.c, o); err != nil {
		t.Fatal(err)
	}
	regPath, _ := w.c.registrationPath(s)
	r, _ := readRegistration(regPath)
	r.ExpiresAt = time.Now().Add(10 * time.Minute) // inside the 15-minute window
	writeObject(regPath, r.object())
	tokPath, _ := w.c.tokenPath(s)
	os.Remove(tokPath) // so that the user signs in again, with no Force
	if _, err := SignIn(context.Background(), s, w.c, o); err != nil {
		t.Fatal(err)
	}
	if n := w.f.OIDC.Count("RegisterClient"); n != 2 {
		t.Errorf("registrations %d, want 2", n)
	}
	r2, _ := readRegistration(regPath)
	if r2.ClientID == r.ClientID || !r2.ExpiresAt.After(time.Now().Add(24*time.Hour)) {
		t.Errorf("renewed registration %+v", r2)
	}

	// The service expires every registration; the cache does not know.
	w.f.OIDC.ExpireRegistrations()
	os.Remove(tokPath)
	if _, err := SignIn(context.Background(), s, w.c, o); err != nil {
		t.Fatalf("SignIn with a refused registration: %v", err)
	}
	if n := w.f.OIDC.Count("RegisterClient"); n != 3 {
		t.Errorf("registrations %d, want 3", n)
	}
}

// TestReadsAWSCLIToken: a token cached the way aws sso login writes it
// (botocore, json.dumps) is awsxc's sign-in too, and is refreshed.
func TestReadsAWSCLIToken(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	s := w.session(t, "dev")
	ctx := context.Background()
	c := ssooidc.New(ssooidc.Options{Region: "eu-west-1", BaseEndpoint: aws.String(w.f.OIDC.URL)})
	reg, err := c.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("botocore-client-my-sso"),
		ClientType: aws.String("public"), Scopes: []string{"sso:account:access"}})
	if err != nil {
		t.Fatal(err)
	}
	dev, err := c.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: reg.ClientId,
		ClientSecret: reg.ClientSecret, StartUrl: aws.String(startURL)})
	if err != nil {
		t.Fatal(err)
	}
	w.f.OIDC.ApproveDevice(*dev.UserCode)
	tok, err := c.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
		GrantType: aws.String(grantDeviceCode), DeviceCode: dev.DeviceCode})
	if err != nil {
		t.Fatal(err)
	}
	path, _ := w.c.tokenPath(s)
	os.MkdirAll(filepath.Dir(path), 0o700)
	exp := time.Now().Add(time.Hour).UTC()
	cli := `{"startUrl": "` + startURL + `", "region": "eu-west-1", "accessToken": "` + *tok.AccessToken + `", "expiresAt": "` +
		exp.Format(cacheTimeFormat) + `", "clientId": "` + *reg.ClientId + `", "clientSecret": "` + *reg.ClientSecret +
		`", "registrationExpiresAt": "` + time.Unix(reg.ClientSecretExpiresAt, 0).UTC().Format(cacheTimeFormat) +
		`", "refreshToken": "` + *tok.RefreshToken + `"}`
	if err := os.WriteFile(path, []byte(cli), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := StatusOf(s, w.c)
	if err != nil || !st.SignedIn || !st.Refreshable || !st.ExpiresAt.Equal(exp.Truncate(time.Second)) {
		t.Fatalf("status %+v %v", st, err)
	}
	if res, err := SignIn(ctx, s, w.c, opts(nil, nil)); err != nil || res.How != StillValid {
		t.Errorf("SignIn over the CLI's token: %v %+v", err, res)
	}
	expireTokenFile(t, path)
	if res, err := SignIn(ctx, s, w.c, opts(nil, nil)); err != nil || res.How != Refreshed {
		t.Errorf("refresh of the CLI's token: %v %+v", err, res)
	}
}

// TestCancel: cancelling a sign-in that waits for the browser closes the
// listener at once and writes no token.
func TestCancel(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	p := newPrompts()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := SignIn(ctx, w.session(t, "dev"), w.c, opts(nil, p))
		done <- err
	}()
	pr := <-p.ch
	u, _ := url.Parse(pr.URL)
	redirect, _ := url.Parse(u.Query().Get("redirect_uri"))
	if c, err := net.Dial("tcp", redirect.Host); err != nil {
		t.Fatalf("the listener is not there while waiting: %v", err)
	} else {
		c.Close()
	}
	cancel()
	err := <-done
	if !errors.Is(err, ErrCancelled) || !errors.Is(err, context.Canceled) {
		t.Errorf("SignIn: %v, want ErrCancelled", err)
	}
	if c, err := net.Dial("tcp", redirect.Host); err == nil {
		c.Close()
		t.Error("the listener is still open")
	}
	if _, err := os.Stat(filepath.Join(w.home, ".aws", "sso", "cache", sha1Hex("my-sso")+".json")); !os.IsNotExist(err) {
		t.Errorf("a token was written: %v", err)
	}
}

func TestTimeout(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	o := opts(nil, nil)
	o.Timeout = 300 * time.Millisecond
	_, err := SignIn(context.Background(), w.session(t, "dev"), w.c, o)
	if !errors.Is(err, ErrExpired) || errors.Is(err, ErrCancelled) {
		t.Errorf("SignIn: %v, want ErrExpired", err)
	}
}

func TestBrowserFailsKeepsWaiting(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	p := newPrompts()
	o := opts(&browser{fail: errors.New("no display")}, p)
	failed := make(chan error, 1)
	o.BrowserFailed = func(err error) { failed <- err }
	done := make(chan error, 1)
	go func() {
		_, err := SignIn(context.Background(), w.session(t, "dev"), w.c, o)
		done <- err
	}()
	pr := <-p.ch
	if err := <-failed; err.Error() != "no display" {
		t.Errorf("BrowserFailed got %v", err)
	}
	// The user opens the URL by hand.
	if err := (&browser{decision: fakeaws.Allow}).open(context.Background(), pr.URL); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Errorf("SignIn: %v", err)
	}
}

func TestUnreachable(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	dead := "http://" + porttest.Addr(t) // nothing listens, nor will
	cfg := strings.Replace(readFile(t, w.c.Env.ConfigFile), "sso_oidc =\n  endpoint_url = "+w.f.OIDC.URL, "sso_oidc =\n  endpoint_url = "+dead, 1)
	os.WriteFile(w.c.Env.ConfigFile, []byte(cfg), 0o600)
	_, err := SignIn(context.Background(), w.session(t, "dev"), w.c, opts(nil, nil))
	if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "cannot reach "+dead+": ") ||
		!strings.Contains(err.Error(), "connection refused") {
		t.Errorf("SignIn: %v", err)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("more than one line: %q", err)
	}
}

func TestStatusOf(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	s := w.session(t, "dev")
	st, err := StatusOf(s, w.c)
	if err != nil || st.SignedIn || !st.NeedsSignIn(time.Now()) {
		t.Fatalf("before: %+v %v", st, err)
	}
	path, _ := w.c.tokenPath(s)
	os.MkdirAll(filepath.Dir(path), 0o700)
	exp := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		name, file      string
		signedIn, fresh bool
	}{
		{"cli_no_refresh", `{"startUrl": "x", "accessToken": "a", "expiresAt": "2030-01-02T03:04:05Z"}`, true, false},
		{"go_sdk_format", `{"accessToken":"a","clientId":"c","clientSecret":"s","expiresAt":"2030-01-02T03:04:05Z","refreshToken":"r"}` + "\n", true, true},
		{"old_cli_utc", `{"accessToken": "a", "expiresAt": "2030-01-02T03:04:05UTC", "refreshToken": "r", "clientId": "c", "clientSecret": "s", "registrationExpiresAt": "2031-01-01T00:00:00Z"}`, true, true},
		{"registration_expired", `{"accessToken": "a", "expiresAt": "2030-01-02T03:04:05Z", "refreshToken": "r", "clientId": "c", "clientSecret": "s", "registrationExpiresAt": "2001-01-01T00:00:00Z"}`, true, false},
		{"no_expiry", `{"accessToken": "a"}`, false, false},
		{"corrupt", `{"accessToken": `, false, false},
	} {
		os.WriteFile(path, []byte(tc.file), 0o600)
		st, err := StatusOf(s, w.c)
		if err != nil || st.SignedIn != tc.signedIn || st.Refreshable != tc.fresh || (tc.signedIn && !st.ExpiresAt.Equal(exp)) {
			t.Errorf("%s: %+v %v", tc.name, st, err)
		}
		if end, certain := st.Ends(); tc.signedIn && (!end.Equal(exp) || certain == tc.fresh) {
			t.Errorf("%s: Ends %v %v", tc.name, end, certain)
		}
	}
}

func TestProfileSession(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	for _, tc := range []struct {
		profile string
		key     string
		kind    error
	}{
		{"dev", "sso-session:my-sso", nil},
		{"ops", "sso-session:my-sso", nil},
		{"deploy", "sso-session:my-sso", nil},
		{"legacy", "sso-start-url:" + startURL, nil},
		{"console", "login:arn:aws:iam::123456789012:user/alice", nil},
		{"keys", "", ErrNoSession},
		{"nope", "", ErrNoSession},
		{"halfsso", "", ErrConfig},
		{"nosession", "", ErrConfig},
	} {
		s, err := ProfileSession(ctx, w.c.Env, tc.profile)
		if tc.kind != nil {
			if !errors.Is(err, tc.kind) {
				t.Errorf("%s: %v, want %v", tc.profile, err, tc.kind)
			}
			continue
		}
		if err != nil || s.Key() != tc.key {
			t.Errorf("%s: %q %v, want %q", tc.profile, s.Key(), err, tc.key)
		}
	}
	if _, err := NamedSession(w.c.Env, "broken"); !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "lacks sso_start_url") {
		t.Errorf("broken session: %v", err)
	}
	if _, err := NamedSession(w.c.Env, "missing"); !errors.Is(err, ErrConfig) {
		t.Errorf("missing session: %v", err)
	}
	s, err := NamedSession(w.c.Env, "other")
	if err != nil || s.Scopes != nil || s.Profile != "" || s.StartURL != startURL+"/other" {
		t.Errorf("other: %+v %v", s, err)
	}
	got, err := SessionProfiles(ctx, w.c.Env, "sso-session:my-sso")
	if diff := cmp.Diff([]string{"dev", "ops", "deploy"}, got); diff != "" || err != nil {
		t.Errorf("SessionProfiles (-want +got): %v\n%s", err, diff)
	}
}

// TestOneSignInServesEveryProfile: ten profiles on one sso-session sign
// in once; each of them then resolves through the Go SDK.
func TestOneSignInServesEveryProfile(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	var cfg strings.Builder
	cfg.WriteString(readFile(t, w.c.Env.ConfigFile))
	for i := range 10 {
		cfg.WriteString("\n[profile p" + string(rune('0'+i)) + "]\nsso_session = my-sso\nsso_account_id = 111122223333\nsso_role_name = Admin\nservices = fakes\n")
	}
	os.WriteFile(w.c.Env.ConfigFile, []byte(cfg.String()), 0o600)
	b := &browser{decision: fakeaws.Allow}
	keys := map[string]bool{}
	for i := range 10 {
		s := w.session(t, "p"+string(rune('0'+i)))
		keys[s.Key()] = true
		if _, err := SignIn(context.Background(), s, w.c, opts(b, nil)); err != nil {
			t.Fatal(err)
		}
	}
	if len(keys) != 1 || len(b.opened()) != 1 || w.f.OIDC.Count("Authorize") != 1 {
		t.Errorf("%d keys, %d browser tabs, %d authorizations", len(keys), len(b.opened()), w.f.OIDC.Count("Authorize"))
	}
}

func TestSignOut(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	s := w.session(t, "dev")
	if _, err := SignIn(context.Background(), s, w.c, opts(&browser{decision: fakeaws.Allow}, nil)); err != nil {
		t.Fatal(err)
	}
	path, _ := w.c.tokenPath(s)
	tok, _ := readSSOToken(path)
	// Cached credentials of the session's profiles, awsxc's and the AWS
	// CLI's, and of a profile on another session.
	awsxc := filepath.Join(w.c.Env.CacheDir, "awsxc", "credentials")
	os.MkdirAll(awsxc, 0o700)
	var awsxcFiles []string
	for _, p := range []string{"dev", "ops", "deploy", "legacy"} {
		f := filepath.Join(awsxc, cacheFileNameForTest(p))
		os.WriteFile(f, []byte("{}"), 0o600)
		awsxcFiles = append(awsxcFiles, f)
	}
	cliDir := filepath.Join(w.home, ".aws", "cli", "cache")
	os.MkdirAll(cliDir, 0o700)
	// botocore's key: json.dumps of these, sorted, compact, SHA-1.
	devKey := sha1Hex(`{"accountId":"111122223333","roleName":"Admin","sessionName":"my-sso"}`)
	os.WriteFile(filepath.Join(cliDir, devKey+".json"), []byte(`{"ProviderType": "sso", "Credentials": {}}`), 0o600)
	os.WriteFile(filepath.Join(cliDir, "other.json"), []byte(`{"ProviderType": "sso", "Credentials": {}}`), 0o600)

	// engine's normalised copy of the token (engine/ssocache.go) goes too.
	ssoCopy := filepath.Join(w.c.Env.CacheDir, "awsxc", "sso", filepath.Base(path))
	os.MkdirAll(filepath.Dir(ssoCopy), 0o700)
	os.WriteFile(ssoCopy, []byte(`{"accessToken": "x"}`), 0o600)

	res, err := SignOut(context.Background(), s, w.c)
	if err != nil {
		t.Fatalf("SignOut: %v", err)
	}
	if _, err := os.Stat(ssoCopy); !os.IsNotExist(err) {
		t.Error("engine's copy of the token is still there")
	}
	if w.f.STS.Count("Logout") != 1 || w.f.OIDC.ValidAccessToken(tok.AccessToken) || len(res.LogoutFailed) != 0 {
		t.Errorf("portal Logout: %d calls, token still valid %v", w.f.STS.Count("Logout"), w.f.OIDC.ValidAccessToken(tok.AccessToken))
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Error("the token file is still there")
	}
	regPath, _ := w.c.registrationPath(s)
	if _, err := os.Stat(regPath); err != nil {
		t.Errorf("the registration was removed: %v", err)
	}
	for i, f := range awsxcFiles {
		_, err := os.Stat(f)
		if gone := os.IsNotExist(err); gone != (i < 3) {
			t.Errorf("%s: removed %v", f, gone)
		}
	}
	if _, err := os.Stat(filepath.Join(cliDir, devKey+".json")); !os.IsNotExist(err) {
		t.Error("the AWS CLI's role credentials of dev are still cached")
	}
	if _, err := os.Stat(filepath.Join(cliDir, "other.json")); err != nil {
		t.Error("another profile's AWS CLI cache was removed")
	}
	if diff := cmp.Diff([]string{"dev", "ops", "deploy"}, res.Profiles); diff != "" {
		t.Errorf("profiles (-want +got):\n%s", diff)
	}

	// Sign out of everything, as aws sso logout does.
	w.f.OIDC.SetPolling(1, 0, 0)
	o := opts(&browser{decision: fakeaws.Allow}, nil)
	SignIn(context.Background(), w.session(t, "legacy"), w.c, o)
	SignIn(context.Background(), s, w.c, o)
	res, err = SignOutAll(context.Background(), w.c)
	if err != nil || len(res.Files) != 2 || w.f.STS.Count("Logout") != 3 {
		t.Errorf("SignOutAll: %v %+v, %d Logout calls", err, res, w.f.STS.Count("Logout"))
	}
	if _, err := os.Stat(filepath.Join(cliDir, "other.json")); !os.IsNotExist(err) {
		t.Error("SignOutAll left the AWS CLI's SSO role credentials")
	}
	if _, err := os.Stat(awsxcFiles[3]); !os.IsNotExist(err) {
		t.Error("SignOutAll left awsxc's cache of legacy")
	}
}

// cacheFileNameForTest is engine's cache file name for a profile
// (engine/cache.go cacheFileName), so that the test can plant one for
// engine.RemoveCachedCredentials to find.
func cacheFileNameForTest(profile string) string {
	h := sha256.Sum256([]byte(profile))
	sum := hex.EncodeToString(h[:])
	var b strings.Builder
	for _, r := range strings.ToLower(profile) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String() + "-" + sum[:16] + ".json"
}

// TestSignOutBestEffort: the portal's Logout is best effort. A token it
// no longer knows is no failure; an unreachable portal is reported, and
// the token is removed all the same.
func TestSignOutBestEffort(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	s := w.session(t, "dev")
	o := opts(&browser{decision: fakeaws.Allow}, nil)
	if _, err := SignIn(context.Background(), s, w.c, o); err != nil {
		t.Fatal(err)
	}
	w.f.OIDC.EndSessions()
	res, err := SignOut(context.Background(), s, w.c)
	if err != nil || len(res.LogoutFailed) != 0 || len(res.Files) != 1 || w.f.STS.Count("Logout") != 1 {
		t.Errorf("token unknown to the portal: %v %+v", err, res)
	}

	if _, err := SignIn(context.Background(), s, w.c, o); err != nil {
		t.Fatal(err)
	}
	dead := "http://" + porttest.Addr(t) // nothing listens, nor will
	cfg := strings.Replace(readFile(t, w.c.Env.ConfigFile), "sso =\n  endpoint_url = "+w.f.STS.URL, "sso =\n  endpoint_url = "+dead, 1)
	os.WriteFile(w.c.Env.ConfigFile, []byte(cfg), 0o600)
	res, err = SignOut(context.Background(), s, w.c)
	if err != nil || len(res.LogoutFailed) != 1 || !errors.Is(res.LogoutFailed[0], ErrUnreachable) || len(res.Files) != 1 {
		t.Errorf("unreachable portal: %v %+v", err, res)
	}
	if st, _ := StatusOf(s, w.c); st.SignedIn {
		t.Error("the token is still cached")
	}
}

// TestSignOutExpiredToken: a token whose access token has expired is
// refreshed for the portal's Logout, which ends the session its refresh
// token would otherwise keep alive at the service for hours (review 2,
// L4); a session the service has ended already is no failure.
func TestSignOutExpiredToken(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	s := w.session(t, "dev")
	o := opts(&browser{decision: fakeaws.Allow}, nil)
	if _, err := SignIn(context.Background(), s, w.c, o); err != nil {
		t.Fatal(err)
	}
	path, _ := w.c.tokenPath(s)
	expireTokenFile(t, path)
	w.f.OIDC.ExpireAccessTokens()
	tok, _ := readSSOToken(path)
	res, err := SignOut(context.Background(), s, w.c)
	if err != nil || len(res.LogoutFailed) != 0 || w.f.STS.Count("Logout") != 1 || w.f.OIDC.Count("CreateToken/"+grantRefresh) != 1 {
		t.Fatalf("SignOut: %v %+v, %d Logout, %d refreshes", err, res, w.f.STS.Count("Logout"), w.f.OIDC.Count("CreateToken/"+grantRefresh))
	}
	// The refresh token is of no use any more: the session has ended.
	client, _ := w.c.oidcClient(context.Background(), s)
	_, err = client.CreateToken(context.Background(), &ssooidc.CreateTokenInput{ClientId: aws.String(tok.ClientID),
		ClientSecret: aws.String(tok.ClientSecret), GrantType: aws.String(grantRefresh), RefreshToken: aws.String(tok.RefreshToken)})
	if err == nil {
		t.Error("the refresh token still works after the sign-out")
	}

	// The session ended at the service first: nothing to end, no failure.
	if _, err := SignIn(context.Background(), s, w.c, o); err != nil {
		t.Fatal(err)
	}
	expireTokenFile(t, path)
	w.f.OIDC.EndSessions()
	if res, err := SignOut(context.Background(), s, w.c); err != nil || len(res.LogoutFailed) != 0 || len(res.Files) != 1 {
		t.Errorf("an ended session: %v %+v", err, res)
	}
}

// TestSignInExplicit: a sign-in the user asked for keeps a good token
// only while the portal accepts it, and never only refreshes; a renewal
// nobody asked for leaves a good token alone, unasked (review 2, M5).
func TestSignInExplicit(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	s := w.session(t, "dev")
	b := &browser{decision: fakeaws.Allow}
	explicit := opts(b, nil)
	explicit.Explicit = true
	if _, err := SignIn(context.Background(), s, w.c, explicit); err != nil {
		t.Fatal(err)
	}
	res, err := SignIn(context.Background(), s, w.c, explicit)
	if err != nil || res.How != StillValid || w.f.STS.Count("ListAccounts") != 1 {
		t.Fatalf("a good token: %v %+v, %d ListAccounts", err, res, w.f.STS.Count("ListAccounts"))
	}

	// The portal no longer knows the token.
	path, _ := w.c.tokenPath(s)
	o, _ := readObject(path)
	o.set("accessToken", "fakeaccess-unknown")
	if err := writeObject(path, o); err != nil {
		t.Fatal(err)
	}
	if res, err := SignIn(context.Background(), s, w.c, opts(b, nil)); err != nil || res.How != StillValid || w.f.STS.Count("ListAccounts") != 1 {
		t.Errorf("unasked: %v %+v, %d ListAccounts; want StillValid, the portal not asked", err, res, w.f.STS.Count("ListAccounts"))
	}
	res, err = SignIn(context.Background(), s, w.c, explicit)
	if err != nil || res.How != SignedIn || len(b.opened()) != 2 {
		t.Fatalf("a refused token: %v %+v, browser %d", err, res, len(b.opened()))
	}

	// Expired but refreshable: a sign-in, not a refresh.
	expireTokenFile(t, path)
	res, err = SignIn(context.Background(), s, w.c, explicit)
	if err != nil || res.How != SignedIn || w.f.OIDC.Count("CreateToken/"+grantRefresh) != 0 {
		t.Errorf("an expired token: %v %+v, %d refreshes", err, res, w.f.OIDC.Count("CreateToken/"+grantRefresh))
	}

	// An unreachable portal is an error, and nothing is changed.
	dead := w.c
	before := readFile(t, path)
	cfg := readFile(t, w.c.Env.ConfigFile)
	cfg = strings.Replace(cfg, "sso =\n  endpoint_url = "+w.f.STS.URL, "sso =\n  endpoint_url = http://127.0.0.1:1", 1)
	dead.Env.ConfigFile = filepath.Join(t.TempDir(), "config")
	os.WriteFile(dead.Env.ConfigFile, []byte(cfg), 0o600)
	if _, err := SignIn(context.Background(), s, dead, explicit); !errors.Is(err, ErrUnreachable) {
		t.Errorf("an unreachable portal: %v, want ErrUnreachable", err)
	}
	if readFile(t, path) != before {
		t.Error("the token file changed")
	}
}

// TestRefreshKeepsRegistrationExpiry: refreshing a token written without
// registrationExpiresAt (the Go SDK writes none) fills it in from the
// registration file of the same client, so that botocore, which needs
// it, refreshes the token in turn (review 2, L6).
func TestRefreshKeepsRegistrationExpiry(t *testing.T) {
	t.Parallel()
	err := exec.Command("/usr/bin/python3", "-c", "import botocore").Run()
	needTool(t, err == nil, "/usr/bin/python3 cannot import botocore (apt-get install python3-botocore)")
	w := newWorld(t)
	s := w.session(t, "dev")
	if _, err := SignIn(context.Background(), s, w.c, opts(&browser{decision: fakeaws.Allow}, nil)); err != nil {
		t.Fatal(err)
	}
	path, _ := w.c.tokenPath(s)
	rpath, _ := w.c.registrationPath(s)
	reg, err := readRegistration(rpath)
	if err != nil {
		t.Fatal(err)
	}
	o, _ := readObject(path)
	var stripped object
	for _, m := range o {
		if m.Key != "registrationExpiresAt" {
			stripped = append(stripped, m)
		}
	}
	stripped.set("expiresAt", time.Now().Add(-time.Minute))
	if err := writeObject(path, stripped); err != nil {
		t.Fatal(err)
	}
	w.f.OIDC.ExpireAccessTokens()
	if res, err := SignIn(context.Background(), s, w.c, opts(nil, nil)); err != nil || res.How != Refreshed {
		t.Fatalf("SignIn: %v %+v, want Refreshed", err, res)
	}
	tok, _ := readSSOToken(path)
	if !tok.RegistrationExpiresAt.Equal(reg.ExpiresAt) {
		t.Fatalf("registrationExpiresAt %v, want the registration's %v", tok.RegistrationExpiresAt, reg.ExpiresAt)
	}

	// botocore's SSOTokenProvider refreshes it now. (The botocore of
	// Debian knows no endpoint variables: its OIDC client is pointed at
	// the fake by hand.)
	expireTokenFile(t, path)
	w.f.OIDC.ExpireAccessTokens()
	before, _ := readSSOToken(path)
	cmd := exec.Command("/usr/bin/python3", "-c", `
import sys, botocore.session
from botocore import UNSIGNED
from botocore.config import Config
from botocore.tokens import SSOTokenProvider
s = botocore.session.Session(profile="dev")
p = SSOTokenProvider(s)
p._client = s.create_client("sso-oidc", region_name="eu-west-1", endpoint_url=sys.argv[1], config=Config(signature_version=UNSIGNED))
p.load_token().get_frozen_token()
`, w.f.OIDC.URL)
	cmd.Env = []string{"HOME=" + w.home, "AWS_CONFIG_FILE=" + w.c.Env.ConfigFile, "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "PATH=/usr/bin:/bin"}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("botocore: %v\n%s", err, out)
	}
	after, _ := readSSOToken(path)
	if after.AccessToken == before.AccessToken || !w.f.OIDC.ValidAccessToken(after.AccessToken) {
		t.Error("botocore did not refresh the token")
	}
}

// waitDevicePolls waits until the fake OIDC has answered two device-code
// polls with authorization_pending and one with slow_down.
func waitDevicePolls(t *testing.T, o *fakeaws.OIDC) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		pending, slow := devicePolls(o)
		if pending >= 2 && slow >= 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the fake answered %d pending and %d slow_down polls in a minute", pending, slow)
		}
	}
}

// devicePolls counts the fake's pending and slow_down answers.
func devicePolls(o *fakeaws.OIDC) (pending, slow int) {
	for _, c := range o.Calls() {
		switch c.Exception {
		case "AuthorizationPendingException":
			pending++
		case "SlowDownException":
			slow++
		}
	}
	return pending, slow
}
