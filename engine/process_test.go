//go:build unix

package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/awsxc/awsxc/internal/exectest"
	"github.com/awsxc/awsxc/internal/fakeaws"
)

// quotedConfig holds credential_process forms of a path with a space,
// the one the AWS CLI's guide recommends first. DIR is the test's folder.
const quotedConfig = `[profile dq]
credential_process = "DIR/dir with space/p.sh"

[profile sq]
credential_process = 'DIR/dir with space/p.sh'

[profile dqargs]
credential_process = "DIR/dir with space/p.sh" --arg "two words" 'single q'

[profile escaped]
credential_process = DIR/dir\ with\ space/p.sh

[profile viarole]
role_arn = arn:aws:iam::123456789012:role/ViaQuoted
source_profile = dq
`

// argcScript prints credentials whose key id ends in its argument count.
const argcScript = `#!/bin/sh
printf '{"Version":1,"AccessKeyId":"AKIAPROCARGC%08d","SecretAccessKey":"s"}\n' "$#"
`

// TestIssue10Item18QuotedProcess: credential_process = "/path with
// space/p.sh" runs the program, as in the AWS CLI; the Go SDK alone
// strips the quotes and the shell then splits the path. For a profile
// and for a source profile; the AWS CLI runs the same files.
func TestIssue10Item18QuotedProcess(t *testing.T) {
	t.Parallel()
	fake := fakeaws.New()
	t.Cleanup(fake.Close)
	tmp := t.TempDir()
	script := filepath.Join(tmp, "dir with space", "p.sh")
	os.MkdirAll(filepath.Dir(script), 0o755)
	exectest.WriteProgram(t, script, []byte(argcScript))
	dir, cf, kf := fake.Files(t, strings.ReplaceAll(quotedConfig, "DIR", tmp), "")
	env := Env{ConfigFile: cf, CredentialsFile: kf, Home: dir, Dir: dir}
	cases := []struct{ profile, key string }{
		{"dq", "AKIAPROCARGC00000000"},
		{"sq", "AKIAPROCARGC00000000"},
		{"dqargs", "AKIAPROCARGC00000003"},
		{"escaped", "AKIAPROCARGC00000000"},
	}
	for _, tc := range cases {
		r, err := Obtain(context.Background(), ObtainOptions{Env: env, Profile: tc.profile})
		if err != nil {
			t.Errorf("%s: %v", tc.profile, err)
			continue
		}
		if r.Credentials.AccessKeyID != tc.key {
			t.Errorf("%s: key %s, want %s", tc.profile, r.Credentials.AccessKeyID, tc.key)
		}
	}
	r, err := Obtain(context.Background(), ObtainOptions{Env: env, Profile: "viarole"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"AssumeRole ViaQuoted by AKIAPROCARGC00000000"}, callsOf(fake, 0)); diff != "" {
		t.Errorf("STS calls (-want +got):\n%s", diff)
	}
	if want := "dq (process: " + script + " …)"; r.Chain[1] != want {
		t.Errorf("chain %q, want %q", r.Chain, want)
	}
	t.Run("aws_cli", func(t *testing.T) {
		needAWSCLI(t)
		for _, tc := range cases {
			res := awsCLI(t, fake, env, "", "configure", "export-credentials", "--profile", tc.profile)
			var out struct{ AccessKeyId string }
			json.Unmarshal([]byte(res.stdout), &out)
			if res.code != 0 || out.AccessKeyId != tc.key {
				t.Errorf("aws --profile %s: exit %d, key %q, want %s as awsxc: %s", tc.profile, res.code, out.AccessKeyId, tc.key, res.stderr)
			}
		}
	})
}

// hangScript keeps its stdout open long after the SDK's timeout would
// have killed the shell: the program it runs holds it.
const hangScript = `#!/bin/sh
sleep SECONDS
`

// alive counts the live (not zombie) processes whose command line is
// argv.
func alive(t *testing.T, argv ...string) int {
	t.Helper()
	want := []byte(strings.Join(argv, "\x00") + "\x00")
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Skip("no /proc")
	}
	n := 0
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		cmdline, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil || !bytes.Equal(cmdline, want) {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if i := bytes.LastIndexByte(stat, ')'); err == nil && i > 0 && i+2 < len(stat) && stat[i+2] == 'Z' {
			continue
		}
		n++
	}
	return n
}

