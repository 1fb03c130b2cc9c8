//go:build linux

// End-to-end tests of the real awsxc binary (cmd/awsxc) as a child
// process, driven over D-Bus the way a panel drives it. They live here,
// not in cmd/awsxc, because Go lets only tray/... import
// tray/internal/snitest.

package tray_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/awsxc/awsxc/internal/desktoptest"
	"github.com/awsxc/awsxc/internal/exectest"
	"github.com/awsxc/awsxc/internal/testbuf"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/awsxc/awsxc/internal/fakeaws"
	"github.com/awsxc/awsxc/internal/porttest"
	"github.com/awsxc/awsxc/packaging/icons"
	"github.com/awsxc/awsxc/tray"
	"github.com/awsxc/awsxc/tray/internal/snitest"
	"github.com/godbus/dbus/v5"
)

const awsConfig = `[profile dev]
region = eu-west-1
[profile prod]
region = us-east-2
`

const awsCredentials = `[dev]
aws_access_key_id = AKIADEVEXAMPLE000001
aws_secret_access_key = devsecret
[prod]
aws_access_key_id = AKIAPRODEXAMPLE00001
aws_secret_access_key = prodsecret
`

// buildApp builds the real awsxc binary once per test run.
var buildApp = sync.OnceValues(func() (string, error) {
	if bin := os.Getenv("AWSXC_TEST_BIN"); bin != "" {
		return bin, nil // a prebuilt binary, e.g. built with -race
	}
	dir, err := os.MkdirTemp("", "awsxc-e2e")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "awsxc")
	out, err := exec.Command("go", "build", "-o", bin, "-ldflags", "-X main.version=1.2.3-test", "github.com/awsxc/awsxc/cmd/awsxc").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// env is a throwaway user: home, XDG folders and AWS files.
type env struct {
	home, config, runtime string
	credsFile             string
	bin                   string // first on PATH
	vars                  []string
}

func newEnv(t *testing.T, bus, display, stsURL string, withAWS bool) *env {
	t.Helper()
	home := t.TempDir()
	e := &env{home: home, config: filepath.Join(home, ".config"), runtime: filepath.Join(home, "run"),
		credsFile: filepath.Join(home, ".aws", "credentials"), bin: filepath.Join(home, "bin")}
	os.MkdirAll(filepath.Join(home, ".aws"), 0o700)
	os.MkdirAll(e.runtime, 0o700)
	os.MkdirAll(e.bin, 0o755)
	if withAWS {
		os.WriteFile(filepath.Join(home, ".aws", "config"), []byte(awsConfig), 0o600)
		os.WriteFile(e.credsFile, []byte(awsCredentials), 0o600)
	}
	e.vars = []string{
		"PATH=" + e.bin + ":" + os.Getenv("PATH"),
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + e.config,
		"XDG_CACHE_HOME=" + filepath.Join(home, ".cache"),
		"XDG_RUNTIME_DIR=" + e.runtime,
		"DBUS_SESSION_BUS_ADDRESS=" + bus,
		"DISPLAY=" + display,
		"AWS_ENDPOINT_URL_STS=" + stsURL,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWSXC_TICK=200ms",
	}
	return e
}

// app is a running awsxc.
type app struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
	done   chan error
}

type syncBuffer = testbuf.Buffer

func start(t *testing.T, e *env, args ...string) *app {
	t.Helper()
	bin, err := buildApp()
	if err != nil {
		t.Fatal(err)
	}
	a := &app{cmd: exec.Command(bin, args...), stderr: &syncBuffer{}, done: make(chan error, 1)}
	a.cmd.Env = e.vars
	a.cmd.Stderr = a.stderr
	if err := a.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { a.done <- a.cmd.Wait() }()
	t.Cleanup(func() {
		a.cmd.Process.Kill()
		<-a.done
		if t.Failed() {
			t.Logf("awsxc stderr:\n%s", a.stderr)
		}
	})
	return a
}

// patience bounds every wait for a condition: generous, since a CI
// machine running every package's tests at once under the race detector
// can take seconds to pass a D-Bus signal or a menu update on. A test
// that passes never waits this long.
const patience = 30 * time.Second

