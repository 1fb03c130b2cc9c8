package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/google/go-cmp/cmp"

	"github.com/awsxc/awsxc/internal/fakeaws"
)

const testStartURL = "https://d-1234567890.awsapps.com/start"

// ssoFixture is a home folder with a config file whose [default] profile
// sends the portal and OIDC calls to fakes of their own, so that tests
// run in parallel.
type ssoFixture struct {
	fakes   *fakeaws.Fakes
	env     Env
	lockDir string
	config  []byte // the config file as the test wrote it
}

// ssoServices is a services section that sends the SSO portal and OIDC
// calls of the profiles that name it to the fakes.
func ssoServices(name, portal, oidc string) string {
	return fmt.Sprintf("[services %s]\nsso =\n  endpoint_url = %s\nsso_oidc =\n  endpoint_url = %s\n", name, portal, oidc)
}

// newSSOFixture writes config (%[1]s in it is the services section's
// name) with a services section for the fakes appended.
func newSSOFixture(t testing.TB, config string) *ssoFixture {
	t.Helper()
	f := fakeaws.StartAll()
	t.Cleanup(f.Close)
	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	if err := os.MkdirAll(filepath.Join(home, ".aws", "sso", "cache"), 0o700); err != nil {
		t.Fatal(err)
	}
	x := &ssoFixture{fakes: f, lockDir: filepath.Join(dir, "run"),
		env: Env{Home: home, ConfigFile: filepath.Join(home, ".aws", "config"), CredentialsFile: filepath.Join(home, ".aws", "credentials")}}
	x.config = []byte(config + "\n" + ssoServices("fake", f.STS.URL, f.OIDC.URL))
	if err := os.WriteFile(x.env.ConfigFile, x.config, 0o600); err != nil {
		t.Fatal(err)
	}
	return x
}

const ssoFixtureConfig = `# my AWS config
[default]
region = us-east-1
services = fake

[profile hand]
sso_session = my-sso
sso_account_id = 999999999999
sso_role_name = Mine
region = eu-west-1

[sso-session my-sso]
sso_start_url = ` + testStartURL + `
sso_region = eu-west-1
sso_registration_scopes = sso:account:access
`

