package main

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/google/go-cmp/cmp"

	"github.com/awsxc/awsxc/internal/fakeaws"
)

const ssoStartURL = "https://d-1234567890.awsapps.com/start"

// ssoConfig is a hand-kept config file; services = fake sends the default
// profile's SSO portal and OIDC calls to the fakes (its section is added
// by newSSOFixture).
const ssoConfig = `# kept by hand
[default]
region = us-east-1
services = fake

[profile Production.AdministratorAccess]
# written before the first sync, under the name the template gives
sso_session = my-sso
sso_account_id = 111122223333
sso_role_name = AdministratorAccess
region   =   us-east-1

[sso-session my-sso]
sso_start_url = ` + ssoStartURL + `
sso_region = eu-west-1
`

// newSSOFixture is a fixture whose config file is config, with the fakes'
// services section, and a portal with accounts.
func newSSOFixture(t *testing.T, config string, accounts []fakeaws.Account) (*fixture, *fakeaws.Fakes) {
	t.Helper()
	f := newFixture(t)
	fakes := fakeaws.StartAll()
	t.Cleanup(fakes.Close)
	fakes.STS.Portal().SetAccounts(accounts)
	// First, so that the end of the file, which a diff shows, is the same
	// in every run.
	config = fmt.Sprintf("[services fake]\nsso =\n  endpoint_url = %s\nsso_oidc =\n  endpoint_url = %s\n\n", fakes.STS.URL, fakes.OIDC.URL) + config
	if err := os.WriteFile(filepath.Join(f.home, ".aws", "config"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	return f, fakes
}

// ssoSignIn signs in to the OIDC fake and writes the token cache of
// session as aws sso login does.
func ssoSignIn(t *testing.T, f *fixture, fakes *fakeaws.Fakes, session string) {
	t.Helper()
	ctx := context.Background()
	c := ssooidc.New(ssooidc.Options{Region: "eu-west-1", BaseEndpoint: aws.String(fakes.OIDC.URL)})
	reg, err := c.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("botocore-client-" + session), ClientType: aws.String("public")})
	if err != nil {
		t.Fatal(err)
	}
	dev, err := c.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, StartUrl: aws.String(ssoStartURL)})
	if err != nil {
		t.Fatal(err)
	}
	fakes.OIDC.ApproveDevice(*dev.UserCode)
	tok, err := c.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
		GrantType: aws.String("urn:ietf:params:oauth:grant-type:device_code"), DeviceCode: dev.DeviceCode})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha1.Sum([]byte(session))
	path := filepath.Join(f.home, ".aws", "sso", "cache", hex.EncodeToString(sum[:])+".json")
	os.MkdirAll(filepath.Dir(path), 0o700)
	body := fmt.Sprintf(`{"startUrl": %q, "region": "eu-west-1", "accessToken": %q, "expiresAt": %q}`,
		ssoStartURL, *tok.AccessToken, time.Now().Add(time.Hour).UTC().Format("2006-01-02T15:04:05Z"))
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

var ssoAccounts = []fakeaws.Account{
	{ID: "111122223333", Name: "Production", Roles: []string{"AdministratorAccess", "ReadOnly"}},
	{ID: "222233334444", Name: "Dev Team", Roles: []string{"Developer"}},
}

// stripHome writes the fixture's folder as HOME, for golden output.
func stripHome(f *fixture, s string) string { return strings.ReplaceAll(s, f.home, "HOME") }

