package engine

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/awsxc/awsxc/internal/fakeaws"
)

const obtainConfig = `[profile static]
region = eu-west-1
[profile session]
[profile role]
role_arn = arn:aws:iam::210987654321:role/Deploy
source_profile = static
region = eu-central-1
[profile mfauser]
mfa_serial = arn:aws:iam::123456789012:mfa/alice
[profile proc]
credential_process = printf '{"Version":1,"AccessKeyId":"ASIAPROC","SecretAccessKey":"s","SessionToken":"t","Expiration":"2099-01-02T03:04:05Z"}'
[profile procexpired]
credential_process = printf '{"Version":1,"AccessKeyId":"ASIAOLD","SecretAccessKey":"s","SessionToken":"t","Expiration":"2000-01-01T00:00:00Z"}'
[profile empty]
region = eu-west-3
`

const obtainCreds = `[static]
aws_access_key_id = AKIASTATICEXAMPLE0001
aws_secret_access_key = staticsecret
[session]
aws_access_key_id = ASIASESSIONEXAMPLE01
aws_secret_access_key = sessionsecret
aws_session_token = sessiontoken
[mfauser]
aws_access_key_id = AKIAMFAUSEREXAMPLE01
aws_secret_access_key = mfausersecret
`

// obtainResult is what a test compares of one Obtain call.
type obtainResult struct {
	Key       string // the access key id; ASIAFAKE keys as ASIAFAKE<n>
	Temporary bool
	Cached    bool
	Kind      error  // the sentinel of a failure
	Action    Action // and its action
	Calls     []string
}

func summarize(t *testing.T, r *Resolved, err error, calls []string) obtainResult {
	t.Helper()
	var got obtainResult
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("error %v is not an *Error", err)
		}
		got.Kind, got.Action = e.Kind, e.Action
	} else {
		got.Key, got.Temporary, got.Cached = r.Credentials.AccessKeyID, r.Credentials.Temporary(), r.Cached
	}
	got.Calls = calls
	return got
}

var errorsByIdentity = cmp.Comparer(func(a, b error) bool { return a == b })