// wait waits for the app to exit and returns its error.
func (a *app) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-a.done:
		a.done <- err
		return err
	case <-time.After(patience):
		t.Fatal("awsxc did not exit")
		return nil
	}
}

func setup(t *testing.T) (bus, display string, w *snitest.Watcher) {
	desktoptest.Need(t, "dbus-daemon", "xclip")
	display = desktoptest.Display(t)
	bus = desktoptest.StartBus(t)
	return bus, display, snitest.StartWatcher(t, bus)
}

func TestTrayEndToEnd(t *testing.T) {
	t0 := time.Now()
	step := func(what string) { t.Logf("%6.2fs %s", time.Since(t0).Seconds(), what) }
	bus, display, w := setup(t)
	step("bus, display and watcher up")
	sts := fakeaws.New()
	defer sts.Close()
	e := newEnv(t, bus, display, sts.URL, true)
	tray.StandInDocker(t, e.bin, tray.DockerDesktop(t))
	a := start(t, e, "--debug")
	tr := snitest.Open(t, w.Conn, w.Wait(t, patience))
	step("registered")
	const wait = patience

	// No saved profile, AWS_PROFILE unset and no [default]: the first
	// profile is chosen; its keys are handed out as they are, without
	// STS (issue 10 item 25).
	tr.WaitLabel(t, wait, "dev · static keys · no expiry")
	tr.WaitFor(t, wait, "the tooltip", func(snitest.Item) bool {
		return tr.Tooltip(t) == "awsxc 1.2.3-test\ndev · static keys · no expiry"
	})

	step("second instance")
	// A second instance refuses to start, on stderr and in a
	// notification (started from a menu, it has no terminal).
	notes := snitest.StartNotifications(t, bus)
	second := start(t, e)
	if err := second.wait(t); err == nil || !strings.Contains(second.stderr.String(), "awsxc is already running") {
		t.Errorf("second instance: err %v, stderr %q; want exit 1 and the message", err, second.stderr)
	}
	notes.Wait(t, wait, "awsxc is already running")

	step("switch profile")
	// Switch profile.
	tr.Click(t, "prod")
	tr.WaitLabel(t, wait, "prod · static keys · no expiry")
	root := tr.Layout(t)
	profiles, _ := root.Find("Profiles")
	if it, _ := profiles.Find("prod"); !it.Checked() {
		t.Errorf("prod not checked after switching:\n%s", root)
	}

	step("copy")
	// Copy as export lines: prod's own keys, with its region.
	tr.Click(t, "export lines")
	clip := snitest.WaitClipboard(t, display, wait, func(s string) bool { return strings.Contains(s, "AWS_ACCESS_KEY_ID") })
	const key = "AKIAPRODEXAMPLE00001"
	if valueOf(clip, "export AWS_ACCESS_KEY_ID=") != key || strings.Contains(clip, "export AWS_SESSION_TOKEN") ||
		!strings.Contains(clip, "export AWS_REGION=us-east-2") {
		t.Fatalf("clipboard = %q; want prod's keys as they are, with its region", clip)
	}
	if n := sts.Count(""); n != 0 {
		t.Errorf("%d STS calls for static keys with the servers off", n)
	}

	step("imds")
	// IMDS server on; the Go SDK gets the same credentials through it.
	tr.Click(t, "Serve on a free port")
	imdsItem := tr.WaitLabel(t, wait, "IMDS server: 127.0.0.1:")
	addr := strings.TrimPrefix(imdsItem.Text(), "IMDS server: ")
	for k, v := range map[string]string{
		"AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://" + addr + "/",
		"AWS_CONFIG_FILE":                   filepath.Join(t.TempDir(), "none"),
		"AWS_SHARED_CREDENTIALS_FILE":       filepath.Join(t.TempDir(), "none"),
		"AWS_EC2_METADATA_DISABLED":         "",
		"AWS_PROFILE":                       "", "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI": "", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "",
	} {
		t.Setenv(k, v)
	}
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-2"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatalf("credentials through IMDS: %v", err)
	}
	// The servers serve temporary credentials only.
	imdsKey := c.AccessKeyID
	if !strings.HasPrefix(imdsKey, "ASIA") || c.SessionToken == "" {
		t.Errorf("IMDS gave key %q; want temporary credentials", imdsKey)
	}
	tr.WaitFor(t, wait, "the servers' countdown in the tooltip", func(snitest.Item) bool {
		return strings.Contains(tr.Tooltip(t), "Servers: temporary credentials, expire in 59 min")
	})

	step("docker")
	// Copy settings for Docker: the engine is Docker Desktop (a stand-in
	// docker on PATH), whose recipe is these exact flags, trailing slash
	// included.
	tr.Click(t, "Copy settings for Docker")
	port := addr[strings.LastIndexByte(addr, ':')+1:]
	want := "-e AWS_EC2_METADATA_SERVICE_ENDPOINT=http://host.docker.internal:" + port + "/"
	snitest.WaitClipboard(t, display, wait, func(s string) bool { return s == want })

	step("write")
	// Write to the credentials file; the SDK reads the profile back.
	tr.Click(t, "Write to credentials file as awsxc")
	tr.WaitFor(t, wait, "the file to be written", func(snitest.Item) bool {
		b, _ := os.ReadFile(e.credsFile)
		return bytes.Contains(b, []byte("[awsxc]"))
	})
	cfg, err = config.LoadDefaultConfig(ctx, config.WithRegion("us-east-2"),
		config.WithSharedConfigProfile("awsxc"), config.WithSharedCredentialsFiles([]string{e.credsFile}))
	if err != nil {
		t.Fatal(err)
	}
	c, err = cfg.Credentials.Retrieve(ctx)
	if err != nil || c.AccessKeyID != key {
		t.Errorf("profile awsxc from the file: key %q, err %v; want %q", c.AccessKeyID, err, key)
	}
	if b, _ := os.ReadFile(e.credsFile); !bytes.Contains(b, []byte("aws_secret_access_key = prodsecret")) {
		t.Errorf("the user's own profiles were lost:\n%s", b)
	}

	// Quit exits 0 and leaves the settings saved.
	// Switching the profile switches what the running server serves.
	step("switch with IMDS on")
	tr.Click(t, "dev")
	tr.WaitLabel(t, wait, "dev · static keys · no expiry")
	cfg, err = config.LoadDefaultConfig(ctx, config.WithRegion("us-east-2"))
	if err != nil {
		t.Fatal(err)
	}
	if c, err := cfg.Credentials.Retrieve(ctx); err != nil || c.AccessKeyID == imdsKey || !strings.HasPrefix(c.AccessKeyID, "ASIA") {
		t.Errorf("after switching to dev IMDS gave %q, %v; want new temporary credentials", c.AccessKeyID, err)
	}

	step("quit")
	tr.Click(t, "Quit")
	if err := a.wait(t); err != nil {
		t.Fatalf("exit: %v", err)
	}
	var s struct {
		Profile string
		IMDS    struct {
			Enabled bool
			Addr    string
		}
	}
	data, err := os.ReadFile(filepath.Join(e.config, "awsxc", "settings.json"))
	if err != nil {
		t.Fatal(err)
	}
	json.Unmarshal(data, &s)
	if s.Profile != "dev" || !s.IMDS.Enabled || s.IMDS.Addr != addr {
		t.Errorf("settings = %s; want dev, IMDS on at %s", data, addr)
	}

	// Started again, it comes back on the same profile and IMDS port. The
	// ECS server's saved port is taken: the menu says so and the rest
	// works. The clipboard is cleared a second after a copy.
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	editSettings(t, e, func(m map[string]any) {
		m["ecs"] = map[string]any{"enabled": true, "addr": taken.Addr().String()}
		m["clipboard_clear_seconds"] = 1
		m["keep_refreshed"] = true
	})
	step("restart")
	start(t, e)
	tr = snitest.Open(t, w.Conn, w.Wait(t, patience))
	tr.WaitLabel(t, wait, "dev · static keys · no expiry")
	tr.WaitLabel(t, wait, "IMDS server: "+addr)
	_, takenPort, _ := net.SplitHostPort(taken.Addr().String())
	tr.WaitLabel(t, wait, "ECS server: port "+takenPort+" in use")
	step("restarted")
	// Keep it refreshed: dev's keys replace prod's in the file (a copy
	// of keys profile prod holds, which awsxc may overwrite).
	tr.WaitFor(t, wait, "the kept profile to be rewritten", func(snitest.Item) bool {
		cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-2"),
			config.WithSharedConfigProfile("awsxc"), config.WithSharedCredentialsFiles([]string{e.credsFile}))
		if err != nil {
			return false
		}
		c, err := cfg.Credentials.Retrieve(ctx)
		return err == nil && c.AccessKeyID == "AKIADEVEXAMPLE000001"
	})
	tr.Click(t, "fish")
	snitest.WaitClipboard(t, display, wait, func(s string) bool { return strings.Contains(s, "set -gx AWS_ACCESS_KEY_ID") })
	snitest.WaitClipboard(t, display, wait, func(s string) bool { return s == "" })

	// Edits to settings.json while it runs ("Open settings") are picked up.
	step("edit settings")
	editSettings(t, e, func(m map[string]any) { m["export_name"] = "edited" })
	tr.WaitLabel(t, wait, "Write to credentials file as edited")
}

