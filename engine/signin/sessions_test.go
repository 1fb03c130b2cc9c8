package signin

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/awsxc/awsxc/engine"
)

// sessionShapes are profiles of every shape a session can be reached
// through, or not: chains, sources that hold keys, mixed settings,
// missing or incomplete sections, quoted values, both files.
const sessionShapes = `[profile direct]
sso_session = my-sso
sso_account_id = 111122223333
sso_role_name = Admin
[profile quoted]
sso_session = "my-sso"
sso_account_id = 111122223333
sso_role_name = Admin
[profile role1]
role_arn = arn:aws:iam::1:role/A
source_profile = direct
[profile role2]
role_arn = arn:aws:iam::1:role/B
source_profile = role1
[profile rolecs]
role_arn = arn:aws:iam::1:role/C
credential_source = Environment
[profile rolewebid]
role_arn = arn:aws:iam::1:role/D
web_identity_token_file = /tmp/token
[profile keysrc]
aws_access_key_id = AKIAEXAMPLEKEYS00002
aws_secret_access_key = s
role_arn = arn:aws:iam::1:role/E
source_profile = direct
[profile onkeysrc]
role_arn = arn:aws:iam::1:role/F
source_profile = keysrc
[profile self]
role_arn = arn:aws:iam::1:role/G
source_profile = self
aws_access_key_id = AKIAEXAMPLEKEYS00003
aws_secret_access_key = s
[profile keysandsso]
aws_access_key_id = AKIAEXAMPLEKEYS00004
aws_secret_access_key = s
sso_session = my-sso
[profile ssoandlogin]
sso_session = my-sso
login_session = arn:aws:iam::1:user/a
region = eu-west-1
[profile ssoandprocess]
sso_session = other
credential_process = /bin/false
[profile loginandprocess]
login_session = arn:aws:iam::1:user/b
region = eu-west-1
credential_process = /bin/false
[profile login]
login_session = arn:aws:iam::1:user/c
region = eu-west-1
[profile onlogin]
role_arn = arn:aws:iam::1:role/H
source_profile = login
[profile loginnoregion]
login_session = arn:aws:iam::1:user/d
[profile legacy]
sso_start_url = https://d-1.awsapps.com/start
sso_region = eu-west-1
sso_account_id = 1
sso_role_name = R
[profile onlegacy]
role_arn = arn:aws:iam::1:role/I
source_profile = legacy
[profile legacynoregion]
sso_start_url = https://d-2.awsapps.com/start
[profile legacyhttp]
sso_start_url = http://d-3.awsapps.com/start
sso_region = eu-west-1
[profile missingsession]
sso_session = nope
[profile brokensession]
sso_session = broken
[profile onmissing]
role_arn = arn:aws:iam::1:role/J
source_profile = gone
[profile sourcenorole]
source_profile = direct
[profile halfsso]
sso_account_id = 1
[profile process]
credential_process = /bin/false
[profile empty]
region = eu-west-1
[profile dup]
sso_session = my-sso
[profile dup]
sso_session = other
[profile credsfile]
region = eu-west-1
[profile spaced]
sso_session =   other  
[sso-session my-sso]
sso_start_url = https://d-1234567890.awsapps.com/start
sso_region = eu-west-1
[sso-session other]
sso_start_url = https://d-1234567890.awsapps.com/start/other
sso_region = eu-west-1
[sso-session broken]
sso_region = eu-west-1
`

const sessionShapesCreds = `[credsfile]
sso_session = other
[credsonly]
aws_access_key_id = AKIAEXAMPLEKEYS00005
aws_secret_access_key = s
[direct]
region = us-east-1
`

// TestListSessionsMatchesProfileSession: the one-read listing finds for
// every profile the session ProfileSession finds through the SDK's
// loader, or none where that fails (review 2, M7).
func TestListSessionsMatchesProfileSession(t *testing.T) {
	t.Parallel()
	for _, region := range []string{"", "us-west-2"} {
		dir := t.TempDir()
		env := engine.Env{ConfigFile: filepath.Join(dir, "config"), CredentialsFile: filepath.Join(dir, "credentials"), Home: dir, Region: region}
		os.WriteFile(env.ConfigFile, []byte(sessionShapes), 0o600)
		os.WriteFile(env.CredentialsFile, []byte(sessionShapesCreds), 0o600)
		compareSessions(t, env)
	}
}

// compareSessions fails where listSessions and ProfileSession disagree
// on a profile of env's files.
func compareSessions(t *testing.T, env engine.Env) {
	t.Helper()
	entries, err := listSessions(env)
	if err != nil {
		t.Fatal(err)
	}
	names, _ := engine.ListProfileNames(env)
	if len(entries) != len(names) {
		t.Fatalf("%d entries for %d profiles", len(entries), len(names))
	}
	for _, e := range entries {
		s, err := ProfileSession(context.Background(), env, e.info.Name)
		want := "none"
		if err == nil {
			want = fmt.Sprintf("%s region %s profile %s", s.Key(), s.Region, s.Profile)
		}
		if e.info.Err != nil {
			// A profile the engine refuses to resolve (a section twice,
			// which the SDK alone would merge) is on no session.
			want = "none"
		}
		got := "none"
		if e.ok {
			got = fmt.Sprintf("%s region %s profile %s", e.s.Key(), e.s.Region, e.s.Profile)
		}
		if got != want {
			t.Errorf("profile %q: listSessions says %s, ProfileSession %s (%v)", e.info.Name, got, want, err)
		}
	}
}

