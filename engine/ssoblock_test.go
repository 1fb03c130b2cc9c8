package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/awsxc/awsxc/internal/udiff"
)

// The rules a sync follows in the config file, checked below:
//   - every byte before the block's BEGIN line and after its END line
//     stays (a first sync only appends, after a line break when the
//     last line lacks one and a blank line when it is not blank);
//   - configparser's reading (refParse, the fuzz test's reference) of
//     every section outside the block is unchanged, and of each block
//     section is exactly the four keys written;
//   - the scanner reads the block back as the profiles written, and a
//     second sync with the same roles changes nothing;
//   - a block whose markers do not pair up, whose checksum does not
//     match, or which is followed by keys, is refused.

// syncStep is one sync of a golden case.
type syncStep struct {
	session  string          // "" is my-sso
	roles    []SyncedProfile // account id, name and role
	template string          // "" is the default
	region   string          // "" is eu-west-1
	before   string          // appended to the file before this step, as a user would
	refused  string          // the Go SDK's read-back refuses the result, saying this
}

var (
	rolesA = []SyncedProfile{
		{AccountID: "111122223333", AccountName: "Production", RoleName: "AdministratorAccess"},
		{AccountID: "111122223333", AccountName: "Production", RoleName: "ReadOnly"},
		{AccountID: "222233334444", AccountName: "Dev Team", RoleName: "Developer"},
		{AccountID: "333344445555", AccountName: "Dev/Team", RoleName: "Developer"}, // the same name once sanitised
		{AccountID: "444455556666", AccountName: "[Prod]; #1 (EU)", RoleName: "ReadOnly"},
		{AccountID: "555566667777", AccountName: "", RoleName: "Admin"},
	}
	// rolesB: Production lost ReadOnly and got Billing, Dev/Team is gone,
	// a new account came, Dev Team was renamed.
	rolesB = []SyncedProfile{
		{AccountID: "111122223333", AccountName: "Production", RoleName: "AdministratorAccess"},
		{AccountID: "111122223333", AccountName: "Production", RoleName: "Billing"},
		{AccountID: "222233334444", AccountName: "Dev Team (renamed)", RoleName: "Developer"},
		{AccountID: "444455556666", AccountName: "[Prod]; #1 (EU)", RoleName: "ReadOnly"},
		{AccountID: "555566667777", AccountName: "", RoleName: "Admin"},
		{AccountID: "666677778888", AccountName: "Sandbox", RoleName: "PowerUserAccess"},
	}
	rolesClash = []SyncedProfile{
		{AccountID: "111122223333", AccountName: "Production", RoleName: "AdministratorAccess"},
		{AccountID: "777788889999", AccountName: "clash-in-creds", RoleName: "ReadOnly"},
	}
)

var syncCases = []struct {
	name  string // testdata/ssosync/NAME.in, and NAME.credentials when there is one
	steps []syncStep
}{
	{name: "messy", steps: []syncStep{
		{roles: rolesA},
		// The user added a profile after the block: it stays, byte for byte.
		{roles: rolesB, before: "\n[profile after-the-block]\nregion = us-west-2\n"},
		{roles: rolesB}, // nothing changes
	}},
	{name: "crlf", steps: []syncStep{{roles: rolesA}, {roles: rolesB}}},
	{name: "bom", steps: []syncStep{{roles: rolesA[:1], refused: `it reads profile "Production.AdministratorAccess" with an error: failed to find SSO session section, my-sso (the byte order mark`}}},
	{name: "clash", steps: []syncStep{
		{roles: rolesClash},
		// A template that makes "default", which is never taken over.
		{roles: []SyncedProfile{{AccountID: "888899990000", AccountName: "default", RoleName: "Admin"}}, template: "{account_name}"},
	}},
	// "  [profile Production.ReadOnly]" continues a value for configparser
	// and is a header to the Go SDK: the name is taken.
	{name: "go_header", steps: []syncStep{{roles: rolesA[:2]}}},
	{name: "two_sessions", steps: []syncStep{
		{roles: rolesA[:2]},
		{session: "other", roles: rolesA[2:4], template: "{session}.{account_id}.{role_name}", region: "us-east-1"},
		{roles: rolesB[:3]},
		{roles: nil}, // every role gone: an empty block stays
	}},
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "ssosync", name))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return b
}

