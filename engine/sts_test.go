package engine

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/awsxc/awsxc/internal/fakeaws"
)

// awsEnv writes the AWS files for one test, whose profiles call a fake
// STS of their own, and returns the fake and an Env holding the files:
// the test may run in parallel.
func awsEnv(t *testing.T, config, creds string) (*fakeaws.Server, Env) {
	t.Helper()
	fake := fakeaws.New()
	t.Cleanup(fake.Close)
	dir, cf, kf := fake.Files(t, config, creds)
	return fake, Env{ConfigFile: cf, CredentialsFile: kf, Home: dir, Dir: dir, CacheDir: filepath.Join(dir, "cache")}
}

// processEnv is awsEnv for a test of what the SDK reads from the
// process environment itself (HOME for the SSO cache, keys for
// credential_source = Environment): it sets the variables with
// fakeaws.Isolate, so the test cannot run in parallel.
func processEnv(t *testing.T, config, creds string) (*fakeaws.Server, Env) {
	t.Helper()
	fake := fakeaws.Isolate(t, config, creds)
	return fake, NewEnv(os.Getenv, "")
}

const stsConfig = `[profile static]
region = eu-west-1
[profile mfa]
region = eu-west-1
mfa_serial = arn:aws:iam::123456789012:mfa/alice
[profile role]
role_arn = arn:aws:iam::210987654321:role/Deploy
source_profile = static
region = eu-central-1
`

const stsCreds = `[static]
aws_access_key_id = AKIASTATICEXAMPLE0001
aws_secret_access_key = staticsecret
[mfa]
aws_access_key_id = AKIAMFAEXAMPLE000001
aws_secret_access_key = mfasecret
`

func TestGetSessionToken(t *testing.T) {
	t.Parallel()
	fake, env := awsEnv(t, stsConfig, stsCreds)
	ctx := context.Background()

	r, err := Obtain(ctx, ObtainOptions{Env: env, Profile: "static"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.getSessionToken(ctx, r.Credentials, sessionTokenOptions{Duration: 2 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if !c.Temporary() || !c.CanExpire() {
		t.Fatalf("got %+v, want temporary credentials with an expiry", c)
	}
	calls := fake.Calls()
	if len(calls) != 1 || calls[0].Action != "GetSessionToken" || calls[0].SignedBy != "AKIASTATICEXAMPLE0001" {
		t.Fatalf("calls = %+v, want one GetSessionToken signed by the static key", calls)
	}
	if got := calls[0].Form.Get("DurationSeconds"); got != "7200" {
		t.Errorf("DurationSeconds = %q, want 7200", got)
	}

	// Temporary credentials are returned as they are, with no STS call.
	if _, err := r.getSessionToken(ctx, c, sessionTokenOptions{}); err != nil || fake.Count("") != 1 {
		t.Errorf("second call: err %v, %d calls; want no new call", err, fake.Count(""))
	}
}

func TestGetSessionTokenMFA(t *testing.T) {
	t.Parallel()
	fake, env := awsEnv(t, stsConfig, stsCreds)
	ctx := context.Background()
	r, err := Obtain(ctx, ObtainOptions{Env: env, Profile: "mfa"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.getSessionToken(ctx, r.Credentials, sessionTokenOptions{})
	var e *Error
	if !errors.As(err, &e) || e.Kind != ErrMFARequired || e.Action != ActionMFACode {
		t.Fatalf("without a code: err = %#v, want ErrMFARequired with ActionMFACode", err)
	}
	if _, err := r.getSessionToken(ctx, r.Credentials, sessionTokenOptions{MFA: func() (string, error) { return "123456", nil }}); err != nil {
		t.Fatal(err)
	}
	f := fake.Calls()[0].Form
	if f.Get("SerialNumber") != "arn:aws:iam::123456789012:mfa/alice" || f.Get("TokenCode") != "123456" {
		t.Errorf("form = %v, want the profile's serial and the code", f)
	}
}

func TestAssumeRoleSignedBySource(t *testing.T) {
	t.Parallel()
	fake, env := awsEnv(t, stsConfig, stsCreds)
	r, err := Obtain(context.Background(), ObtainOptions{Env: env, Profile: "role"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Kind != KindAssumeRole || r.Region != "eu-central-1" || r.RoleARN != "arn:aws:iam::210987654321:role/Deploy" {
		t.Errorf("profile = %+v", r.Profile)
	}
	calls := fake.Calls()
	if len(calls) != 1 || calls[0].Action != "AssumeRole" || calls[0].SignedBy != "AKIASTATICEXAMPLE0001" {
		t.Fatalf("calls = %+v, want one AssumeRole signed by the source profile's key", calls)
	}
	// An hour, as the AWS CLI asks, not the Go SDK's 15 minutes.
	if got := calls[0].Form.Get("DurationSeconds"); got != "3600" {
		t.Errorf("DurationSeconds = %q, want 3600", got)
	}
	if r.Credentials.AccountID != "210987654321" {
		t.Errorf("AccountID = %q, want 210987654321", r.Credentials.AccountID)
	}
}
