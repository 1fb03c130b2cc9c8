//go:build linux

package tray_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/awsxc/awsxc/internal/fakeaws"
	"github.com/awsxc/awsxc/tray/internal/snitest"
)

// The tray is the user's credential daemon: the real awsxc binary on a
// private session bus answers the real awsxc-cli over the user's socket.

// buildCLI builds the real awsxc-cli binary once per test run, as it
// ships (no cgo).
var buildCLI = sync.OnceValues(func() (string, error) {
	if bin := os.Getenv("AWSXC_TEST_CLI"); bin != "" {
		return bin, nil
	}
	dir, err := os.MkdirTemp("", "awsxc-cli-e2e")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "awsxc-cli")
	cmd := exec.Command("go", "build", "-o", bin, "-ldflags", "-X main.version=1.2.3-test", "github.com/awsxc/awsxc/cmd/awsxc-cli")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// roleConfig adds to awsConfig a role and a role that needs an MFA
// code, both from dev's keys.
const roleConfig = awsConfig + `[profile role]
role_arn = arn:aws:iam::210987654321:role/Deploy
source_profile = dev
[profile mfarole]
role_arn = arn:aws:iam::210987654321:role/Admin
source_profile = dev
mfa_serial = arn:aws:iam::123456789012:mfa/alice
`

type cliResult struct {
	stdout, stderr string
	code           int
}

// runCLI runs awsxc-cli as the env's user, with no terminal.
func runCLI(t *testing.T, e *env, args ...string) cliResult {
	t.Helper()
	bin, err := buildCLI()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = e.vars
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	r := cliResult{stdout: out.String(), stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return r
}

func daemonEnv(t *testing.T, bus, display, stsURL string) *env {
	t.Helper()
	e := newEnv(t, bus, display, stsURL, true)
	if err := os.WriteFile(filepath.Join(e.home, ".aws", "config"), []byte(roleConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(e.config, "awsxc", "settings.json")
	os.MkdirAll(filepath.Dir(path), 0o700)
	if err := os.WriteFile(path, []byte(`{"profile": "dev"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	return e
}

// TestTrayIsTheDaemon: 20 awsxc-cli runs of a role profile (five at a
// time) are answered by the tray with one AssumeRole; awsxc-cli status
// names the tray; awsxc-cli daemon is refused while the tray runs, and
// the tray while awsxc-cli daemon runs, each in one line (and the tray
// in one notification).
func TestTrayIsTheDaemon(t *testing.T) {
	bus, display, w := setup(t)
	sts := fakeaws.New()
	defer sts.Close()
	e := daemonEnv(t, bus, display, sts.URL)
	a := start(t, e)
	tr := snitest.Open(t, w.Conn, w.Wait(t, 10*time.Second))
	tr.WaitLabel(t, 5*time.Second, "dev · static keys · no expiry")

	st := runCLI(t, e, "status")
	m := regexp.MustCompile(`^daemon +awsxc tray 1\.2\.3-test \(pid (\d+)\)\n`).FindStringSubmatch(st.stdout)
	if st.code != 0 || m == nil || m[1] != fmt.Sprint(a.cmd.Process.Pid) {
		t.Fatalf("status: exit %d, %q; want the tray (pid %d)", st.code, st.stdout, a.cmd.Process.Pid)
	}

	var wg sync.WaitGroup
	results := make([]cliResult, 20)
	for i := range 5 {
		wg.Go(func() {
			for j := i; j < len(results); j += 5 {
				results[j] = runCLI(t, e, "--profile", "role", "--json")
			}
		})
	}
	wg.Wait()
	for i, r := range results {
		if r.code != 0 || r.stdout != results[0].stdout || r.stderr != "" || !strings.Contains(r.stdout, `"AccessKeyId":"ASIA`) {
			t.Errorf("run %d: exit %d, %q, %q", i, r.code, r.stdout, r.stderr)
		}
	}
	if n := sts.Count("AssumeRole"); n != 1 {
		t.Errorf("%d AssumeRole calls for 20 runs through the tray; want 1", n)
	}
	if st := runCLI(t, e, "status"); !regexp.MustCompile(`(?m)^role +assume-role +ASIA…`).MatchString(st.stdout) {
		t.Errorf("status does not show role:\n%s", st.stdout)
	}

	// awsxc-cli daemon is refused while the tray runs.
	r := runCLI(t, e, "daemon")
	if want := fmt.Sprintf("awsxc-cli: error: awsxc tray (pid %d) is already running for this user and answers awsxc-cli\n", a.cmd.Process.Pid); r.code != 1 || r.stderr != want {
		t.Errorf("awsxc-cli daemon with the tray running: exit %d, %q; want 1, %q", r.code, r.stderr, want)
	}

	tr.Click(t, "Quit")
	if err := a.wait(t); err != nil {
		t.Fatalf("quit: %v", err)
	}
	// Once the tray quit, awsxc-cli resolves by itself.
	if st := runCLI(t, e, "status"); !strings.HasPrefix(st.stdout, "no awsxc daemon is running") {
		t.Errorf("status after Quit: %q", st.stdout)
	}

	// With awsxc-cli daemon running, the tray is refused.
	bin, _ := buildCLI()
	d := exec.Command(bin, "daemon")
	d.Env = e.vars
	var dlog syncBuffer
	d.Stderr = &dlog
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	ddone := make(chan error, 1)
	go func() { ddone <- d.Wait() }()
	defer func() {
		d.Process.Signal(syscall.SIGTERM)
		<-ddone
	}()
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(runCLI(t, e, "status").stdout, "awsxc-cli daemon"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("awsxc-cli daemon did not start:\n%s", dlog.String())
		}
	}
	notes := snitest.StartNotifications(t, bus)
	second := start(t, e)
	want := fmt.Sprintf("awsxc: error: awsxc-cli daemon (pid %d) is running for this user as its credential daemon; stop it first\n", d.Process.Pid)
	if err := second.wait(t); err == nil || second.stderr.String() != want {
		t.Errorf("the tray with awsxc-cli daemon running: %v, %q; want exit 1, %q", err, second.stderr, want)
	}
	notes.Wait(t, 5*time.Second, strings.TrimSuffix(strings.TrimPrefix(want, "awsxc: error: "), "\n"))
}

// TestTrayMFAForAwsxcCli: awsxc-cli runs of a role that needs an MFA
// code, with no terminal, are answered by the tray: the first ones at
// once (exit 3: the code is needed) while the tray's dialog (a stand-in
// zenity, counted) asks the user once; then every run gets the
// credentials that one code bought: one dialog, one AssumeRole.
func TestTrayMFAForAwsxcCli(t *testing.T) {
	bus, display, w := setup(t)
	sts := fakeaws.New()
	defer sts.Close()
	e := daemonEnv(t, bus, display, sts.URL)
	runs := filepath.Join(e.home, "zenity.runs")
	os.WriteFile(filepath.Join(e.bin, "zenity"), []byte("#!/bin/sh\necho run >> "+runs+"\nsleep 0.3\necho 123456\n"), 0o755)
	start(t, e)
	tr := snitest.Open(t, w.Conn, w.Wait(t, 5*time.Second))
	tr.WaitLabel(t, 5*time.Second, "dev · static keys · no expiry")

	var first cliResult
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		start := time.Now()
		r := runCLI(t, e, "--profile", "mfarole", "--json")
		if took := time.Since(start); took > 3*time.Second {
			t.Errorf("a run took %v: it waited on the dialog", took)
		}
		if r.code == 0 {
			first = r
			break
		}
		if r.code != 3 || !strings.Contains(r.stderr, "MFA code needed") {
			t.Fatalf("run before the code: exit %d, %q", r.code, r.stderr)
		}
		if time.Now().After(deadline) {
			t.Fatal("no credentials after the dialog")
		}
	}
	for i := range 10 {
		if r := runCLI(t, e, "--profile", "mfarole", "--json"); r.code != 0 || r.stdout != first.stdout {
			t.Fatalf("run %d after the code: exit %d, %q", i, r.code, r.stderr)
		}
	}
	data, _ := os.ReadFile(runs)
	if n := strings.Count(string(data), "run"); n != 1 {
		t.Errorf("the MFA dialog ran %d times; want once", n)
	}
	calls := sts.Calls()
	if len(calls) != 1 || calls[0].Action != "AssumeRole" || calls[0].Form.Get("TokenCode") != "123456" {
		t.Errorf("STS calls %+v; want one AssumeRole with the code", calls)
	}
}