func sortedRoles(ps []SyncedProfile) []SyncedProfile {
	out := slices.Clone(ps)
	slices.SortFunc(out, func(a, b SyncedProfile) int {
		return strings.Compare(a.AccountID+"/"+a.RoleName, b.AccountID+"/"+b.RoleName)
	})
	return out
}

func TestPlanSyncGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range syncCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			data := readTestdata(t, tc.name+".in")
			creds := readTestdata(t, tc.name+".credentials")
			var summary strings.Builder
			for i, st := range tc.steps {
				data = append(slices.Clone(data), st.before...)
				session := orDefault(st.session, "my-sso")
				tmpl, err := ParseSSOTemplate(orDefault(st.template, DefaultSSOTemplate))
				if err != nil {
					t.Fatal(err)
				}
				region := orDefault(st.region, "eu-west-1")
				p, err := planSync(data, creds, session, sortedRoles(st.roles), region, tmpl)
				if err != nil {
					t.Fatalf("step %d: %v", i+1, err)
				}
				writeSummary(&summary, i+1, session, st, p)
				golden(t, filepath.Join("ssosync", fmt.Sprintf("%s.%d.golden", tc.name, i+1)), p.out)
				if i == len(tc.steps)-1 || i == 1 {
					golden(t, filepath.Join("ssosync", fmt.Sprintf("%s.%d.diff", tc.name, i+1)),
						[]byte(udiffOf(data, p.out)))
				}
				checkSync(t, data, creds, p, session, tmpl, region)
				err = syncReadBack(t.TempDir(), p.out, session, p)
				if err == nil {
					err = fullReadBack(t.TempDir(), p.out, session, p.profiles)
				}
				switch {
				case st.refused == "" && err != nil:
					t.Errorf("step %d: %v", i+1, err)
				case st.refused != "" && (err == nil || !strings.Contains(err.Error(), st.refused)):
					t.Errorf("step %d: read-back %v, want it to refuse: %s", i+1, err, st.refused)
				}
				data = p.out
			}
			golden(t, filepath.Join("ssosync", tc.name+".plan"), []byte(summary.String()))
		})
	}
}

func writeSummary(b *strings.Builder, step int, session string, st syncStep, p *syncPlan) {
	fmt.Fprintf(b, "step %d: sso-session %s, template %s\n", step, session, orDefault(st.template, DefaultSSOTemplate))
	names := func(ps []SyncedProfile) string {
		var n []string
		for _, q := range ps {
			n = append(n, q.Name)
		}
		return strings.Join(n, ", ")
	}
	fmt.Fprintf(b, "  added:   %s\n  removed: %s\n  updated: %s\n  kept:    %d\n", names(p.added), names(p.removed), names(p.updated), p.kept)
	for _, c := range p.clashes {
		fmt.Fprintf(b, "  clash:   %s instead of %s, which is %s\n", c.Profile, c.Wanted, c.TakenBy)
	}
}