// signIn signs in to the OIDC fake with the device flow and writes the
// token cache for session as aws sso login does; it returns the path.
func (x *ssoFixture) signIn(t testing.TB, session string, expiresAt time.Time) string {
	t.Helper()
	c := ssooidc.New(ssooidc.Options{Region: "eu-west-1", BaseEndpoint: aws.String(x.fakes.OIDC.URL)})
	ctx := context.Background()
	reg, err := c.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("botocore-client-" + session),
		ClientType: aws.String("public"), Scopes: []string{"sso:account:access"}})
	if err != nil {
		t.Fatal(err)
	}
	dev, err := c.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: reg.ClientId,
		ClientSecret: reg.ClientSecret, StartUrl: aws.String(testStartURL)})
	if err != nil {
		t.Fatal(err)
	}
	if err := x.fakes.OIDC.ApproveDevice(*dev.UserCode); err != nil {
		t.Fatal(err)
	}
	tok, err := c.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
		GrantType: aws.String("urn:ietf:params:oauth:grant-type:device_code"), DeviceCode: dev.DeviceCode})
	if err != nil {
		t.Fatal(err)
	}
	ts := func(tm time.Time) string { return tm.UTC().Format("2006-01-02T15:04:05Z") }
	fields := fmt.Sprintf(`{"startUrl": %q, "region": "eu-west-1", "accessToken": %q, "expiresAt": %q, "clientId": %q, "clientSecret": %q, "registrationExpiresAt": %q`,
		testStartURL, *tok.AccessToken, ts(expiresAt), *reg.ClientId, *reg.ClientSecret, ts(time.Unix(reg.ClientSecretExpiresAt, 0)))
	if tok.RefreshToken != nil {
		fields += fmt.Sprintf(`, "refreshToken": %q`, *tok.RefreshToken)
	}
	path := ssoTokenPath(x.env.Home, session)
	if err := os.WriteFile(path, []byte(fields+"}"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func (x *ssoFixture) sync(t testing.TB, o SSOSyncOptions) (*SSOSyncResult, error) {
	t.Helper()
	o.Env = x.env
	if o.LockDir == "" {
		o.LockDir = x.lockDir
	}
	return SyncSSO(context.Background(), o)
}

func (x *ssoFixture) read(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(x.env.ConfigFile)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func profileNamesOf(ps []SyncedProfile) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Name
	}
	slices.Sort(out)
	return out
}

// wantRoles is the block's profiles for accounts, as the default
// template names them, sorted by name.
func wantNames(accounts []fakeaws.Account) []string {
	var out []string
	for _, a := range accounts {
		for _, r := range a.Roles {
			out = append(out, a.Name+"."+r)
		}
	}
	slices.Sort(out)
	return out
}

// TestSyncSSO300Roles syncs 300 roles over 100 accounts, paginated, with
// a throttling reply in the middle; then syncs again after roles were
// removed and added.
func TestSyncSSO300Roles(t *testing.T) {
	t.Parallel()
	x := newSSOFixture(t, ssoFixtureConfig)
	x.signIn(t, "my-sso", time.Now().Add(time.Hour))
	accounts := fakeaws.GenerateAccounts(100, 3)
	portal := x.fakes.STS.Portal()
	portal.SetAccounts(accounts)
	// ListAccounts comes 20 a page: 5 pages. Its 4th call is throttled
	// twice, which the SDK's retryer retries.
	portal.ThrottleAfter(3, 2)

	res, err := x.sync(t, SSOSyncOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantNames(accounts), profileNamesOf(res.Added)); diff != "" {
		t.Errorf("added (-want +got):\n%s", diff)
	}
	if len(res.Removed)+len(res.Updated)+res.Kept != 0 || len(res.Profiles) != 300 || !res.Written || res.Session != "my-sso" || res.Region != "eu-west-1" {
		t.Errorf("first sync: %d removed, %d updated, %d kept, %d profiles, written %v, session %q, region %q",
			len(res.Removed), len(res.Updated), res.Kept, len(res.Profiles), res.Written, res.Session, res.Region)
	}
	if want := (SyncCalls{ListAccounts: 5, ListAccountRoles: 100, Retries: 2}); res.Calls != want {
		t.Errorf("calls = %+v, want %+v", res.Calls, want)
	}
	if n := x.fakes.STS.Count("ListAccounts"); n != 7 {
		t.Errorf("the portal saw %d ListAccounts calls, want 7 (5 pages, 2 throttled)", n)
	}
	if n := x.fakes.STS.Count("GetRoleCredentials"); n != 0 {
		t.Errorf("the sync fetched role credentials %d times", n)
	}
	got := x.read(t)
	if !bytes.HasPrefix(got, x.config) {
		t.Fatalf("the sync changed the file before its block:\n%s", got)
	}
	checkReadBack(t, x.env.ConfigFile, res.Profiles, "my-sso")

	// Nothing changed: nothing is written.
	fi, _ := os.Stat(x.env.ConfigFile)
	res, err = x.sync(t, SSOSyncOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Changed || res.Written || res.Kept != 300 || len(res.Added)+len(res.Removed)+len(res.Updated) != 0 || res.Diff != "" {
		t.Errorf("unchanged sync: changed %v, written %v, kept %d, %d/%d/%d", res.Changed, res.Written, res.Kept, len(res.Added), len(res.Removed), len(res.Updated))
	}
	if fi2, _ := os.Stat(x.env.ConfigFile); !os.SameFile(fi, fi2) {
		t.Error("an unchanged sync replaced the file")
	}

	// Roles removed and added: account-005 is gone, account-010 lost
	// Role01, account-020 got Role03, and a new account came.
	next := slices.Clone(accounts)
	next = slices.Delete(next, 5, 6)
	next[9].Roles = []string{"Role00", "Role02"}
	next[19].Roles = append(slices.Clone(next[19].Roles), "Role03")
	next = append(next, fakeaws.Account{ID: "555555555555", Name: "New Team", Roles: []string{"Admin"}})
	portal.SetAccounts(next)
	before := x.read(t)
	res, err = x.sync(t, SSOSyncOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"New-Team.Admin", "account-020.Role03"}, profileNamesOf(res.Added)); diff != "" {
		t.Errorf("re-sync added (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"account-005.Role00", "account-005.Role01", "account-005.Role02", "account-010.Role01"}, profileNamesOf(res.Removed)); diff != "" {
		t.Errorf("re-sync removed (-want +got):\n%s", diff)
	}
	if res.Kept != 296 || len(res.Updated) != 0 || len(res.Profiles) != 298 {
		t.Errorf("re-sync kept %d, updated %d, %d profiles", res.Kept, len(res.Updated), len(res.Profiles))
	}
	after := x.read(t)
	checkOutsideBlock(t, before, after, "my-sso")
	checkReadBack(t, x.env.ConfigFile, res.Profiles, "my-sso")
	for _, gone := range []string{"account-005.Role00", "account-010.Role01"} {
		if _, err := config.LoadSharedConfigProfile(context.Background(), gone, func(o *config.LoadSharedConfigOptions) {
			o.ConfigFiles, o.CredentialsFiles = []string{x.env.ConfigFile}, []string{}
		}); err == nil {
			t.Errorf("profile %s is still there after its role went", gone)
		}
	}
}

// checkOutsideBlock checks that before and after differ only between the
// markers of session's block.
func checkOutsideBlock(t *testing.T, before, after []byte, session string) {
	t.Helper()
	span := func(data []byte) (int, int) {
		f := scanINI(data)
		b := scanSSOBlocks(f).find(session)
		if b == nil {
			t.Fatalf("no block for %s", session)
		}
		return f.lines[b.begin].start, f.lines[b.end].next
	}
	b0, b1 := span(before)
	a0, a1 := span(after)
	if !bytes.Equal(before[:b0], after[:a0]) || !bytes.Equal(before[b1:], after[a1:]) {
		t.Errorf("bytes outside the block changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// checkReadBack reads every profile of ps back with the Go SDK, botocore
// and the AWS CLI v2.
func checkReadBack(t *testing.T, configFile string, ps []SyncedProfile, session string) {
	t.Helper()
	files := func(o *config.LoadSharedConfigOptions) {
		o.ConfigFiles, o.CredentialsFiles = []string{configFile}, []string{}
	}
	for _, p := range ps {
		sc, err := config.LoadSharedConfigProfile(context.Background(), p.Name, files)
		if err != nil {
			t.Fatalf("Go SDK: profile %s: %v", p.Name, err)
		}
		got := SyncedProfile{Name: p.Name, AccountID: sc.SSOAccountID, RoleName: sc.SSORoleName, Region: sc.Region, AccountName: p.AccountName}
		if got != p || sc.SSOSessionName != session || sc.SSOSession == nil || sc.SSOSession.SSOStartURL != testStartURL {
			t.Fatalf("Go SDK reads profile %s as %+v (session %q %+v), want %+v", p.Name, got, sc.SSOSessionName, sc.SSOSession, p)
		}
	}
	t.Run("botocore", func(t *testing.T) {
		botocoreAvailable(t)
		checkBotocore(t, configFile, ps, session)
	})
	t.Run("aws_cli", func(t *testing.T) {
		awsCLIAvailable(t)
		checkAWSCLI(t, configFile, ps, session)
	})
}

// botocoreProfilesScript prints botocore's available_profiles and, for
// each, the settings full_config holds.
const botocoreProfilesScript = `
import json, sys
import botocore.session
s = botocore.session.Session()
profiles = s.full_config['profiles']
print(json.dumps({'available': s.available_profiles, 'profiles': profiles}))
`

func checkBotocore(t *testing.T, configFile string, ps []SyncedProfile, session string) {
	t.Helper()
	cmd := exec.Command("/usr/bin/python3", "-c", botocoreProfilesScript)
	cmd.Env = []string{"HOME=" + t.TempDir(), "AWS_CONFIG_FILE=" + configFile, "AWS_SHARED_CREDENTIALS_FILE=/nonexistent", "PATH=/usr/bin:/bin"}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("botocore: %v: %s", err, stderrOf(err))
	}
	var got struct {
		Available []string
		Profiles  map[string]map[string]string
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("botocore output %q: %v", out, err)
	}
	for _, p := range ps {
		if !slices.Contains(got.Available, p.Name) {
			t.Errorf("botocore's available_profiles lacks %s", p.Name)
			continue
		}
		want := map[string]string{"sso_session": session, "sso_account_id": p.AccountID, "sso_role_name": p.RoleName, "region": p.Region}
		if diff := cmp.Diff(want, got.Profiles[p.Name]); diff != "" {
			t.Errorf("botocore reads profile %s (-want +got):\n%s", p.Name, diff)
		}
	}
}

func stderrOf(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return string(ee.Stderr)
	}
	return ""
}

// awsCLIAvailable says whether the AWS CLI v2 is at /usr/bin/aws (the
// aws on PATH may be a v1 shim). Missing, the test is skipped locally
// and fails under CI.
func awsCLIAvailable(t *testing.T) {
	t.Helper()
	if _, err := os.Stat("/usr/bin/aws"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the AWS CLI v2 is not at /usr/bin/aws (apt install awscli): %v", err)
		}
		t.Skipf("the AWS CLI v2 is not at /usr/bin/aws: %v", err)
	}
}

// checkAWSCLI runs aws configure list-profiles, and aws configure get for
// the first, a middle and the last profile of ps.
func checkAWSCLI(t *testing.T, configFile string, ps []SyncedProfile, session string) {
	t.Helper()
	env := []string{"HOME=" + t.TempDir(), "AWS_CONFIG_FILE=" + configFile, "AWS_SHARED_CREDENTIALS_FILE=/nonexistent", "PATH=/usr/bin:/bin"}
	aws := func(args ...string) string {
		cmd := exec.Command("/usr/bin/aws", args...)
		cmd.Env = env
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("aws %s: %v: %s", strings.Join(args, " "), err, stderrOf(err))
		}
		return string(out)
	}
	listed := strings.Fields(aws("configure", "list-profiles"))
	for _, p := range ps {
		if !slices.Contains(listed, p.Name) {
			t.Errorf("aws configure list-profiles lacks %s", p.Name)
		}
	}
	if len(ps) == 0 {
		return
	}
	// aws configure get, for the first, a middle and the last profile: in
	// one Python process running the AWS CLI's own driver (what
	// /usr/bin/aws runs), as each start of the CLI takes a second.
	var gets [][]string
	var wants []string
	for _, p := range []SyncedProfile{ps[0], ps[len(ps)/2], ps[len(ps)-1]} {
		for _, kv := range [][2]string{{"sso_session", session}, {"sso_account_id", p.AccountID}, {"sso_role_name", p.RoleName}, {"region", p.Region}} {
			gets = append(gets, []string{"configure", "get", kv[0], "--profile", p.Name})
			wants = append(wants, kv[1])
		}
	}
	in, _ := json.Marshal(gets)
	cmd := exec.Command("/usr/bin/python3", "-c", awsCLIGetScript)
	cmd.Env = env
	cmd.Stdin = bytes.NewReader(in)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("the AWS CLI's driver: %v: %s", err, stderrOf(err))
	}
	var got []struct {
		RC  int
		Out string
	}
	if err := json.Unmarshal(out, &got); err != nil || len(got) != len(gets) {
		t.Fatalf("the AWS CLI's driver printed %q: %v", out, err)
	}
	for i, g := range got {
		if g.RC != 0 || strings.TrimSpace(g.Out) != wants[i] {
			t.Errorf("aws %s = %q (status %d), want %q", strings.Join(gets[i], " "), g.Out, g.RC, wants[i])
		}
	}
}

