package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
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

	"github.com/awsxc/awsxc/engine/daemon"
	"github.com/awsxc/awsxc/internal/fsutil"
	"github.com/awsxc/awsxc/internal/localsock"
)

// viaDaemon are the TestCLI cases a running daemon answers (with
// credentials or the error of the resolution); the others it leaves to
// the process (a credential_process, another configuration), or they
// are no export at all.
var viaDaemon = map[string]bool{
	"default_static": true, "json_static": true, "json_session": true, "pretty_only": true, "env_static": true,
	"profile_from_AWS_PROFILE": true, "profile_from_AWS_DEFAULT_PROFILE": true, "profile_default": true,
	"abbreviated_options": true, "role_via_fake_sts": true, "mfa_code_from_pipe": true, "mfa_code_flag": true,
	"ensure_temporary": true, "ensure_temporary_noop_for_session": true, "ensure_temporary_mfa": true,
	"err_profile_unknown": true, "err_profile_unknown_via_env": true,
	"err_profile_without_source": true, "err_mfa_missing": true,
}

// daemonProc is an awsxc-cli daemon running as a process of its own.
type daemonProc struct {
	cmd *exec.Cmd
	// stderr is a file, not a pipe: what the daemon wrote before it
	// answered is there when its client is done (a pipe's copy may lag).
	stderr string
	done   chan struct{} // closed when it has exited
	err    error         // its exit, once done
}

// startDaemon runs `awsxc-cli daemon --debug` in the fixture's
// environment (plus env) and waits until it listens. It is stopped with
// SIGTERM at the end of the test, and must exit 0.
func (f *fixture) startDaemon(t *testing.T, env ...string) *daemonProc {
	t.Helper()
	d := f.spawnDaemon(t, env...)
	if err := d.waitFor("daemon listening on "); err != nil {
		t.Fatalf("the daemon did not start: %v\n%s", err, d.log())
	}
	t.Cleanup(func() {
		select {
		case <-d.done:
			return // stopped by the test
		default:
		}
		d.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-d.done:
			if d.err != nil {
				t.Errorf("the daemon exited with %v after SIGTERM:\n%s", d.err, d.log())
			}
		case <-time.After(10 * time.Second):
			d.cmd.Process.Kill()
			t.Errorf("the daemon did not stop on SIGTERM:\n%s", d.log())
		}
	})
	return d
}

// spawnDaemon starts `awsxc-cli daemon --debug` without waiting for it.
func (f *fixture) spawnDaemon(t *testing.T, env ...string) *daemonProc {
	t.Helper()
	cmd := exec.Command(binary, "daemon", "--debug")
	cmd.Env = f.env(env...)
	cmd.Dir = f.home
	log, err := os.CreateTemp(f.home, "daemon-*.log")
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	d := &daemonProc{cmd: cmd, stderr: log.Name(), done: make(chan struct{})}
	cmd.Stderr = log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { d.err = cmd.Wait(); close(d.done) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-d.done
	})
	return d
}

// waitFor waits until the daemon's stderr holds s; an error when it
// exits first or 10 s pass.
func (d *daemonProc) waitFor(s string) error {
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(d.log(), s) {
		select {
		case <-d.done:
			return errors.New("it exited: " + errString(d.err))
		default:
		}
		if time.Now().After(deadline) {
			return errors.New("timed out waiting for " + s)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return nil
}

func errString(err error) string {
	if err == nil {
		return "exit 0"
	}
	return err.Error()
}

func (d *daemonProc) log() string {
	b, _ := os.ReadFile(d.stderr)
	return string(b)
}

// answered counts the requests the daemon answered: with credentials, or
// with the error the resolution failed with.
func (d *daemonProc) answered() int {
	l := d.log()
	return strings.Count(l, `msg="local API: credentials"`) + strings.Count(l, `msg="local API: resolution failed"`)
}

// stop sends SIGTERM and returns the daemon's exit.
func (d *daemonProc) stop(t *testing.T) error {
	t.Helper()
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
		return d.err
	case <-time.After(10 * time.Second):
		t.Fatalf("the daemon did not stop on SIGTERM:\n%s", d.log())
		return nil
	}
}

// socket is the daemon's endpoint in the fixture.
func (f *fixture) socket() string { return filepath.Join(f.runDir, "awsxc", "daemon.sock") }

var keyRe = regexp.MustCompile(`"AccessKeyId":"([^"]+)"`)

func accessKey(t *testing.T, out string) string {
	t.Helper()
	m := keyRe.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no access key in %q", out)
	}
	return m[1]
}