func udiffOf(a, b []byte) string {
	return udiff.Unified("a/config", "b/config", a, b)
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// checkSync checks the rules at the top of this file on one sync of in.
func checkSync(t *testing.T, in, creds []byte, p *syncPlan, session string, tmpl SSOTemplate, region string) {
	t.Helper()
	out := p.out
	fin, fout := scanINI(in), scanINI(out)
	bout := scanSSOBlocks(fout)
	if len(bout.problems) > 0 {
		t.Fatalf("the result has marker problems: %v", bout.problems)
	}
	nb := bout.find(session)
	if nb == nil {
		t.Fatalf("the result has no block for %s", session)
	}
	if why := checkBlock(fout, *nb); why != "" {
		t.Fatalf("the result's block is refused: %s", why)
	}
	start, end := fout.lines[nb.begin].start, fout.lines[nb.end].next
	if ob := scanSSOBlocks(fin).find(session); ob != nil {
		s0, e0 := fin.lines[ob.begin].start, fin.lines[ob.end].next
		if !bytes.Equal(in[:s0], out[:start]) || !bytes.Equal(in[e0:], out[end:]) {
			t.Fatalf("bytes outside the block changed\nin:  %q\nout: %q", in, out)
		}
	} else {
		if !bytes.HasPrefix(out, in) || end != len(out) {
			t.Fatalf("a first sync must only append\nin:  %q\nout: %q", in, out)
		}
		between := string(out[len(in):start])
		if between != "" && strings.Trim(between, "\r\n") != "" {
			t.Fatalf("appended %q before the block", between)
		}
	}
	// The scanner reads the block back as written.
	if diff := cmp.Diff(p.profiles, blockProfiles(fout, *nb)); diff != "" {
		t.Fatalf("the block reads back differently (-written +read):\n%s", diff)
	}
	// configparser's view: sections outside the block as before, the
	// block's exactly as written.
	refIn, refOut := refParse(in), refParse(out)
	if refOut.errLines != refIn.errLines {
		t.Fatalf("configparser rejects %d lines, %d before", refOut.errLines, refIn.errLines)
	}
	inBlock := map[string]SyncedProfile{}
	for _, q := range p.profiles {
		inBlock["profile "+q.Name] = q
	}
	outside := func(r refResult) map[string]map[string]string {
		m := map[string]map[string]string{}
		for name, kv := range r.merged {
			if _, ok := inBlock[name]; !ok {
				m[name] = kv
			}
		}
		return m
	}
	wasInBlock := map[string]bool{}
	if ob := scanSSOBlocks(fin).find(session); ob != nil {
		for _, q := range blockProfiles(fin, *ob) {
			wasInBlock["profile "+q.Name] = true
		}
	}
	before := outside(refIn)
	for n := range wasInBlock {
		delete(before, n)
	}
	if diff := cmp.Diff(before, outside(refOut)); diff != "" {
		t.Fatalf("configparser reads the sections outside the block differently (-before +after):\n%s", diff)
	}
	for name, q := range inBlock {
		want := map[string]string{"sso_session": session, "sso_account_id": q.AccountID, "sso_role_name": q.RoleName, "region": q.Region}
		if diff := cmp.Diff(want, refOut.merged[name]); diff != "" {
			t.Fatalf("configparser reads [%s] (-want +got):\n%s", name, diff)
		}
	}
	// A second sync of the same roles changes nothing.
	again, err := planSync(out, creds, session, sortedRoles(p.profiles), region, tmpl)
	if err != nil {
		t.Fatalf("second sync: %v", err)
	}
	if !bytes.Equal(again.out, out) || again.kept != len(p.profiles) {
		t.Fatalf("a second sync of the same roles changes the file:\n%s", udiffOf(out, again.out))
	}
}

// botocoreConfigsScript prints, for each config file named on stdin (a
// JSON list), botocore's full_config profiles, or the error it raises.
const botocoreConfigsScript = `
import json, os, sys
import botocore.session
out = []
for path in json.load(sys.stdin):
    os.environ['AWS_CONFIG_FILE'] = path
    try:
        out.append({'Profiles': botocore.session.Session().full_config['profiles']})
    except Exception as e:
        out.append({'Error': type(e).__name__ + ': ' + str(e)})
print(json.dumps(out))
`

type botocoreConfig struct {
	Profiles map[string]map[string]any
	Error    string
}

func botocoreConfigs(t *testing.T, paths []string) []botocoreConfig {
	t.Helper()
	in, _ := json.Marshal(paths)
	cmd := exec.Command("/usr/bin/python3", "-c", botocoreConfigsScript)
	cmd.Stdin = bytes.NewReader(in)
	cmd.Env = []string{"HOME=" + t.TempDir(), "AWS_SHARED_CREDENTIALS_FILE=/nonexistent", "PATH=/usr/bin:/bin"}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v: %s", err, stderrOf(err))
	}
	var res []botocoreConfig
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("python3 output %q: %v", out, err)
	}
	return res
}

