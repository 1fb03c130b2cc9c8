package engine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/awsxc/awsxc/internal/fakeaws"
)

// groupsConfig is a config file with a synced block for my-sso and hand-
// written profiles around it.
func groupsConfig(t testing.TB, roles []SyncedProfile) string {
	t.Helper()
	hand := `[default]
region = us-east-1

[sso-session my-sso]
sso_start_url = https://d-1234567890.awsapps.com/start
sso_region = eu-west-1

[sso-session unused]
sso_start_url = https://d-0000000000.awsapps.com/start
sso_region = us-east-1

[profile mine-on-prod]
sso_session = my-sso
sso_account_id = 111122223333
sso_role_name = Custom
region = eu-west-1

[profile unnamed-account]
sso_session = my-sso
sso_account_id = 999988887777
sso_role_name = Admin

[profile no-account]
sso_session = my-sso

[profile elsewhere]
sso_session = missing
sso_account_id = 111122223333
sso_role_name = Admin

[profile legacy]
sso_start_url = https://d-legacy.awsapps.com/start
sso_region = us-east-1
sso_account_id = 444444444444
sso_role_name = ReadOnly

[profile role]
role_arn = arn:aws:iam::111122223333:role/X
source_profile = default
`
	tmpl, _ := ParseSSOTemplate(DefaultSSOTemplate)
	p, err := planSync([]byte(hand), nil, "my-sso", roles, "eu-west-1", tmpl)
	if err != nil {
		t.Fatal(err)
	}
	return string(p.out)
}

func TestListingSSOAndGroups(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := Env{ConfigFile: filepath.Join(dir, "config"), CredentialsFile: filepath.Join(dir, "credentials")}
	roles := sortedRoles([]SyncedProfile{
		{AccountID: "111122223333", AccountName: "Production", RoleName: "ReadOnly"},
		{AccountID: "111122223333", AccountName: "Production", RoleName: "AdministratorAccess"},
		{AccountID: "222233334444", AccountName: "dev", RoleName: "Developer"},
	})
	os.WriteFile(env.ConfigFile, []byte(groupsConfig(t, roles)), 0o600)
	os.WriteFile(env.CredentialsFile, []byte("[static]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = s\n"), 0o600)
	l, err := ListProfiles(env)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"my-sso", "unused"}, l.SSOSessions); diff != "" {
		t.Errorf("SSOSessions (-want +got):\n%s", diff)
	}
	byName := map[string]ProfileInfo{}
	for _, p := range l.Profiles {
		byName[p.Name] = p
	}
	type sso struct {
		Kind                                                    Kind
		Session, StartURL, AccountID, AccountName, Role, Region string
		Synced                                                  bool
	}
	got := map[string]sso{}
	for _, n := range []string{"Production.AdministratorAccess", "dev.Developer", "mine-on-prod", "unnamed-account", "elsewhere", "legacy", "static"} {
		p := byName[n]
		got[n] = sso{p.Kind, p.SSOSession, p.SSOStartURL, p.AccountID, p.AccountName, p.RoleName, p.Region, p.Synced}
	}
	want := map[string]sso{
		"Production.AdministratorAccess": {KindSSO, "my-sso", "", "111122223333", "Production", "AdministratorAccess", "eu-west-1", true},
		"dev.Developer":                  {KindSSO, "my-sso", "", "222233334444", "dev", "Developer", "eu-west-1", true},
		// A hand-written profile gets the account's name from the block.
		"mine-on-prod":    {KindSSO, "my-sso", "", "111122223333", "Production", "Custom", "eu-west-1", false},
		"unnamed-account": {KindSSO, "my-sso", "", "999988887777", "", "Admin", "", false},
		"elsewhere":       {KindSSO, "missing", "", "111122223333", "Production", "Admin", "", false},
		"legacy":          {KindSSO, "", "https://d-legacy.awsapps.com/start", "444444444444", "", "ReadOnly", "", false},
		"static":          {KindStatic, "", "", "", "", "", "", false},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("listing (-want +got):\n%s", diff)
	}

	type account struct {
		Label    string
		Profiles []string
	}
	type session struct {
		Session         string
		Legacy, Defined bool
		Accounts        []account
	}
	var sessions []session
	g := l.Groups()
	for _, s := range g.Sessions {
		ss := session{Session: s.Session, Legacy: s.Legacy, Defined: s.Defined}
		for _, a := range s.Accounts {
			acc := account{Label: a.Label()}
			for _, p := range a.Profiles {
				acc.Profiles = append(acc.Profiles, p.Name)
			}
			ss.Accounts = append(ss.Accounts, acc)
		}
		sessions = append(sessions, ss)
	}
	wantSessions := []session{
		{Session: "my-sso", Defined: true, Accounts: []account{
			{"dev (222233334444)", []string{"dev.Developer"}},
			{"Production (111122223333)", []string{"Production.AdministratorAccess", "mine-on-prod", "Production.ReadOnly"}},
			{"999988887777", []string{"unnamed-account"}},
			{"", []string{"no-account"}},
		}},
		{Session: "unused", Defined: true},
		{Session: "missing", Accounts: []account{{"Production (111122223333)", []string{"elsewhere"}}}},
		{Session: "https://d-legacy.awsapps.com/start", Legacy: true, Accounts: []account{{"444444444444", []string{"legacy"}}}},
	}
	if diff := cmp.Diff(wantSessions, sessions); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
	var others []string
	for _, p := range g.Others {
		others = append(others, p.Name)
	}
	if diff := cmp.Diff([]string{"default", "role", "static"}, others); diff != "" {
		t.Errorf("others (-want +got):\n%s", diff)
	}
}