// TestTrayMFA: a profile with mfa_serial shows "MFA code needed" at
// start-up without asking (no user action yet); "Enter MFA code…" opens
// the dialog (a stand-in zenity on PATH that answers 123456) and the code
// reaches STS.
func TestTrayMFA(t *testing.T) {
	bus, display, w := setup(t)
	sts := fakeaws.New()
	defer sts.Close()
	e := newEnv(t, bus, display, sts.URL, false)
	os.WriteFile(filepath.Join(e.home, ".aws", "config"), []byte("[profile mfa]\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\n"), 0o600)
	os.WriteFile(e.credsFile, []byte("[mfa]\naws_access_key_id = AKIAMFAEXAMPLE000001\naws_secret_access_key = s\n"), 0o600)
	exectest.WriteProgram(t, filepath.Join(e.bin, "zenity"), []byte("#!/bin/sh\necho 123456\n"))
	exchangeKeys(t, e)
	start(t, e)
	tr := snitest.Open(t, w.Conn, w.Wait(t, patience))
	tr.WaitLabel(t, patience, "mfa · MFA code needed")
	if n := sts.Count("GetSessionToken"); n != 0 {
		t.Errorf("%d STS calls before the code was entered", n)
	}
	tr.Click(t, "Enter MFA code")
	tr.WaitLabel(t, patience, "mfa · expires in 59 min")
	calls := sts.Calls()
	if len(calls) != 1 || calls[0].Form.Get("TokenCode") != "123456" || calls[0].Form.Get("SerialNumber") != "arn:aws:iam::123456789012:mfa/alice" {
		t.Errorf("STS calls = %+v; want one GetSessionToken with the code", calls)
	}
}

