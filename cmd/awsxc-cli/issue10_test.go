package main

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/awsxc/awsxc/internal/exectest"
	"github.com/awsxc/awsxc/internal/fakeaws"
)

// The command line's side of issue 10's items 3, 5, 9, 13, 16, 17 and 36:
// each engine behaviour reaches the user as one error line with the
// documented exit code, a warning line, or a listing, with no secret.

// ownFiles writes a config and a credentials file of the test's own into
// the fixture's home (the config given the fixture's fake STS) and
// returns the variables that select them.
func (f *fixture) ownFiles(t *testing.T, config, creds string) []string {
	t.Helper()
	dir := t.TempDir()
	cf, kf := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	os.WriteFile(cf, []byte(fakeaws.WithEndpoint(config, f.sts.URL)), 0o600)
	os.WriteFile(kf, []byte(creds), 0o600)
	return []string{"AWS_CONFIG_FILE=" + cf, "AWS_SHARED_CREDENTIALS_FILE=" + kf}
}

// plainFiles is ownFiles with the files written as they are (no STS
// endpoint added), for tests that name line numbers.
func plainFiles(t *testing.T, config, creds string) []string {
	t.Helper()
	dir := t.TempDir()
	cf, kf := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	os.WriteFile(cf, []byte(config), 0o600)
	os.WriteFile(kf, []byte(creds), 0o600)
	return []string{"AWS_CONFIG_FILE=" + cf, "AWS_SHARED_CREDENTIALS_FILE=" + kf}
}

// runWith runs awsxc-cli in this process, as f.run does, with a fetch
// bound of its own.
func (f *fixture) runWith(t *testing.T, timeout time.Duration, env []string, args ...string) result {
	t.Helper()
	var out, errb syncBuffer
	p := f.proc(strings.NewReader(""), &out, &errb, env)
	p.timeout = timeout
	code := run(context.Background(), args, p)
	return result{out.String(), errb.String(), code}
}

// oneErrorLine checks a failed run: the exit code, nothing on stdout, and
// one "awsxc-cli: error:" line matching re on stderr.
func oneErrorLine(t *testing.T, r result, code int, re string) {
	t.Helper()
	if r.code != code || r.stdout != "" || strings.Count(r.stderr, "\n") != 1 || !regexp.MustCompile(`^awsxc-cli: error: `+re).MatchString(r.stderr) {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and one error line matching %q", r.code, r.stdout, r.stderr, code, re)
	}
}

// lastErrorLine is oneErrorLine for a server that failed to start, which
// may first have warned that its fetch failed (issue 10 item 12 is about
// that line): the last line is the error.
func lastErrorLine(t *testing.T, r result, code int, re string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
	if r.code != code || r.stdout != "" || !regexp.MustCompile(`^awsxc-cli: error: `+re).MatchString(lines[len(lines)-1]) {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and a last error line matching %q", r.code, r.stdout, r.stderr, code, re)
	}
}

// liveSleeps counts live "sleep SECONDS" processes (Linux).
func liveSleeps(seconds string) int {
	n := 0
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		b, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if string(b) != "sleep\x00"+seconds+"\x00" {
			continue
		}
		stat, _ := os.ReadFile("/proc/" + e.Name() + "/stat")
		if i := bytes.LastIndexByte(stat, ')'); i > 0 && i+2 < len(stat) && stat[i+2] == 'Z' {
			continue
		}
		n++
	}
	return n
}