func TestSSOSync(t *testing.T) {
	t.Parallel()
	f, fakes := newSSOFixture(t, ssoConfig, ssoAccounts)
	ssoSignIn(t, f, fakes, "my-sso")
	cfg := filepath.Join(f.home, ".aws", "config")
	before, _ := os.ReadFile(cfg)

	// --dry-run: the diff on stdout, the report on stderr, nothing written.
	r := f.run(t, "", nil, "sso", "sync", "--dry-run")
	if r.code != 0 {
		t.Fatalf("sso sync --dry-run: exit %d: %s", r.code, r.stderr)
	}
	golden(t, "cli/sso_sync_dry_run.stdout", r.stdout)
	golden(t, "cli/sso_sync_dry_run.stderr", stripHome(f, r.stderr))
	if now, _ := os.ReadFile(cfg); string(now) != string(before) {
		t.Fatal("--dry-run wrote the file")
	}

	r = f.run(t, "", nil, "sso", "sync")
	if r.code != 0 || r.stdout != "" {
		t.Fatalf("sso sync: exit %d, stdout %q: %s", r.code, r.stdout, r.stderr)
	}
	golden(t, "cli/sso_sync.stderr", stripHome(f, r.stderr))
	after, _ := os.ReadFile(cfg)
	if !strings.HasPrefix(string(after), string(before)) {
		t.Fatal("the sync changed the file before its block")
	}

	// The listing, for scripts.
	r = f.run(t, "", nil, "profiles", "--json", "--sso-session", "my-sso")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("profiles --json: exit %d: %s", r.code, r.stderr)
	}
	golden(t, "cli/profiles_sso_json.stdout", r.stdout)
	var list []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil || len(list) != 4 {
		t.Errorf("profiles --json is not an array of 4 profiles: %v\n%s", err, r.stdout)
	}
	r = f.run(t, "", nil, "profiles", "--sso-session", "my-sso")
	golden(t, "cli/profiles_sso.stdout", r.stdout)
	r = f.run(t, "", nil, "profiles", "--sso-session", "my-sso", "--names")
	if want := "Production.AdministratorAccess\nDev-Team.Developer\nProduction.AdministratorAccess-2\nProduction.ReadOnly\n"; r.stdout != want {
		t.Errorf("profiles --sso-session my-sso --names = %q, want %q", r.stdout, want)
	}
	if r := f.run(t, "", nil, "profiles", "--json"); r.code != 0 || !json.Valid([]byte(r.stdout)) {
		t.Errorf("profiles --json: exit %d, not JSON:\n%s", r.code, r.stdout)
	}

	// A re-sync after a role went: --json says what changed.
	fakes.STS.Portal().SetAccounts(ssoAccounts[:1])
	r = f.run(t, "", nil, "sso", "sync", "--json", "--sso-session", "my-sso")
	if r.code != 0 {
		t.Fatalf("sso sync --json: exit %d: %s", r.code, r.stderr)
	}
	golden(t, "cli/sso_sync_json.stdout", stripHome(f, r.stdout))
	var doc struct {
		Removed []struct{ Name string }
		Kept    int
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || len(doc.Removed) != 1 || doc.Removed[0].Name != "Dev-Team.Developer" || doc.Kept != 2 {
		t.Errorf("--json: %+v, %v", doc, err)
	}
}

func TestSSOSyncErrors(t *testing.T) {
	t.Parallel()
	twoSessions := ssoConfig + "\n[sso-session other]\nsso_start_url = " + ssoStartURL + "\nsso_region = us-east-1\n"
	tests := []struct {
		name, config string
		signIn       bool
		args         []string
		edit         func(config string) string
		code         int
		stderr       string // a regular expression for the whole of stderr
	}{
		{name: "not_signed_in", config: ssoConfig, args: []string{"sso", "sync"}, code: 3,
			stderr: `^awsxc-cli: error: sso-session "my-sso": SSO login needed: not signed in: no token in the SSO token cache; run awsxc-cli login --sso-session my-sso\n$`},
		{name: "which_session", config: twoSessions, args: []string{"sso", "sync"}, code: 2,
			stderr: `^awsxc-cli: error: name the sso-session to sync with --sso-session: the config file has my-sso, other\n$`},
		{name: "unknown_session", config: ssoConfig, args: []string{"sso", "sync", "--sso-session", "nope"}, code: 2,
			stderr: `^awsxc-cli: error: sso-session "nope": invalid configuration: \[sso-session nope\]: sso-session not found in HOME/.aws/config\n$`},
		{name: "bad_template", config: ssoConfig, args: []string{"sso", "sync", "--template", "{acct}.{role_name}"}, code: 2,
			stderr: `^awsxc-cli: error: argument --template: invalid profile name template "\{acct\}.\{role_name\}": "\{acct\}" is not a placeholder \(\{account_name\}, \{account_id\}, \{role_name\} or \{session\}\) \(see awsxc-cli sso sync --help\)\n$`},
		{name: "no_subcommand", config: ssoConfig, args: []string{"sso"}, code: 2,
			stderr: `^awsxc-cli: error: sso needs a subcommand: sso sync \(see awsxc-cli --help\)\n$`},
		{name: "stray_argument", config: ssoConfig, args: []string{"sso", "sync", "my-sso"}, code: 2,
			stderr: `^awsxc-cli: error: sso sync takes no arguments \(use --sso-session\)`},
		{name: "edited_block", config: ssoConfig, signIn: true, args: []string{"sso", "sync"}, code: 1,
			edit: func(c string) string {
				return strings.Replace(c, "sso_role_name = ReadOnly", "sso_role_name = ReadWrite", 1)
			},
			stderr: `^awsxc-cli: error: sso-session "my-sso": the synced profiles' block was changed by hand: the block for "my-sso" \(lines \d+-\d+\) was edited since the sync wrote it: its checksum does not match; nothing was written: move your changes out of the block \(under another profile name\), or delete the block from its BEGIN line to its END line so that a sync writes it anew\n$`},
		{name: "names_and_json", config: ssoConfig, args: []string{"profiles", "--names", "--json"}, code: 2,
			stderr: `^awsxc-cli: error: argument --json: not allowed with --names`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, fakes := newSSOFixture(t, tc.config, ssoAccounts)
			if tc.signIn {
				ssoSignIn(t, f, fakes, "my-sso")
			}
			cfg := filepath.Join(f.home, ".aws", "config")
			if tc.edit != nil {
				if r := f.run(t, "", nil, "sso", "sync"); r.code != 0 {
					t.Fatalf("first sync: %s", r.stderr)
				}
				b, _ := os.ReadFile(cfg)
				os.WriteFile(cfg, []byte(tc.edit(string(b))), 0o600)
			}
			before, _ := os.ReadFile(cfg)
			r := f.run(t, "", nil, tc.args...)
			if r.code != tc.code || !regexp.MustCompile(tc.stderr).MatchString(stripHome(f, r.stderr)) || r.stdout != "" {
				t.Errorf("exit %d (want %d), stdout %q\nstderr %q\nwant   %s", r.code, tc.code, r.stdout, r.stderr, tc.stderr)
			}
			if after, _ := os.ReadFile(cfg); string(after) != string(before) {
				t.Error("the file changed")
			}
		})
	}
}

