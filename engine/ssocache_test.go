package engine

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"

	"github.com/awsxc/awsxc/internal/fakeaws"
)

const ssoUTCConfig = `[profile legacyutc]
sso_start_url = https://legacyutc.awsapps.com/start
sso_region = us-east-1
sso_account_id = 123456789012
sso_role_name = LegacyUTC

[profile sessutc]
sso_session = sutc
sso_account_id = 123456789012
sso_role_name = SessUTC

[sso-session sutc]
sso_start_url = https://sutc.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access
`

// TestIssue10Item18SSOCacheUTC: a cached SSO token whose expiresAt ends
// in UTC (as AWS CLI v2 before 2.1.14 wrote it) is used, as the AWS CLI
// uses it, for legacy and sso-session profiles, and the user's cache file
// is left as it was; the SDK reads a normalised copy that only the user
// can read. The SDK finds the cache under HOME, so the test sets it and
// does not run in parallel.
func TestIssue10Item18SSOCacheUTC(t *testing.T) {
	fake, env := processEnv(t, ssoUTCConfig, "")
	home := os.Getenv("HOME")
	cacheDir := filepath.Join(home, ".aws", "sso", "cache")
	os.MkdirAll(cacheDir, 0o700)
	files := map[string][]byte{}
	for key, body := range map[string]string{
		"https://legacyutc.awsapps.com/start": `{"startUrl": "https://legacyutc.awsapps.com/start", "region": "us-east-1", "accessToken": "tok-legacyutc", "expiresAt": "2099-01-31T12:00:00UTC"}`,
		"sutc":                                `{"startUrl": "https://sutc.awsapps.com/start", "region": "us-east-1", "accessToken": "tok-sutc", "expiresAt": "2099-01-31T12:00:00UTC"}`,
	} {
		sum := sha1.Sum([]byte(key))
		p := filepath.Join(cacheDir, hex.EncodeToString(sum[:])+".json")
		os.WriteFile(p, []byte(body), 0o600)
		files[p] = []byte(body)
	}
	for _, profile := range []string{"legacyutc", "sessutc"} {
		r, err := Obtain(context.Background(), ObtainOptions{Env: env, Profile: profile})
		if err != nil {
			t.Fatalf("%s: %v", profile, err)
		}
		if !strings.HasPrefix(r.Credentials.AccessKeyID, "ASIASSO") {
			t.Errorf("%s: key %s, want the portal's", profile, r.Credentials.AccessKeyID)
		}
	}
	var bearers []string
	for _, c := range fake.Calls() {
		bearers = append(bearers, c.BearerSSO)
	}
	if strings.Join(bearers, " ") != "tok-legacyutc tok-sutc" {
		t.Errorf("portal calls with tokens %q, want tok-legacyutc tok-sutc", bearers)
	}
	for p, want := range files {
		if got, _ := os.ReadFile(p); !bytes.Equal(got, want) {
			t.Errorf("the user's cache %s changed:\n%s", p, got)
		}
		copyPath := filepath.Join(env.CacheDir, "awsxc", "sso", filepath.Base(p))
		fi, err := os.Stat(copyPath)
		if err != nil {
			t.Fatal(err)
		}
		if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", copyPath, fi.Mode().Perm())
		}
	}
}

func TestNormaliseSSOCache(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		`{"accessToken":"a","expiresAt":"2027-01-31T12:00:00UTC"}`:                                                 `{"accessToken":"a","expiresAt":"2027-01-31T12:00:00Z"}`,
		`{"expiresAt":"2027-01-31T12:00:00.5UTC","registrationExpiresAt":"2027-02-01T00:00:00UTC","clientId":"c"}`: `{"clientId":"c","expiresAt":"2027-01-31T12:00:00.5Z","registrationExpiresAt":"2027-02-01T00:00:00Z"}`,
		`{"accessToken":"a","expiresAt":"2027-01-31T12:00:00Z","startUrl":"https://UTC.awsapps.com"}`:              "",
		`not json UTC`:        "",
		`{"expiresAt":"UTC"}`: "",
	} {
		got, ok := normaliseSSOCache([]byte(in))
		if string(got) != want || ok != (want != "") {
			t.Errorf("normaliseSSOCache(%s) = %s, %v; want %s", in, got, ok, want)
		}
	}
}

// signInOIDC runs the device flow against the OIDC fake with the Go
// SDK's client, as aws sso login does, and returns the registration and
// the token.
func signInOIDC(t *testing.T, o *fakeaws.OIDC, startURL string) (*ssooidc.RegisterClientOutput, *ssooidc.CreateTokenOutput) {
	t.Helper()
	ctx := context.Background()
	c := ssooidc.New(ssooidc.Options{Region: "us-east-1", BaseEndpoint: aws.String(o.URL)})
	reg, err := c.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("botocore-client-sutc"),
		ClientType: aws.String("public"), Scopes: []string{"sso:account:access"}})
	if err != nil {
		t.Fatal(err)
	}
	dev, err := c.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: reg.ClientId,
		ClientSecret: reg.ClientSecret, StartUrl: aws.String(startURL)})
	if err != nil {
		t.Fatal(err)
	}
	if err := o.ApproveDevice(*dev.UserCode); err != nil {
		t.Fatal(err)
	}
	tok, err := c.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
		GrantType: aws.String("urn:ietf:params:oauth:grant-type:device_code"), DeviceCode: dev.DeviceCode})
	if err != nil {
		t.Fatal(err)
	}
	return reg, tok
}