// awsCLIGetScript runs the AWS CLI commands read from stdin (a JSON list
// of argument lists) with the CLI's own driver, as /usr/bin/aws does, and
// prints each one's status and output.
const awsCLIGetScript = `
import contextlib, io, json, sys
import awscli.clidriver
out = []
for args in json.load(sys.stdin):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        rc = awscli.clidriver.create_clidriver().main(args)
    out.append({'RC': rc, 'Out': buf.getvalue()})
print(json.dumps(out))
`

func TestSyncSSODryRun(t *testing.T) {
	t.Parallel()
	x := newSSOFixture(t, ssoFixtureConfig)
	x.signIn(t, "my-sso", time.Now().Add(time.Hour))
	x.fakes.STS.Portal().SetAccounts([]fakeaws.Account{{ID: "111122223333", Name: "Production", Roles: []string{"AdministratorAccess"}}})
	res, err := x.sync(t, SSOSyncOptions{DryRun: true, Template: "{session}-{account_id}-{role_name}"})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Changed || res.Written || !bytes.Equal(x.read(t), x.config) {
		t.Errorf("dry run: changed %v, written %v, file changed %v", res.Changed, res.Written, !bytes.Equal(x.read(t), x.config))
	}
	if diff := cmp.Diff([]string{"my-sso-111122223333-AdministratorAccess"}, profileNamesOf(res.Added)); diff != "" {
		t.Errorf("added (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(res.Diff, "--- a/config\n+++ b/config\n@@ ") || !strings.Contains(res.Diff, "\n+[profile my-sso-111122223333-AdministratorAccess]\n") {
		t.Errorf("diff:\n%s", res.Diff)
	}
	if entries, _ := os.ReadDir(x.lockDir); len(entries) != 0 {
		t.Errorf("a dry run left files in the lock folder: %v", entries)
	}
}

// TestSyncSSOErrors: each failure is one line of the right kind, and the
// file is unchanged.
func TestSyncSSOErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		setup  func(t *testing.T, x *ssoFixture) SSOSyncOptions
		kind   error
		action Action
		text   string // in the message
	}{
		{name: "not_signed_in", setup: func(t *testing.T, x *ssoFixture) SSOSyncOptions { return SSOSyncOptions{} },
			kind: ErrSSOLoginRequired, action: ActionSSOLogin, text: `sso-session "my-sso": SSO login needed: not signed in: no token in the SSO token cache; run aws sso login --sso-session my-sso`},
		{name: "expired_no_refresh", setup: func(t *testing.T, x *ssoFixture) SSOSyncOptions {
			x.fakes.OIDC.SetIssueRefreshTokens(false)
			x.signIn(t, "my-sso", time.Now().Add(-time.Minute))
			return SSOSyncOptions{}
		}, kind: ErrSSOLoginRequired, action: ActionSSOLogin, text: "the token has expired and cannot be refreshed"},
		{name: "session_ended", setup: func(t *testing.T, x *ssoFixture) SSOSyncOptions {
			x.signIn(t, "my-sso", time.Now().Add(-time.Minute))
			x.fakes.OIDC.EndSessions()
			return SSOSyncOptions{}
		}, kind: ErrSSOLoginRequired, action: ActionSSOLogin, text: "its refresh was refused"},
		{name: "token_revoked", setup: func(t *testing.T, x *ssoFixture) SSOSyncOptions {
			x.signIn(t, "my-sso", time.Now().Add(time.Hour))
			x.fakes.OIDC.EndSessions()
			return SSOSyncOptions{}
		}, kind: ErrSSOLoginRequired, action: ActionSSOLogin, text: "the portal refuses the token (Session token not found or invalid)"},
		{name: "throttled_beyond_retries", setup: func(t *testing.T, x *ssoFixture) SSOSyncOptions {
			x.signIn(t, "my-sso", time.Now().Add(time.Hour))
			x.fakes.STS.Portal().Throttle(10)
			return SSOSyncOptions{MaxAttempts: 1}
		}, kind: ErrResolve, text: "the portal kept throttling the calls (TooManyRequestsException"},
		{name: "unknown_session", setup: func(t *testing.T, x *ssoFixture) SSOSyncOptions { return SSOSyncOptions{Session: "nope"} },
			kind: ErrInvalidConfig, text: "sso-session not found"},
		{name: "bad_template", setup: func(t *testing.T, x *ssoFixture) SSOSyncOptions { return SSOSyncOptions{Template: "{account}"} },
			kind: ErrSSOTemplate, text: `invalid profile name template "{account}": "{account}" is not a placeholder ({account_name}, {account_id}, {role_name} or {session})`},
		{name: "bad_region", setup: func(t *testing.T, x *ssoFixture) SSOSyncOptions { return SSOSyncOptions{Region: "eu west"} },
			kind: ErrInvalidConfig, text: `region "eu west" is not a region name`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			x := newSSOFixture(t, ssoFixtureConfig)
			x.fakes.STS.Portal().SetAccounts(fakeaws.GenerateAccounts(3, 1))
			o := tc.setup(t, x)
			_, err := x.sync(t, o)
			var se *SyncError
			if !errors.As(err, &se) || !errors.Is(err, tc.kind) || se.Action != tc.action {
				t.Fatalf("err = %v (%T), want a SyncError of kind %v with action %v", err, err, tc.kind, tc.action)
			}
			if msg := err.Error(); !strings.Contains(msg, tc.text) || strings.ContainsAny(msg, "\r\n") {
				t.Errorf("message %q, want one line with %q", msg, tc.text)
			}
			if !bytes.Equal(x.read(t), x.config) {
				t.Error("the file changed")
			}
		})
	}
}