// sessionBenchFiles writes 1,000 profiles on one sso-session, and
// roles on top of every tenth.
func sessionBenchFiles(b *testing.B) engine.Env {
	dir := b.TempDir()
	var cfg strings.Builder
	for i := range 1000 {
		if i%10 == 9 {
			fmt.Fprintf(&cfg, "[profile p%d]\nrole_arn = arn:aws:iam::1:role/R\nsource_profile = p%d\n\n", i, i-1)
			continue
		}
		fmt.Fprintf(&cfg, "[profile p%d]\nsso_session = my-sso\nsso_account_id = %012d\nsso_role_name = Admin\nregion = eu-west-1\n\n", i, i)
	}
	cfg.WriteString("[sso-session my-sso]\nsso_start_url = https://d-1234567890.awsapps.com/start\nsso_region = eu-west-1\n")
	env := engine.Env{ConfigFile: filepath.Join(dir, "config"), Home: dir}
	os.WriteFile(env.ConfigFile, []byte(cfg.String()), 0o600)
	return env
}

// BenchmarkSessionProfiles1000 finds the profiles of one session among
// 1,000, as every login, logout and the tray's grouping does (review 2,
// M7). Its target is a ratio in the same run: within 2× of
// BenchmarkListProfiles1000, the listing alone, which reads each file
// once. (Loading each profile through the SDK instead, as before, took
// 6.4 s for these files: one parse of both files per profile.)
func BenchmarkSessionProfiles1000(b *testing.B) {
	env := sessionBenchFiles(b)
	for b.Loop() {
		got, err := SessionProfiles(context.Background(), env, "sso-session:my-sso")
		if err != nil || len(got) != 1000 {
			b.Fatalf("%d profiles, %v", len(got), err)
		}
	}
}

// BenchmarkListProfiles1000 is the baseline of
// BenchmarkSessionProfiles1000: the listing of the same files.
func BenchmarkListProfiles1000(b *testing.B) {
	env := sessionBenchFiles(b)
	for b.Loop() {
		if l, err := engine.ListProfiles(env); err != nil || len(l.Profiles) != 1000 {
			b.Fatal(err)
		}
	}
}

// FuzzListSessions: for files made of the settings a session depends on,
// in any combination, the one-read listing and ProfileSession agree.
// Keys come in pairs: where a profile sets one without the other, the
// SDK refuses it or not depending on which file holds the profile's
// other settings, and no sign-in depends on that.
func FuzzListSessions(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Add([]byte{12, 0, 0, 13, 1, 0, 2, 2, 1, 14, 3, 9, 9})
	keys := []string{"sso_session = my-sso", "sso_session = other", "sso_session = nope", "sso_start_url = https://d-1.awsapps.com/start",
		"sso_region = eu-west-1", "sso_account_id = 1", "sso_role_name = R", "login_session = arn:aws:iam::1:user/a",
		"region = us-east-1", "aws_access_key_id = AKIAEXAMPLEKEYS00009\naws_secret_access_key = s", "sso_region = us-east-1",
		"credential_process = /bin/false", "role_arn = arn:aws:iam::1:role/X", "source_profile = p0", "source_profile = p1",
		"source_profile = p2", "credential_source = Environment", "web_identity_token_file = /tmp/t", "source_profile = gone"}
	f.Fuzz(func(t *testing.T, plan []byte) {
		if len(plan) > 64 {
			return
		}
		var cfg, creds strings.Builder
		cfg.WriteString("[sso-session my-sso]\nsso_start_url = https://d-1234567890.awsapps.com/start\nsso_region = eu-west-1\n" +
			"[sso-session other]\nsso_region = eu-west-1\n")
		// Each byte: the low 5 bits pick a key, the next 2 a profile,
		// the top bit the file.
		sections := map[string][]string{}
		for _, b := range plan {
			k := keys[int(b&31)%len(keys)]
			p := fmt.Sprintf("p%d", (b>>5)&3)
			where := "config"
			if b&128 != 0 {
				where = "creds"
			}
			sections[where+" "+p] = append(sections[where+" "+p], k)
		}
		for i := range 4 {
			p := fmt.Sprintf("p%d", i)
			if ks, ok := sections["config "+p]; ok {
				fmt.Fprintf(&cfg, "[profile %s]\n%s\n", p, dedupeKeys(ks))
			}
			if ks, ok := sections["creds "+p]; ok {
				fmt.Fprintf(&creds, "[%s]\n%s\n", p, dedupeKeys(ks))
			}
		}
		dir := t.TempDir()
		env := engine.Env{ConfigFile: filepath.Join(dir, "config"), CredentialsFile: filepath.Join(dir, "credentials"), Home: dir}
		os.WriteFile(env.ConfigFile, []byte(cfg.String()), 0o600)
		os.WriteFile(env.CredentialsFile, []byte(creds.String()), 0o600)
		compareSessions(t, env)
	})
}

// dedupeKeys joins lines, keeping the first setting of each key (a key
// twice is a file the listing refuses as a whole).
func dedupeKeys(lines []string) string {
	seen := map[string]bool{}
	var out []string
	for _, l := range lines {
		k, _, _ := strings.Cut(l, " =")
		if !seen[k] {
			seen[k] = true
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
