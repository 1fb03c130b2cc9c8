package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/awsxc/awsxc/engine"
)

// addProfile appends a profile section to the fixture's config.
func (f *fixture) addProfile(t *testing.T, section string) {
	t.Helper()
	path := filepath.Join(f.home, ".aws", "config")
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(old, []byte("\n"+section+"\n")...), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestIssue10UnsafeValues: a credential_process that returns a secret
// holding a line break and another assignment (as an attacker's would,
// to set BASH_ENV through export $(awsxc-cli --env)) makes every
// environment format and --exec fail: exit 3, one line that does not
// quote the value, nothing on stdout, nothing run. The JSON modes escape
// it. In process and as the built binary.
func TestIssue10UnsafeValues(t *testing.T) {
	t.Parallel()
	setup := func(t *testing.T) *fixture {
		f := newFixture(t)
		os.WriteFile(filepath.Join(f.home, "evil.json"), []byte(`{"Version": 1, "AccessKeyId": "ASIAEVIL", "SecretAccessKey": "evilsecret\n BASH_ENV=/tmp/x", `+
			`"SessionToken": "eviltoken", "Expiration": "2099-01-02T03:04:05Z"}`), 0o600)
		f.addProfile(t, "[profile evil]\ncredential_process = sh -c 'cat \""+f.home+"/evil.json\"'")
		return f
	}
	var modes [][]string
	modes = append(modes, []string{"--env"}, []string{"--env-export"})
	for _, name := range engine.FormatNames() {
		if name != string(engine.FormatProcess) {
			modes = append(modes, []string{"--format", name})
		}
	}
	ran := func(f *fixture) string { return filepath.Join(f.home, "ran") }
	for _, mode := range append(modes, []string{"--exec", "sh", "-c", "touch ran"}) {
		t.Run(strings.Join(mode, "_"), func(t *testing.T) {
			t.Parallel()
			args := append([]string{"--profile", "evil"}, mode...)
			want := regexp.MustCompile(`^awsxc-cli: error: profile "evil": cannot get credentials: value cannot be exported: ` +
				`AWS_SECRET_ACCESS_KEY holds a control character \(U\+000A at byte 11\), which an environment export cannot carry; check what its source returns\n$`)
			for how, run := range map[string]func(*fixture) result{
				"in process": func(f *fixture) result { return f.run(t, "", nil, args...) },
				"binary":     func(f *fixture) result { return f.runBinary(t, "", nil, args...) },
			} {
				f := setup(t)
				r := run(f)
				if r.code != exitResolution || r.stdout != "" || !want.MatchString(r.stderr) {
					t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 3, nothing on stdout, one line matching %q", how, r.code, r.stdout, r.stderr, want)
				}
				if strings.Contains(r.stderr, "BASH_ENV") || strings.Contains(r.stderr, "evilsecret") {
					t.Errorf("%s: the error quotes the value: %q", how, r.stderr)
				}
				if _, err := os.Stat(ran(f)); err == nil {
					t.Errorf("%s: the --exec command ran", how)
				}
			}
		})
	}
	// The JSON escapes the line break: one document, the value intact.
	f := setup(t)
	for _, args := range [][]string{{"--profile", "evil", "--json"}, {"--profile", "evil"}} {
		r := f.run(t, "", nil, args...)
		if r.code != 0 || !strings.Contains(r.stdout, `"SecretAccessKey":`) || !strings.Contains(r.stdout, `"evilsecret\u000a BASH_ENV=/tmp/x"`) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", args, r.code, r.stdout, r.stderr)
		}
	}
}