// TestSyncSSOPortalErrors answers the list call with a portal error from
// a server of its own (the fake portal lists for any signed-in user).
func TestSyncSSOPortalErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, errType string
		status        int
		kind          error
	}{
		{"forbidden", "ForbiddenException", http.StatusForbidden, ErrAccessDenied},
		{"access_denied", "AccessDeniedException", http.StatusForbidden, ErrAccessDenied},
		{"resource_not_found", "ResourceNotFoundException", http.StatusNotFound, ErrResolve},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-Amzn-Errortype", tc.errType)
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				fmt.Fprint(w, `{"message":"No access"}`)
			}))
			t.Cleanup(srv.Close)
			x := newSSOFixture(t, strings.Replace(ssoFixtureConfig, "services = fake", "services = denied", 1)+"\n"+ssoServices("denied", srv.URL, "http://127.0.0.1:1"))
			x.signIn(t, "my-sso", time.Now().Add(time.Hour))
			_, err := x.sync(t, SSOSyncOptions{MaxAttempts: 1})
			if !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), tc.errType+": No access") {
				t.Fatalf("err = %v, want %v naming %s", err, tc.kind, tc.errType)
			}
		})
	}
	t.Run("unreachable", func(t *testing.T) {
		t.Parallel()
		x := newSSOFixture(t, strings.Replace(ssoFixtureConfig, "services = fake", "services = nowhere", 1)+"\n"+ssoServices("nowhere", "http://127.0.0.1:1", "http://127.0.0.1:1"))
		x.signIn(t, "my-sso", time.Now().Add(time.Hour))
		_, err := x.sync(t, SSOSyncOptions{MaxAttempts: 1})
		if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "connection refused") {
			t.Fatalf("err = %v, want ErrUnreachable", err)
		}
	})
}

