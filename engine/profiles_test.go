package engine

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/awsxc/awsxc/internal/profilegen"
)

// TestIssue10Item36Labels: the listing's kind of each profile, from its
// keys alone: the kinds every tool agrees on, and "mixed", with what each
// would use, where they do not (fixture 36mix, checked with the AWS CLI,
// botocore and the JS SDK).
func TestIssue10Item36Labels(t *testing.T) {
	t.Parallel()
	_, env := compatEnv(t, nil, "36mix")
	l, err := ListProfiles(env)
	if err != nil {
		t.Fatal(err)
	}
	type row struct{ Kind, Note, Err string }
	got := map[string]row{}
	for _, p := range l.Profiles {
		r := row{Kind: string(p.Kind), Note: p.Note}
		if p.Err != nil {
			r.Err = p.Err.Error()
		}
		got[p.Name] = r
	}
	want := map[string]row{
		"ssokeys": {Kind: "mixed", Note: "sets keys and SSO: awsxc (the Go SDK) uses the keys, the AWS CLI uses SSO"},
		"prockeyscfg": {Kind: "mixed",
			Note: "sets keys and credential_process: awsxc (the Go SDK) uses the keys, the AWS CLI uses credential_process"},
		"prockeyscred":  {Kind: "static", Note: "also sets credential_process, which every tool ignores"},
		"rolekeysnosrc": {Err: `profile "rolekeysnosrc": invalid configuration: it has role_arn but neither source_profile nor credential_source (the AWS CLI: "Partial credentials found in assume-role, missing: source_profile or credential_source"); add source_profile or credential_source, or remove role_arn`},
		"roleproc":      {Err: `profile "roleproc": invalid configuration: it has role_arn but neither source_profile nor credential_source (the AWS CLI: "Partial credentials found in assume-role, missing: source_profile or credential_source"); add source_profile or credential_source, or remove role_arn`},
		"keysonlyid":    {Err: `profile "keysonlyid": invalid configuration: it sets only one of aws_access_key_id and aws_secret_access_key`},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// genProfiles writes n profiles the way a large organisation's generated
// config looks, the files make bench's listing benchmark reads (see
// internal/profilegen).
func genProfiles(n int) (config, creds string) { return profilegen.Generate(n) }

// TestIssue10Item36OneRead: listing 1,000 profiles reads each file once
// and allocates in proportion to the files, not to profiles × file size
// (one SDK parse per profile allocated about 3 GB for these 140 KB). How
// fast it is is measured by make bench, against the static start-up. It
// counts the bytes the process allocates, so it does not run in parallel.
func TestIssue10Item36OneRead(t *testing.T) {
	dir := t.TempDir()
	config, creds := genProfiles(1000)
	env := Env{ConfigFile: filepath.Join(dir, "config"), CredentialsFile: filepath.Join(dir, "credentials")}
	os.WriteFile(env.ConfigFile, []byte(config), 0o600)
	os.WriteFile(env.CredentialsFile, []byte(creds), 0o600)
	size := uint64(len(config) + len(creds))

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	l, err := ListProfiles(env)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("allocated %d bytes for %d bytes of files", after.TotalAlloc-before.TotalAlloc, size)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 40*size {
		t.Errorf("listing allocated %d bytes for %d bytes of files (%.0f×), want at most 40×", alloc, size, float64(alloc)/float64(size))
	}
	kinds := map[Kind]int{}
	for _, p := range l.Profiles {
		kinds[p.Kind]++
		if p.Err != nil {
			t.Errorf("%s: %v", p.Name, p.Err)
		}
	}
	want := map[Kind]int{KindStatic: 400, KindAssumeRole: 300, KindSSO: 200, KindProcess: 100, KindNone: 1}
	if diff := cmp.Diff(want, kinds); diff != "" {
		t.Errorf("kinds (-want +got):\n%s", diff)
	}
}
