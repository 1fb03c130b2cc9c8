package fakeaws

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
)

const ssoConfig = `[profile dev]
sso_session = my-sso
sso_account_id = 111122223333
sso_role_name = Admin
region = eu-west-1

[profile legacy]
sso_start_url = ` + testStartURL + `
sso_region = eu-west-1
sso_account_id = 111122223333
sso_role_name = ReadOnly
region = eu-west-1

[sso-session my-sso]
sso_start_url = ` + testStartURL + `
sso_region = eu-west-1
sso_registration_scopes = sso:account:access
`

// ssoEnv is an isolated AWS setup (Isolate) whose portal checks tokens
// against an OIDC fake reached through AWS_ENDPOINT_URL_SSO_OIDC.
type ssoEnv struct {
	sts   *Server
	oidc  *OIDC
	home  string
	cache string // ~/.aws/sso/cache
}

func newSSOEnv(t *testing.T) *ssoEnv {
	t.Helper()
	sts := Isolate(t, ssoConfig, "")
	o := NewOIDC()
	t.Cleanup(o.Close)
	sts.Portal().Link(o)
	sts.Portal().SetAccounts([]Account{{ID: "111122223333", Name: "dev", Roles: []string{"Admin", "ReadOnly"}}})
	t.Setenv("AWS_ENDPOINT_URL_SSO_OIDC", o.URL)
	e := &ssoEnv{sts: sts, oidc: o, home: os.Getenv("HOME")}
	e.cache = filepath.Join(e.home, ".aws", "sso", "cache")
	if err := os.MkdirAll(e.cache, 0o700); err != nil {
		t.Fatal(err)
	}
	return e
}

// signIn runs the device flow with the Go SDK's client and returns the
// registration and the token, as the AWS CLI would cache them.
func (e *ssoEnv) signIn(t *testing.T, scopes []string) (*ssooidc.RegisterClientOutput, *ssooidc.CreateTokenOutput) {
	t.Helper()
	c := newOIDCClient(e.oidc)
	reg, err := c.RegisterClient(bg(), &ssooidc.RegisterClientInput{ClientName: aws.String("botocore-client-my-sso"),
		ClientType: aws.String("public"), Scopes: scopes})
	if err != nil {
		t.Fatal(err)
	}
	dev, err := c.StartDeviceAuthorization(bg(), &ssooidc.StartDeviceAuthorizationInput{ClientId: reg.ClientId,
		ClientSecret: reg.ClientSecret, StartUrl: aws.String(testStartURL)})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.oidc.ApproveDevice(*dev.UserCode); err != nil {
		t.Fatal(err)
	}
	tok, err := pollDevice(c, reg, dev)
	if err != nil {
		t.Fatal(err)
	}
	return reg, tok
}

// cliJSON writes what Python's json.dumps writes for a dict in this
// order: the AWS CLI's token cache format (sso/utils.py _sso_json_dumps:
// default separators, timestamps as %Y-%m-%dT%H:%M:%SZ).
func cliJSON(fields ...any) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i := 0; i < len(fields); i += 2 {
		if i > 0 {
			b.WriteString(", ")
		}
		k, _ := json.Marshal(fields[i])
		v := fields[i+1]
		if tm, ok := v.(time.Time); ok {
			v = tm.UTC().Format("2006-01-02T15:04:05Z")
		}
		vb, _ := json.Marshal(v)
		fmt.Fprintf(&b, "%s: %s", k, vb)
	}
	b.WriteByte('}')
	return b.Bytes()
}

func cacheName(key string) string {
	sum := sha1.Sum([]byte(key))
	return hex.EncodeToString(sum[:]) + ".json"
}