// TestSyncSSORefreshes: an expired token with a refresh token is renewed
// by the SDK's token provider, which rewrites the cache file.
func TestSyncSSORefreshes(t *testing.T) {
	t.Parallel()
	x := newSSOFixture(t, ssoFixtureConfig)
	path := x.signIn(t, "my-sso", time.Now().Add(-time.Minute))
	x.fakes.OIDC.ExpireAccessTokens()
	x.fakes.STS.Portal().SetAccounts(fakeaws.GenerateAccounts(2, 2))
	res, err := x.sync(t, SSOSyncOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Added) != 4 {
		t.Errorf("added %d, want 4", len(res.Added))
	}
	if n := x.fakes.OIDC.Count("CreateToken/refresh_token"); n != 1 {
		t.Errorf("%d refreshes, want 1", n)
	}
	var tok struct{ ExpiresAt time.Time }
	b, _ := os.ReadFile(path)
	if err := json.Unmarshal(b, &tok); err != nil || !tok.ExpiresAt.After(time.Now()) {
		t.Errorf("token cache after the refresh: %s (%v)", b, err)
	}
}

func TestSyncSSOChoosesSession(t *testing.T) {
	t.Parallel()
	x := newSSOFixture(t, ssoFixtureConfig+"\n[sso-session other]\nsso_start_url = "+testStartURL+"\nsso_region = us-east-1\n")
	_, err := x.sync(t, SSOSyncOptions{})
	var se *SyncError
	if !errors.As(err, &se) || !errors.Is(err, ErrSSOSessionChoice) || !slices.Equal(se.Sessions, []string{"my-sso", "other"}) {
		t.Fatalf("err = %v, want ErrSSOSessionChoice listing my-sso and other", err)
	}
	if want := "name the sso-session to sync: the config file has 2: my-sso, other"; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
	x2 := newSSOFixture(t, "[default]\nservices = fake\n")
	if _, err := x2.sync(t, SSOSyncOptions{}); !errors.Is(err, ErrSSOSessionChoice) {
		t.Errorf("no session: %v, want ErrSSOSessionChoice", err)
	}
}

