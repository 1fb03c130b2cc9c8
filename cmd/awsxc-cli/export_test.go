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

// TestIssue10ControlCharacters: control characters in profile names and
// other file-derived text never reach the terminal raw. profiles,
// profiles --names, explain, error lines and warnings show them escaped
// (\x1b, \a, \r, \n). The INI format keeps line breaks out of a section
// name (a lone CR ends a line too, as in botocore), so CR and LF come
// through --profile. In process and as the built binary.
func TestIssue10ControlCharacters(t *testing.T) {
	t.Parallel()
	setup := func(t *testing.T) *fixture {
		f := newFixture(t)
		f.addProfile(t, "[profile esc\x1bMred\a]\nregion = eu\x1b[2Jwest-1")
		cred := filepath.Join(f.home, ".aws", "credentials")
		old, _ := os.ReadFile(cred)
		os.WriteFile(cred, append(old, []byte("\n[esc\x1bMred\a]\naws_access_key_id = AKIAESCEXAMPLE\naws_secret_access_key = s\n")...), 0o600)
		return f
	}
	// raw is any control character but the line ends of the output.
	raw := regexp.MustCompile("[\x00-\x09\x0b-\x1f\x7f]")
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stdout []string // substrings
		stderr []string
	}{
		{"profiles", []string{"profiles"}, 0, []string{`esc\x1bMred\a  `, `eu\x1b[2Jwest-1`}, nil},
		{"profiles_names", []string{"profiles", "--names"}, 0, []string{"esc\\x1bMred\\a\n"}, nil},
		{"explain", []string{"explain", "--profile", "esc\x1bMred\a"}, 0,
			[]string{"profile      esc\\x1bMred\\a\n", `region       eu\x1b[2Jwest-1`}, nil},
		{"error_esc", []string{"--profile", "nope\x1b[2J\a"}, 3, nil,
			[]string{`awsxc-cli: error: profile "nope\x1b[2J\a": profile not found`}},
		{"error_lf_cr", []string{"explain", "--profile", "x\ny\rz"}, 3, nil,
			[]string{`awsxc-cli: error: profile "x\ny\rz": profile not found`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for how, run := range map[string]func(*fixture) result{
				"in process": func(f *fixture) result { return f.run(t, "", nil, tc.args...) },
				"binary":     func(f *fixture) result { return f.runBinary(t, "", nil, tc.args...) },
			} {
				r := run(setup(t))
				if r.code != tc.code {
					t.Errorf("%s: exit %d, want %d; stderr %q", how, r.code, tc.code, r.stderr)
				}
				if raw.MatchString(r.stdout) || raw.MatchString(r.stderr) {
					t.Errorf("%s: a raw control character:\nstdout %q\nstderr %q", how, r.stdout, r.stderr)
				}
				for _, s := range tc.stdout {
					if !strings.Contains(r.stdout, s) {
						t.Errorf("%s: stdout %q lacks %q", how, r.stdout, s)
					}
				}
				for _, s := range tc.stderr {
					if !strings.Contains(r.stderr, s) || strings.Count(r.stderr, "\n") != 1 {
						t.Errorf("%s: stderr %q, want one line with %q", how, r.stderr, s)
					}
				}
			}
		})
	}
}
