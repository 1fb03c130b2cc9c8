//go:build linux

package tray_test

import (
	"bytes"
	"context"
	"fmt"
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

	"github.com/awsxc/awsxc/internal/exectest"
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
	tr := snitest.Open(t, w.Conn, w.Wait(t, patience))
	tr.WaitLabel(t, patience, "dev · static keys · no expiry")

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
	for deadline := time.Now().Add(patience); !strings.Contains(runCLI(t, e, "status").stdout, "awsxc-cli daemon"); time.Sleep(20 * time.Millisecond) {
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
	notes.Wait(t, patience, strings.TrimSuffix(strings.TrimPrefix(want, "awsxc: error: "), "\n"))
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
	exectest.WriteProgram(t, filepath.Join(e.bin, "zenity"), []byte("#!/bin/sh\necho run >> "+runs+"\nsleep 0.3\necho 123456\n"))
	start(t, e)
	tr := snitest.Open(t, w.Conn, w.Wait(t, patience))
	tr.WaitLabel(t, patience, "dev · static keys · no expiry")

	var first cliResult
	for deadline := time.Now().Add(patience); ; time.Sleep(50 * time.Millisecond) {
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

// TestTrayServersMenu: with pinned servers in the settings (an IMDS
// server and an ECS consumer pinned to dev, the IMDS switch following
// the active profile), the Go SDK fetches through the consumer; Servers ▸
// and Recent activity ▸ show that fetch; Copy settings for Docker puts
// the consumer's docker run flags on the clipboard (read back with
// xclip); switching the active profile over D-Bus changes the follow-
// active server only; Revoke in the menu makes the consumer's next fetch
// 403.
func TestTrayServersMenu(t *testing.T) {
	bus, display, w := setup(t)
	sts := fakeaws.New()
	defer sts.Close()
	e := daemonEnv(t, bus, display, sts.URL)
	if err := os.WriteFile(filepath.Join(e.config, "awsxc", "settings.json"), []byte(`{"profile": "dev",
		"imds": {"enabled": true}, "ecs": {"enabled": true},
		"servers": [{"name": "imds-dev", "kind": "imds", "profile": "dev"}, {"name": "api", "kind": "ecs-consumer", "profile": "dev"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	start(t, e)
	tr := snitest.Open(t, w.Conn, w.Wait(t, patience))
	const wait = patience
	tr.WaitLabel(t, wait, "dev · static keys · no expiry")
	ecsItem := tr.WaitLabel(t, wait, "ECS server: 127.0.0.1:")
	ecsURL := "http://" + strings.TrimPrefix(ecsItem.Text(), "ECS server: ") + "/"
	tokenFile := filepath.Join(e.runtime, "awsxc", "tokens", "api.token")

	// The Go SDK, in this process, as a container configured for the
	// consumer would be.
	for k, v := range map[string]string{
		"AWS_CONTAINER_CREDENTIALS_FULL_URI":     ecsURL,
		"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile,
		"AWS_CONFIG_FILE":                        filepath.Join(t.TempDir(), "none"),
		"AWS_SHARED_CREDENTIALS_FILE":            filepath.Join(t.TempDir(), "none"),
		"AWS_PROFILE":                            "", "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "", "AWS_CONTAINER_AUTHORIZATION_TOKEN": "",
	} {
		t.Setenv(k, v)
	}
	retrieve := func() (string, error) {
		cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion("eu-west-1"))
		if err != nil {
			return "", err
		}
		c, err := cfg.Credentials.Retrieve(context.Background())
		return c.AccessKeyID, err
	}
	key, err := retrieve()
	if err != nil || !strings.HasPrefix(key, "ASIA") {
		t.Fatalf("the consumer's credentials: %q, %v", key, err)
	}
	masked := key[:4] + "…" + key[len(key)-4:]

	// The SDK's container provider sends net/http's User-Agent.
	tr.WaitFor(t, wait, "the fetch under Servers", func(root snitest.Item) bool {
		_, ok := root.Path("Servers", "api → dev · fetched just now by Go-http-client from 127.0.0.1")
		return ok
	})
	tr.WaitFor(t, wait, "the fetch under Recent activity", func(root snitest.Item) bool {
		act, ok := root.Path("Recent activity")
		if !ok {
			return false
		}
		for _, c := range act.Shown() {
			if strings.Contains(c.Text(), " api → dev · Go-http-client from 127.0.0.1 · "+masked) {
				return true
			}
		}
		return false
	})
	root := tr.Layout(t)
	if strings.Contains(root.String(), key) || strings.Contains(root.String(), "fakeSecret") {
		t.Errorf("a secret in the menu:\n%s", root)
	}
	servers, _ := root.Path("Servers")
	var lines []string
	for _, c := range servers.Shown() {
		if !c.Separator() {
			lines = append(lines, c.Text())
		}
	}
	imdsPort := func(prefix string) string {
		for _, l := range lines {
			if rest, ok := strings.CutPrefix(l, "IMDS :"); ok && strings.Contains(l, prefix) {
				port, _, _ := strings.Cut(rest, " ")
				return port
			}
		}
		return ""
	}
	if imdsPort("→ follows active (dev)") == "" || imdsPort("imds-dev → dev") == "" {
		t.Fatalf("Servers shows %q; want the follow-active and the pinned IMDS servers", lines)
	}

	// The SDK's IMDS client, through the pinned IMDS server, sends the
	// SDK's own User-Agent.
	t.Setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "")
	t.Setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "")
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:"+imdsPort("imds-dev")+"/")
	if k, err := retrieve(); err != nil || !strings.HasPrefix(k, "ASIA") {
		t.Fatalf("through the pinned IMDS server: %q, %v", k, err)
	}
	tr.WaitFor(t, wait, "the IMDS fetch under Servers", func(root snitest.Item) bool {
		_, ok := root.Path("Servers", "IMDS :"+imdsPort("imds-dev")+" imds-dev → dev · fetched just now by aws-sdk-go-v2 from 127.0.0.1")
		return ok
	})

	// Copy settings for Docker of the consumer: its token file, mounted
	// read-only, never the token.
	tr.ClickPath(t, "Servers", "api → dev", "Copy settings for Docker")
	clip := snitest.WaitClipboard(t, display, wait, func(s string) bool { return strings.Contains(s, "AWS_CONTAINER") })
	token, _ := os.ReadFile(tokenFile)
	if !strings.Contains(clip, tokenFile) || len(token) == 0 || strings.Contains(clip, string(token)) {
		t.Errorf("Docker settings %q; want the token file %s, not the token", clip, tokenFile)
	}

	// Switching the active profile moves the follow-active server only.
	tr.Click(t, "prod")
	tr.WaitLabel(t, wait, "prod · static keys · no expiry")
	tr.WaitFor(t, wait, "the follow-active server on prod", func(root snitest.Item) bool {
		_, ok := root.Path("Servers", "IMDS :"+imdsPort("follows active")+" → follows active (prod)")
		return ok
	})
	if _, ok := tr.Layout(t).Path("Servers", "IMDS :"+imdsPort("imds-dev")+" imds-dev → dev"); !ok {
		t.Errorf("the pinned IMDS server moved:\n%s", tr.Layout(t))
	}
	if _, ok := tr.Layout(t).Path("Servers", "api → dev"); !ok {
		t.Errorf("the consumer moved:\n%s", tr.Layout(t))
	}

	// Revoke: the consumer's token stops working at once.
	tr.ClickPath(t, "Servers", "api → dev", "Revoke")
	tr.WaitFor(t, wait, "the consumer gone", func(root snitest.Item) bool {
		_, ok := root.Path("Servers", "api → dev")
		return !ok
	})
	req, _ := http.NewRequest("GET", ecsURL, nil)
	req.Header.Set("Authorization", string(token))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a fetch with the revoked token: %d; want 403", resp.StatusCode)
	}
}