// TestSyncSSORefusesDamagedBlock: a block edited by hand stops the sync
// before any call.
func TestSyncSSORefusesDamagedBlock(t *testing.T) {
	t.Parallel()
	x := newSSOFixture(t, ssoFixtureConfig)
	x.signIn(t, "my-sso", time.Now().Add(time.Hour))
	x.fakes.STS.Portal().SetAccounts(fakeaws.GenerateAccounts(2, 1))
	if _, err := x.sync(t, SSOSyncOptions{}); err != nil {
		t.Fatal(err)
	}
	edited := bytes.Replace(x.read(t), []byte("region = eu-west-1\n\n# END"), []byte("region = us-east-2\n\n# END"), 1)
	if err := os.WriteFile(x.env.ConfigFile, edited, 0o600); err != nil {
		t.Fatal(err)
	}
	calls := x.fakes.STS.Count("ListAccounts")
	_, err := x.sync(t, SSOSyncOptions{})
	if !errors.Is(err, ErrSyncBlock) || !strings.Contains(err.Error(), "was edited since the sync wrote it") {
		t.Fatalf("err = %v, want ErrSyncBlock", err)
	}
	if n := x.fakes.STS.Count("ListAccounts"); n != calls {
		t.Error("the refused sync called the portal")
	}
	if !bytes.Equal(x.read(t), edited) {
		t.Error("the refused sync changed the file")
	}
}

