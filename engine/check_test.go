package engine

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/awsxc/awsxc/internal/fakeaws"
)

// TestIssue10Item13RoleWithoutSource: a role_arn with neither
// source_profile nor credential_source is refused at once, with the AWS
// CLI's reason, and nothing is contacted: not the metadata service (a
// listener stands in for it, enabled for the SDK), not STS, not the
// profile's credential_process. Without the check the Go SDK goes to the
// metadata service, or signs with the profile's own keys or process. It
// enables the metadata service in this process, so it does not run in
// parallel.
func TestIssue10Item13RoleWithoutSource(t *testing.T) {
	var accepted atomic.Int32
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			defer c.Close() // never answers, as a silent metadata service
		}
	}()
	t.Setenv("AWS_EC2_METADATA_DISABLED", "false")
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://"+ln.Addr().String())

	fake := fakeaws.New()
	t.Cleanup(fake.Close)
	dir, env := compatEnv(t, fake, "13")
	_, env13b := compatEnv(t, fake, "13b")
	marker := filepath.Join(dir, "MARKER")
	for _, tc := range []struct {
		profile string
		env     Env
		want    string
	}{
		{"norole", env, `profile "norole": invalid configuration: it has role_arn but neither source_profile nor credential_source (the AWS CLI: "Partial credentials found in assume-role, missing: source_profile or credential_source"); add source_profile or credential_source, or remove role_arn`},
		{"rolekeys", env, `profile "rolekeys": invalid configuration: it has role_arn but neither source_profile nor credential_source`},
		{"roleproc", env, `profile "roleproc": invalid configuration: it has role_arn but neither source_profile nor credential_source`},
		{"top", env, `profile "top": invalid configuration: its source profile "middle" has role_arn but neither source_profile nor credential_source`},
		{"emptysrc", env13b, `profile "emptysrc": invalid configuration: it has an empty source_profile`},
		{"both", env13b, `profile "both": invalid configuration: it sets both source_profile and credential_source`},
		{"badsource", env13b, `profile "badsource": invalid configuration: it has credential_source "Nonsense", which is not a valid source`},
		{"keyscs", env13b, `profile "keyscs": invalid configuration: it sets keys as well as role_arn and credential_source: the AWS CLI would assume the role from credential_source, the Go SDK with the keys; remove the keys from the profile`},
		{"keyswebid", env13b, `profile "keyswebid": invalid configuration: it sets keys as well as role_arn and web_identity_token_file: the AWS CLI would assume the role with the token, the Go SDK with the keys; remove the keys from the profile`},
	} {
		t.Run(tc.profile, func(t *testing.T) {
			_, err := Obtain(context.Background(), ObtainOptions{Env: tc.env, Profile: tc.profile})
			if errorKind(err) != ErrInvalidConfig || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("err = %v\nwant ErrInvalidConfig starting %q", err, tc.want)
			}
		})
	}
	if n := accepted.Load(); n != 0 {
		t.Errorf("the metadata service stand-in got %d connections, want none", n)
	}
	if calls := callsOf(fake, 0); len(calls) != 0 {
		t.Errorf("STS calls %v, want none", calls)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("the credential_process of roleproc ran")
	}
}

// TestIssue10Item13AWSCLI: the AWS CLI refuses the same profile with the
// words awsxc quotes.
func TestIssue10Item13AWSCLI(t *testing.T) {
	t.Parallel()
	needAWSCLI(t)
	fake := fakeaws.New()
	t.Cleanup(fake.Close)
	_, env := compatEnv(t, fake, "13")
	r := awsCLI(t, fake, env, "", "configure", "export-credentials", "--profile", "norole")
	if r.code == 0 || !strings.Contains(r.stderr, "Partial credentials found in assume-role, missing: source_profile or credential_source") {
		t.Errorf("aws: exit %d, stderr %q; want the partial-credentials refusal", r.code, r.stderr)
	}
}