// TestDaemonSharesOneRole: 50 awsxc-cli processes of an assume-role
// profile through the daemon make one AssumeRole, and print the same
// credentials; so do 20 at once, and --exec and -c take theirs from it too.
func TestDaemonSharesOneRole(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	d := f.startDaemon(t)
	first := f.runBinary(t, "", nil, "--profile", "role", "--json")
	if first.code != 0 || first.stderr != "" {
		t.Fatalf("exit %d: %s", first.code, first.stderr)
	}
	for i := 1; i < 50; i++ {
		if r := f.runBinary(t, "", nil, "--profile", "role", "--json"); r.stdout != first.stdout || r.code != 0 {
			t.Fatalf("call %d: exit %d, %q; want %q", i, r.code, r.stdout, first.stdout)
		}
	}
	var wg sync.WaitGroup
	outs := make(chan result, 20)
	for range 20 {
		wg.Go(func() { outs <- f.runBinary(t, "", nil, "--profile", "role", "--json") })
	}
	wg.Wait()
	close(outs)
	for r := range outs {
		if r.stdout != first.stdout || r.code != 0 {
			t.Errorf("concurrent call: exit %d, %q, %s", r.code, r.stdout, r.stderr)
		}
	}
	key := accessKey(t, first.stdout)
	r := f.runBinary(t, "", nil, "--profile", "role", "--exec", "sh", "-c", "echo $AWS_ACCESS_KEY_ID $AWS_REGION")
	if r.stdout != key+" eu-central-1\n" {
		t.Errorf("--exec: %q, want the daemon's key %s", r.stdout, key)
	}
	if r := f.runBinary(t, "", nil, "--profile", "role", "-c", "exported"); r.code != 0 {
		t.Fatalf("-c: %s", r.stderr)
	}
	if data, _ := os.ReadFile(filepath.Join(f.home, ".aws", "credentials")); !strings.Contains(string(data), "aws_access_key_id = "+key) {
		t.Errorf("-c wrote another key:\n%s", data)
	}
	if n := f.sts.Count("AssumeRole"); n != 1 {
		t.Errorf("%d AssumeRole calls for 72 runs through the daemon, want 1", n)
	}
	if n := d.answered(); n != 72 {
		t.Errorf("the daemon answered %d requests, want 72", n)
	}
	if secretRe.MatchString(d.log()) || strings.Contains(d.log(), "fakeSecret") {
		t.Errorf("the daemon's log shows a secret:\n%s", d.log())
	}
}