// TestPlanSyncGoldenBotocore reads every golden step's input and result
// with botocore: the profiles outside the block are the same, and the
// block's are exactly what was written.
func TestPlanSyncGoldenBotocore(t *testing.T) {
	t.Parallel()
	botocoreAvailable(t)
	dir := t.TempDir()
	type pair struct {
		name              string
		in, out           string
		written, replaced []SyncedProfile
		session           string
	}
	var pairs []pair
	var paths []string
	for _, tc := range syncCases {
		if tc.name == "bom" {
			continue // botocore reads no file with a byte order mark
		}
		data := readTestdata(t, tc.name+".in")
		creds := readTestdata(t, tc.name+".credentials")
		for i, st := range tc.steps {
			data = append(slices.Clone(data), st.before...)
			session := orDefault(st.session, "my-sso")
			tmpl, _ := ParseSSOTemplate(orDefault(st.template, DefaultSSOTemplate))
			f := scanINI(data)
			var old []SyncedProfile
			if b := scanSSOBlocks(f).find(session); b != nil {
				old = blockProfiles(f, *b)
			}
			p, err := planSync(data, creds, session, sortedRoles(st.roles), orDefault(st.region, "eu-west-1"), tmpl)
			if err != nil {
				t.Fatal(err)
			}
			pr := pair{name: fmt.Sprintf("%s step %d", tc.name, i+1), in: filepath.Join(dir, fmt.Sprintf("%s.%d.in", tc.name, i+1)),
				out: filepath.Join(dir, fmt.Sprintf("%s.%d.out", tc.name, i+1)), written: p.profiles, replaced: old, session: session}
			os.WriteFile(pr.in, data, 0o600)
			os.WriteFile(pr.out, p.out, 0o600)
			pairs = append(pairs, pr)
			paths = append(paths, pr.in, pr.out)
			data = p.out
		}
	}
	res := botocoreConfigs(t, paths)
	for i, pr := range pairs {
		before, after := res[2*i], res[2*i+1]
		if before.Error != "" || after.Error != "" {
			t.Errorf("%s: botocore fails: before %q, after %q", pr.name, before.Error, after.Error)
			continue
		}
		for _, q := range pr.replaced {
			delete(before.Profiles, q.Name)
		}
		for _, q := range pr.written {
			want := map[string]any{"sso_session": pr.session, "sso_account_id": q.AccountID, "sso_role_name": q.RoleName, "region": q.Region}
			if diff := cmp.Diff(want, after.Profiles[q.Name]); diff != "" {
				t.Errorf("%s: botocore reads profile %s (-want +got):\n%s", pr.name, q.Name, diff)
			}
			delete(after.Profiles, q.Name)
		}
		if diff := cmp.Diff(before.Profiles, after.Profiles); diff != "" {
			t.Errorf("%s: botocore reads the other profiles differently (-before +after):\n%s", pr.name, diff)
		}
	}
}

// syncedFile is a config file after a first sync of rolesA[:2].
func syncedFile(t *testing.T) string {
	t.Helper()
	tmpl, _ := ParseSSOTemplate(DefaultSSOTemplate)
	p, err := planSync(readTestdata(t, "two_sessions.in"), nil, "my-sso", sortedRoles(rolesA[:2]), "eu-west-1", tmpl)
	if err != nil {
		t.Fatal(err)
	}
	return string(p.out)
}

