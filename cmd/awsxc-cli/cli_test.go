package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/ec2rolecreds"
	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/google/go-cmp/cmp"

	"github.com/awsxc/awsxc/internal/fakeaws"
	"github.com/awsxc/awsxc/internal/testbuf"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// binary is awsxc-cli built once for the whole test run, for the tests
// that need a process of its own: signals, --exec, a credential_process
// that runs awsxc-cli again, the SDK's own reading of the environment.
// Every other test drives run() in this process, in parallel.
var binary string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "awsxc-cli-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "awsxc-cli")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building awsxc-cli: %v\n%s", err, out)
		os.Exit(1)
	}
	// What the SDK still reads from this process (the SSO cache under
	// HOME, endpoints, the metadata service) must not be the machine's.
	cleanup, err := fakeaws.IsolateProcess()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	cleanup()
	os.RemoveAll(dir)
	os.Exit(code)
}

// fixture is a throwaway HOME holding an AWS config like the one
// aws-export-credentials' golden outputs were captured with, plus
// profiles that go through a local fake STS of its own: the config's
// service endpoints point there (fakeaws.WithEndpoint), so runs in this
// process reach it without any environment variable.
type fixture struct {
	home string
	sts  *fakeaws.Server
	// runDir is XDG_RUNTIME_DIR, where the daemon's socket is: a short
	// folder of the fixture's own (a socket path must fit in 107 bytes),
	// so that no test ever talks to the machine's daemon, or another
	// test's.
	runDir string
}

// fixtureConfig is the AWS config; HOME stands for the fixture's folder.
const fixtureConfig = `[default]
region = us-east-1

[profile static]
region = eu-west-1

[profile session]

[profile proc]
credential_process = sh -c 'cat "HOME/proc.json"'
region = ap-southeast-2

[profile procoffset]
credential_process = sh -c 'cat "HOME/proc-offset.json"'

[profile procexpired]
credential_process = printf '{"Version":1,"AccessKeyId":"ASIAOLD","SecretAccessKey":"s","SessionToken":"t","Expiration":"2000-01-01T00:00:00Z"}'

[profile procexpiring]
credential_process = sh -c 'cat "HOME/proc-expiring.json"'
region = eu-west-1

[profile role]
role_arn = arn:aws:iam::210987654321:role/Deploy
source_profile = static
region = eu-central-1

[profile mfarole]
role_arn = arn:aws:iam::210987654321:role/Admin
source_profile = static
mfa_serial = arn:aws:iam::123456789012:mfa/alice

[profile mfauser]
mfa_serial = arn:aws:iam::123456789012:mfa/alice

[profile loop]
credential_process = awsxc-cli --profile loop --json

[profile empty]
region = eu-west-3

[profile viacli]
credential_process = awsxc-cli --profile static --json
`

// The fixture's credentials file and credential_process outputs, shared
// with the Wine suite (test/wine), which compares the .exe with the same
// goldens.
var (
	fixtureCredentials = readFixture("credentials")
	fixtureProc        = readFixture("proc.json")
	fixtureProcOffset  = readFixture("proc-offset.json")
)

func readFixture(name string) string {
	b, err := os.ReadFile(filepath.Join("testdata", "fixture", name))
	if err != nil {
		panic(err)
	}
	return string(b)
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	home := t.TempDir()
	sts := fakeaws.New()
	t.Cleanup(sts.Close)
	files := map[string]string{
		".aws/config":      fakeaws.WithEndpoint(strings.ReplaceAll(fixtureConfig, "HOME/", home+"/"), sts.URL),
		".aws/credentials": fixtureCredentials,
		"proc.json":        fixtureProc,
		"proc-offset.json": fixtureProcOffset,
		"proc-expiring.json": fmt.Sprintf(`{"Version": 1, "AccessKeyId": "ASIAPROCEXPIRING", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": %q}`,
			time.Now().Add(5*time.Minute).UTC().Format(time.RFC3339)),
	}
	for name, body := range files {
		p := filepath.Join(home, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	runDir, err := os.MkdirTemp("", "axr")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(runDir) })
	return &fixture{home: home, sts: sts, runDir: runDir}
}

// env is the whole environment of a run: nothing of the machine's own AWS
// setup leaks in.
func (f *fixture) env(extra ...string) []string {
	env := []string{
		"HOME=" + f.home,
		"PATH=" + filepath.Dir(binary) + ":/usr/bin:/bin",
		"LANG=C.UTF-8",
		"XDG_CACHE_HOME=" + filepath.Join(f.home, ".cache"),
		"XDG_CONFIG_HOME=" + filepath.Join(f.home, ".config"),
		"XDG_RUNTIME_DIR=" + f.runDir,
		"AWS_ENDPOINT_URL_STS=" + f.sts.URL,
		"AWS_EC2_METADATA_DISABLED=true",
	}
	return append(env, extra...)
}

type result struct {
	stdout, stderr string
	code           int
}

// run runs awsxc-cli in this process, in the fixture's folder, with
// env added to the fixture's environment.
func (f *fixture) run(t *testing.T, stdin string, env []string, args ...string) result {
	t.Helper()
	var out, errb syncBuffer
	code := run(context.Background(), args, f.proc(strings.NewReader(stdin), &out, &errb, env))
	return result{out.String(), errb.String(), code}
}