// TestSyncSSOOldCacheFormat: a token cache whose times end in UTC (AWS
// CLI v2 up to 2.1.13), which the Go SDK refuses, is read through
// awsxc's normalised copy; the AWS CLI's file stays as it was.
func TestSyncSSOOldCacheFormat(t *testing.T) {
	t.Parallel()
	x := newSSOFixture(t, ssoFixtureConfig)
	x.env.CacheDir = filepath.Join(t.TempDir(), "cache")
	path := x.signIn(t, "my-sso", time.Now().Add(time.Hour))
	b, _ := os.ReadFile(path)
	old := regexpUTC(b)
	os.WriteFile(path, old, 0o600)
	x.fakes.STS.Portal().SetAccounts(fakeaws.GenerateAccounts(1, 1))
	res, err := x.sync(t, SSOSyncOptions{})
	if err != nil || len(res.Added) != 1 {
		t.Fatalf("sync with a UTC-suffixed cache: %v", err)
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, old) {
		t.Error("the AWS CLI's cache file was rewritten")
	}
}

// regexpUTC writes a cache file's times as early AWS CLI v2 did.
func regexpUTC(b []byte) []byte {
	return regexp.MustCompile(`("(?:expiresAt|registrationExpiresAt)": "[0-9T:-]+)Z"`).ReplaceAll(b, []byte(`${1}UTC"`))
}