// TestDaemonMFA: the first run with --mfa-code (or a code piped to its
// prompt) primes the daemon; the next 20 need none: one AssumeRole, with
// the code. Without a code and nothing to ask, a run exits 3 at once.
func TestDaemonMFA(t *testing.T) {
	t.Parallel()
	for _, how := range []string{"flag", "pipe"} {
		t.Run(how, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			d := f.startDaemon(t)
			start := time.Now()
			r := f.runBinary(t, "", nil, "--profile", "mfarole", "--json")
			if r.code != 3 || !strings.Contains(r.stderr, "MFA code needed: no code given; give the code with --mfa-code or run from a terminal") {
				t.Errorf("without a code: exit %d, %q", r.code, r.stderr)
			}
			if took := time.Since(start); took > 3*time.Second {
				t.Errorf("without a code the run took %v", took)
			}
			var first result
			if how == "flag" {
				first = f.runBinary(t, "", nil, "--profile", "mfarole", "--json", "--mfa-code", "123456")
			} else {
				first = f.runBinary(t, "123456\n", nil, "--profile", "mfarole", "--json")
				if first.stderr != `awsxc-cli: MFA code for profile "mfarole": `+"\n" {
					t.Errorf("prompt: %q", first.stderr)
				}
			}
			if first.code != 0 {
				t.Fatalf("with a code: exit %d: %s", first.code, first.stderr)
			}
			for i := range 20 {
				if r := f.runBinary(t, "", nil, "--profile", "mfarole", "--json"); r.code != 0 || r.stdout != first.stdout || r.stderr != "" {
					t.Fatalf("run %d after the code: exit %d, %q, %q", i, r.code, r.stdout, r.stderr)
				}
			}
			calls := f.sts.Calls()
			if len(calls) != 1 || calls[0].Action != "AssumeRole" || calls[0].Form.Get("TokenCode") != "123456" {
				t.Errorf("STS calls %+v, want one AssumeRole with the code", calls)
			}
			// One request a run, and a second for the run that brings the
			// code it was asked for (the prompt): never the same one twice.
			want := 1 + 1 + 20
			if how == "pipe" {
				want++
			}
			if n := d.answered(); n != want {
				t.Errorf("the daemon answered %d requests, want %d", n, want)
			}
		})
	}
}

// TestDaemonKilledMidRequest: a daemon killed while it waits on a slow
// STS for a run's request leaves the run to resolve in its own process:
// no hang, the output and exit status as without a daemon.
func TestDaemonKilledMidRequest(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	d := f.startDaemon(t)
	f.sts.SetDelay(time.Second)
	cmd := exec.Command(binary, "--profile", "role", "--json", "--debug")
	cmd.Env = f.env()
	cmd.Dir = f.home
	var out, errb syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The daemon loads the profile, then waits on STS.
	if err := d.waitFor(`msg="loaded profile" profile=role`); err != nil {
		t.Fatalf("the daemon never took the request: %v\n%s", err, d.log())
	}
	time.Sleep(100 * time.Millisecond)
	d.cmd.Process.Kill()
	<-d.done
	err := cmd.Wait()
	if err != nil || !strings.HasPrefix(accessKey(t, out.String()), "ASIAFAKE") {
		t.Fatalf("after the daemon died: %v, stdout %q\n%s", err, out.String(), errb.String())
	}
	if took := time.Since(start); took > 6*time.Second {
		t.Errorf("the run took %v", took)
	}
	if !strings.Contains(errb.String(), "the daemon did not answer; resolving in this process") {
		t.Errorf("--debug does not say it fell back:\n%s", errb.String())
	}
	if n := f.sts.Count("AssumeRole"); n != 2 {
		t.Errorf("%d AssumeRole calls, want 2 (the daemon's, then the run's own)", n)
	}
	f.sts.SetDelay(0)

	// The socket it left is stale: runs fall back at once, and the next
	// daemon replaces it.
	if _, err := os.Lstat(f.socket()); err != nil {
		t.Fatalf("no stale socket left: %v", err)
	}
	start = time.Now()
	r := f.runBinary(t, "", nil, "--profile", "static", "--json", "--debug")
	if r.code != 0 || !strings.Contains(r.stderr, "no daemon; resolving in this process") {
		t.Errorf("with a stale socket: exit %d\n%s", r.code, r.stderr)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("with a stale socket the run took %v", took)
	}
	d = f.startDaemon(t)
	if r := f.runBinary(t, "", nil, "--profile", "static", "--json"); r.code != 0 || d.answered() != 1 {
		t.Errorf("the new daemon: exit %d, answered %d\n%s", r.code, d.answered(), d.log())
	}
}