// proc is the process a run in this process sees: the fixture's
// environment and folder, no terminal, no exec.
func (f *fixture) proc(stdin io.Reader, stdout, stderr io.Writer, extra []string) proc {
	var mu sync.Mutex
	vars := map[string]string{}
	for _, kv := range f.env(extra...) {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	return proc{
		stdin: stdin, stdout: stdout, stderr: stderr,
		getenv: func(k string) string { mu.Lock(); defer mu.Unlock(); return vars[k] },
		environ: func() []string {
			mu.Lock()
			defer mu.Unlock()
			var env []string
			for k, v := range vars {
				env = append(env, k+"="+v)
			}
			return env
		},
		setenv: func(k, v string) error { mu.Lock(); defer mu.Unlock(); vars[k] = v; return nil },
		dir:    f.home,
	}
}

// runBinary runs the built awsxc-cli as a process of its own, in the
// fixture's folder.
func (f *fixture) runBinary(t *testing.T, stdin string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = f.env(env...)
	cmd.Dir = f.home
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{out.String(), errb.String(), code}
}

// syncBuffer is a bytes.Buffer that several goroutines may write (a
// server's refresh reports).
type syncBuffer = testbuf.Buffer

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

// secretRe matches the secret keys of the fixture and of the fake STS:
// none may ever reach stderr.
var secretRe = regexp.MustCompile(`secret[A-Z]*\b|procsecret|fakeSecret\d|sessiontokenEXAMPLE|FAKETOKEN\d|proctokenEXAMPLE`)

// TestCLI runs each case twice, in this process and as the built
// binary, with the same expectations: the process's wiring (main) and
// run() give the same answers.
func TestCLI(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		args  []string
		env   []string
		stdin string
		code  int
		// stderr must match this (one line); empty means stderr is empty.
		stderr string
		// processOnly cases need a process of their own: the SDK reads
		// their environment itself, or a credential_process runs
		// awsxc-cli again.
		processOnly bool
	}{
		{name: "default_static", args: []string{"--profile", "static"}},
		{name: "json_static", args: []string{"--profile", "static", "--json"}},
		{name: "json_session", args: []string{"--profile", "session", "--json"}},
		{name: "json_proc", args: []string{"--profile", "proc", "--json"}},
		{name: "json_pretty_proc", args: []string{"--profile", "proc", "--json", "--pretty"}},
		{name: "json_procoffset_utc", args: []string{"--profile", "procoffset", "--json"}},
		{name: "pretty_only", args: []string{"--profile", "static", "--pretty"}},
		{name: "env_static", args: []string{"--profile", "static", "--env"}},
		{name: "env_export_proc", args: []string{"--profile", "proc", "--env-export"}},
		{name: "env_no_region", args: []string{"--profile", "proc", "--env-export", "--no-region"}},
		{name: "format_process", args: []string{"--profile", "proc", "--format", "process"}},
		{name: "format_powershell", args: []string{"--profile", "proc", "--format", "powershell"}},
		{name: "format_windows_cmd", args: []string{"--profile", "proc", "--format=windows-cmd"}},
		{name: "format_fish", args: []string{"--profile", "proc", "--format", "fish"}},
		{name: "format_dotenv", args: []string{"--profile", "proc", "--format", "dotenv"}},
		{name: "format_docker", args: []string{"--profile", "proc", "--format", "docker"}},
		{name: "profile_from_AWS_PROFILE", args: []string{"--json"}, env: []string{"AWS_PROFILE=static", "AWS_DEFAULT_PROFILE=session"}},
		{name: "profile_from_AWS_DEFAULT_PROFILE", args: []string{"--json"}, env: []string{"AWS_DEFAULT_PROFILE=session"}},
		{name: "profile_flag_beats_env", args: []string{"--json", "--profile", "proc"}, env: []string{"AWS_PROFILE=static"}},
		{name: "profile_default", args: []string{"--json"}},
		{name: "env_credentials_ignored", args: []string{"--json"},
			env: []string{"AWS_ACCESS_KEY_ID=AKIAENV", "AWS_SECRET_ACCESS_KEY=envsecret", "AWS_SESSION_TOKEN=envtoken"}, processOnly: true},
		{name: "abbreviated_options", args: []string{"--prof", "static", "--js"}},
		{name: "role_via_fake_sts", args: []string{"--profile", "role", "--json"}},
		{name: "mfa_code_from_pipe", args: []string{"--profile", "mfarole", "--json"}, stdin: "123456\n",
			stderr: `^awsxc-cli: MFA code for profile "mfarole": \n$`},
		{name: "mfa_code_flag", args: []string{"--profile", "mfarole", "--json", "--mfa-code", "654321"}},
		{name: "ensure_temporary", args: []string{"--profile", "static", "--ensure-temporary", "--json"}},
		{name: "ensure_temporary_noop_for_session", args: []string{"--profile", "session", "--ensure-temporary", "--json"}},
		{name: "ensure_temporary_mfa", args: []string{"--profile", "mfauser", "--ensure-temporary", "--json", "--mfa-code", "111222"}},
		{name: "explain_role", args: []string{"explain", "--profile", "role"}},
		{name: "explain_mfa_role", args: []string{"explain", "--profile", "mfarole", "--mfa-code", "123456"}},
		{name: "explain_static", args: []string{"explain", "--profile", "static"}},
		{name: "explain_session", args: []string{"explain"}, env: []string{"AWS_PROFILE=session"}},
		{name: "explain_process", args: []string{"explain", "--profile", "proc"}},
		{name: "version", args: []string{"--version"}},
		{name: "help", args: []string{"--help"}},

		// Bad input: one line on stderr, nothing on stdout, the documented code.
		{name: "err_profile_unknown", args: []string{"--profile", "nope"}, code: 3,
			stderr: `^awsxc-cli: error: profile "nope": profile not found; check the name with awsxc-cli profiles\n$`},
		{name: "err_profile_unknown_via_env", args: []string{"--json"}, env: []string{"AWS_PROFILE=nope"}, code: 3,
			stderr: `profile "nope": profile not found`},
		{name: "err_profile_empty", args: []string{"--json", "--profile", ""}, code: 2, stderr: `^awsxc-cli: error: argument --profile: empty value; expected PROFILE \(see awsxc-cli --help\)\n$`},
		{name: "err_no_credentials", args: []string{"--json"},
			env: []string{"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null"}, code: 2,
			stderr: `^awsxc-cli: error: profile "default": no credentials; run aws configure, or name a profile with --profile\n$`},
		{name: "err_profile_without_source", args: []string{"--profile", "empty"}, code: 2, stderr: `"empty": no credentials`},
		{name: "err_mutually_exclusive", args: []string{"--json", "--env"}, code: 2,
			stderr: `^awsxc-cli: error: argument --env: not allowed with argument --json \(see awsxc-cli --help\)\n$`},
		{name: "err_exec_and_json", args: []string{"--json", "--exec", "true"}, code: 2, stderr: `--exec: not allowed with argument --json`},
		{name: "err_unknown_option", args: []string{"--bogus"}, code: 2, stderr: `unknown option --bogus`},
		{name: "err_ambiguous", args: []string{"--ca", "x"}, code: 2, stderr: `ambiguous option --ca could match --cache, --cache-file, --cache-expiration-buffer`},
		{name: "err_bad_format", args: []string{"--format", "xml"}, code: 2, stderr: `unknown format "xml"`},
		{name: "err_buffer_not_int", args: []string{"--cache-expiration-buffer", "x"}, code: 2, stderr: `want a whole number of minutes`},
		{name: "err_c_missing_value", args: []string{"-c"}, code: 2, stderr: `argument --credentials-file-profile: expected NAME`},
		{name: "err_c_bad_name", args: []string{"--profile", "mfarole", "-c", "x]"}, code: 2,
			stderr: `^awsxc-cli: error: argument --credentials-file-profile: invalid profile name "x\]": contains '\[' or '\]' \(see awsxc-cli --help\)\n$`},
		{name: "err_exec_nothing", args: []string{"--exec"}, code: 2, stderr: `expected a command`},
		{name: "err_imds_with_cache", args: []string{"--imds", "0", "--cache"}, code: 2, stderr: `cannot use --cache-file or --cache with --imds`},
		{name: "err_mfa_missing", args: []string{"--profile", "mfarole", "--json"}, code: 3, stderr: `MFA code needed`},
		{name: "err_expired_credentials", args: []string{"--profile", "procexpired", "--json"}, code: 3,
			stderr: `^awsxc-cli: error: profile "procexpired": cannot get credentials: the credentials it gave expired at 2000-01-01T00:00:00Z; check what its credential_process returns, and this machine's clock\n$`},
		{name: "err_explain_unknown", args: []string{"explain", "--profile", "nope"}, code: 3, stderr: `profile "nope": profile not found`},
		{name: "err_recursion", args: []string{"--profile", "loop", "--json"}, code: 3,
			stderr: `credential_process`, processOnly: true},
		{name: "err_sts_refuses", args: []string{"--profile", "role"}, env: []string{"AWS_ENDPOINT_URL_STS=http://127.0.0.1:1"}, code: 3,
			stderr: `^awsxc-cli: error: profile "role": cannot get credentials: .*\n$`, processOnly: true},
		{name: "err_unknown_command", args: []string{"frobnicate"}, code: 2,
			stderr: `^awsxc-cli: error: unknown command "frobnicate" \(did you mean --exec frobnicate\?\) \(see awsxc-cli --help\)\n$`},
		{name: "err_stray_argument", args: []string{"--json", "extra"}, code: 2, stderr: `unexpected argument "extra" \(did you mean --exec extra\?\)`},
		{name: "err_double_dash", args: []string{"--json", "--"}, code: 2, stderr: `unexpected -- \(use --exec -- CMD to run a command\)`},
		{name: "err_command_option", args: []string{"profiles", "--pretty"}, code: 2,
			stderr: `^awsxc-cli: error: unknown option --pretty \(see awsxc-cli profiles --help\)\n$`},
		{name: "err_profiles_argument", args: []string{"profiles", "x"}, code: 2, stderr: `^awsxc-cli: error: profiles takes no arguments \(see awsxc-cli profiles --help\)\n$`},
		{name: "err_mode_twice", args: []string{"--json", "--json"}, code: 2, stderr: `argument --json given twice`},
		{name: "err_force_without_c", args: []string{"--force"}, code: 2, stderr: `^awsxc-cli: error: --force only applies to --credentials-file-profile \(see awsxc-cli --help\)\n$`},
		{name: "err_imds_v1_without_imds", args: []string{"--imds-v1"}, code: 2, stderr: `--imds-v1 only applies to --imds`},
		{name: "err_token_file_without_container", args: []string{"--imds", "0", "--container-token-file", "t"}, code: 2,
			stderr: `--container-token-file only applies to --container`},
		{name: "err_allow_host_without_server", args: []string{"--allow-host", "x"}, code: 2, stderr: `--allow-host only applies to --imds and --container`},
		{name: "err_duration_without_ensure_temporary", args: []string{"--duration", "900"}, code: 2,
			stderr: `--duration and --mfa-serial apply to --ensure-temporary`},
		{name: "err_duration_out_of_range", args: []string{"--duration", "10"}, code: 2, stderr: `want seconds between 900 and 129600, got "10"`},
		{name: "err_cache_and_cache_file", args: []string{"--cache", "--cache-file", "x"}, code: 2, stderr: `--cache and --cache-file are the same thing`},
		{name: "err_switch_with_value", args: []string{"--json=yes"}, code: 2, stderr: `option --json takes no value`},
		{name: "err_exec_with_value", args: []string{"--exec=ls"}, code: 2, stderr: `argument --exec takes the rest of the line, not a value`},
		{name: "err_imds_bad_port", args: []string{"--profile", "static", "--imds", "99999"}, code: 2,
			stderr: `^awsxc-cli: error: argument --imds: invalid port "99999" in "99999": want a number from 0 to 65535\n$`},
		{name: "err_serve_unknown_profile", args: []string{"--profile", "nope", "--container", "0"}, code: 3, stderr: `profile "nope": profile not found`},
		{name: "err_version_with_bogus", args: []string{"--version", "--bogus"}, code: 2, stderr: `unknown option --bogus`},
		{name: "version_skips_checks", args: []string{"--version", "--force"}},
		{name: "err_completion_no_shell", args: []string{"completion"}, code: 2, stderr: `completion: name one shell`},
		{name: "err_completion_unknown_shell", args: []string{"completion", "tcsh"}, code: 2, stderr: `completion: unknown shell "tcsh"`},
		{name: "err_explain_argument", args: []string{"explain", "x"}, code: 2, stderr: `explain takes no arguments \(use --profile\)`},
		{name: "err_long_term_keys", args: []string{"--profile", "proc", "-c", "static"}, code: 1,
			stderr: `^awsxc-cli: error: profile "static": holds long-term access keys: aws_access_key_id without aws_session_token in \S+/\.aws/credentials; not overwriting them without --force\n$`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			check := func(how string, r result) {
				t.Helper()
				if r.code != tc.code {
					t.Fatalf("%s: exit %d, want %d; stderr: %s", how, r.code, tc.code, r.stderr)
				}
				if tc.stderr == "" && r.stderr != "" {
					t.Errorf("%s: stderr = %q, want nothing", how, r.stderr)
				}
				if tc.stderr != "" && !regexp.MustCompile(tc.stderr).MatchString(r.stderr) {
					t.Errorf("%s: stderr = %q, want match for %q", how, r.stderr, tc.stderr)
				}
				if tc.code != 0 {
					if r.stdout != "" {
						t.Errorf("%s: stdout = %q on failure, want nothing", how, r.stdout)
					}
					if n := strings.Count(r.stderr, "\n"); n != 1 && !strings.Contains(tc.stderr, "MFA code for") {
						// the prompt, then the error; the credential_process's own
						// error line, then ours
						if !(tc.name == "err_mfa_missing" || tc.name == "err_recursion") || n != 2 {
							t.Errorf("%s: stderr has %d lines, want 1: %q", how, n, r.stderr)
						}
					}
				}
				if secretRe.MatchString(r.stderr) {
					t.Errorf("%s: stderr shows a secret: %q", how, r.stderr)
				}
				if tc.code == 0 {
					out := regexp.MustCompile(`ASIAFAKE\d{4}`).ReplaceAllString(r.stdout, "ASIAFAKE0000")
					out = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`).ReplaceAllStringFunc(out, func(s string) string {
						if strings.HasPrefix(s, "2099") {
							return s
						}
						return "<expiry>"
					})
					out = regexp.MustCompile(`(fakeSecret|FAKETOKEN)\d+`).ReplaceAllString(out, "${1}N")
					out = regexp.MustCompile(`\(in \d[^)]*\)`).ReplaceAllString(out, "(in …)")
					golden(t, filepath.Join("cli", tc.name+".stdout"), out)
				}
			}
			check("binary", f.runBinary(t, tc.stdin, tc.env, tc.args...))
			if !tc.processOnly {
				// A fresh fixture: the binary's run must not feed this one
				// (a cache, a call count).
				check("in process", newFixture(t).run(t, tc.stdin, tc.env, tc.args...))
			}
			// With a daemon running, the same answers: from the daemon
			// where it serves the profile, else from the process itself.
			fd := newFixture(t)
			d := fd.startDaemon(t)
			check("binary with a daemon", fd.runBinary(t, tc.stdin, tc.env, tc.args...))
			if got := d.answered() > 0; got != viaDaemon[tc.name] {
				t.Errorf("binary with a daemon: answered by the daemon %v, want %v; daemon log:\n%s", got, viaDaemon[tc.name], d.log())
			}
			if !tc.processOnly {
				fi := newFixture(t)
				d := fi.startDaemon(t)
				check("in process with a daemon", fi.run(t, tc.stdin, tc.env, tc.args...))
				if got := d.answered() > 0; got != viaDaemon[tc.name] {
					t.Errorf("in process with a daemon: answered by the daemon %v, want %v", got, viaDaemon[tc.name])
				}
			}
		})
	}
}

// TestRoleSignedBySourceProfile checks that the role was assumed with the
// source profile's keys, and the MFA serial and code were passed.
func TestRoleSignedBySourceProfile(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if r := f.run(t, "987654\n", nil, "--profile", "mfarole", "--json"); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	calls := f.sts.Calls()
	if len(calls) != 1 {
		t.Fatalf("%d STS calls, want 1", len(calls))
	}
	c := calls[0]
	got := []string{c.Action, c.SignedBy, c.Form.Get("RoleArn"), c.Form.Get("SerialNumber"), c.Form.Get("TokenCode")}
	want := []string{"AssumeRole", "AKIAEXAMPLE", "arn:aws:iam::210987654321:role/Admin", "arn:aws:iam::123456789012:mfa/alice", "987654"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("STS call (-want +got):\n%s", diff)
	}
}

// TestCache counts STS calls: a cache hit makes none, every mode works
// after a hit, another identity is a miss, --refresh fetches again.
func TestCache(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cache := filepath.Join(f.home, "cache", "role.json")
	run := func(args ...string) result {
		t.Helper()
		r := f.run(t, "", nil, args...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d: %s", args, r.code, r.stderr)
		}
		return r
	}
	first := run("--profile", "role", "--json", "--cache-file", cache)
	if n := f.sts.Count("AssumeRole"); n != 1 {
		t.Fatalf("%d AssumeRole calls after the first run, want 1", n)
	}
	if fi, err := os.Stat(cache); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("cache file: %v, mode %v; want 0600", err, fi.Mode().Perm())
	}
	again := run("--profile", "role", "--json", "--cache-file", cache)
	if again.stdout != first.stdout || f.sts.Count("") != 1 {
		t.Errorf("second run: %d STS calls and output %q; want a cache hit with the same credentials", f.sts.Count(""), again.stdout)
	}
	// Every mode works after a hit (aws-export-credentials crashed with --exec).
	r := f.runBinary(t, "", nil, "--profile", "role", "--cache-file", cache, "--exec", "sh", "-c", "echo $AWS_ACCESS_KEY_ID")
	if !strings.HasPrefix(r.stdout, "ASIAFAKE") || f.sts.Count("") != 1 {
		t.Errorf("--exec after a hit: %q, %d calls", r.stdout, f.sts.Count(""))
	}
	run("--profile", "role", "--cache-file", cache, "-c", "fromcache")
	if f.sts.Count("") != 1 {
		t.Errorf("-c after a hit made an STS call")
	}
	// The cache knows whose credentials it holds.
	other := run("--profile", "proc", "--json", "--cache-file", cache)
	if strings.Contains(other.stdout, "ASIAFAKE") {
		t.Errorf("profile proc was served role's cached credentials: %s", other.stdout)
	}
	run("--profile", "role", "--json", "--cache-file", cache, "--refresh")
	if n := f.sts.Count("AssumeRole"); n != 2 {
		t.Errorf("--refresh: %d AssumeRole calls, want 2", n)
	}
	// --cache: one file per profile in the user's cache folder.
	run("--profile", "role", "--json", "--cache")
	run("--profile", "role", "--json", "--cache")
	if n := f.sts.Count("AssumeRole"); n != 3 {
		t.Errorf("--cache: %d AssumeRole calls after two runs, want 3", n)
	}
	if m, _ := filepath.Glob(filepath.Join(f.home, ".cache", "awsxc", "credentials", "*")); len(m) != 1 {
		t.Errorf("--cache files = %v, want one", m)
	}
	// A corrupt cache is a miss, explained with --debug, never a failure.
	os.WriteFile(cache, []byte("{not json"), 0o600)
	r = run("--profile", "role", "--json", "--cache-file", cache, "--debug")
	if !strings.Contains(r.stderr, "cache miss") || secretRe.MatchString(r.stderr) {
		t.Errorf("--debug on a corrupt cache: %q", r.stderr)
	}
	// Credentials within the buffer of their expiry are not served.
	exp := filepath.Join(f.home, "exp.json")
	run("--profile", "procexpiring", "--json", "--cache-file", exp, "--cache-expiration-buffer", "1")
	r = run("--profile", "procexpiring", "--json", "--cache-file", exp, "--debug")
	if !strings.Contains(r.stderr, "cache miss") {
		t.Errorf("expiring within the 10-minute buffer should miss: %q", r.stderr)
	}
	// Static credentials are never cached; a bare file name works.
	run("--profile", "static", "--json", "--cache-file", "bare.json")
	if _, err := os.Stat(filepath.Join(f.home, "bare.json")); err == nil {
		t.Errorf("static credentials were cached")
	}
}

// TestEnsureTemporaryCached: --ensure-temporary's credentials are cached,
// so a credential_process line costs STS one call per lifetime.
func TestEnsureTemporaryCached(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for range 3 {
		if r := f.run(t, "", nil, "--profile", "static", "--ensure-temporary", "--json", "--cache"); r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
	}
	if n := f.sts.Count("GetSessionToken"); n != 1 {
		t.Errorf("%d GetSessionToken calls for 3 runs, want 1", n)
	}
}

// TestCredentialsFileWritersOfTwoSessions: processes of one user, some in
// a desktop session (XDG_RUNTIME_DIR set) and some not (cron, sudo -u,
// SSH), write different sections of one credentials file at once, and
// none loses another's (review 1, M1).
func TestCredentialsFileWritersOfTwoSessions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	runtime := filepath.Join(f.home, "run")
	var wg sync.WaitGroup
	const each = 6
	for i := range 2 * each {
		var env []string
		if i%2 == 0 {
			env = []string{"XDG_RUNTIME_DIR=" + runtime}
		}
		wg.Go(func() {
			if r := f.runBinary(t, "", env, "--profile", "proc", "-c", fmt.Sprint("w", i)); r.code != 0 {
				t.Errorf("writer %d: exit %d: %s", i, r.code, r.stderr)
			}
		})
	}
	wg.Wait()
	data, err := os.ReadFile(filepath.Join(f.home, ".aws", "credentials"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 * each {
		if !strings.Contains(string(data), fmt.Sprintf("[w%d]\n", i)) {
			t.Errorf("section w%d lost:\n%s", i, data)
		}
	}
}

// TestCredentialsFileProfile writes a profile and reads it back with the
// Go SDK.
func TestCredentialsFileProfile(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if r := f.run(t, "", nil, "--profile", "proc", "-c", "exported"); r.code != 0 || r.stdout != "" {
		t.Fatalf("exit %d, stdout %q: %s", r.code, r.stdout, r.stderr)
	}
	// The lock file stays out of ~/.aws (issue 10 item 34).
	if m, _ := filepath.Glob(filepath.Join(f.home, ".aws", "*lock*")); len(m) != 0 {
		t.Errorf("lock files in ~/.aws: %v", m)
	}
	if m, _ := filepath.Glob(filepath.Join(f.home, ".cache", "awsxc", "credentials-*.lock")); len(m) != 1 {
		t.Errorf("lock files in the run-time folder: %v, want one", m)
	}
	// A run in a desktop session (XDG_RUNTIME_DIR set) locks the same
	// file as one from cron or sudo -u (unset), so they exclude each
	// other (review 1, M1).
	runtime := filepath.Join(f.home, "run")
	if r := f.run(t, "", []string{"XDG_RUNTIME_DIR=" + runtime}, "--profile", "proc", "-c", "exported"); r.code != 0 {
		t.Fatalf("with XDG_RUNTIME_DIR: exit %d: %s", r.code, r.stderr)
	}
	if m, _ := filepath.Glob(filepath.Join(f.home, ".cache", "awsxc", "credentials-*.lock")); len(m) != 1 {
		t.Errorf("lock files in the cache folder with XDG_RUNTIME_DIR set: %v, want the same one", m)
	}
	if _, err := os.Stat(filepath.Join(runtime, "awsxc")); err == nil {
		t.Errorf("a lock folder in XDG_RUNTIME_DIR: writers of other sessions would not see its locks")
	}
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithSharedConfigProfile("exported"),
		config.WithSharedCredentialsFiles([]string{filepath.Join(f.home, ".aws", "credentials")}),
		config.WithSharedConfigFiles([]string{filepath.Join(f.home, ".aws", "config")}))
	if err != nil {
		t.Fatal(err)
	}
	c, err := cfg.Credentials.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c.AccessKeyID != "ASIAPROCEXAMPLE" || c.SessionToken != "proctokenEXAMPLE" {
		t.Errorf("read back %s / %s", c.AccessKeyID, c.SessionToken)
	}
	// awsxc-cli reads back the expiry it wrote, which the SDK ignores.
	if r := f.run(t, "", nil, "--profile", "exported", "--json"); !strings.Contains(r.stdout, `"Expiration":"2099-01-02T03:04:05Z"`) {
		t.Errorf("--profile exported --json = %q, want the written expiration", r.stdout)
	}
	// Long-term keys are never overwritten without --force.
	before, _ := os.ReadFile(filepath.Join(f.home, ".aws", "credentials"))
	r := f.run(t, "", nil, "--profile", "proc", "-c", "static")
	after, _ := os.ReadFile(filepath.Join(f.home, ".aws", "credentials"))
	if r.code == 0 || !bytes.Equal(before, after) || !strings.Contains(r.stderr, "--force") {
		t.Errorf("overwriting long-term keys: exit %d, file changed %v, stderr %q", r.code, !bytes.Equal(before, after), r.stderr)
	}
	if r := f.run(t, "", nil, "--profile", "proc", "-c", "bad]name"); r.code == 0 {
		t.Errorf("a name with ] was accepted")
	}
}

// TestExecEnvironment checks what the --exec command sees.
func TestExecEnvironment(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.runBinary(t, "", []string{"AWS_PROFILE=static", "AWS_DEFAULT_PROFILE=session", "AWS_CREDENTIAL_EXPIRATION=stale",
		"AWS_SECURITY_TOKEN=sectoken", "AWS_SESSION_TOKEN=envtoken", "AWS_REGION=xx-env-1", "AWS_ACCOUNT_ID=999999999999", "OTHER=kept"},
		"--profile", "static", "--exec", "sh", "-c", "env | grep -E '^(AWS|OTHER|AWSXC)' | sort")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	// AWS_REGION from the environment is what the SDK resolves as the
	// region; the inherited AWS_ACCOUNT_ID (another identity's) is gone.
	want := "AWS_ACCESS_KEY_ID=AKIAEXAMPLE\nAWS_DEFAULT_REGION=xx-env-1\nAWS_EC2_METADATA_DISABLED=true\n" +
		"AWS_ENDPOINT_URL_STS=" + f.sts.URL + "\nAWS_REGION=xx-env-1\nAWS_SECRET_ACCESS_KEY=secret\nOTHER=kept\n"
	if diff := cmp.Diff(want, r.stdout); diff != "" {
		t.Errorf("child environment (-want +got):\n%s", diff)
	}
	// Exit status and arguments pass through untouched, with no shell.
	r = f.runBinary(t, "", nil, "--profile", "static", "--exec", "--", "sh", "-c", "echo \"$1\"; exit 42", "sh", "a b $HOME")
	if r.code != 42 || r.stdout != "a b $HOME\n" {
		t.Errorf("exit %d, stdout %q; want 42 and the argument verbatim", r.code, r.stdout)
	}
	r = f.runBinary(t, "", nil, "--profile", "static", "--exec", "no-such-command-xyz")
	if r.code != 127 || !strings.Contains(r.stderr, "command not found") {
		t.Errorf("missing command: exit %d, %q", r.code, r.stderr)
	}
	notExec := filepath.Join(f.home, "proc.json") // exists, not executable
	r = f.runBinary(t, "", nil, "--profile", "static", "--exec", notExec)
	if r.code != 126 || !strings.Contains(r.stderr, "permission denied") {
		t.Errorf("non-executable command: exit %d, %q; want 126 as a shell gives", r.code, r.stderr)
	}
}

// TestExecSignal: a signal sent to awsxc-cli reaches the command.
func TestExecSignal(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cmd := exec.Command(binary, "--profile", "static", "--exec", "sh", "-c", `trap 'echo got TERM; exit 7' TERM; echo ready; while :; do sleep 0.05; done`)
	cmd.Env = f.env()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 6)
	if _, err := out.Read(buf); err != nil || string(buf) != "ready\n" {
		t.Fatalf("read %q, %v", buf, err)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	rest := new(bytes.Buffer)
	rest.ReadFrom(out)
	err = cmd.Wait()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 7 || rest.String() != "got TERM\n" {
		t.Errorf("after SIGTERM: %v, output %q; want the command to trap it and exit 7", err, rest.String())
	}
}

// TestDebugNeverShowsSecrets runs --debug through the paths that log.
func TestDebugNeverShowsSecrets(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, args := range [][]string{
		{"--profile", "static", "--json", "--debug"},
		{"--profile", "role", "--json", "--debug", "--cache"},
		{"--profile", "role", "--json", "--debug", "--cache"},
		{"--profile", "static", "--ensure-temporary", "--debug"},
		{"--profile", "proc", "-c", "dbg", "--debug"},
	} {
		r := f.run(t, "", nil, args...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d: %s", args, r.code, r.stderr)
		}
		if r.stderr == "" {
			t.Errorf("%v: --debug printed nothing", args)
		}
		if secretRe.MatchString(r.stderr) || strings.Contains(r.stderr, "AKIAEXAMPLE\"") || strings.Contains(r.stderr, "ASIAPROCEXAMPLE") {
			t.Errorf("%v: --debug shows a secret or a whole key id:\n%s", args, r.stderr)
		}
	}
}

// TestProfilesAndCompletion lists profiles without resolving anything and
// checks that the completion scripts parse in their shells.
func TestProfilesAndCompletion(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.run(t, "", nil, "profiles")
	if r.code != 0 || f.sts.Count("") != 0 {
		t.Fatalf("profiles: exit %d, %d STS calls: %s", r.code, f.sts.Count(""), r.stderr)
	}
	golden(t, "cli/profiles.stdout", r.stdout)
	r = f.run(t, "", nil, "profiles", "--names")
	golden(t, "cli/profiles_names.stdout", r.stdout)

	for _, sh := range []struct{ name, check string }{
		{"bash", "bash -n"}, {"zsh", "zsh -n"}, {"fish", "fish -n"}, {"powershell", ""},
	} {
		r := f.run(t, "", nil, "completion", sh.name)
		if r.code != 0 || !strings.Contains(r.stdout, "awsxc-cli") {
			t.Fatalf("completion %s: exit %d: %s", sh.name, r.code, r.stderr)
		}
		if sh.check == "" {
			continue
		}
		parts := strings.Fields(sh.check)
		if _, err := exec.LookPath(parts[0]); err != nil {
			if os.Getenv("CI") != "" {
				t.Errorf("%s not installed (scripts/deps.sh installs it)", parts[0])
			}
			continue
		}
		file := filepath.Join(t.TempDir(), "completion")
		os.WriteFile(file, []byte(r.stdout), 0o644)
		if out, err := exec.Command(parts[0], append(parts[1:], file)...).CombinedOutput(); err != nil {
			t.Errorf("%s rejects the completion script: %v\n%s", sh.check, err, out)
		}
	}
	// bash completes profile names through the real binary.
	if _, err := exec.LookPath("bash"); err == nil {
		script := f.run(t, "", nil, "completion", "bash").stdout +
			"\nCOMP_WORDS=(awsxc-cli --profile s); COMP_CWORD=2; _awsxc_cli; echo \"${COMPREPLY[*]}\"\n"
		cmd := exec.Command("bash", "-c", script)
		cmd.Env = f.env()
		out, err := cmd.Output()
		if err != nil || strings.TrimSpace(string(out)) != "static session" {
			t.Errorf("bash completion of --profile s = %q, %v; want \"static session\"", out, err)
		}
		// A profile name is data, never code for the shell.
		pwned := filepath.Join(f.home, "pwned")
		cfg := filepath.Join(f.home, ".aws", "config")
		old, _ := os.ReadFile(cfg)
		os.WriteFile(cfg, append(old, []byte("\n[profile $(touch${IFS}"+pwned+")]\nregion = x\n")...), 0o600)
		script = strings.Replace(script, "--profile s)", "--profile '')", 1)
		cmd = exec.Command("bash", "-c", script)
		cmd.Env = f.env()
		out, _ = cmd.Output()
		if _, err := os.Stat(pwned); err == nil {
			t.Errorf("bash completion ran a command from a profile name")
		}
		if !strings.Contains(string(out), "$(touch") {
			t.Errorf("bash completion did not offer the odd profile name verbatim: %q", out)
		}
		os.WriteFile(cfg, old, 0o600)
	}
}

// TestServe runs both servers from one process, fetches credentials from
// each with the Go SDK's own providers, and stops it with SIGTERM.
func TestServe(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tokenFile := filepath.Join(f.home, "token")
	cmd := exec.Command(binary, "--profile", "static", "--imds", "0", "--container", "127.0.0.1:0", "--container-token-file", tokenFile)
	cmd.Env = f.env()
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var log strings.Builder
	urls := map[string]string{}
	buf := make([]byte, 4096)
	deadline := time.Now().Add(10 * time.Second)
	for len(urls) < 2 && time.Now().Before(deadline) {
		n, err := stderr.Read(buf)
		log.Write(buf[:n])
		for _, m := range regexp.MustCompile(`as (EC2 instance metadata|container credentials) \S* ?\S* ?at (http://127\.0\.0\.1:\d+/)`).FindAllStringSubmatch(log.String(), -1) {
			urls[m[1]] = m[2]
		}
		if err != nil {
			break
		}
	}
	if len(urls) != 2 {
		t.Fatalf("servers did not start; stderr:\n%s", log.String())
	}
	ctx := context.Background()
	imdsCreds, err := ec2rolecreds.New(func(o *ec2rolecreds.Options) {
		o.Client = imds.New(imds.Options{Endpoint: urls["EC2 instance metadata"], ClientEnableState: imds.ClientEnabled})
	}).Retrieve(ctx)
	if err != nil {
		t.Fatalf("IMDS: %v", err)
	}
	token, _ := os.ReadFile(tokenFile)
	ecsCreds, err := endpointcreds.New(urls["container credentials"], func(o *endpointcreds.Options) {
		o.AuthorizationToken = string(token)
	}).Retrieve(ctx)
	if err != nil {
		t.Fatalf("ECS: %v", err)
	}
	// Both serve the one set of temporary credentials made for the
	// static keys: one GetSessionToken, not one per request.
	if !strings.HasPrefix(imdsCreds.AccessKeyID, "ASIAFAKE") || imdsCreds.AccessKeyID != ecsCreds.AccessKeyID || f.sts.Count("GetSessionToken") != 1 {
		t.Errorf("IMDS %s, ECS %s, %d GetSessionToken calls", imdsCreds.AccessKeyID, ecsCreds.AccessKeyID, f.sts.Count("GetSessionToken"))
	}
	// Another profile through /profiles/NAME whose credential_process
	// runs awsxc-cli for the served profile: that is no recursion.
	viaCLI, err := endpointcreds.New(urls["container credentials"]+"profiles/viacli", func(o *endpointcreds.Options) {
		o.AuthorizationToken = string(token)
	}).Retrieve(ctx)
	if err != nil || !strings.HasPrefix(viaCLI.AccessKeyID, "ASIAFAKE") {
		t.Errorf("/profiles/viacli: %v, key %q", err, viaCLI.AccessKeyID)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	rest := new(bytes.Buffer)
	rest.ReadFrom(stderr)
	if err := cmd.Wait(); err != nil {
		t.Errorf("after SIGTERM: %v, want exit 0", err)
	}
	if secretRe.MatchString(log.String() + rest.String()) {
		t.Errorf("stderr shows a secret:\n%s%s", log.String(), rest.String())
	}
}

// testClock is a clock the test moves by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// TestServeInProcess serves both servers from run() in this process on a
// test clock: a refresh that fails is reported once on stderr, its
// recovery too, and the servers stop cleanly when the context ends.
func TestServeInProcess(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	clk := &testClock{t: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)}
	f.sts.SetNow(clk.Now)
	var stdout, stderr syncBuffer
	p := f.proc(strings.NewReader(""), &stdout, &stderr, nil)
	p.clock = clk
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"--profile", "static", "--imds", "0", "--container", "127.0.0.1:0", "--container-token-file", "token"}, p)
	}()
	waitFor := func(what string, ok func(string) bool) string {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !ok(stderr.String()) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s; stderr:\n%s", what, stderr.String())
			}
			time.Sleep(5 * time.Millisecond)
		}
		return stderr.String()
	}
	urlRe := regexp.MustCompile(`as (EC2 instance metadata|container credentials) \S* ?\S* ?at (http://127\.0\.0\.1:\d+/)`)
	log := waitFor("both servers", func(s string) bool { return len(urlRe.FindAllString(s, -1)) == 2 })
	urls := map[string]string{}
	for _, m := range urlRe.FindAllStringSubmatch(log, -1) {
		urls[m[1]] = m[2]
	}
	// The token file is in the run's working folder.
	token, err := os.ReadFile(filepath.Join(f.home, "token"))
	if err != nil {
		t.Fatal(err)
	}
	ecs := func() string {
		t.Helper()
		req, _ := http.NewRequest("GET", urls["container credentials"], nil)
		req.Header.Set("Authorization", string(token))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct{ AccessKeyId string }
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != 200 {
			t.Fatalf("ECS: %d, %v", resp.StatusCode, err)
		}
		return body.AccessKeyId
	}
	if key := ecs(); key != "ASIAFAKE0001EXAMPLE" {
		t.Fatalf("ECS key %q, want the first temporary key", key)
	}
	// IMDSv2: a session token, then the role.
	req, _ := http.NewRequest("PUT", urls["EC2 instance metadata"]+"latest/api/token", nil)
	req.Header.Set("X-Aws-Ec2-Metadata-Token-Ttl-Seconds", "60")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("IMDS token: %v %v", resp, err)
	}
	resp.Body.Close()
	// A Host the servers do not know is refused in this command's words.
	req, _ = http.NewRequest("GET", urls["container credentials"], nil)
	req.Host = "evil.example"
	req.Header.Set("Authorization", string(token))
	if resp, err := http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	} else {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if want := `{"Code":"InvalidHost","Message":"host not allowed; add it with --allow-host"}`; resp.StatusCode != 403 || string(body) != want {
			t.Errorf("unknown Host: %d %s, want 403 %s", resp.StatusCode, body, want)
		}
	}

	// Due for renewal, STS refuses: the valid credentials are still
	// served, and the failure is reported.
	f.sts.Fail("AccessDenied")
	clk.Add(50 * time.Minute)
	if key := ecs(); key != "ASIAFAKE0001EXAMPLE" {
		t.Errorf("during a failing refresh: key %q, want the still valid one", key)
	}
	waitFor("the failure", func(s string) bool {
		return strings.Contains(s, `awsxc-cli: warning: refreshing profile "static" failed (still valid until 2026-11-26T11:00:00Z)`)
	})
	// STS answers again: the next renewal succeeds and says so.
	f.sts.Fail("")
	clk.Add(time.Minute)
	ecs()
	waitFor("the recovery", func(s string) bool {
		return strings.Contains(s, `awsxc-cli: profile "static" credentials refreshed, expire 2026-11-26T11:51:00Z`)
	})

	cancel()
	if code := <-done; code != 0 {
		t.Errorf("exit %d after the context ended, want 0; stderr:\n%s", code, stderr.String())
	}
	if !strings.HasSuffix(stderr.String(), "awsxc-cli: shutting down\n") || stdout.String() != "" {
		t.Errorf("stdout %q, stderr:\n%s", stdout.String(), stderr.String())
	}
	if secretRe.MatchString(stderr.String()) {
		t.Errorf("stderr shows a secret:\n%s", stderr.String())
	}
}