// TestPlanSyncRefusesDamagedMarkers: markers damaged by hand are a clear
// refusal that changes nothing.
func TestPlanSyncRefusesDamagedMarkers(t *testing.T) {
	t.Parallel()
	base := syncedFile(t)
	begin := "# BEGIN awsxc sso sync: my-sso\n"
	endLine := base[strings.Index(base, "# END awsxc sso sync: my-sso"):]
	block := base[strings.Index(base, begin):]
	tests := []struct {
		name, file, want string
	}{
		{"begin_without_end", strings.Replace(base, endLine, "", 1),
			`line 9 begins a block for "my-sso" that no END line ends`},
		{"end_without_begin", strings.Replace(base, begin, "", 1),
			`ends a block for "my-sso" that no BEGIN line opens`},
		{"duplicated_block", base + "\n" + block,
			`the block for "my-sso" appears twice (lines 9 and 31)`},
		{"nested_block", strings.Replace(base, "\n# account: Production", "\n# BEGIN awsxc sso sync: other\n# account: Production", 1),
			`begins a block for "other" inside the block for "my-sso" that line 9 begins`},
		{"end_of_another_session", strings.Replace(base, "# END awsxc sso sync: my-sso", "# END awsxc sso sync: other", 1),
			`ends a block for "other", but the block line 9 begins is for "my-sso"`},
		{"marker_mistyped", strings.Replace(base, begin, "# BEGIN awsxc sso sync my-sso\n", 1),
			`line 9, "# BEGIN awsxc sso sync my-sso", names the sync but is no marker it wrote`},
		{"value_edited", strings.Replace(base, "sso_role_name = ReadOnly", "sso_role_name = ReadWrite", 1),
			`the block for "my-sso" (lines 9-29) was edited since the sync wrote it: its checksum does not match; nothing was written: move your changes out of the block`},
		{"key_added", strings.Replace(base, "sso_role_name = ReadOnly\n", "sso_role_name = ReadOnly\noutput = json\n", 1),
			`was edited since the sync wrote it`},
		{"profile_deleted", strings.Replace(base, "# account: Production (111122223333)\n[profile Production.ReadOnly]\nsso_session = my-sso\nsso_account_id = 111122223333\nsso_role_name = ReadOnly\nregion = eu-west-1\n\n", "", 1),
			`was edited since the sync wrote it`},
		{"checksum_removed", strings.Replace(base, endLine, "# END awsxc sso sync: my-sso\n", 1),
			`the block for "my-sso" (lines 9-29) has no checksum on its END line`},
		{"keys_after_end", base + "output = json\n",
			`line 30, "output = json", after the END line of the block for "my-sso" (lines 9-29), would be read as part of the block's last profile`},
		{"continuation_after_end", base + "  more\n",
			`line 30, "more", after the END line`},
	}
	tmpl, _ := ParseSSOTemplate(DefaultSSOTemplate)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := planSync([]byte(tc.file), nil, "my-sso", sortedRoles(rolesB), "eu-west-1", tmpl)
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("err = %v\nwant one line with %q\nfile:\n%s", err, tc.want, tc.file)
			}
		})
	}
	// CRLF line endings, as an editor may convert a file to, are no edit.
	crlf := strings.ReplaceAll(base, "\n", "\r\n")
	p, err := planSync([]byte(crlf), nil, "my-sso", sortedRoles(rolesA[:2]), "eu-west-1", tmpl)
	if err != nil || string(p.out) != crlf {
		t.Errorf("the CRLF copy of a synced file: %v, or the sync changed it", err)
	}
	// A broken block of another session stops a sync only when its
	// markers do not pair up.
	other := strings.Replace(base, "sso_role_name = ReadOnly", "sso_role_name = ReadWrite", 1)
	if _, err := planSync([]byte(other), nil, "other", sortedRoles(rolesA[2:3]), "us-east-1", tmpl); err != nil {
		t.Errorf("syncing other beside an edited block of my-sso: %v", err)
	}
}