// TestIssue10Item14SourceKeysAndRole: a source profile with keys and a
// role_arn of its own gives what the AWS CLI gives: one AssumeRole of the
// requested role, signed with the source's keys (the Go SDK alone first
// assumes the source's own role, then the requested one with that). The
// neighbouring cases every tool agrees on stay as they are. The AWS CLI
// is run on the same files against the same fake, and its calls compared
// with awsxc's.
func TestIssue10Item14SourceKeysAndRole(t *testing.T) {
	t.Parallel()
	fake := fakeaws.New()
	t.Cleanup(fake.Close)
	_, env := compatEnv(t, fake, "14")
	cases := []struct {
		profile string
		calls   []string
		chain   []string
	}{
		{"a", []string{"AssumeRole RoleA by AKIABCREDSKEY0000001"}, []string{
			"a (assume-role arn:aws:iam::123456789012:role/RoleA)",
			"b (static key AKIA…0001; its own role_arn is not used, as in the AWS CLI)"}},
		{"a2", []string{"AssumeRole RoleA2 by AKIAB2CONFIGKEY00002"}, []string{
			"a2 (assume-role arn:aws:iam::123456789012:role/RoleA2)",
			"b2 (static key AKIA…0002; its own role_arn is not used, as in the AWS CLI)"}},
		{"self", []string{"AssumeRole RoleSelf by AKIASELFKEY000000003"}, []string{
			"self (assume-role arn:aws:iam::123456789012:role/RoleSelf)",
			"self (static key AKIA…0003)"}},
		{"top", []string{"AssumeRole RoleTop by AKIACCREDSKEY0000009"}, []string{
			"top (assume-role arn:aws:iam::123456789012:role/RoleTop)",
			"c (static key AKIA…0009)"}},
	}
	for _, tc := range cases {
		t.Run(tc.profile, func(t *testing.T) {
			before := len(fake.Calls())
			r, err := Obtain(context.Background(), ObtainOptions{Env: env, Profile: tc.profile})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.calls, callsOf(fake, before)); diff != "" {
				t.Errorf("STS calls (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.chain, r.Chain); diff != "" {
				t.Errorf("chain (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("aws_cli", func(t *testing.T) {
		needAWSCLI(t)
		for _, tc := range cases {
			before := len(fake.Calls())
			r := awsCLI(t, fake, env, "", "configure", "export-credentials", "--profile", tc.profile)
			if r.code != 0 {
				t.Fatalf("aws --profile %s: exit %d: %s", tc.profile, r.code, r.stderr)
			}
			if diff := cmp.Diff(tc.calls, callsOf(fake, before)); diff != "" {
				t.Errorf("the AWS CLI's STS calls for %s differ from awsxc's (-awsxc +aws):\n%s", tc.profile, diff)
			}
		}
	})
}

// tokenRecorder is a proxy in front of the fake STS that records the
// session token each request was signed with (X-Amz-Security-Token),
// which the fake does not record.
type tokenRecorder struct {
	*httptest.Server
	mu     sync.Mutex
	tokens []string
}

func newTokenRecorder(t *testing.T, fake *fakeaws.Server) *tokenRecorder {
	u, _ := url.Parse(fake.URL)
	proxy := httputil.NewSingleHostReverseProxy(u)
	r := &tokenRecorder{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.tokens = append(r.tokens, req.Header.Get("X-Amz-Security-Token"))
		r.mu.Unlock()
		proxy.ServeHTTP(w, req)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *tokenRecorder) Tokens() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.tokens...)
}

// TestIssue10Item15SecurityToken: aws_security_token, the old name of the
// session token that botocore reads, is honoured, for a profile's own
// keys and for a source profile's; different values under both names are
// refused (botocore takes aws_security_token, the Go SDK
// aws_session_token). Without it an ASIA key goes out without its token.
func TestIssue10Item15SecurityToken(t *testing.T) {
	t.Parallel()
	fake := fakeaws.New()
	t.Cleanup(fake.Close)
	rec := newTokenRecorder(t, fake)
	dir := t.TempDir()
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join("testdata", "compat", "15", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	cf, kf := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	os.WriteFile(cf, []byte(fakeaws.WithEndpoint(read("config"), rec.URL)), 0o600)
	os.WriteFile(kf, []byte(read("credentials")), 0o600)
	env := Env{ConfigFile: cf, CredentialsFile: kf, Home: dir, Dir: dir}

	for _, tc := range []struct {
		profile, key, token string
		err                 string
	}{
		{profile: "legacy", key: "ASIALEGACYKEY0000001", token: "tokenFromSecurityToken"},
		{profile: "legacycfg", key: "ASIALEGACYCFG0000004", token: "tokenFromSecurityTokenInConfig"},
		{profile: "both", err: `profile "both": invalid configuration: it sets aws_session_token and aws_security_token to different values`},
		{profile: "bothrev", err: `profile "bothrev": invalid configuration: it sets aws_session_token and aws_security_token to different values`},
		{profile: "viarole", key: "ASIAFAKE"},
		// An ASIA key with no token at all cannot sign anything: never
		// handed out as a success.
		{profile: "notoken", err: `profile "notoken": invalid configuration: its key ASIA…0005 is a temporary key (ASIA), but no aws_session_token goes with it; add its session token, or get new credentials`},
		{profile: "vianotoken", err: `profile "vianotoken": invalid configuration: the key of its source profile "notoken", ASIA…0005 is a temporary key (ASIA)`},
	} {
		t.Run(tc.profile, func(t *testing.T) {
			r, err := Obtain(context.Background(), ObtainOptions{Env: env, Profile: tc.profile})
			if tc.err != "" {
				if errorKind(err) != ErrInvalidConfig || !strings.HasPrefix(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(r.Credentials.AccessKeyID, tc.key) || (tc.token != "" && r.Credentials.SessionToken != tc.token) {
				t.Errorf("got %s with token %q, want %s with %q", r.Credentials.AccessKeyID, r.Credentials.SessionToken, tc.key, tc.token)
			}
			if r.Kind != KindSession && tc.token != "" {
				t.Errorf("kind %s, want session", r.Kind)
			}
		})
	}
	// The role's AssumeRole was signed with the source's key and its
	// aws_security_token.
	if diff := cmp.Diff([]string{"tokenFromSecurityToken"}, rec.Tokens()); diff != "" {
		t.Errorf("X-Amz-Security-Token of the STS calls (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"AssumeRole ViaLegacy by ASIALEGACYKEY0000001"}, callsOf(fake, 0)); diff != "" {
		t.Errorf("STS calls (-want +got):\n%s", diff)
	}
}

// TestIssue10Item17Duplicates: a profile whose section, or one of whose
// keys, appears twice in a file is refused (the Go SDK would merge the
// sections into a key pair that cannot be valid; the AWS CLI refuses the
// whole file); the other profiles of that file resolve, with a warning,
// and the listing marks the profile invalid.
func TestIssue10Item17Duplicates(t *testing.T) {
	t.Parallel()
	fake := fakeaws.New()
	t.Cleanup(fake.Close)
	for _, tc := range []struct {
		item, profile, err string
		other, warning     string
	}{
		{item: "17", profile: "x", err: `config file PATH: [profile x] appears twice (lines 2 and 10), which the AWS CLI refuses and the Go SDK would merge into one; remove or rename one of them`,
			other: "other", warning: `config file PATH: [profile x] appears twice (lines 2 and 10): the AWS CLI refuses the whole file`},
		{item: "23", profile: "x", err: `credentials file PATH: [x] appears twice (lines 2 and 6), which the AWS CLI refuses`},
		{item: "17c", profile: "x", err: `config file PATH: [profile x] sets aws_access_key_id twice (lines 3 and 4)`},
		{item: "17d", profile: "default", err: `config file PATH: [profile default] appears twice (lines 2 and 6)`},
		{item: "17e", profile: "dupe", err: `config file PATH: [profile   dupe] appears twice (lines 2 and 6)`, other: "fine"},
	} {
		t.Run(tc.item, func(t *testing.T) {
			_, env := compatEnv(t, nil, tc.item)
			path := env.ConfigFile
			if tc.item == "23" {
				path = env.CredentialsFile
			}
			want := strings.ReplaceAll(tc.err, "PATH", path)
			_, err := Obtain(context.Background(), ObtainOptions{Env: env, Profile: tc.profile})
			if errorKind(err) != ErrInvalidConfig || !strings.Contains(err.Error(), want) {
				t.Errorf("err = %v\nwant ErrInvalidConfig with %q", err, want)
			}
			l, err := ListProfiles(env)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range l.Profiles {
				if p.Name == tc.profile && (p.Err == nil || p.Kind != "") {
					t.Errorf("listed as %q (%v), want invalid", p.Kind, p.Err)
				}
			}
			if len(l.Warnings) == 0 {
				t.Error("the listing gives no warning")
			}
			if tc.other == "" {
				return
			}
			p, err := Load(context.Background(), Options{Env: env, Profile: tc.other})
			if err != nil {
				t.Fatalf("profile %s: %v", tc.other, err)
			}
			if len(p.Warnings) == 0 || (tc.warning != "" && p.Warnings[0] != FileWarning{File: path, Text: strings.ReplaceAll(tc.warning, "PATH", path)}) {
				t.Errorf("warnings %q, want %q", p.Warnings, tc.warning)
			}
		})
	}
	// [x] and [profile x] in the config file are not one profile twice:
	// bare [x] is no profile there, for any tool.
	t.Run("17b", func(t *testing.T) {
		_, env := compatEnv(t, nil, "17b")
		r, err := Obtain(context.Background(), ObtainOptions{Env: env, Profile: "x"})
		if err != nil || r.Credentials.AccessKeyID != "AKIAPROFILEXSECTION2" || len(r.Warnings) != 0 {
			t.Errorf("got %+v, %v; want [profile x]'s keys and no warning", r, err)
		}
	})
	t.Run("aws_cli", func(t *testing.T) {
		needAWSCLI(t)
		_, env := compatEnv(t, fake, "17")
		r := awsCLI(t, fake, env, "", "configure", "export-credentials", "--profile", "other")
		if r.code == 0 || !strings.Contains(r.stderr, "Unable to parse config file") {
			t.Errorf("aws: exit %d, stderr %q; want it to refuse the file", r.code, r.stderr)
		}
	})
}
