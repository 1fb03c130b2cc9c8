package engine

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
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