// utcCache is a token cache file as AWS CLI v2 before 2.1.14 wrote it:
// its times end in UTC.
func utcCache(reg *ssooidc.RegisterClientOutput, tok *ssooidc.CreateTokenOutput, expires time.Time) []byte {
	utc := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05") + "UTC" }
	b, _ := json.Marshal(map[string]string{"startUrl": "https://sutc.awsapps.com/start", "region": "us-east-1",
		"accessToken": *tok.AccessToken, "expiresAt": utc(expires), "clientId": *reg.ClientId,
		"clientSecret": *reg.ClientSecret, "registrationExpiresAt": utc(time.Unix(reg.ClientSecretExpiresAt, 0)),
		"refreshToken": *tok.RefreshToken})
	return b
}

// TestSSOCacheCopyKeepsRefresh (review 1, M8): the Go SDK refreshes an
// sso-session token into awsxc's copy of a cache whose times end in UTC.
// The next load does not throw that refresh away (the OIDC service
// rotates refresh tokens: the file's old one is dead): it writes it back
// to the AWS CLI's file, which the AWS CLI and every SDK read, and drops
// the copy. A new sign-in is copied again; a signed-out token's copy is
// removed with it. The SDK finds the cache under HOME, so the test sets
// it and does not run in parallel.
func TestSSOCacheCopyKeepsRefresh(t *testing.T) {
	fake, env := processEnv(t, ssoUTCConfig, "")
	o := fakeaws.NewOIDC()
	t.Cleanup(o.Close)
	fake.Portal().Link(o)
	t.Setenv("AWS_ENDPOINT_URL_SSO_OIDC", o.URL)
	cacheDir := filepath.Join(os.Getenv("HOME"), ".aws", "sso", "cache")
	os.MkdirAll(cacheDir, 0o700)
	sum := sha1.Sum([]byte("sutc"))
	path := filepath.Join(cacheDir, hex.EncodeToString(sum[:])+".json")
	copyPath := filepath.Join(env.CacheDir, "awsxc", "sso", filepath.Base(path))
	obtain := func(what string) {
		t.Helper()
		if _, err := Obtain(context.Background(), ObtainOptions{Env: env, Profile: "sessutc"}); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	exists := func(p string) bool { _, err := os.Stat(p); return err == nil }

	reg, tok := signInOIDC(t, o, "https://sutc.awsapps.com/start")
	o.ExpireAccessTokens() // the SDK refreshes it at once
	orig := utcCache(reg, tok, time.Now().Add(-time.Minute))
	os.WriteFile(path, orig, 0o600)

	obtain("first load")
	if n := o.Count("CreateToken/" + fakeaws.GrantRefreshToken); n != 1 {
		t.Fatalf("%d refreshes, want 1", n)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, orig) {
		t.Errorf("the AWS CLI's file changed during the load that made the copy:\n%s", got)
	}
	refreshed, err := os.ReadFile(copyPath)
	if err != nil || bytes.Contains(refreshed, []byte(*tok.AccessToken)) {
		t.Fatalf("the copy holds no refresh: %s, %v", refreshed, err)
	}

	obtain("second load")
	if n := o.Count("CreateToken/" + fakeaws.GrantRefreshToken); n != 1 {
		t.Errorf("%d refreshes after the second load, want still 1: the refresh was thrown away", n)
	}
	var back map[string]string
	data, _ := os.ReadFile(path)
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatalf("the AWS CLI's file: %v\n%s", err, data)
	}
	var ref map[string]string
	json.Unmarshal(refreshed, &ref)
	if back["accessToken"] != ref["accessToken"] || back["refreshToken"] != ref["refreshToken"] ||
		!strings.HasSuffix(back["expiresAt"], "Z") || back["startUrl"] != "https://sutc.awsapps.com/start" {
		t.Errorf("the refresh was not written back to the AWS CLI's file:\n%s", data)
	}
	if fi, _ := os.Stat(path); runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("the AWS CLI's file is %v, want 0600", fi.Mode().Perm())
	}
	if exists(copyPath) || exists(copyPath+".src") {
		t.Errorf("the copy outlived the write-back")
	}

	// A new sign-in by an old AWS CLI: copied again, and used.
	reg, tok = signInOIDC(t, o, "https://sutc.awsapps.com/start")
	os.WriteFile(path, utcCache(reg, tok, time.Now().Add(time.Hour)), 0o600)
	obtain("after a new sign-in")
	if c, err := os.ReadFile(copyPath); err != nil || !bytes.Contains(c, []byte(*tok.AccessToken)) {
		t.Errorf("the new sign-in was not copied: %s, %v", c, err)
	}
	if n := o.Count("CreateToken/" + fakeaws.GrantRefreshToken); n != 1 {
		t.Errorf("%d refreshes for a valid token, want still 1", n)
	}

	// aws sso logout removes the AWS CLI's file: the copy goes with it.
	os.Remove(path)
	if _, err := Obtain(context.Background(), ObtainOptions{Env: env, Profile: "sessutc"}); !errors.Is(err, ErrSSOLoginRequired) {
		t.Errorf("signed out: %v, want ErrSSOLoginRequired", err)
	}
	if exists(copyPath) || exists(copyPath+".src") {
		t.Errorf("the copy of a signed-out token is still there")
	}

	// awsxc-cli logout's way: RemoveSSOTokenCopy.
	os.WriteFile(path, utcCache(reg, tok, time.Now().Add(time.Hour)), 0o600)
	obtain("signed in again")
	if removed, err := RemoveSSOTokenCopy(env, path); !removed || err != nil || exists(copyPath) || exists(copyPath+".src") {
		t.Errorf("RemoveSSOTokenCopy: %v, %v; copy there: %v", removed, err, exists(copyPath))
	}
	if removed, err := RemoveSSOTokenCopy(env, path); removed || err != nil {
		t.Errorf("RemoveSSOTokenCopy of no copy: %v, %v", removed, err)
	}
}