// TestDaemonOtherConfig: a run that points AWS_CONFIG_FILE (or the
// credentials file, or the SDK's endpoints) elsewhere never gets the
// daemon's answer for a profile of the same name.
func TestDaemonOtherConfig(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	d := f.startDaemon(t)
	if r := f.runBinary(t, "", nil, "--profile", "role", "--json"); r.code != 0 || d.answered() != 1 {
		t.Fatalf("own config: exit %d, answered %d: %s", r.code, d.answered(), r.stderr)
	}
	other := filepath.Join(f.home, "other")
	os.MkdirAll(other, 0o700)
	os.WriteFile(filepath.Join(other, "config"), []byte("[profile role]\nregion = sa-east-1\n"), 0o600)
	os.WriteFile(filepath.Join(other, "credentials"), []byte("[role]\naws_access_key_id = AKIAOTHERCONFIG\naws_secret_access_key = othersecret\n"), 0o600)
	for _, env := range [][]string{
		{"AWS_CONFIG_FILE=" + filepath.Join(other, "config"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(other, "credentials")},
		{"AWS_CONFIG_FILE=other/config", "AWS_SHARED_CREDENTIALS_FILE=~/other/credentials"},
	} {
		r := f.runBinary(t, "", append(env, "AWS_PROFILE=role"), "--json", "--debug")
		if r.code != 0 || accessKey(t, r.stdout) != "AKIAOTHERCONFIG" {
			t.Errorf("%v: exit %d, %q", env, r.code, r.stdout)
		}
		if !strings.Contains(r.stderr, "config_file, credentials_file differ") {
			t.Errorf("%v: --debug does not say what differs:\n%s", env, r.stderr)
		}
	}
	r := f.runBinary(t, "", []string{"AWS_ENDPOINT_URL_STS=http://127.0.0.1:1"}, "--profile", "role", "--json")
	if r.code != 3 {
		t.Errorf("another STS endpoint: exit %d, want 3 (it is resolved in process, against that endpoint)", r.code)
	}
	if d.answered() != 1 {
		t.Errorf("the daemon answered %d requests, want 1", d.answered())
	}
}

// TestDaemonSkipped: --no-daemon and AWSXC_NO_DAEMON=1 never ask it.
func TestDaemonSkipped(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	d := f.startDaemon(t)
	for _, run := range []struct {
		env  []string
		args []string
	}{
		{nil, []string{"--profile", "role", "--json", "--no-daemon", "--debug"}},
		{[]string{"AWSXC_NO_DAEMON=1"}, []string{"--profile", "role", "--json", "--debug"}},
	} {
		r := f.runBinary(t, "", run.env, run.args...)
		if r.code != 0 || !strings.Contains(r.stderr, "not asking the daemon") {
			t.Errorf("%v %v: exit %d\n%s", run.env, run.args, r.code, r.stderr)
		}
	}
	if d.answered() != 0 || strings.Contains(d.log(), "local API") || f.sts.Count("AssumeRole") != 2 {
		t.Errorf("the daemon was asked, or the runs shared: %d AssumeRole\n%s", f.sts.Count("AssumeRole"), d.log())
	}
	if r := f.runBinary(t, "", []string{"AWSXC_NO_DAEMON=0"}, "--profile", "role", "--json"); r.code != 0 || d.answered() != 1 {
		t.Errorf("AWSXC_NO_DAEMON=0: answered %d", d.answered())
	}
}

// standIn listens on the fixture's endpoint for the test: a daemon that
// misbehaves, handed each connection.
func (f *fixture) standIn(t *testing.T, serve func(net.Conn)) {
	t.Helper()
	ln, err := localsock.Listen(localsock.Options{Path: f.socket()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				serve(c)
			}()
		}
	}()
}

func answer(status int, version, body string) func(net.Conn) {
	return func(c net.Conn) {
		req, err := http.ReadRequest(bufio.NewReader(c))
		if err != nil {
			return
		}
		io.Copy(io.Discard, req.Body)
		resp := &http.Response{StatusCode: status, ProtoMajor: 1, ProtoMinor: 1, Header: http.Header{daemon.Header: {version}},
			Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body))}
		resp.Write(c)
	}
}