// genSyncedProfiles is 1,000 profiles: 700 of genProfiles' kinds and a
// synced block of 300 roles over 100 accounts.
func genSyncedProfiles(t testing.TB) (config, creds string) {
	config, creds = genProfiles(700)
	var roles []SyncedProfile
	for _, a := range fakeaws.GenerateAccounts(100, 3) {
		for _, r := range a.Roles {
			roles = append(roles, SyncedProfile{AccountID: a.ID, AccountName: a.Name, RoleName: r})
		}
	}
	tmpl, _ := ParseSSOTemplate(DefaultSSOTemplate)
	p, err := planSync([]byte(config), []byte(creds), "corp", roles, "eu-west-1", tmpl)
	if err != nil {
		t.Fatal(err)
	}
	return string(p.out), creds
}

// BenchmarkProfileGroups1000 is what a menu rebuild asks of the engine
// with 1,000 profiles: the listing and its grouping (the tray measures
// its menu on top).
func BenchmarkProfileGroups1000(b *testing.B) {
	dir := b.TempDir()
	config, creds := genSyncedProfiles(b)
	env := Env{ConfigFile: filepath.Join(dir, "config"), CredentialsFile: filepath.Join(dir, "credentials")}
	os.WriteFile(env.ConfigFile, []byte(config), 0o600)
	os.WriteFile(env.CredentialsFile, []byte(creds), 0o600)
	b.SetBytes(int64(len(config) + len(creds)))
	b.ReportAllocs()
	for b.Loop() {
		l, err := ListProfiles(env)
		if err != nil {
			b.Fatal(err)
		}
		if g := l.Groups(); len(g.Sessions) == 0 || len(l.Profiles) < 1000 {
			b.Fatalf("%d sessions, %d profiles", len(g.Sessions), len(l.Profiles))
		}
	}
}

// BenchmarkSyncSSO300 syncs 300 roles over 100 accounts from the fake
// portal into a config file with 700 other profiles, first sync each
// time: the portal's pages, the plan, the Go SDK's read-back of 300
// profiles, the write. Calls per sync are reported.
func BenchmarkSyncSSO300(b *testing.B) {
	config, _ := genProfiles(700)
	config = strings.Replace(config, "[default]\n", "[default]\nservices = fake\n", 1)
	config = strings.ReplaceAll(config, "sso-session corp]", "sso-session my-sso]")
	config = strings.ReplaceAll(config, "sso_session = corp", "sso_session = my-sso")
	x := newSSOFixture(b, config)
	x.signIn(b, "my-sso", time.Now().Add(time.Hour))
	x.fakes.STS.Portal().SetAccounts(fakeaws.GenerateAccounts(100, 3))
	var calls SyncCalls
	for b.Loop() {
		if err := os.WriteFile(x.env.ConfigFile, x.config, 0o600); err != nil {
			b.Fatal(err)
		}
		res, err := x.sync(b, SSOSyncOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Added) != 300 {
			b.Fatalf("added %d", len(res.Added))
		}
		calls = res.Calls
	}
	b.ReportMetric(float64(calls.ListAccounts+calls.ListAccountRoles), "portal-calls/op")
}