// waitGone waits a little for killed processes to go, and reports how
// many are left.
func waitGone(t *testing.T, argv ...string) int {
	t.Helper()
	n := 0
	for range 50 {
		if n = alive(t, argv...); n == 0 {
			return 0
		}
		time.Sleep(20 * time.Millisecond)
	}
	return n
}

// TestIssue10Item3ProcessTimeout: a credential_process whose child keeps
// stdout open is stopped at the fetch's bound, with the programs it
// started, and the error names the program and not its arguments. Without
// awsxc's command builder the SDK kills the shell only and then waits
// for the child (sleep 3xx) to close the output. Each case uses its own
// sleep length, so that the cases can look for their own leftovers.
func TestIssue10Item3ProcessTimeout(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("counts processes in /proc")
	}
	cases := []struct {
		name     string
		seconds  string
		terminal bool
		profile  string
		source   bool // through NewSource and its first Refresh, as a server starts
	}{
		{"no_terminal", "317", false, "slow", false},
		{"terminal", "318", true, "slow", false},
		{"source_profile", "319", false, "viaslow", false},
		{"server_start", "320", false, "slow", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := fakeaws.New()
			t.Cleanup(fake.Close)
			tmp := t.TempDir()
			script := filepath.Join(tmp, "slow creds.sh")
			exectest.WriteProgram(t, script, []byte(strings.ReplaceAll(hangScript, "SECONDS", tc.seconds)))
			config := `[profile slow]
credential_process = "` + script + `" --token SECRETARGUMENT
[profile viaslow]
role_arn = arn:aws:iam::123456789012:role/ViaSlow
source_profile = slow
`
			dir, cf, kf := fake.Files(t, config, "")
			env := Env{ConfigFile: cf, CredentialsFile: kf, Home: dir, Dir: dir, Terminal: tc.terminal}
			t.Cleanup(func() { // a failed case must not leave its sleep behind
				for _, pid := range sleepPIDs(tc.seconds) {
					if p, err := os.FindProcess(pid); err == nil {
						p.Kill()
					}
				}
			})
			err := withinDeadline(t, 30*time.Second, func() error {
				if tc.source {
					src, err := NewSource(context.Background(), SourceOptions{Env: env, Profile: tc.profile, Timeout: time.Second})
					if err != nil {
						return err
					}
					defer src.Close()
					return src.Refresh(context.Background())
				}
				_, err := Obtain(context.Background(), ObtainOptions{Env: env, Profile: tc.profile, Timeout: time.Second})
				return err
			})
			want := `profile "` + tc.profile + `": cannot get credentials: credential_process ` + script +
				` (stopped, with the programs it started) did not answer within 1s; check that it works on its own, then try again`
			if errorKind(err) != ErrResolve || err.Error() != want {
				t.Errorf("err = %v\nwant %s", err, want)
			}
			if strings.Contains(err.Error(), "SECRETARGUMENT") {
				t.Error("the error shows the process's arguments")
			}
			if n := waitGone(t, "sleep", tc.seconds); n != 0 {
				t.Errorf("%d sleep %s left running", n, tc.seconds)
			}
			if len(fake.Calls()) != 0 {
				t.Errorf("STS calls %v, want none", callsOf(fake, 0))
			}
		})
	}
}

// sleepPIDs lists the pids of live "sleep SECONDS" processes.
func sleepPIDs(seconds string) []int {
	var out []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if b, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline"); string(b) == "sleep\x00"+seconds+"\x00" {
			out = append(out, pid)
		}
	}
	return out
}

func TestProcessProgram(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		`/usr/bin/aws-vault export --format=json dev`: "/usr/bin/aws-vault",
		`"/path with space/p.sh" --token x`:           "/path with space/p.sh",
		`'/p q/r' a`:                                  "/p q/r",
		`/dir\ with\ space/p.sh x`:                    "/dir with space/p.sh",
		`  lead`:                                      "lead",
		`"unterminated`:                               "unterminated",
		`a"b c"d e`:                                   "ab cd",
		``:                                            "",
	} {
		if got := processProgram(in); got != want {
			t.Errorf("processProgram(%q) = %q, want %q", in, got, want)
		}
	}
}