// TestIssue10Item3Deadline: a credential_process whose child keeps its
// output open makes every mode fail at the fetch's bound with exit 3 and
// one line naming the program (never its arguments), export modes,
// --exec, -c, explain and server start-up alike, and no child is left
// running. Each mode has its own sleep length, to find its own leftovers.
func TestIssue10Item3Deadline(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("counts processes in /proc")
	}
	modes := [][]string{
		{"--json"}, {"--env-export"}, {"--exec", "true"}, {"-c", "target"},
		{"--imds", "127.0.0.1:0"}, {"--container", "127.0.0.1:0"}, {"explain"},
	}
	for i, mode := range modes {
		seconds := strconv.Itoa(331 + i)
		t.Run(strings.TrimLeft(mode[0], "-"), func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			script := filepath.Join(f.home, "hang creds.sh")
			exectest.WriteProgram(t, script, []byte("#!/bin/sh\nsleep "+seconds+"\n"))
			env := f.ownFiles(t, "[profile slow]\ncredential_process = \""+script+"\" --token SECRETARGUMENT\n", "")
			args := append([]string{"--profile", "slow"}, mode...)
			if mode[0] == "explain" {
				args = []string{"explain", "--profile", "slow"}
			}
			r := f.runWith(t, time.Second, env, args...)
			check := oneErrorLine
			if mode[0] == "--imds" || mode[0] == "--container" {
				check = lastErrorLine
			}
			check(t, r, exitResolution, regexp.QuoteMeta(`profile "slow": cannot get credentials: credential_process `+script+
				` (stopped, with the programs it started) did not answer within 1s`))
			if strings.Contains(r.stderr, "SECRETARGUMENT") {
				t.Errorf("stderr shows the arguments: %s", r.stderr)
			}
			left := 0
			for range 50 {
				if left = liveSleeps(seconds); left == 0 {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			if left != 0 {
				t.Errorf("%d sleep %s left running", left, seconds)
			}
		})
	}
}