// TestObtain covers the pipeline without a cache: what each option makes
// of each kind of profile, and which STS calls it costs.
func TestObtain(t *testing.T) {
	t.Parallel()
	code := func() (string, error) { return "123456", nil }
	noCode := func() (string, error) { return "", errors.New("no code given") }
	for _, tc := range []struct {
		name string
		opts ObtainOptions
		want obtainResult
	}{
		{"static_as_they_are", ObtainOptions{Profile: "static"},
			obtainResult{Key: "AKIASTATICEXAMPLE0001"}},
		{"session_as_they_are", ObtainOptions{Profile: "session"},
			obtainResult{Key: "ASIASESSIONEXAMPLE01", Temporary: true}},
		{"role_assumed_with_the_source_keys", ObtainOptions{Profile: "role"},
			obtainResult{Key: "ASIAFAKE0001EXAMPLE", Temporary: true, Calls: []string{"AssumeRole by AKIASTATICEXAMPLE0001"}}},
		{"ensure_temporary_exchanges_long_term_keys", ObtainOptions{Profile: "static", EnsureTemporary: true, SessionDuration: 2 * time.Hour},
			obtainResult{Key: "ASIAFAKE0001EXAMPLE", Temporary: true, Calls: []string{"GetSessionToken by AKIASTATICEXAMPLE0001 for 7200 s"}}},
		{"ensure_temporary_keeps_a_session", ObtainOptions{Profile: "session", EnsureTemporary: true},
			obtainResult{Key: "ASIASESSIONEXAMPLE01", Temporary: true}},
		{"ensure_temporary_keeps_a_role_session", ObtainOptions{Profile: "role", EnsureTemporary: true},
			obtainResult{Key: "ASIAFAKE0001EXAMPLE", Temporary: true, Calls: []string{"AssumeRole by AKIASTATICEXAMPLE0001"}}},
		{"ensure_temporary_mfa_code", ObtainOptions{Profile: "mfauser", EnsureTemporary: true, MFA: code},
			obtainResult{Key: "ASIAFAKE0001EXAMPLE", Temporary: true,
				Calls: []string{"GetSessionToken by AKIAMFAUSEREXAMPLE01 with arn:aws:iam::123456789012:mfa/alice 123456"}}},
		{"ensure_temporary_mfa_serial_override", ObtainOptions{Profile: "static", EnsureTemporary: true, MFA: code, MFASerial: "arn:aws:iam::123456789012:mfa/bob"},
			obtainResult{Key: "ASIAFAKE0001EXAMPLE", Temporary: true,
				Calls: []string{"GetSessionToken by AKIASTATICEXAMPLE0001 with arn:aws:iam::123456789012:mfa/bob 123456"}}},
		{"ensure_temporary_mfa_without_provider", ObtainOptions{Profile: "mfauser", EnsureTemporary: true},
			obtainResult{Kind: ErrMFARequired, Action: ActionMFACode}},
		{"ensure_temporary_mfa_provider_fails", ObtainOptions{Profile: "mfauser", EnsureTemporary: true, MFA: noCode},
			obtainResult{Kind: ErrMFARequired, Action: ActionMFACode}},
		{"mfa_serial_ignored_without_ensure_temporary", ObtainOptions{Profile: "mfauser"},
			obtainResult{Key: "AKIAMFAUSEREXAMPLE01"}},
		{"process", ObtainOptions{Profile: "proc"},
			obtainResult{Key: "ASIAPROC", Temporary: true}},
		{"expired_credentials_refused", ObtainOptions{Profile: "procexpired"},
			obtainResult{Kind: ErrResolve}},
		{"unknown_profile", ObtainOptions{Profile: "nope"},
			obtainResult{Kind: ErrProfileNotFound, Action: ActionCheckProfileName}},
		{"no_default_profile", ObtainOptions{Profile: "default"},
			obtainResult{Kind: ErrNoCredentials, Action: ActionConfigure}},
		{"profile_without_credentials", ObtainOptions{Profile: "empty"},
			obtainResult{Kind: ErrNoCredentials}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake, env := awsEnv(t, obtainConfig, obtainCreds)
			opts := tc.opts
			opts.Env = env
			r, err := Obtain(context.Background(), opts)
			if diff := cmp.Diff(tc.want, summarize(t, r, err, stsCalls(fake.Calls())), errorsByIdentity); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestObtainCache runs sequences of calls on one cache file. The cache
// is keyed by identity, which is a security property: credentials
// cached for one profile, configuration or set of options are never
// handed out for another.
func TestObtainCache(t *testing.T) {
	t.Parallel()
	type call struct {
		opts ObtainOptions
		// before runs first: it may move the clock or change the files.
		before func(t *testing.T, env Env, clk *testClock)
		want   obtainResult
	}
	cache := func(file string) *CacheOptions { return &CacheOptions{File: file, Buffer: 10 * time.Minute} }
	role := func(c *CacheOptions) ObtainOptions { return ObtainOptions{Profile: "role", Cache: c} }
	assumed := func(n string) obtainResult {
		return obtainResult{Key: "ASIAFAKE" + n + "EXAMPLE", Temporary: true, Calls: []string{"AssumeRole by AKIASTATICEXAMPLE0001"}}
	}
	hit := func(n string) obtainResult {
		return obtainResult{Key: "ASIAFAKE" + n + "EXAMPLE", Temporary: true, Cached: true}
	}
	for _, tc := range []struct {
		name  string
		calls []call
	}{
		{"hit_after_miss", []call{
			{opts: role(cache("c.json")), want: assumed("0001")},
			{opts: role(cache("c.json")), want: hit("0001")},
		}},
		{"refresh_skips_the_read_and_saves", []call{
			{opts: role(cache("c.json")), want: assumed("0001")},
			{opts: role(&CacheOptions{File: "c.json", Buffer: 10 * time.Minute, Refresh: true}), want: assumed("0002")},
			{opts: role(cache("c.json")), want: hit("0002")},
		}},
		{"another_profile_misses", []call{
			{opts: role(cache("c.json")), want: assumed("0001")},
			{opts: ObtainOptions{Profile: "proc", Cache: cache("c.json")}, want: obtainResult{Key: "ASIAPROC", Temporary: true}},
		}},
		{"another_configuration_misses", []call{
			{opts: role(cache("c.json")), want: assumed("0001")},
			{before: func(t *testing.T, env Env, _ *testClock) {
				rotated := strings.Replace(obtainCreds, "staticsecret", "rotatedsecret", 1)
				if err := os.WriteFile(env.CredentialsFile, []byte(rotated), 0o600); err != nil {
					t.Fatal(err)
				}
			}, opts: role(cache("c.json")), want: assumed("0002")},
		}},
		{"other_options_miss", []call{
			{opts: ObtainOptions{Profile: "static", EnsureTemporary: true, Cache: cache("c.json")},
				want: obtainResult{Key: "ASIAFAKE0001EXAMPLE", Temporary: true, Calls: []string{"GetSessionToken by AKIASTATICEXAMPLE0001"}}},
			{opts: ObtainOptions{Profile: "static", EnsureTemporary: true, SessionDuration: time.Hour, Cache: cache("c.json")},
				want: obtainResult{Key: "ASIAFAKE0002EXAMPLE", Temporary: true, Calls: []string{"GetSessionToken by AKIASTATICEXAMPLE0001 for 3600 s"}}},
			{opts: ObtainOptions{Profile: "static", EnsureTemporary: true, SessionDuration: time.Hour, Cache: cache("c.json")},
				want: obtainResult{Key: "ASIAFAKE0002EXAMPLE", Temporary: true, Cached: true}},
			{opts: ObtainOptions{Profile: "static", EnsureTemporary: true, SessionDuration: time.Hour, MFASerial: "arn:aws:iam::123456789012:mfa/bob",
				MFA: func() (string, error) { return "123456", nil }, Cache: cache("c.json")},
				want: obtainResult{Key: "ASIAFAKE0003EXAMPLE", Temporary: true,
					Calls: []string{"GetSessionToken by AKIASTATICEXAMPLE0001 for 3600 s with arn:aws:iam::123456789012:mfa/bob 123456"}}},
			// Without --ensure-temporary the long-term keys are no
			// cache hit for the exchanged ones.
			{opts: ObtainOptions{Profile: "static", Cache: cache("c.json")}, want: obtainResult{Key: "AKIASTATICEXAMPLE0001"}},
		}},
		{"long_term_keys_never_cached", []call{
			{opts: ObtainOptions{Profile: "static", Cache: cache("static.json")}, want: obtainResult{Key: "AKIASTATICEXAMPLE0001"}},
			{before: func(t *testing.T, env Env, _ *testClock) {
				if _, err := os.Stat(filepath.Join(env.Dir, "static.json")); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("long-term keys were cached: %v", err)
				}
			}, opts: ObtainOptions{Profile: "static", Cache: cache("static.json")}, want: obtainResult{Key: "AKIASTATICEXAMPLE0001"}},
		}},
		{"expiring_within_the_buffer_misses", []call{
			{opts: role(cache("c.json")), want: assumed("0001")},
			{before: func(_ *testing.T, _ Env, clk *testClock) { clk.Add(49 * time.Minute) }, opts: role(cache("c.json")), want: hit("0001")},
			{before: func(_ *testing.T, _ Env, clk *testClock) { clk.Add(2 * time.Minute) }, opts: role(cache("c.json")), want: assumed("0002")},
		}},
		// A negative buffer lets credentials that expired a moment ago
		// through, as aws-export-credentials does.
		{"negative_buffer", []call{
			{opts: role(cache("c.json")), want: assumed("0001")},
			{before: func(_ *testing.T, _ Env, clk *testClock) { clk.Add(65 * time.Minute) },
				opts: role(&CacheOptions{File: "c.json", Buffer: -10 * time.Minute}), want: hit("0001")},
		}},
		{"corrupt_cache_misses_and_is_replaced", []call{
			{before: func(t *testing.T, env Env, _ *testClock) {
				if err := os.WriteFile(filepath.Join(env.Dir, "c.json"), []byte("{not json"), 0o600); err != nil {
					t.Fatal(err)
				}
			}, opts: role(cache("c.json")), want: assumed("0001")},
			{opts: role(cache("c.json")), want: hit("0001")},
		}},
		{"default_file_per_profile", []call{
			{opts: role(cache("")), want: assumed("0001")},
			{opts: role(cache("")), want: hit("0001")},
			{before: func(t *testing.T, env Env, _ *testClock) {
				want, _ := defaultCachePath(env, "role")
				if _, err := os.Stat(want); err != nil {
					t.Errorf("default cache file: %v", err)
				}
			}, opts: role(cache("~/c.json")), want: assumed("0002")},
			{before: func(t *testing.T, env Env, _ *testClock) {
				if _, err := os.Stat(filepath.Join(env.Home, "c.json")); err != nil {
					t.Errorf("~ not expanded to the home folder: %v", err)
				}
			}, opts: role(cache("~/c.json")), want: hit("0002")},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake, clk, env := obtainEnv(t)
			for i, c := range tc.calls {
				if c.before != nil {
					c.before(t, env, clk)
				}
				before := len(fake.Calls())
				opts := c.opts
				opts.Env = env
				r, err := Obtain(context.Background(), opts)
				got := summarize(t, r, err, stsCalls(fake.Calls()[before:]))
				if diff := cmp.Diff(c.want, got, errorsByIdentity); diff != "" {
					t.Fatalf("call %d (-want +got):\n%s", i+1, diff)
				}
			}
		})
	}
}

// TestObtainCacheKey pins the identity key written to the cache file.
func TestObtainCacheKey(t *testing.T) {
	t.Parallel()
	_, _, env := obtainEnv(t)
	ctx := context.Background()
	r, err := Obtain(ctx, ObtainOptions{Env: env, Profile: "static", EnsureTemporary: true, SessionDuration: time.Hour,
		MFASerial: "arn:aws:iam::123456789012:mfa/bob", MFA: func() (string, error) { return "1", nil },
		Cache: &CacheOptions{File: "k.json"}})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(env.Dir, "k.json"))
	if err != nil {
		t.Fatal(err)
	}
	var e cacheEntry
	if err := json.Unmarshal(data, &e); err != nil {
		t.Fatal(err)
	}
	want := "profile=static;config=" + r.Fingerprint + ";temporary=true;duration=3600;mfa=arn:aws:iam::123456789012:mfa/bob"
	if e.Key != want {
		t.Errorf("cache key = %q, want %q", e.Key, want)
	}
}

func TestObtainCachePathErrors(t *testing.T) {
	t.Parallel()
	fake, _, env := obtainEnv(t)
	ctx := context.Background()
	for name, env := range map[string]Env{
		"no_home":         func() Env { e := env; e.Home = ""; return e }(),
		"no_cache_folder": func() Env { e := env; e.CacheDir = ""; return e }(),
	} {
		file := "~/c.json"
		if name == "no_cache_folder" {
			file = ""
		}
		_, err := Obtain(ctx, ObtainOptions{Env: env, Profile: "role", Cache: &CacheOptions{File: file}})
		var e *Error
		if err == nil || errors.As(err, &e) || !strings.HasPrefix(err.Error(), "cache: ") {
			t.Errorf("%s: err = %v, want a cache path error", name, err)
		}
	}
	if n := fake.Count(""); n != 0 {
		t.Errorf("%d STS calls before the cache path was known, want none", n)
	}
}

// obtainEnv is awsEnv with the obtain files and a test clock that the
// fake STS shares.
func obtainEnv(t *testing.T) (*fakeaws.Server, *testClock, Env) {
	t.Helper()
	fake, env := awsEnv(t, obtainConfig, obtainCreds)
	clk := newTestClock()
	fake.SetNow(clk.Now)
	env.Clock = clk
	return fake, clk, env
}

// stsCalls describes calls for comparison: "AssumeRole by KEY", with
// the duration asked for and the MFA serial and code when given.
func stsCalls(calls []fakeaws.Call) []string {
	var out []string
	for _, c := range calls {
		d := c.Action + " by " + c.SignedBy
		if v := c.Form.Get("DurationSeconds"); v != "" && c.Action == "GetSessionToken" {
			d += " for " + v + " s"
		}
		if v := c.Form.Get("SerialNumber"); v != "" {
			d += " with " + v + " " + c.Form.Get("TokenCode")
		}
		out = append(out, d)
	}
	return out
}