// TestSyncSSORefusesWhatCrashesTheSDK: a value that is one quote
// character makes the Go SDK's parser panic (found by FuzzSyncBlock); the
// sync refuses the file before the SDK reads it.
func TestSyncSSORefusesWhatCrashesTheSDK(t *testing.T) {
	t.Parallel()
	for _, line := range []string{`note = "`, "  nested = '", `x: "  # a comment`} {
		x := newSSOFixture(t, ssoFixtureConfig+"\n[profile odd]\n"+line+"\n")
		_, err := x.sync(t, SSOSyncOptions{})
		if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), "a value that is one quote character crashes the Go SDK's parser") {
			t.Errorf("%q: %v", line, err)
		}
	}
	for _, fine := range []string{`note = "x"`, `note = ""`, `note = "a`, `[profile "q"]`, `# x = "`} {
		if n := goSDKCrashLine([]byte("[p]\n" + fine + "\n")); n != 0 {
			t.Errorf("%q: line %d said to crash the SDK", fine, n)
		}
	}
	// The premise: the SDK does panic on it.
	dir := t.TempDir()
	path := filepath.Join(dir, "config")
	os.WriteFile(path, []byte("[profile odd]\nnote = \"\n"), 0o600)
	func() {
		defer func() {
			if recover() == nil {
				t.Log("the Go SDK no longer panics on a lone quote; goSDKCrashLine may go")
			}
		}()
		config.LoadSharedConfigProfile(context.Background(), "odd", func(o *config.LoadSharedConfigOptions) {
			o.ConfigFiles, o.CredentialsFiles = []string{path}, []string{}
		})
	}()
}

// TestSyncSSOConcurrent: two syncs of two sessions at once on one file
// both land: each re-reads the file under the lock before it writes.
func TestSyncSSOConcurrent(t *testing.T) {
	t.Parallel()
	x := newSSOFixture(t, ssoFixtureConfig+"\n[sso-session other]\nsso_start_url = "+testStartURL+"\nsso_region = eu-west-1\n")
	x.signIn(t, "my-sso", time.Now().Add(time.Hour))
	x.signIn(t, "other", time.Now().Add(time.Hour))
	x.fakes.STS.Portal().SetAccounts(fakeaws.GenerateAccounts(20, 2))
	errs := make(chan error, 2)
	for _, s := range []string{"my-sso", "other"} {
		go func() {
			_, err := x.sync(t, SSOSyncOptions{Session: s, Template: "{session}.{account_id}.{role_name}"})
			errs <- err
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	f := scanINI(x.read(t))
	bs := scanSSOBlocks(f)
	if len(bs.problems) > 0 || len(bs.blocks) != 2 {
		t.Fatalf("blocks %+v, problems %v", bs.blocks, bs.problems)
	}
	for _, b := range bs.blocks {
		if n := len(blockProfiles(f, b)); n != 40 {
			t.Errorf("block %s holds %d profiles, want 40", b.session, n)
		}
	}
}