// TestDaemonMisbehaves: a daemon of another protocol version, one that
// answers something huge, garbage or nothing at all, or one that never
// answers, leaves the run to resolve in process, with the output it
// always had; --debug says why.
func TestDaemonMisbehaves(t *testing.T) {
	t.Parallel()
	good := `{"profile":"static","kind":"static","credentials":{"access_key_id":"AKIAFROMDAEMON","secret_access_key":"s"}}`
	want := newFixture(t).run(t, "", nil, "--profile", "static", "--json").stdout
	tests := []struct {
		name  string
		serve func(net.Conn)
		why   string
	}{
		{"version_mismatch", answer(200, "2", good), `protocol version \"2\", not 1`},
		{"huge", answer(200, "1", `{"profile":"`+strings.Repeat("x", 1<<20)+`"}`), "bigger than 65536 bytes"},
		{"garbage", func(c net.Conn) {
			http.ReadRequest(bufio.NewReader(c))
			io.WriteString(c, "\x00\xff garbage\r\n\r\n")
		}, "malformed HTTP"},
		{"bad_json", answer(200, "1", `{"credentials": [`), "the daemon's answer"},
		{"hang_up", func(c net.Conn) { http.ReadRequest(bufio.NewReader(c)) }, "EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.standIn(t, tt.serve)
			for _, r := range []result{
				f.runBinary(t, "", nil, "--profile", "static", "--json", "--debug"),
				f.run(t, "", nil, "--profile", "static", "--json", "--debug"),
			} {
				if r.code != 0 || r.stdout != want {
					t.Errorf("exit %d, stdout %q; want %q", r.code, r.stdout, want)
				}
				if !strings.Contains(r.stderr, "the daemon did not answer; resolving in this process") || !strings.Contains(r.stderr, tt.why) {
					t.Errorf("--debug does not say %q:\n%s", tt.why, r.stderr)
				}
			}
			// Without --debug nothing on stderr.
			if r := f.run(t, "", nil, "--profile", "static", "--json"); r.stderr != "" || r.stdout != want {
				t.Errorf("without --debug: %q, %q", r.stdout, r.stderr)
			}
		})
	}
}

// TestDaemonHangs: a daemon that accepts and never answers costs a run
// the 2-second bound, then it resolves in process and says so with
// --debug.
func TestDaemonHangs(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	f.standIn(t, func(net.Conn) { <-stop })
	start := time.Now()
	r := f.runBinary(t, "", nil, "--profile", "static", "--json", "--debug")
	took := time.Since(start)
	if r.code != 0 || accessKey(t, r.stdout) != "AKIAEXAMPLE" {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if took < 2*time.Second || took > 6*time.Second {
		t.Errorf("the run took %v, want the 2 s bound", took)
	}
	if !strings.Contains(r.stderr, "the daemon did not answer; resolving in this process") || !strings.Contains(r.stderr, "no answer within 2s (timeout)") {
		t.Errorf("--debug:\n%s", r.stderr)
	}
	// In process, with a shorter bound.
	var out, errb syncBuffer
	p := f.proc(strings.NewReader(""), &out, &errb, nil)
	p.daemonTimeout = 100 * time.Millisecond
	if code := run(context.Background(), []string{"--profile", "static", "--json"}, p); code != 0 || errb.String() != "" {
		t.Errorf("in process: exit %d, %q", code, errb.String())
	}
}

// TestDaemonRefused: an endpoint that is not safely the user's is never
// talked to: a folder open to others, a socket of another user's daemon.
// The run resolves in process and says why with --debug; a daemon
// refuses to listen there.
func TestDaemonRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	dir := filepath.Dir(f.socket())
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	ln, err := net.Listen("unix", f.socket())
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	r := f.runBinary(t, "", nil, "--profile", "static", "--json", "--debug")
	if r.code != 0 || !strings.Contains(r.stderr, "insecure local endpoint") {
		t.Errorf("a folder open to others: exit %d\n%s", r.code, r.stderr)
	}
	d := f.spawnDaemon(t)
	<-d.done
	if ee, ok := d.err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(d.log(), "awsxc-cli: error: insecure local endpoint") {
		t.Errorf("a daemon in a folder open to others: %v\n%s", d.err, d.log())
	}
}