func TestSanitizeProfileName(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Production.AdministratorAccess", "Production.AdministratorAccess"},
		{"My Account.Admin", "My-Account.Admin"},
		{"[Prod]; #1 (EU).ReadOnly", "Prod-1-EU.ReadOnly"},
		{"  spaced  ", "spaced"},
		{"...dots...", "dots"},
		{"a..b", "a..b"},
		{"tab\there", "tab-here"},
		{"line\nbreak", "line-break"},
		{"Ünïcödé", "n-c-d"},
		{"name=value:x", "name-value-x"},
		{`quote"s'`, "quote-s"},
		{"keep_+@-", "keep_+@"},
		{"#;[]", ""},
		{"a - . - b", "a.b"},
		{"\xff\xfe", ""},
	}
	for _, tc := range tests {
		if got := SanitizeProfileName(tc.in); got != tc.want {
			t.Errorf("SanitizeProfileName(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if got := SanitizeProfileName(tc.in); got != "" {
			if err := ValidateProfileName(got); err != nil {
				t.Errorf("SanitizeProfileName(%q) = %q, which is no valid name: %v", tc.in, got, err)
			}
		}
	}
}

func TestParseSSOTemplate(t *testing.T) {
	t.Parallel()
	p := SyncedProfile{AccountID: "111122223333", AccountName: "Prod Team", RoleName: "Admin"}
	tests := []struct{ tmpl, want, err string }{
		{tmpl: "{account_name}.{role_name}", want: "Prod-Team.Admin"},
		{tmpl: "{session}/{account_id}/{role_name}", want: "my-sso-111122223333-Admin"},
		{tmpl: "aws-{account_id}", want: "aws-111122223333"},
		{tmpl: "{role_name}@{account_name}", want: "Admin@Prod-Team"},
		{tmpl: "{{role_name}}", err: `"{{role_name}" is not a placeholder`},
		{tmpl: "{account}.{role_name}", err: `"{account}" is not a placeholder`},
		{tmpl: "{role_name", err: `"{role_name" is not a placeholder`},
		{tmpl: "x}{role_name}", err: `"}" is not a placeholder`},
		{tmpl: "static", err: "it names no placeholder"},
		{tmpl: "", err: "it names no placeholder"},
	}
	for _, tc := range tests {
		tm, err := ParseSSOTemplate(tc.tmpl)
		if tc.err != "" {
			if !errors.Is(err, ErrSSOTemplate) || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseSSOTemplate(%q) = %v, want an error with %q", tc.tmpl, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseSSOTemplate(%q): %v", tc.tmpl, err)
			continue
		}
		if got := tm.expand("my-sso", p); got != tc.want {
			t.Errorf("%q gives %q, want %q", tc.tmpl, got, tc.want)
		}
	}
	// A name that sanitises to nothing falls back to ACCOUNT_ID.ROLE.
	tm, _ := ParseSSOTemplate("{account_name}")
	if got := tm.expand("s", SyncedProfile{AccountID: "111122223333", AccountName: "###", RoleName: "R"}); got != "111122223333.R" {
		t.Errorf("empty name: %q", got)
	}
}