// editSettings changes the saved settings.json.
func editSettings(t *testing.T, e *env, f func(map[string]any)) {
	t.Helper()
	path := filepath.Join(e.config, "awsxc", "settings.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]any{}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	f(m)
	data, _ = json.Marshal(m)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestTrayNoConfigNoHost: with no AWS config, no tray host and a corrupt
// settings file the app starts, says so, and keeps running until Quit.
func TestTrayNoConfigNoHost(t *testing.T) {
	desktoptest.Need(t, "dbus-daemon")
	bus := desktoptest.StartBus(t)
	e := newEnv(t, bus, "", "http://127.0.0.1:1", false)
	settings := filepath.Join(e.config, "awsxc", "settings.json")
	os.MkdirAll(filepath.Dir(settings), 0o700)
	os.WriteFile(settings, []byte(`{"profile": `), 0o600) // corrupt
	a := start(t, e)
	conn := snitest.Connect(t, bus)
	name := fmt.Sprintf("org.kde.StatusNotifierItem-%d-1", a.cmd.Process.Pid)
	var tr *snitest.Tray
	deadline := time.Now().Add(patience)
	for {
		var has bool
		conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, name).Store(&has)
		if has {
			tr = snitest.Open(t, conn, name+"/StatusNotifierItem")
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never appeared; stderr:\n%s", name, a.stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	tr.WaitLabel(t, patience, "No AWS profiles found")
	tr.WaitLabel(t, patience, "No system tray host found")
	if b, err := os.ReadFile(settings + ".bak"); err != nil || string(b) != `{"profile": ` {
		t.Errorf("settings.json.bak = %q, %v; want the corrupt file kept", b, err)
	}
	for _, want := range []string{"no system tray host", "AppIndicator", "snixembed", "no AWS profiles found", "settings file is corrupt"} {
		if !strings.Contains(a.stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, a.stderr)
		}
	}
	tr.Click(t, "Quit")
	if err := a.wait(t); err != nil {
		t.Fatalf("exit: %v", err)
	}
}

func TestVersionNeedsNoDisplay(t *testing.T) {
	bin, err := buildApp()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--version")
	cmd.Env = []string{"PATH=/nonexistent"}
	out, err := cmd.Output()
	if err != nil || string(out) != "awsxc 1.2.3-test\n" {
		t.Errorf("--version = %q, %v", out, err)
	}
}

// TestAutostartFlag: awsxc --autostart on|off sets Start at login without
// a display or a running tray, as an installer would, and refuses other
// values.
func TestAutostartFlag(t *testing.T) {
	bin, err := buildApp()
	if err != nil {
		t.Fatal(err)
	}
	cfg := t.TempDir()
	run := func(arg string) (string, int) {
		t.Helper()
		cmd := exec.Command(bin, "--autostart", arg)
		cmd.Env = []string{"PATH=/nonexistent", "HOME=" + cfg, "XDG_CONFIG_HOME=" + cfg}
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok {
			return string(out), ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return string(out), 0
	}
	entry := filepath.Join(cfg, "autostart", "awsxc.desktop")
	if out, code := run("on"); code != 0 || out != "" {
		t.Fatalf("--autostart on: exit %d, output %q", code, out)
	}
	if data, err := os.ReadFile(entry); err != nil || !strings.Contains(string(data), "\nExec="+bin+"\n") {
		t.Errorf("autostart entry after --autostart on: %v\n%s", err, data)
	}
	if out, code := run("yes"); code != 2 || out != "awsxc: error: --autostart \"yes\": want on or off\n" {
		t.Errorf("--autostart yes: exit %d, output %q; want 2 and one error line", code, out)
	}
	if out, code := run("off"); code != 0 || out != "" {
		t.Fatalf("--autostart off: exit %d, output %q", code, out)
	}
	if _, err := os.Stat(entry); !os.IsNotExist(err) {
		t.Errorf("autostart entry after --autostart off: %v, want it gone", err)
	}
}

func valueOf(text, prefix string) string {
	for _, l := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(l, prefix); ok {
			return strings.Trim(v, `'"`)
		}
	}
	return ""
}

// mfaEnv is a user with profile mfa (long-term keys and mfa_serial) and
// profile dev, and a stand-in zenity running script.
func mfaEnv(t *testing.T, bus, display, stsURL, zenity string) *env {
	t.Helper()
	e := newEnv(t, bus, display, stsURL, false)
	os.WriteFile(filepath.Join(e.home, ".aws", "config"),
		[]byte("[profile mfa]\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\n[profile dev]\nregion = eu-west-1\n"), 0o600)
	os.WriteFile(e.credsFile, []byte("[mfa]\naws_access_key_id = AKIAMFAEXAMPLE000001\naws_secret_access_key = s\n"+
		"[dev]\naws_access_key_id = AKIADEVEXAMPLE000001\naws_secret_access_key = s\n"), 0o600)
	exectest.WriteProgram(t, filepath.Join(e.bin, "zenity"), []byte("#!/bin/sh\n"+zenity))
	exchangeKeys(t, e)
	return e
}

// exchangeKeys saves ensure_temporary: copies of long-term keys are
// temporary credentials, which go through STS and the MFA code.
func exchangeKeys(t *testing.T, e *env) {
	t.Helper()
	path := filepath.Join(e.config, "awsxc", "settings.json")
	os.MkdirAll(filepath.Dir(path), 0o700)
	if err := os.WriteFile(path, []byte(`{"ensure_temporary": true}`), 0o600); err != nil {
		t.Fatal(err)
	}
}

// An MFA dialog left open when the user switches to another profile is
// closed, and does not hold up the new profile.
func TestTrayMFADialogClosedBySwitch(t *testing.T) {
	bus, display, w := setup(t)
	sts := fakeaws.New()
	defer sts.Close()
	pidFile := filepath.Join(t.TempDir(), "zenity.pid")
	e := mfaEnv(t, bus, display, sts.URL, "echo $$ > "+pidFile+"\nexec sleep 30\n")
	start(t, e)
	tr := snitest.Open(t, w.Conn, w.Wait(t, patience))
	tr.WaitLabel(t, patience, "mfa · MFA code needed")
	tr.Click(t, "Enter MFA code")
	tr.WaitLabel(t, patience, "mfa · waiting for the MFA code")
	tr.Click(t, "dev")
	tr.WaitLabel(t, patience, "dev · expires in")
	root := tr.Layout(t)
	if it, ok := root.Find("Enter MFA code"); ok && it.Visible() {
		t.Errorf("Enter MFA code shown for dev:\n%s", root)
	}
	if it, _ := root.Find("Refresh now"); !it.Enabled() {
		t.Errorf("Refresh now disabled for dev:\n%s", root)
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	var pid int
	fmt.Sscan(string(b), &pid)
	deadline := time.Now().Add(patience)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			t.Fatalf("the MFA dialog (pid %d) is still open after the switch", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := sts.Count("GetSessionToken"); n != 1 {
		t.Errorf("%d GetSessionToken calls; want 1, for dev", n)
	}
}

// With DBUS_SESSION_BUS_ADDRESS unset (a console login, some display
// managers) the tray finds the systemd user bus at $XDG_RUNTIME_DIR/bus.
func TestTrayBusFromRuntimeDir(t *testing.T) {
	bus, display, w := setup(t)
	sts := fakeaws.New()
	defer sts.Close()
	e := newEnv(t, bus, display, sts.URL, true)
	path, _, _ := strings.Cut(strings.TrimPrefix(bus, "unix:path="), ",")
	if filepath.Base(path) != "bus" {
		t.Fatalf("bus address %q: want a socket named bus", bus)
	}
	for i, v := range e.vars {
		switch {
		case strings.HasPrefix(v, "DBUS_SESSION_BUS_ADDRESS="):
			e.vars[i] = "DBUS_SESSION_BUS_ADDRESS="
		case strings.HasPrefix(v, "XDG_RUNTIME_DIR="):
			e.vars[i] = "XDG_RUNTIME_DIR=" + filepath.Dir(path)
		}
	}
	a := start(t, e)
	tr := snitest.Open(t, w.Conn, w.Wait(t, patience))
	tr.WaitLabel(t, patience, "dev · static keys · no expiry")
	if strings.Contains(a.stderr.String(), "no D-Bus session bus") {
		t.Errorf("stderr says there is no bus:\n%s", a.stderr)
	}
}

// TestTrayLabelsKeepUnderscores is issue 10 item 24: dbusmenu reads "_x"
// as an accelerator, so every underscore of a label is sent doubled and
// a host shows the name as it is.
func TestTrayLabelsKeepUnderscores(t *testing.T) {
	bus, display, w := setup(t)
	sts := fakeaws.New()
	defer sts.Close()
	e := newEnv(t, bus, display, sts.URL, false)
	const name = "_dev__admin_x_"
	os.WriteFile(filepath.Join(e.home, ".aws", "config"), []byte("[profile "+name+"]\nregion = eu-west-1\n"), 0o600)
	os.WriteFile(e.credsFile, []byte("["+name+"]\naws_access_key_id = AKIADEVEXAMPLE000001\naws_secret_access_key = s\n"), 0o600)
	start(t, e)
	tr := snitest.Open(t, w.Conn, w.Wait(t, patience))
	tr.WaitLabel(t, patience, name+" · static keys · no expiry")
	root := tr.Layout(t)
	profiles, _ := root.Find("Profiles")
	shown := slices.DeleteFunc(slices.Clone(profiles.Children), func(it snitest.Item) bool { return !it.Visible() })
	if len(shown) != 1 {
		t.Fatalf("Profiles:\n%s", root)
	}
	for _, tt := range []struct {
		it        snitest.Item
		want, raw string
	}{
		{shown[0], name, "__dev____admin__x__"},
		{first(t, root, "credential"), "credential_process JSON", "credential__process JSON"},
	} {
		if got := tt.it.Label(); got != tt.raw {
			t.Errorf("label property %q; want %q", got, tt.raw)
		}
		if got := tt.it.Text(); got != tt.want {
			t.Errorf("a host shows %q; want %q", got, tt.want)
		}
	}
}

// first is the first visible item whose shown label has the prefix.
func first(t *testing.T, root snitest.Item, prefix string) snitest.Item {
	t.Helper()
	it, ok := root.Find(prefix)
	if !ok {
		t.Fatalf("no item %q in:\n%s", prefix, root)
	}
	return it
}

// TestTrayHostAppears is issue 10 item 34 (part): "No system tray host
// found" goes as soon as a host starts (the tray watches the bus for it),
// not at a tick, which here is an hour away; and the icon registers with
// the new host.
func TestTrayHostAppears(t *testing.T) {
	desktoptest.Need(t, "dbus-daemon")
	bus := desktoptest.StartBus(t)
	sts := fakeaws.New()
	defer sts.Close()
	e := newEnv(t, bus, "", sts.URL, true)
	for i, v := range e.vars {
		if strings.HasPrefix(v, "AWSXC_TICK=") {
			e.vars[i] = "AWSXC_TICK=1h"
		}
	}
	a := start(t, e)
	conn := snitest.Connect(t, bus)
	tr := openByName(t, conn, a)
	tr.WaitLabel(t, patience, "No system tray host found")
	w := snitest.StartWatcher(t, bus)
	// Deadlines, not speed targets: the tick is an hour away, and a
	// loaded machine can take seconds to pass the signals on.
	tr.WaitFor(t, patience, "the no-host line to go", func(root snitest.Item) bool {
		_, ok := root.Find("No system tray host found")
		return !ok
	})
	var owner string
	conn.BusObject().Call("org.freedesktop.DBus.GetNameOwner", 0, tr.Bus).Store(&owner)
	if item := w.Wait(t, patience); item != owner+"/StatusNotifierItem" {
		t.Errorf("registered %q; want the app's item (%s)", item, owner)
	}
}

// openByName waits for the app's StatusNotifierItem name, for a test
// without a watcher to register with.
func openByName(t *testing.T, conn *dbus.Conn, a *app) *snitest.Tray {
	t.Helper()
	name := fmt.Sprintf("org.kde.StatusNotifierItem-%d-1", a.cmd.Process.Pid)
	for deadline := time.Now().Add(patience); ; time.Sleep(20 * time.Millisecond) {
		var has bool
		conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, name).Store(&has)
		if has {
			return snitest.Open(t, conn, name+"/StatusNotifierItem")
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never appeared; stderr:\n%s", name, a.stderr)
		}
	}
}

// TestTrayIconFollowsState is issue 10 item 34 (part): the icon a host
// reads (IconPixmap) is the plain one while the credentials are good and
// the red-badged one once the profile cannot be used.
func TestTrayIconFollowsState(t *testing.T) {
	bus, display, w := setup(t)
	sts := fakeaws.New()
	defer sts.Close()
	e := newEnv(t, bus, display, sts.URL, true)
	start(t, e)
	tr := snitest.Open(t, w.Conn, w.Wait(t, patience))
	tr.WaitLabel(t, patience, "dev · static keys · no expiry")
	waitIcon := func(want string) {
		t.Helper()
		var got string
		tr.WaitFor(t, patience, "the "+want+" icon", func(snitest.Item) bool {
			got = whichIcon(t, tr.IconPixmap(t))
			return got == want
		})
	}
	waitIcon("ok")
	editSettings(t, e, func(m map[string]any) { m["profile"] = "ghost" })
	tr.WaitLabel(t, patience, "ghost · profile not found")
	waitIcon("failing")
}

// whichIcon names the state icon px shows, comparing it pixel for pixel
// with the PNGs as fyne.io/systray converts them for IconPixmap (the low
// byte of each premultiplied 16-bit channel, alpha first).
func whichIcon(t *testing.T, px []snitest.Pixmap) string {
	t.Helper()
	if len(px) != 1 {
		return fmt.Sprintf("%d pixmaps", len(px))
	}
	for name, data := range map[string][]byte{"ok": icons.Tray, "expiring": icons.TrayExpiring, "failing": icons.TrayFailing} {
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		b := img.Bounds()
		var argb []byte
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				r, g, b, a := img.At(x, y).RGBA()
				argb = append(argb, byte(a), byte(r), byte(g), byte(b))
			}
		}
		if int32(b.Dx()) == px[0].W && int32(b.Dy()) == px[0].H && bytes.Equal(argb, px[0].ARGB) {
			return name
		}
	}
	return "unknown"
}

// TestTrayProfileDeleted is issue 10 item 27 end to end: the AWS files
// deleted under a running awsxc, its menu says so, the IMDS server it
// ran pauses (a request gets no credentials) and Copy is disabled; the
// files back, the server serves again on its port.
func TestTrayProfileDeleted(t *testing.T) {
	bus, display, w := setup(t)
	sts := fakeaws.New()
	defer sts.Close()
	e := newEnv(t, bus, display, sts.URL, true)
	settings := filepath.Join(e.config, "awsxc", "settings.json")
	os.MkdirAll(filepath.Dir(settings), 0o700)
	// The server pauses and resumes on its port: one picked from the
	// ephemeral range could be taken meanwhile.
	os.WriteFile(settings, []byte(`{"profile": "dev", "imds": {"enabled": true, "addr": "`+porttest.Addr(t)+`"}}`), 0o600)
	start(t, e)
	tr := snitest.Open(t, w.Conn, w.Wait(t, patience))
	const wait = patience
	item := tr.WaitLabel(t, wait, "IMDS server: 127.0.0.1:")
	url := "http://" + strings.TrimPrefix(item.Text(), "IMDS server: ") + "/"
	creds := func() (int, error) {
		c := &http.Client{Timeout: 10 * time.Second}
		req, _ := http.NewRequest("GET", url+"latest/meta-data/iam/security-credentials/dev", nil)
		req.Header.Set("X-aws-ec2-metadata-token", "")
		resp, err := c.Do(req)
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	// Tokenless: 401 from a server that runs, no answer from one paused.
	if status, err := creds(); err != nil || status != http.StatusUnauthorized {
		t.Fatalf("IMDS before: %d, %v; want it answering", status, err)
	}
	config, creds0 := filepath.Join(e.home, ".aws", "config"), e.credsFile
	os.Remove(config)
	os.Remove(creds0)
	tr.WaitLabel(t, wait, "No AWS profiles found")
	tr.WaitLabel(t, wait, "IMDS server: paused (no credentials)")
	if status, err := creds(); err == nil {
		t.Errorf("IMDS after the files were deleted answered %d; want no answer", status)
	}
	if it, _ := tr.Layout(t).Find("Copy as"); it.Enabled() {
		t.Errorf("Copy as enabled with the profile gone")
	}
	os.WriteFile(config, []byte(awsConfig), 0o600)
	os.WriteFile(creds0, []byte(awsCredentials), 0o600)
	tr.WaitLabel(t, wait, "dev · static keys · no expiry")
	tr.WaitLabel(t, wait, strings.TrimSuffix(item.Text(), "/"))
	if status, err := creds(); err != nil || status != http.StatusUnauthorized {
		t.Errorf("IMDS after the files came back: %d, %v", status, err)
	}
}