// TestDaemonCommand: one daemon per user, status through it, SIGTERM
// stops it (exit 0), and status without a daemon says so.
func TestDaemonCommand(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.runBinary(t, "", nil, "status")
	if r.code != 0 || r.stdout != "no awsxc daemon is running (awsxc-cli daemon, or the awsxc tray, starts one)\n" || r.stderr != "" {
		t.Errorf("status without a daemon: exit %d, %q, %q", r.code, r.stdout, r.stderr)
	}
	if r := f.runBinary(t, "", nil, "status", "--json"); r.code != 0 || !strings.HasPrefix(r.stdout, `{"running":false,`) {
		t.Errorf("status --json without a daemon: %q", r.stdout)
	}
	d := f.startDaemon(t)
	second := f.spawnDaemon(t)
	<-second.done
	if ee, ok := second.err.(*exec.ExitError); !ok || ee.ExitCode() != 1 ||
		!regexp.MustCompile(`^awsxc-cli: error: awsxc-cli daemon \(pid \d+\) is already running for this user and answers awsxc-cli\n$`).MatchString(second.log()) {
		t.Errorf("a second daemon: %v\n%s", second.err, second.log())
	}
	f.runBinary(t, "", nil, "--profile", "role", "--json")
	f.runBinary(t, "", nil, "--profile", "mfarole", "--json", "--mfa-code", "123456")
	// While it runs, the tray cannot start (it runs the same servers).
	if _, err := fsutil.TryLock(filepath.Join(f.home, ".cache", "awsxc", "awsxc.lock")); !errors.Is(err, fsutil.ErrLocked) {
		t.Errorf("the tray's lock while the daemon runs: %v, want it held", err)
	}
	r = f.runBinary(t, "", nil, "status")
	lines := strings.Split(r.stdout, "\n")
	if r.code != 0 || !strings.HasPrefix(lines[0], "daemon    awsxc-cli daemon 0.0.0-dev (pid ") ||
		!regexp.MustCompile(`(?m)^role +assume-role +ASIA…[A-Z]{4} +\d{4}-\d\d-\d\dT\S+Z \(in \S+\) +yes +-$`).MatchString(r.stdout) ||
		!regexp.MustCompile(`(?m)^mfarole +assume-role +ASIA… *\S* +\S+ \(in \S+\) +no \(MFA\) +-$`).MatchString(r.stdout) {
		t.Errorf("status: exit %d\n%s", r.code, r.stdout)
	}
	r = f.runBinary(t, "", nil, "status", "--json")
	var st struct {
		Running  bool
		Profiles []daemon.ProfileStatus
	}
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil || !st.Running || len(st.Profiles) < 2 {
		t.Errorf("status --json: %v\n%s", err, r.stdout)
	}
	if secretRe.MatchString(r.stdout) {
		t.Errorf("status shows a secret: %s", r.stdout)
	}
	if err := d.stop(t); err != nil || !strings.HasSuffix(d.log(), "awsxc-cli: shutting down\n") {
		t.Errorf("after SIGTERM: %v\n%s", err, d.log())
	}
	if _, err := os.Lstat(f.socket()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the socket is still there after a clean stop: %v", err)
	}
	if r := f.runBinary(t, "", nil, "status"); !strings.HasPrefix(r.stdout, "no awsxc daemon is running") {
		t.Errorf("status after the stop: %q", r.stdout)
	}
	// With the tray running (its lock held, its endpoint not answering
	// yet), the daemon is refused.
	lock, err := fsutil.TryLock(filepath.Join(f.home, ".cache", "awsxc", "awsxc.lock"))
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Unlock()
	third := f.spawnDaemon(t)
	<-third.done
	if ee, ok := third.err.(*exec.ExitError); !ok || ee.ExitCode() != 1 ||
		third.log() != "awsxc-cli: error: an awsxc daemon (the awsxc tray or awsxc-cli daemon) is already running for this user\n" {
		t.Errorf("a daemon with the tray running: %v\n%s", third.err, third.log())
	}
	if _, err := os.Lstat(f.socket()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the refused daemon left its socket: %v", err)
	}
}