// writeCLIToken writes a token cache file exactly as `aws sso login`
// does (botocore utils.py SSOTokenFetcher._create_token_attempt; the file
// is created 0600 by JSONFileCache).
func (e *ssoEnv) writeCLIToken(t *testing.T, key string, reg *ssooidc.RegisterClientOutput, tok *ssooidc.CreateTokenOutput, expiresAt time.Time) string {
	t.Helper()
	fields := []any{"startUrl", testStartURL, "region", "eu-west-1", "accessToken", *tok.AccessToken,
		"expiresAt", expiresAt, "clientId", *reg.ClientId, "clientSecret", *reg.ClientSecret,
		"registrationExpiresAt", time.Unix(reg.ClientSecretExpiresAt, 0)}
	if tok.RefreshToken != nil {
		fields = append(fields, "refreshToken", *tok.RefreshToken)
	}
	path := filepath.Join(e.cache, cacheName(key))
	if err := os.WriteFile(path, cliJSON(fields...), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSSOSessionProfileGoSDK(t *testing.T) {
	e := newSSOEnv(t)
	reg, tok := e.signIn(t, []string{"sso:account:access"})
	// The access token has expired; the Go SDK refreshes it only then
	// (ssocreds/sso_token_provider.go RetrieveBearerToken).
	e.oidc.ExpireAccessTokens()
	path := e.writeCLIToken(t, "my-sso", reg, tok, time.Now().Add(-time.Minute))

	cfg, err := config.LoadDefaultConfig(bg(), config.WithSharedConfigProfile("dev"))
	if err != nil {
		t.Fatal(err)
	}
	creds, err := cfg.Credentials.Retrieve(bg())
	if err != nil {
		t.Fatalf("Retrieve: %v", err)
	}
	if !strings.HasPrefix(creds.AccessKeyID, "ASIASSO") {
		t.Errorf("access key %s, want one from the portal", creds.AccessKeyID)
	}
	if got := e.oidc.Count("CreateToken/" + GrantRefreshToken); got != 1 {
		t.Errorf("refresh_token grants = %d, want 1", got)
	}
	calls := e.sts.Calls()
	last := calls[len(calls)-1]
	if last.Action != "GetRoleCredentials" || last.BearerSSO == *tok.AccessToken || !e.oidc.ValidAccessToken(last.BearerSSO) {
		t.Errorf("GetRoleCredentials used %q, want the refreshed token", last.Action)
	}

	// The SDK rewrote the file: new tokens, the CLI's other fields kept.
	var got map[string]any
	b, _ := os.ReadFile(path)
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got["accessToken"] != last.BearerSSO || got["refreshToken"] == *tok.RefreshToken ||
		got["startUrl"] != testStartURL || got["region"] != "eu-west-1" || got["registrationExpiresAt"] == nil {
		t.Errorf("rewritten cache file: %s", b)
	}
	if exp, _ := got["expiresAt"].(string); !strings.HasSuffix(exp, "Z") {
		t.Errorf("expiresAt %q is not UTC", exp)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}

	// A token the portal no longer accepts (Logout) fails with the
	// SDK's error, not credentials.
	e.sts.Portal().logout(last.BearerSSO)
	cfg, _ = config.LoadDefaultConfig(bg(), config.WithSharedConfigProfile("dev"))
	if _, err := cfg.Credentials.Retrieve(bg()); err == nil || !strings.Contains(err.Error(), "UnauthorizedException") {
		t.Errorf("after logout: %v, want UnauthorizedException", err)
	}
}

func TestSSOLegacyProfileGoSDK(t *testing.T) {
	e := newSSOEnv(t)
	reg, tok := e.signIn(t, nil)
	e.writeCLIToken(t, testStartURL, reg, tok, time.Now().Add(time.Hour))
	cfg, err := config.LoadDefaultConfig(bg(), config.WithSharedConfigProfile("legacy"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cfg.Credentials.Retrieve(bg()); err != nil {
		t.Fatalf("Retrieve: %v", err)
	}
	if n := e.oidc.Count("CreateToken/" + GrantRefreshToken); n != 0 {
		t.Errorf("a legacy token was refreshed %d times", n)
	}
	// An account or role not assigned: the portal's "No access".
	e.sts.Portal().SetAccounts([]Account{{ID: "111122223333", Roles: []string{"Admin"}}})
	cfg, _ = config.LoadDefaultConfig(bg(), config.WithSharedConfigProfile("legacy"))
	if _, err := cfg.Credentials.Retrieve(bg()); err == nil || !strings.Contains(err.Error(), "ForbiddenException") {
		t.Errorf("unassigned role: %v, want ForbiddenException", err)
	}
}

// botocoreScript resolves a profile with botocore's own chain and prints
// "<method> <access key id>". Debian 12's botocore (1.29) predates
// AWS_ENDPOINT_URL_<SERVICE> (botocore 1.31), so the script passes the
// same URLs as endpoint_url to the clients the providers create, which is
// what those variables do in later versions; those read the variables
// themselves.
const botocoreScript = `
import os, sys
import botocore.session
s = botocore.session.get_session()
eps = {'sso': os.environ['AWS_ENDPOINT_URL_SSO'], 'sso-oidc': os.environ['AWS_ENDPOINT_URL_SSO_OIDC']}
orig = s.create_client
def create_client(name, *args, **kwargs):
    if name in eps and not kwargs.get('endpoint_url'):
        kwargs['endpoint_url'] = eps[name]
    return orig(name, *args, **kwargs)
s.create_client = create_client
c = s.get_credentials()
if c is None:
    sys.exit('botocore: no credentials')
print(c.method, c.get_frozen_credentials().access_key)
`

// pyEnv is this process's environment without the variables Isolate
// set to "" (botocore reads an empty AWS_DEFAULT_PROFILE as a profile
// named "") and with the profile to use.
func pyEnv(profile string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasSuffix(kv, "=") {
			env = append(env, kv)
		}
	}
	return append(env, "AWS_PROFILE="+profile)
}

func haveBotocore() bool {
	return exec.Command("/usr/bin/python3", "-c", "import botocore").Run() == nil
}

func TestSSOSessionProfileBotocore(t *testing.T) {
	needTool(t, haveBotocore(), "/usr/bin/python3 with botocore is not installed (apt-get install python3-botocore)")
	e := newSSOEnv(t)
	reg, tok := e.signIn(t, []string{"sso:account:access"})
	// Five minutes left: inside botocore's refresh window (tokens.py
	// SSOTokenProvider._REFRESH_WINDOW, 15 minutes), and mandatory (under
	// 10), so botocore refreshes before it answers.
	path := e.writeCLIToken(t, "my-sso", reg, tok, time.Now().Add(5*time.Minute))
	cmd := exec.Command("/usr/bin/python3", "-c", botocoreScript)
	cmd.Env = pyEnv("dev")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("botocore: %v\n%s", err, out)
	}
	if f := strings.Fields(string(out)); len(f) != 2 || f[0] != "sso" || !strings.HasPrefix(f[1], "ASIASSO") {
		t.Fatalf("botocore printed %q, want sso ASIASSO...", out)
	}
	if got := e.oidc.Count("CreateToken/" + GrantRefreshToken); got != 1 {
		t.Errorf("botocore refresh_token grants = %d, want 1", got)
	}
	// botocore saved the refreshed token in the CLI's format; the Go SDK
	// reads it.
	var saved map[string]any
	b, _ := os.ReadFile(path)
	if err := json.Unmarshal(b, &saved); err != nil || saved["accessToken"] == *tok.AccessToken {
		t.Fatalf("botocore's cache file: %s (%v)", b, err)
	}
	cfg, _ := config.LoadDefaultConfig(bg(), config.WithSharedConfigProfile("dev"))
	if _, err := cfg.Credentials.Retrieve(bg()); err != nil {
		t.Errorf("Go SDK after botocore's refresh: %v", err)
	}

	// The legacy profile, from a cache keyed by the start URL.
	lreg, ltok := e.signIn(t, nil)
	e.writeCLIToken(t, testStartURL, lreg, ltok, time.Now().Add(time.Hour))
	cmd = exec.Command("/usr/bin/python3", "-c", botocoreScript)
	cmd.Env = pyEnv("legacy")
	if out, err := cmd.CombinedOutput(); err != nil || !strings.HasPrefix(string(out), "sso ASIASSO") {
		t.Errorf("botocore legacy profile: %v\n%s", err, out)
	}
}