// TestAssignNamesStable: a profile keeps the name an earlier sync gave it
// while that is still its template name (suffixed or not), so that
// adding an account never renames another's profiles.
func TestAssignNamesStable(t *testing.T) {
	t.Parallel()
	tmpl, _ := ParseSSOTemplate("{account_name}.{role_name}")
	ps := func(accounts ...string) []SyncedProfile {
		var out []SyncedProfile
		for _, a := range accounts {
			id, name, _ := strings.Cut(a, "=")
			out = append(out, SyncedProfile{AccountID: id, AccountName: name, RoleName: "R"})
		}
		return out
	}
	names := func(p []SyncedProfile) []string {
		var out []string
		for _, q := range p {
			out = append(out, q.AccountID+"="+q.Name)
		}
		return out
	}
	// Two accounts named alike: the smaller id gets the plain name.
	first := ps("222222222222=Dev Team", "333333333333=Dev/Team")
	assignNames(first, "s", tmpl, nil, map[string]nameTaken{})
	if diff := cmp.Diff([]string{"222222222222=Dev-Team.R", "333333333333=Dev-Team.R-2"}, names(first)); diff != "" {
		t.Errorf("first sync (-want +got):\n%s", diff)
	}
	// A new account with a smaller id and the same name comes: the old
	// ones keep theirs, the new one gets the next suffix.
	old := map[[2]string]string{{"222222222222", "R"}: "Dev-Team.R", {"333333333333", "R"}: "Dev-Team.R-2"}
	next := ps("111111111111=Dev Team", "222222222222=Dev Team", "333333333333=Dev/Team")
	assignNames(next, "s", tmpl, old, map[string]nameTaken{})
	if diff := cmp.Diff([]string{"111111111111=Dev-Team.R-3", "222222222222=Dev-Team.R", "333333333333=Dev-Team.R-2"}, names(next)); diff != "" {
		t.Errorf("re-sync (-want +got):\n%s", diff)
	}
	// A user's profile took Dev-Team.R meanwhile: that profile moves to
	// the first free suffix, and the clash is reported.
	taken := map[string]nameTaken{"Dev-Team.R": {where: "config file line 3"}}
	next = ps("222222222222=Dev Team", "333333333333=Dev/Team")
	clashes := assignNames(next, "s", tmpl, old, taken)
	if diff := cmp.Diff([]string{"222222222222=Dev-Team.R-3", "333333333333=Dev-Team.R-2"}, names(next)); diff != "" {
		t.Errorf("clash (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[int]string{0: "Dev-Team.R", 1: "Dev-Team.R"}, clashes); diff != "" {
		t.Errorf("clashes (-want +got):\n%s", diff)
	}
	// A renamed account's profile follows the new name.
	next = ps("222222222222=Platform")
	assignNames(next, "s", tmpl, old, map[string]nameTaken{})
	if diff := cmp.Diff([]string{"222222222222=Platform.R"}, names(next)); diff != "" {
		t.Errorf("renamed (-want +got):\n%s", diff)
	}
}

func TestParseSSOMarker(t *testing.T) {
	t.Parallel()
	tests := []struct {
		line        string
		want        ssoMarker
		ok, damaged bool
	}{
		{"# BEGIN awsxc sso sync: my-sso", ssoMarker{begin: true, session: "my-sso"}, true, false},
		{"  #BEGIN awsxc sso sync:   spaced  ", ssoMarker{begin: true, session: "spaced"}, true, false},
		{"# END awsxc sso sync: my-sso, checksum abc", ssoMarker{session: "my-sso", checksum: "abc"}, true, false},
		{"# END awsxc sso sync: my-sso", ssoMarker{session: "my-sso"}, true, false},
		{"# BEGIN awsxc sso sync:", ssoMarker{begin: true}, false, true},
		{"# begin AWSXC sso sync my-sso", ssoMarker{}, false, true},
		{"# END of the awsxc profiles", ssoMarker{}, false, true},
		{"; BEGIN awsxc sso sync: my-sso", ssoMarker{}, false, false},
		{"# written by awsxc. Do not edit between BEGIN and END", ssoMarker{}, false, false},
		{"# account: Production (111122223333)", ssoMarker{}, false, false},
		{"region = x", ssoMarker{}, false, false},
	}
	for _, tc := range tests {
		m, ok, damaged := parseSSOMarker([]byte(tc.line))
		if ok != tc.ok || damaged != tc.damaged || (ok && m != tc.want) {
			t.Errorf("parseSSOMarker(%q) = %+v, %v, %v; want %+v, %v, %v", tc.line, m, ok, damaged, tc.want, tc.ok, tc.damaged)
		}
	}
}

func TestParseAccountNote(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"Production", "Prod (EU)", "", "with ) and ( inside", "tab\tname"} {
		note := accountNote("111122223333", name)
		id, got, ok := parseAccountNote([]byte(note))
		want := strings.ReplaceAll(name, "\t", " ")
		if !ok || id != "111122223333" || got != want {
			t.Errorf("parseAccountNote(%q) = %q, %q, %v; want %q", note, id, got, ok, want)
		}
	}
	for _, bad := range []string{"# account: Production", "# account: x (12345)", "# acct: x (111122223333)", "account: x (111122223333)"} {
		if _, _, ok := parseAccountNote([]byte(bad)); ok {
			t.Errorf("parseAccountNote(%q) took it", bad)
		}
	}
}