// TestNoSDKBeforeDaemon: through the daemon, a run never opens the AWS
// files: nothing of the SDK's configuration is loaded before the daemon
// is asked (and after its answer, nothing is left to load). Measured
// with strace.
func TestNoSDKBeforeDaemon(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("strace"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("strace is not installed (scripts/deps.sh installs it)")
		}
		t.Skip("strace is not installed")
	}
	f := newFixture(t)
	d := f.startDaemon(t)
	trace := filepath.Join(f.home, "trace")
	for _, profile := range []string{"static", "role"} {
		cmd := exec.Command("strace", "-f", "-qq", "-e", "trace=open,openat,stat,newfstatat,statx", "-o", trace, binary, "--profile", profile, "--json")
		cmd.Env = f.env()
		cmd.Dir = f.home
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("strace: %v\n%s", err, out)
		}
		data, _ := os.ReadFile(trace)
		if strings.Contains(string(data), filepath.Join(f.home, ".aws")) {
			t.Errorf("--profile %s through the daemon looked at the AWS files:\n%s", profile, data)
		}
	}
	if d.answered() != 2 {
		t.Errorf("the daemon answered %d runs, want 2", d.answered())
	}
	// Without a daemon the same run reads them, which is what the trace
	// would show.
	d.stop(t)
	cmd := exec.Command("strace", "-f", "-qq", "-e", "trace=open,openat", "-o", trace, binary, "--profile", "static", "--json")
	cmd.Env = f.env()
	cmd.Run()
	if data, _ := os.ReadFile(trace); !strings.Contains(string(data), filepath.Join(f.home, ".aws", "config")) {
		t.Errorf("the trace without a daemon does not show the config file read: the test cannot see it")
	}
}

// TestDaemonInProcess runs the daemon command in this process (as run()
// does in a test), asks it from runs in this process, and stops it by
// ending its context.
func TestDaemonInProcess(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	os.MkdirAll(filepath.Join(f.home, ".config", "awsxc"), 0o700)
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	os.WriteFile(filepath.Join(f.home, ".config", "awsxc", "settings.json"),
		[]byte(`{"profile": "role", "imds": {"enabled": true, "addr": "127.0.0.1:0"}, "ecs": {"enabled": true, "addr": "`+taken.Addr().String()+`"}}`), 0o600)
	var stderr syncBuffer
	p := f.proc(strings.NewReader(""), io.Discard, &stderr, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"daemon"}, p) }()
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(stderr.String(), "as EC2 instance metadata"); {
		if time.Now().After(deadline) {
			t.Fatalf("the daemon did not start:\n%s", stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if r := f.run(t, "", nil, "--profile", "role", "--env"); r.code != 0 || !strings.Contains(r.stdout, "AWS_SESSION_TOKEN=FAKETOKEN") {
		t.Errorf("through the daemon: %d %q %s", r.code, r.stdout, r.stderr)
	}
	r := f.run(t, "", nil, "status")
	if r.code != 0 || !regexp.MustCompile(`(?m)^role +assume-role .* yes +imds$`).MatchString(r.stdout) ||
		!strings.Contains(r.stdout, "server    ecs "+taken.Addr().String()+" not running: listen on") {
		t.Errorf("status:\n%s", r.stdout)
	}
	if n := f.sts.Count("AssumeRole"); n != 1 {
		t.Errorf("%d AssumeRole calls, want 1 (the server and the run share it)", n)
	}
	if r := f.run(t, "", nil, "daemon", "x"); r.code != 2 {
		t.Errorf("daemon x: exit %d", r.code)
	}
	if r := f.run(t, "", nil, "status", "x"); r.code != 2 {
		t.Errorf("status x: exit %d", r.code)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("exit %d, stderr:\n%s", code, stderr.String())
	}
	for _, want := range []string{"awsxc-cli: daemon listening on ", "awsxc-cli: warning: the ecs server is not running: ", "awsxc-cli: shutting down\n"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr does not say %q:\n%s", want, stderr.String())
		}
	}
}
