package engine

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const resolveConfig = `[default]
region = us-east-1
[profile static]
region = eu-west-1
[profile session]
[profile role]
role_arn = arn:aws:iam::210987654321:role/Deploy
source_profile = static
role_session_name = awsxc-test
[profile chain]
role_arn = arn:aws:iam::333333333333:role/Second
source_profile = role
[profile envrole]
role_arn = arn:aws:iam::210987654321:role/FromEnv
credential_source = Environment
[profile proc]
credential_process = printf '{"Version":1,"AccessKeyId":"ASIAPROC","SecretAccessKey":"s","SessionToken":"t","Expiration":"2099-01-02T03:04:05+02:00"}'
[profile procbadjson]
credential_process = printf '{"Version":1,"AccessKeyId":"ASIAPROC","SecretAccessKey":"LEAKEDSECRETVALUE"'
[profile procfail]
credential_process = sh -c 'echo boom >&2; exit 9'
[profile webid]
role_arn = arn:aws:iam::210987654321:role/Web
web_identity_token_file = TOKENFILE
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
[profile sso]
sso_session = corp
sso_account_id = 444455556666
sso_role_name = Developer
region = eu-west-1
[profile ssoexpired]
sso_session = expired
sso_account_id = 444455556666
sso_role_name = Developer
[sso-session expired]
sso_start_url = https://expired.awsapps.com/start
sso_region = eu-west-1
[profile legacysso]
sso_start_url = https://legacy.awsapps.com/start
sso_region = eu-west-1
sso_account_id = 444455556666
sso_role_name = Developer
[profile nothing]
region = eu-west-3
[profile login]
login_session = arn:aws:iam::444455556666:user/alice
region = us-east-1
[profile badsource]
role_arn = arn:aws:iam::210987654321:role/X
source_profile = missing
`

const resolveCreds = `[sessionexp]
aws_access_key_id = ASIASESSIONEXP000001
aws_secret_access_key = s
aws_session_token = t
aws_credential_expiration = 2099-03-04T05:06:07Z ; written by awsxc-cli -c
[static]
aws_access_key_id = AKIASTATICEXAMPLE0001
aws_secret_access_key = staticsecret
[session]
aws_access_key_id = ASIASESSIONEXAMPLE01
aws_secret_access_key = sessionsecret
aws_session_token = sessiontoken
`