// echoSTS refuses every call with a message that quotes the request.
func echoSTS(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req strings.Builder
		r.Header.Write(&req)
		req.Write(body)
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not allowed; you sent: %s</Message></Error><RequestId>echo-1</RequestId></ErrorResponse>`,
			html.EscapeString(req.String()))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestIssue10Item5EchoedRequest: an STS that echoes the request never
// puts the source profile's session token, secret or key id on the error
// line or in --debug output, in an export or at a server's start.
func TestIssue10Item5EchoedRequest(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	srv := echoSTS(t)
	dir := t.TempDir()
	cf, kf := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	os.WriteFile(cf, []byte(fakeaws.WithEndpoint("[profile role]\nrole_arn = arn:aws:iam::123456789012:role/Echo\nsource_profile = src\nregion = us-east-1\n", srv.URL)), 0o600)
	os.WriteFile(kf, []byte("[src]\naws_access_key_id = ASIASOURCESESSION001\naws_secret_access_key = srcSecretKeyValue0000000000000000000000001\naws_session_token = SOURCESESSIONTOKEN0000secretTOKENvalue0000000000000000000000001\n"), 0o600)
	env := []string{"AWS_CONFIG_FILE=" + cf, "AWS_SHARED_CREDENTIALS_FILE=" + kf}
	secrets := regexp.MustCompile(`SOURCESESSIONTOKEN|secretTOKENvalue|srcSecretKeyValue|ASIASOURCESESSION001`)
	for _, args := range [][]string{
		{"--profile", "role", "--json"},
		{"--profile", "role", "--json", "--debug"},
		{"--profile", "role", "--imds", "127.0.0.1:0"},
	} {
		r := f.run(t, "", env, args...)
		if r.code != exitResolution || !strings.Contains(r.stderr, "api error AccessDenied: not allowed; you sent") {
			t.Errorf("%v: exit %d, stderr %s; want 3 with the code and the service's message", args, r.code, r.stderr)
		}
		if m := secrets.FindString(r.stderr); m != "" {
			t.Errorf("%v: stderr shows %s:\n%s", args, m, r.stderr)
		}
		if args[len(args)-1] == "--json" && strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%v: stderr is not one line: %s", args, r.stderr)
		}
	}
}

const dupConfig = `[profile x]
aws_access_key_id = AKIAFIRSTSECTION0001
aws_secret_access_key = secretFIRST

[profile other]
region = us-east-1

[profile x]
aws_access_key_id = AKIASECONDSECTION002

[profile nosource]
role_arn = arn:aws:iam::123456789012:role/NoSource
`

const dupCreds = `[other]
aws_access_key_id = AKIAOTHER00000000001
aws_secret_access_key = secretOTHER
`

// TestIssue10Item17Duplicates: the duplicated profile is refused (exit 3,
// one line); another profile of that file works, with one warning line
// on stderr and a warning row in explain; profiles lists the duplicated
// one as invalid.
func TestIssue10Item17Duplicates(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	env := plainFiles(t, dupConfig, dupCreds)
	cf := strings.TrimPrefix(env[0], "AWS_CONFIG_FILE=")

	oneErrorLine(t, f.run(t, "", env, "--profile", "x", "--json"), exitResolution,
		regexp.QuoteMeta(`profile "x": invalid configuration: config file `+cf+`: [profile x] appears twice (lines 1 and 8), which the AWS CLI refuses and the Go SDK would merge into one; remove or rename one of them`))

	r := f.run(t, "", env, "--profile", "other", "--json")
	warning := `awsxc-cli: warning: config file ` + cf + `: [profile x] appears twice (lines 1 and 8): the AWS CLI refuses the whole file` + "\n"
	if r.code != 0 || !strings.Contains(r.stdout, "AKIAOTHER00000000001") || r.stderr != warning {
		t.Errorf("other: exit %d, stdout %q, stderr %q; want its keys and the warning", r.code, r.stdout, r.stderr)
	}
	r = f.run(t, "", env, "explain", "--profile", "other")
	if r.code != 0 || !strings.Contains(r.stdout, "warning      config file "+cf+": [profile x] appears twice") {
		t.Errorf("explain: exit %d, stdout:\n%s\nwant a warning row", r.code, r.stdout)
	}
	r = f.run(t, "", env, "profiles")
	if r.code != 0 || !regexp.MustCompile(`(?m)^x +invalid `).MatchString(r.stdout) || !regexp.MustCompile(`(?m)^nosource +invalid `).MatchString(r.stdout) ||
		!strings.Contains(r.stderr, warning) || !strings.Contains(r.stderr, `awsxc-cli: warning: profile "nosource": invalid configuration: it has role_arn but neither source_profile nor credential_source`) {
		t.Errorf("profiles: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
}

// TestIssue10Item13RoleWithoutSource: refused at once with the AWS CLI's
// reason, exit 3, one line, no STS call.
func TestIssue10Item13RoleWithoutSource(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	env := f.ownFiles(t, dupConfig, dupCreds)
	oneErrorLine(t, f.run(t, "", env, "--profile", "nosource"), exitResolution,
		regexp.QuoteMeta(`profile "nosource": invalid configuration: it has role_arn but neither source_profile nor credential_source (the AWS CLI: "Partial credentials found in assume-role, missing: source_profile or credential_source"); add source_profile or credential_source, or remove role_arn`))
	if n := f.sts.Count(""); n != 0 {
		t.Errorf("%d STS calls, want none", n)
	}
}

// TestIssue10Item9And16Files: /dev/zero and a FIFO as the config file are
// one error line (exit 3 resolving, exit 1 listing), never a hang; a
// folder as the credentials file is read as empty with a warning.
func TestIssue10Item9And16Files(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("no /dev/zero")
	}
	f := newFixture(t)
	oneErrorLine(t, f.run(t, "", []string{"AWS_CONFIG_FILE=/dev/zero"}, "--profile", "static", "--json"), exitResolution,
		regexp.QuoteMeta(`profile "static": invalid configuration: config file: /dev/zero: not a regular file (a character device)`))
	oneErrorLine(t, f.run(t, "", []string{"AWS_CONFIG_FILE=/dev/zero"}, "profiles"), exitFailure,
		regexp.QuoteMeta(`config file: /dev/zero: not a regular file (a character device)`))

	folder := t.TempDir()
	r := f.run(t, "", []string{"AWS_SHARED_CREDENTIALS_FILE=" + folder}, "--profile", "proc", "--json")
	want := "awsxc-cli: warning: credentials file " + folder + " is a folder; reading it as empty, as the AWS CLI does\n"
	if r.code != 0 || r.stderr != want || !strings.Contains(r.stdout, "ASIAPROCEXAMPLE") {
		t.Errorf("credentials folder: exit %d, stdout %q, stderr %q; want proc's keys and %q", r.code, r.stdout, r.stderr, want)
	}
}

const mixedConfig = `[profile ssokeys]
sso_start_url = https://example.awsapps.com/start
sso_region = us-east-1
sso_account_id = 123456789012
sso_role_name = Dev
aws_access_key_id = AKIASSOKEYSSTATIC001
aws_secret_access_key = s

[profile plain]
region = eu-west-1
`

const mixedCreds = `[plain]
aws_access_key_id = AKIAPLAIN00000000001
aws_secret_access_key = s
`

// TestIssue10Item36MixedListing: a profile that configures two sources the
// tools choose between differently is listed as "mixed", with a NOTE
// column saying what each uses.
func TestIssue10Item36MixedListing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.run(t, "", f.ownFiles(t, mixedConfig, mixedCreds), "profiles")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	golden(t, "cli/profiles_mixed.stdout", r.stdout)
}