// TestSSOSyncHelp: the command's help names its flags and placeholders.
func TestSSOSyncHelp(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.run(t, "", nil, "sso", "sync", "--help")
	for _, want := range []string{"--sso-session NAME", "--template TEMPLATE", "--region REGION", "--dry-run", "--json", "{account_name}", "# BEGIN awsxc sso sync: my-sso"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("sso sync --help lacks %q", want)
		}
	}
	if diff := cmp.Diff(0, r.code); diff != "" {
		t.Error(diff)
	}
}

// TestLoginThenSSOSync is the whole path as a user takes it, each step a
// process of its own reaching the fakes through AWS_ENDPOINT_URL_*:
// awsxc-cli login signs in to an sso-session no profile names yet, sso
// sync writes its profiles, and a synced profile gives credentials from
// the portal.
func TestLoginThenSSOSync(t *testing.T) {
	t.Parallel()
	s := newSigninFixture(t)
	s.f.STS.Portal().SetAccounts([]fakeaws.Account{
		{ID: "111122223333", Name: "Production", Roles: []string{"Admin", "ReadOnly"}},
		{ID: "444455556666", Name: "Sandbox", Roles: []string{"PowerUser"}},
	})
	if r := s.run(t, "follow", nil, "login", "--sso-session", "lonely"); r.code != 0 {
		t.Fatalf("login: exit %d\n%s", r.code, r.stderr)
	}
	r := s.run(t, "", nil, "sso", "sync", "--sso-session", "lonely", "--template", "{account_name}-{role_name}", "--region", "us-west-2")
	if r.code != 0 || !strings.Contains(r.stderr, "sso-session lonely: 3 profiles: 3 added, 0 removed, 0 updated, 0 kept; wrote "+s.home+"/.aws/config") {
		t.Fatalf("sso sync: exit %d\n%s", r.code, r.stderr)
	}
	r = s.run(t, "", nil, "--profile", "Sandbox-PowerUser", "--json")
	if r.code != 0 || !strings.Contains(r.stdout, `"AccessKeyId":"ASIASSO`) {
		t.Fatalf("the synced profile: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if got := s.f.STS.Calls(); len(got) == 0 || got[len(got)-1].Action != "GetRoleCredentials" || got[len(got)-1].Form.Get("account_id") != "444455556666" || got[len(got)-1].Form.Get("role_name") != "PowerUser" {
		t.Errorf("the last portal call was not GetRoleCredentials for 444455556666/PowerUser: %+v", got[len(got)-1])
	}
	r = s.run(t, "", nil, "profiles", "--sso-session", "lonely")
	var rows [][]string
	for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		rows = append(rows, strings.Fields(l))
	}
	want := [][]string{{"PROFILE", "ACCOUNT", "ROLE", "REGION"},
		{"Production-Admin", "Production", "(111122223333)", "Admin", "us-west-2"},
		{"Production-ReadOnly", "Production", "(111122223333)", "ReadOnly", "us-west-2"},
		{"Sandbox-PowerUser", "Sandbox", "(444455556666)", "PowerUser", "us-west-2"}}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("profiles --sso-session lonely (-want +got):\n%s", diff)
	}
}