// ssoCache writes a cached IAM Identity Center token where the SDK looks
// for it: ~/.aws/sso/cache/<sha1 of the session name or start URL>.json.
func ssoCache(t *testing.T, key, expiresAt string) {
	t.Helper()
	sum := sha1.Sum([]byte(key))
	dir := filepath.Join(os.Getenv("HOME"), ".aws", "sso", "cache")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	body := `{"accessToken":"ssoaccesstoken","expiresAt":"` + expiresAt + `","region":"eu-west-1","startUrl":"https://x.awsapps.com/start"}`
	if err := os.WriteFile(filepath.Join(dir, hex.EncodeToString(sum[:])+".json"), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestResolveKinds resolves a profile of every kind. The SSO cache lives
// under HOME and credential_source = Environment reads the process's
// keys: the SDK takes both from the process, so this test sets them and
// cannot run in parallel.
func TestResolveKinds(t *testing.T) {
	tokenFile := filepath.Join(t.TempDir(), "webtoken")
	os.WriteFile(tokenFile, []byte("eyJ.fake.jwt"), 0o600)
	fake, env := processEnv(t, strings.ReplaceAll(resolveConfig, "TOKENFILE", tokenFile), resolveCreds)
	ssoCache(t, "corp", "2099-01-01T00:00:00Z")
	ssoCache(t, "expired", "2001-01-01T00:00:00Z")
	ssoCache(t, "https://legacy.awsapps.com/start", "2099-01-01T00:00:00Z")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAFROMENVIRONMENT1")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "envsecret")

	type result struct {
		Kind, Region, Key, Expires string
		Temporary                  bool
		Err                        error
		Calls                      []string
	}
	cases := []struct {
		profile string
		want    result
	}{
		{"static", result{Kind: "static", Region: "eu-west-1", Key: "AKIASTATICEXAMPLE0001"}},
		{"default", result{Err: ErrNoCredentials}},
		{"session", result{Kind: "session", Key: "ASIASESSIONEXAMPLE01", Temporary: true}},
		// The SDK ignores aws_credential_expiration; awsxc reads it.
		{"sessionexp", result{Kind: "session", Key: "ASIASESSIONEXP000001", Temporary: true, Expires: "2099-03-04T05:06:07Z"}},
		{"role", result{Kind: "assume-role", Key: "ASIAFAKE", Temporary: true, Expires: "set",
			Calls: []string{"AssumeRole by AKIASTATICEXAMPLE0001"}}},
		{"chain", result{Kind: "assume-role", Key: "ASIAFAKE", Temporary: true, Expires: "set",
			Calls: []string{"AssumeRole by AKIASTATICEXAMPLE0001", "AssumeRole by ASIAFAKE"}}},
		// credential_source = Environment is the one use of the
		// environment's keys: as the source of the role, never exported.
		{"envrole", result{Kind: "assume-role", Key: "ASIAFAKE", Temporary: true, Expires: "set",
			Calls: []string{"AssumeRole by AKIAFROMENVIRONMENT1"}}},
		{"proc", result{Kind: "process", Key: "ASIAPROC", Temporary: true, Expires: "2099-01-02T01:04:05Z"}},
		{"procfail", result{Err: ErrResolve}},
		{"procbadjson", result{Err: ErrResolve}},
		{"webid", result{Kind: "web-identity", Key: "ASIAFAKE", Temporary: true, Expires: "set",
			Calls: []string{"AssumeRoleWithWebIdentity by "}}},
		{"sso", result{Kind: "sso", Region: "eu-west-1", Key: "ASIASSO", Temporary: true, Expires: "set",
			Calls: []string{"GetRoleCredentials by "}}},
		{"legacysso", result{Kind: "sso", Key: "ASIASSO", Temporary: true, Expires: "set",
			Calls: []string{"GetRoleCredentials by "}}},
		{"ssoexpired", result{Err: ErrSSOLoginRequired}},
		// login_session (aws login) with no cached login: the SDK's own
		// provider says so, and the hint is aws login.
		{"login", result{Err: ErrLoginRequired}},
		{"nothing", result{Err: ErrNoCredentials}},
		{"nope", result{Err: ErrProfileNotFound}},
		{"badsource", result{Err: ErrInvalidConfig}},
	}
	for _, tc := range cases {
		t.Run(tc.profile, func(t *testing.T) {
			before := len(fake.Calls())
			var got result
			r, err := Obtain(context.Background(), ObtainOptions{Env: env, Profile: tc.profile})
			if err != nil {
				for _, s := range []error{ErrNoCredentials, ErrResolve, ErrSSOLoginRequired, ErrLoginRequired, ErrProfileNotFound, ErrInvalidConfig, ErrMFARequired} {
					if errors.Is(err, s) {
						got.Err = s
					}
				}
				if got.Err == nil {
					t.Fatalf("error %v is not one of the sentinels", err)
				}
				if strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), tc.profile) {
					t.Errorf("error %q: want one line naming the profile", err)
				}
				if strings.Contains(err.Error(), "LEAKEDSECRETVALUE") {
					t.Errorf("error %q shows the secret the process printed", err)
				}
			} else {
				got = result{Kind: string(r.Kind), Region: r.Region, Temporary: r.Credentials.Temporary()}
				got.Key = r.Credentials.AccessKeyID
				for _, p := range []string{"ASIAFAKE", "ASIASSO"} {
					if strings.HasPrefix(got.Key, p) {
						got.Key = p
					}
				}
				if r.Credentials.CanExpire() {
					got.Expires = FormatTime(r.Credentials.Expires)
					if tc.want.Expires == "set" {
						got.Expires = "set"
					}
				}
			}
			for _, c := range fake.Calls()[before:] {
				by := c.SignedBy
				if strings.HasPrefix(by, "ASIAFAKE") {
					by = "ASIAFAKE"
				}
				got.Calls = append(got.Calls, c.Action+" by "+by)
			}
			if diff := cmp.Diff(tc.want, got, cmp.Comparer(func(a, b error) bool { return a == b })); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestSSOLoginHint(t *testing.T) {
	_, env := processEnv(t, resolveConfig, resolveCreds)
	ssoCache(t, "expired", "2001-01-01T00:00:00Z")
	_, err := Obtain(context.Background(), ObtainOptions{Env: env, Profile: "ssoexpired"})
	var e *Error
	if !errors.As(err, &e) || e.Action != ActionSSOLogin || !strings.Contains(err.Error(), "run aws sso login --profile ssoexpired") {
		t.Errorf("err = %v, want ActionSSOLogin and the aws sso login hint", err)
	}
}

func TestProfileName(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		explicit string
		env      map[string]string
		want     string
	}{
		{"", nil, "default"},
		{"", map[string]string{"AWS_DEFAULT_PROFILE": "b"}, "b"},
		{"", map[string]string{"AWS_PROFILE": "a", "AWS_DEFAULT_PROFILE": "b"}, "a"},
		{"x", map[string]string{"AWS_PROFILE": "a"}, "x"},
	} {
		if got := ProfileName(tc.explicit, func(k string) string { return tc.env[k] }); got != tc.want {
			t.Errorf("ProfileName(%q, %v) = %q, want %q", tc.explicit, tc.env, got, tc.want)
		}
	}
}

func TestFingerprint(t *testing.T) {
	t.Parallel()
	_, env := awsEnv(t, resolveConfig, resolveCreds)
	ctx := context.Background()
	a, err := Load(ctx, Options{Env: env, Profile: "role"})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Load(ctx, Options{Env: env, Profile: "chain"})
	if a.Fingerprint == "" || a.Fingerprint == b.Fingerprint {
		t.Fatalf("fingerprints %q and %q: want distinct, non-empty", a.Fingerprint, b.Fingerprint)
	}
	// Rotating the source profile's key changes the role's fingerprint.
	os.WriteFile(env.CredentialsFile, []byte(strings.Replace(resolveCreds, "staticsecret", "rotated", 1)), 0o600)
	c, _ := Load(ctx, Options{Env: env, Profile: "role"})
	if c.Fingerprint == a.Fingerprint {
		t.Error("fingerprint did not change with the source key")
	}
	if strings.Contains(a.Fingerprint, "secret") {
		t.Error("fingerprint reveals the secret")
	}
}

func TestListProfiles(t *testing.T) {
	t.Parallel()
	_, env := awsEnv(t, resolveConfig, resolveCreds)
	l, err := ListProfiles(env)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, p := range l.Profiles {
		got[p.Name] = string(p.Kind)
	}
	want := map[string]string{"default": "none", "static": "static", "session": "session", "role": "assume-role",
		"chain": "assume-role", "envrole": "assume-role", "proc": "process", "procfail": "process", "procbadjson": "process",
		"webid": "web-identity", "login": "login", "sso": "sso", "ssoexpired": "sso", "legacysso": "sso", "nothing": "none", "badsource": "", "sessionexp": "session"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
