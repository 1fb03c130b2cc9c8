//go:build wine

// What runs under Wine, and how:
//
//   - One fresh WINEPREFIX per run, in a temp folder: wineboot takes
//     several seconds, so it runs once, and a persistent wineserver keeps
//     the prefix warm between the many short runs (each then takes a
//     fraction of a second).
//   - Go 1.22 and later take their random bytes from ProcessPrng in
//     bcryptprimitives.dll, which Debian 12's Wine 8.0 lacks (Wine has it
//     since 8.13): the runtime throws "bcryptprimitives.dll not found"
//     before main. A stand-in
//     built from testdata/bcryptprimitives.c with mingw-w64 goes into the
//     prefix's System32. Nothing else worked: the runtime loads it with
//     LoadLibraryExW(LOAD_LIBRARY_SEARCH_SYSTEM32), so a copy next to the
//     .exe is never looked at; with that flag Wine 8 opens
//     C:\windows\system32\bcryptprimitives.dll and nothing else (WINEDLLPATH
//     serves its own builtins, which have a placeholder file there: a copy
//     in WINEDLLPATH was not found, even with Wine's builtin marker in its
//     header); and WINEDLLOVERRIDES only chooses between the native and
//     builtin copies of a DLL Wine can find. On real Windows 10 and later
//     the DLL is in System32.
//   - Output is compared byte for byte with the Linux goldens
//     (engine/testdata/format, cmd/awsxc-cli/testdata/cli,
//     engine/testdata/credfile). Windows output is deliberately the same
//     bytes as on Linux, LF line ends included: cmd.exe, PowerShell,
//     docker --env-file and dotenv readers all take LF, while a CR would
//     end up inside the last value for anything that splits on LF only
//     (Git Bash's eval "$(awsxc-cli.exe --env-export)", WSL, a .env file
//     copied into a Linux container). A credentials file keeps the line
//     ends it has, CRLF included, in the section awsxc writes too.
//   - The servers run under Wine and are read with curl from the Linux
//     side. A Unix SIGINT to the Wine process reaches the program as a
//     console CTRL_C_EVENT (Wine turns one into the other), which is what
//     Ctrl-C in a console sends on Windows; Go reports it as os.Interrupt.
//   - The tray runs under Xvfb: without a display Wine cannot create the
//     hidden window fyne.io/systray's message loop needs ("unable to init
//     instance"). It is asked to quit the Windows way, with WM_CLOSE sent
//     by taskkill (without /F, taskkill posts WM_CLOSE to the process's
//     top-level windows, as it does on Windows); wineserver -k would be a
//     kill, not a quit.
//
// Not tested here, because Wine under Xvfb is no Windows desktop: the icon
// in the notification area and its menu (there is no taskbar to show them,
// and nothing here clicks them: Start at login is switched with the
// --autostart flag instead), the PowerShell toasts and the MFA dialog (no
// PowerShell in Wine), the clipboard, and "Open settings". Wine is not
// Windows: a pass here says the Win32 calls awsxc makes behave as Wine
// implements them.
package wine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/internal/desktoptest"
	"github.com/awsxc/awsxc/internal/fakeaws"
)

// root is the repository, for the goldens and the packages to build.
var root = func() string {
	d, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		panic(err)
	}
	return d
}()

// wine is the run's Wine prefix with both programs built for it.
type wine struct {
	dir    string   // the run's temp folder
	env    []string // the environment of every Wine process
	cli    string   // awsxc-cli.exe
	tray   string   // awsxc.exe
	sts    *fakeaws.Server
	appDir string // %LOCALAPPDATA%\awsxc, as a Unix path
}

// winPath is the Windows name of a Unix path: a fresh prefix maps Z: to /.
func winPath(p string) string { return `Z:` + strings.ReplaceAll(p, "/", `\`) }

func TestWine(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Wine runs on Linux")
	}
	desktoptest.Need(t, "wine", "wineboot", "wineserver", "winepath", "x86_64-w64-mingw32-gcc", "curl", "Xvfb")
	w := setup(t)
	t.Run("formats", w.testFormats)
	t.Run("cli", w.testCLIGoldens)
	t.Run("credentials_file", w.testCredentialsFile)
	t.Run("exec", w.testExec)
	t.Run("process_quotes", w.testProcessQuotes)
	t.Run("imds", w.testIMDS)
	t.Run("container", w.testContainer)
	t.Run("tray", w.testTray)
	t.Run("localsock", w.testLocalsock)
	t.Run("fsutil", w.testFsutil)
	t.Run("handoff", w.testHandoff)
}

// setup builds the programs and the stand-in DLL while wineboot makes the
// prefix, then puts the DLL into the prefix's System32.
func setup(t *testing.T) *wine {
	t.Helper()
	t0 := time.Now()
	display := desktoptest.Display(t)
	dir := t.TempDir()
	w := &wine{dir: dir, sts: fakeaws.New()}
	t.Cleanup(w.sts.Close)
	prefix := filepath.Join(dir, "prefix")
	home := filepath.Join(dir, "home")
	for _, d := range []string{home, prefix} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	w.env = []string{
		"PATH=" + os.Getenv("PATH"),
		// Wine writes menu entries and caches under HOME: keep them in
		// the run's folder.
		"HOME=" + home,
		// Wine names the Windows user (C:\users\NAME) after USER.
		"USER=awsxc",
		"LANG=C.UTF-8",
		"WINEPREFIX=" + prefix,
		// -all: no fixme noise on stderr, whose lines the tests check;
		// it also silences Debian's "wine32 is missing" hint.
		"WINEDEBUG=-all",
		// No Mono and Gecko installer dialogs during wineboot, and no
		// .desktop files for the programs run.
		"WINEDLLOVERRIDES=mscoree,mshtml=;winemenubuilder.exe=d",
		"DISPLAY=" + display,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_ENDPOINT_URL_STS=" + w.sts.URL,
	}
	w.cli = filepath.Join(dir, "bin", "awsxc-cli.exe")
	w.tray = filepath.Join(dir, "bin", "awsxc.exe")
	dll := filepath.Join(dir, "bcryptprimitives.dll")

	// A persistent wineserver first: wineboot and every run below attach
	// to it, and it is not restarted between runs.
	if err := runLogged(w.env, filepath.Join(dir, "wineserver.log"), "wineserver", "-p"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd := exec.Command("wineserver", "-k")
		cmd.Env = w.env
		cmd.Run()
		cmd = exec.Command("wineserver", "-w")
		cmd.Env = w.env
		cmd.Run()
	})
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i, job := range []func() error{
		func() error { return runLogged(w.env, filepath.Join(dir, "wineboot.log"), "wineboot", "--init") },
		func() error {
			// One after the other: the second reuses what the first
			// compiled, where two at once would both compile it.
			if err := goBuild(w.cli, "./cmd/awsxc-cli"); err != nil {
				return err
			}
			return goBuild(w.tray, "./cmd/awsxc", "-ldflags", "-H windowsgui")
		},
		func() error {
			return runErr(nil, "x86_64-w64-mingw32-gcc", "-shared", "-nostdlib", "-Wl,-e,DllMain", "-Wl,--no-insert-timestamp",
				"-O2", "-s", "-o", dll, filepath.Join("testdata", "bcryptprimitives.c"), "-lbcrypt")
		},
	} {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = job() }()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(dll)
	if err != nil {
		t.Fatal(err)
	}
	sys32 := filepath.Join(prefix, "drive_c", "windows", "system32")
	if err := os.WriteFile(filepath.Join(sys32, "bcryptprimitives.dll"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if r := w.run(t, nil, "", w.cli, "--version"); r.code != 0 || r.stdout == "" {
		t.Fatalf("awsxc-cli.exe --version under Wine: exit %d, %q, %q", r.code, r.stdout, r.stderr)
	}
	// The tray is a GUI program (-H windowsgui); its stdout still works
	// when redirected.
	if r := w.run(t, nil, "", w.tray, "--version"); r.code != 0 || r.stdout != "awsxc dev\n" {
		t.Fatalf("awsxc.exe --version under Wine: exit %d, %q, %q", r.code, r.stdout, r.stderr)
	}
	// %LOCALAPPDATA% as this prefix names it, where the tray keeps its
	// settings (platform.ConfigDir).
	r := w.run(t, nil, "", "cmd", "/c", "echo %LOCALAPPDATA%")
	local := strings.TrimSpace(r.stdout)
	out := run(t, w.env, "winepath", "-u", local)
	w.appDir = filepath.Join(strings.TrimSpace(out), "awsxc")
	t.Logf("Wine prefix ready in %.1fs (%s; %%LOCALAPPDATA%% is %s)", time.Since(t0).Seconds(), wineVersion(t, w.env), local)
	return w
}

func goBuild(out, pkg string, flags ...string) error {
	args := append([]string{"build", "-o", out}, flags...)
	cmd := exec.Command("go", append(args, pkg)...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %v\n%s", pkg, err, b)
	}
	return nil
}

func runErr(env []string, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	if env != nil {
		cmd.Env = env
	}
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, b)
	}
	return nil
}

// runLogged runs a program with its output in logFile. Wine leaves
// daemons behind (wineserver, services.exe, explorer.exe...) that keep the
// standard files they inherited: with a pipe, the test would wait for an
// end of file that never comes.
func runLogged(env []string, logFile, name string, args ...string) error {
	f, err := os.Create(logFile)
	if err != nil {
		return err
	}
	defer f.Close()
	cmd := exec.Command(name, args...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Run(); err != nil {
		b, _ := os.ReadFile(logFile)
		return fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, b)
	}
	return nil
}

// run runs a Linux program and returns its stdout.
func run(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = env
	var errb bytes.Buffer
	cmd.Stderr = &errb
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, errb.Bytes())
	}
	return string(out)
}

func wineVersion(t *testing.T, env []string) string {
	return strings.TrimSpace(run(t, env, "wine", "--version"))
}

type result struct {
	stdout, stderr string
	code           int
}

// run runs a Windows program under Wine with the run's environment plus
// env, stdin as its standard input, and waits at most a minute. Its
// output goes through files (see [runLogged]).
func (w *wine) run(t *testing.T, env []string, stdin, exe string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "wine", append([]string{exe}, args...)...)
	cmd.Env = append(append([]string{}, w.env...), env...)
	cmd.Stdin = strings.NewReader(stdin)
	out, errf := w.outFile(t), w.outFile(t)
	cmd.Stdout, cmd.Stderr = out, errf
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("wine %s: %v", exe, err)
	}
	stdout, stderr := readAll(t, out), readAll(t, errf)
	if ctx.Err() != nil {
		t.Fatalf("wine %s %v: still running after a minute; stderr: %s", filepath.Base(exe), args, stderr)
	}
	return result{stdout, stderr, code}
}

// outFile is a new file for a program's output, removed with the test.
func (w *wine) outFile(t *testing.T) *os.File {
	t.Helper()
	f, err := os.CreateTemp(w.dir, "out")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close(); os.Remove(f.Name()) })
	return f
}

func readAll(t *testing.T, f *os.File) string {
	t.Helper()
	b, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// start starts a Windows program under Wine and returns it running; it
// is killed when the test ends if it is still running then.
func (w *wine) start(t *testing.T, env []string, exe string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command("wine", append([]string{exe}, args...)...), stderr: w.outFile(t), done: make(chan struct{})}
	p.cmd.Env = append(append([]string{}, w.env...), env...)
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("%s stderr:\n%s", filepath.Base(exe), p.errText())
		}
	})
	return p
}

// proc is a Windows program running under Wine.
type proc struct {
	cmd    *exec.Cmd
	stderr *os.File
	done   chan struct{} // closed when it has exited; then err is set
	err    error
}

// errText is what the program has written to stderr so far.
func (p *proc) errText() string {
	b, _ := os.ReadFile(p.stderr.Name())
	return string(b)
}

// waitStderr waits until stderr matches re and returns the first match's
// groups.
func (p *proc) waitStderr(t *testing.T, re string) []string {
	t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.After(30 * time.Second)
	for {
		if m := rx.FindStringSubmatch(p.errText()); m != nil {
			return m
		}
		select {
		case <-p.done:
			t.Fatalf("exited (%v) before stderr matched %q:\n%s", p.err, re, p.errText())
		case <-deadline:
			t.Fatalf("stderr did not match %q within 30s:\n%s", re, p.errText())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// exitCode waits up to d for the program to exit and returns its status.
func (p *proc) exitCode(t *testing.T, d time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
	default:
		select {
		case <-p.done:
		case <-time.After(d):
			t.Fatalf("still running %v later; stderr:\n%s", d, p.errText())
		}
	}
	if ee, ok := p.err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if p.err != nil {
		t.Fatal(p.err)
	}
	return 0
}

// writeFiles writes name → content under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// awsEnv points the AWS SDK at the config and credentials files in dir,
// by their Windows names.
func awsEnv(dir string) []string {
	return []string{
		"AWS_CONFIG_FILE=" + winPath(filepath.Join(dir, "config")),
		"AWS_SHARED_CREDENTIALS_FILE=" + winPath(filepath.Join(dir, "credentials")),
	}
}

// processJSON is what a credential_process prints for c.
func processJSON(t *testing.T, c engine.Credentials) string {
	t.Helper()
	v := map[string]any{"Version": 1, "AccessKeyId": c.AccessKeyID, "SecretAccessKey": c.SecretAccessKey}
	if c.SessionToken != "" {
		v["SessionToken"] = c.SessionToken
	}
	if !c.Expires.IsZero() {
		v["Expiration"] = c.Expires.Format(time.RFC3339)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// typeProcess is a credential_process line that prints the file at p:
// the SDK runs credential_process through cmd.exe /C on Windows.
func typeProcess(p string) string { return "credential_process = type " + winPath(p) }

func readGolden(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// sameBytes fails the test when got is not want, naming a CR, the one
// difference a Windows build is most likely to make.
func sameBytes(t *testing.T, what, want, got string) {
	t.Helper()
	if want == got {
		return
	}
	if strings.Contains(got, "\r") && !strings.Contains(want, "\r") {
		t.Errorf("%s: the Windows output has CR line ends; it must be the same bytes as on Linux", what)
	}
	t.Errorf("%s (-linux golden +windows):\n%s", what, cmp.Diff(want, got))
}

// formatCreds are the credentials of engine/format_test.go's goldens.
var formatCreds = map[string]engine.Credentials{
	"static": {AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: "secret"},
	"session": {AccessKeyID: "ASIAEXAMPLE", SecretAccessKey: "sessionsecret",
		SessionToken: "sessiontokenEXAMPLE"},
	"proc": {AccessKeyID: "ASIAPROCEXAMPLE", SecretAccessKey: "procsecret",
		SessionToken: "proctokenEXAMPLE", Expires: time.Date(2099, 1, 2, 3, 4, 5, 0, time.UTC)},
	"hostile": {AccessKeyID: "ASIA'QUOTE", SecretAccessKey: `a"b$c` + "`d\\e f%g!h&i",
		SessionToken: "tok/+=en\u00e9", Expires: time.Date(2099, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 2*3600))},
}

// testFormats prints every format for every credential set of the engine's
// goldens, with and without a region, through awsxc-cli.exe. The
// credentials come from the credentials file (aws_credential_expiration
// carries the expiry): through a credential_process the hostile set could
// not arrive whole on Windows, see testProcessQuotes.
func (w *wine) testFormats(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(w.dir, "formats")
	var config, creds strings.Builder
	for name, c := range formatCreds {
		for _, p := range []string{name, name + "-region"} {
			fmt.Fprintf(&config, "[profile %s]\n", p)
			if p != name {
				config.WriteString("region = eu-west-1\n")
			}
			fmt.Fprintf(&creds, "[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n", p, c.AccessKeyID, c.SecretAccessKey)
			if c.SessionToken != "" {
				fmt.Fprintf(&creds, "aws_session_token = %s\n", c.SessionToken)
			}
			if !c.Expires.IsZero() {
				fmt.Fprintf(&creds, "aws_credential_expiration = %s\n", c.Expires.Format(time.RFC3339))
			}
		}
	}
	writeFiles(t, dir, map[string]string{"config": config.String(), "credentials": creds.String()})
	env := awsEnv(dir)
	for name := range formatCreds {
		type fcase struct{ golden, profile, format string }
		var cases []fcase
		for _, f := range engine.Formats {
			cases = append(cases, fcase{name + "." + string(f), name, string(f)},
				fcase{name + "." + string(f) + ".region", name + "-region", string(f)})
		}
		cases = append(cases, fcase{name + ".process-pretty", name, "process"})
		for _, c := range cases {
			t.Run(c.golden, func(t *testing.T) {
				t.Parallel()
				args := []string{"--profile", c.profile, "--format", c.format}
				if strings.HasSuffix(c.golden, "-pretty") {
					args = append(args, "--pretty")
				}
				r := w.run(t, env, "", w.cli, args...)
				if c.profile == "hostile" || c.profile == "hostile-region" {
					if c.format == string(engine.FormatEnvNoExport) {
						// The hostile secret's space would split export $(...):
						// refused, as on Linux (engine/format_test.go).
						if r.code != 3 || r.stdout != "" || !strings.Contains(r.stderr, "AWS_SECRET_ACCESS_KEY holds white space") {
							t.Errorf("exit %d, stdout %q, stderr %q; want exit 3 and the refusal", r.code, r.stdout, r.stderr)
						}
						return
					}
				}
				if r.code != 0 || r.stderr != "" {
					t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
				}
				sameBytes(t, c.golden, readGolden(t, "engine/testdata/format/"+c.golden+".golden"), r.stdout)
			})
		}
	}
}

// cliConfig is cmd/awsxc-cli/cli_test.go's fixture with the commands in
// it made for cmd.exe; %s is the fixture folder.
const cliConfig = `[default]
region = us-east-1

[profile static]
region = eu-west-1

[profile session]

[profile proc]
credential_process = type %[1]s\proc.json
region = ap-southeast-2

[profile procoffset]
credential_process = type %[1]s\proc-offset.json

[profile procexpired]
credential_process = type %[1]s\proc-expired.json

[profile procexpiring]
credential_process = type %[1]s\proc-expiring.json
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

// cliFixture reads a file of awsxc-cli's own test fixture (its
// credentials file, its credential_process outputs): the goldens
// compared here were made from it.
func cliFixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "cmd", "awsxc-cli", "testdata", "fixture", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// secretRe matches the fixture's and the fake STS's secrets: none may
// reach stderr.
var secretRe = regexp.MustCompile(`secret[A-Z]*\b|procsecret|fakeSecret\d|sessiontokenEXAMPLE|FAKETOKEN\d|proctokenEXAMPLE`)

// normalize makes fetched credentials and times comparable with the
// goldens, as cmd/awsxc-cli/cli_test.go does.
func normalize(out string) string {
	out = regexp.MustCompile(`ASIAFAKE\d{4}`).ReplaceAllString(out, "ASIAFAKE0000")
	out = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`).ReplaceAllStringFunc(out, func(s string) string {
		if strings.HasPrefix(s, "2099") {
			return s
		}
		return "<expiry>"
	})
	out = regexp.MustCompile(`(fakeSecret|FAKETOKEN)\d+`).ReplaceAllString(out, "${1}N")
	return regexp.MustCompile(`\(in \d[^)]*\)`).ReplaceAllString(out, "(in …)")
}

// testCLIGoldens runs the cases of cmd/awsxc-cli/cli_test.go that need no
// POSIX shell and compares with its goldens. Left out: explain_process
// (its source line names the command, "sh …" there), the recursion cases
// (awsxc-cli would have to be on the Windows PATH) and the cases that
// read /dev/null.
func (w *wine) testCLIGoldens(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(w.dir, "cli")
	writeFiles(t, dir, map[string]string{
		"config":             fmt.Sprintf(cliConfig, winPath(dir)),
		"credentials":        cliFixture(t, "credentials"),
		"proc.json":          cliFixture(t, "proc.json"),
		"proc-offset.json":   cliFixture(t, "proc-offset.json"),
		"proc-expired.json":  `{"Version":1,"AccessKeyId":"ASIAOLD","SecretAccessKey":"s","SessionToken":"t","Expiration":"2000-01-01T00:00:00Z"}`,
		"proc-expiring.json": `{}`,
	})
	env := awsEnv(dir)
	cases := []struct {
		name   string
		args   []string
		env    []string
		stdin  string
		code   int
		stderr string // a regexp for the whole of stderr; empty: nothing
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
			env: []string{"AWS_ACCESS_KEY_ID=AKIAENV", "AWS_SECRET_ACCESS_KEY=envsecret", "AWS_SESSION_TOKEN=envtoken"}},
		{name: "abbreviated_options", args: []string{"--prof", "static", "--js"}},
		{name: "role_via_fake_sts", args: []string{"--profile", "role", "--json"}},
		// The code comes through a pipe, which the Windows build tells from
		// a console.
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
		{name: "profiles", args: []string{"profiles"}},
		{name: "profiles_names", args: []string{"profiles", "--names"}},
		{name: "version", args: []string{"--version"}},
		{name: "help", args: []string{"--help"}},

		{name: "err_profile_unknown", args: []string{"--profile", "nope"}, code: 3,
			stderr: `^awsxc-cli: error: profile "nope": profile not found; check the name with awsxc-cli profiles\n$`},
		{name: "err_mutually_exclusive", args: []string{"--json", "--env"}, code: 2,
			stderr: `^awsxc-cli: error: argument --env: not allowed with argument --json \(see awsxc-cli --help\)\n$`},
		{name: "err_expired_credentials", args: []string{"--profile", "procexpired", "--json"}, code: 3,
			stderr: `^awsxc-cli: error: profile "procexpired": cannot get credentials: the credentials it gave expired at 2000-01-01T00:00:00Z; check what its credential_process returns, and this machine's clock\n$`},
		{name: "err_mfa_missing", args: []string{"--profile", "mfarole", "--json"}, code: 3, stderr: `MFA code needed`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := w.run(t, append(append([]string{}, env...), tc.env...), tc.stdin, w.cli, tc.args...)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d; stderr: %s", r.code, tc.code, r.stderr)
			}
			if tc.stderr == "" && r.stderr != "" {
				t.Errorf("stderr = %q, want nothing", r.stderr)
			}
			if tc.stderr != "" && !regexp.MustCompile(tc.stderr).MatchString(r.stderr) {
				t.Errorf("stderr = %q, want a match for %q", r.stderr, tc.stderr)
			}
			if secretRe.MatchString(r.stderr) {
				t.Errorf("stderr shows a secret: %q", r.stderr)
			}
			if tc.code != 0 {
				if r.stdout != "" {
					t.Errorf("stdout = %q on failure, want nothing", r.stdout)
				}
				return
			}
			sameBytes(t, tc.name, readGolden(t, "cmd/awsxc-cli/testdata/cli/"+tc.name+".stdout"), normalize(r.stdout))
		})
	}
}

// testCredentialsFile writes profile "tgt" with awsxc-cli.exe -c into the
// engine's golden inputs (the CRLF ones first) and compares byte for byte.
func (w *wine) testCredentialsFile(t *testing.T) {
	t.Parallel()
	// engine/credfile_test.go's testTemp.
	creds := engine.Credentials{AccessKeyID: "ASIANEWEXAMPLE", SecretAccessKey: "new/secret+key",
		SessionToken: "newtoken==", Expires: time.Date(2099, 1, 2, 3, 4, 5, 0, time.UTC)}
	// "missing": no credentials file yet; it is made as "empty" becomes,
	// with LF line ends.
	for _, name := range []string{"crlf_update", "crlf_append", "update_in_place", "append_new_section",
		"no_final_newline_insert", "no_final_newline_append", "comments_with_equals", "empty", "missing"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(w.dir, "credfile", name)
			files := map[string]string{
				"config":   "[profile src]\n" + typeProcess(filepath.Join(dir, "src.json")) + "\n",
				"src.json": processJSON(t, creds),
			}
			golden := name
			if name == "missing" {
				golden = "empty"
			} else {
				files["credentials"] = readGolden(t, "engine/testdata/credfile/"+name+".in")
			}
			writeFiles(t, dir, files)
			r := w.run(t, awsEnv(dir), "", w.cli, "--profile", "src", "-c", "tgt")
			if r.code != 0 || r.stdout != "" || r.stderr != "" {
				t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
			}
			got, err := os.ReadFile(filepath.Join(dir, "credentials"))
			if err != nil {
				t.Fatal(err)
			}
			want := readGolden(t, "engine/testdata/credfile/"+golden+".golden")
			if string(got) != want {
				t.Errorf("credentials after -c tgt (-linux golden +windows):\n%s", cmp.Diff(want, string(got)))
			}
			// The profile written reads back through the SDK, under Wine too.
			r = w.run(t, awsEnv(dir), "", w.cli, "--profile", "tgt", "--json")
			if r.code != 0 || !strings.Contains(r.stdout, `"AccessKeyId":"ASIANEWEXAMPLE"`) {
				t.Errorf("reading tgt back: exit %d, %q, %q", r.code, r.stdout, r.stderr)
			}
		})
	}
}

// testProcessQuotes pins a difference of the Go SDK on Windows: it
// replaces every \" in a credential_process's output with " (its comment
// says "windows adds slashes to quotes", processcreds/provider.go), which
// breaks JSON whose strings hold an escaped quote. Real AWS keys and tokens
// never hold one (they are base64), so it is documented, not worked
// around; the same output is read on Linux. When this fails, the SDK has
// changed: update the README's Windows note.
func (w *wine) testProcessQuotes(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(w.dir, "quotes")
	writeFiles(t, dir, map[string]string{
		"config":      "[profile q]\n" + typeProcess(filepath.Join(dir, "q.json")) + "\n",
		"credentials": "",
		"q.json":      `{"Version":1,"AccessKeyId":"ASIAQUOTE","SecretAccessKey":"a\"b","SessionToken":"t"}`,
	})
	r := w.run(t, awsEnv(dir), "", w.cli, "--profile", "q", "--json")
	want := `^awsxc-cli: error: profile "q": cannot get credentials: credential_process printed something that is not valid credentials JSON \(not shown: it may hold secrets\); .*\n$`
	if r.code != 3 || r.stdout != "" || !regexp.MustCompile(want).MatchString(r.stderr) {
		t.Errorf("exit %d, stdout %q, stderr %q; want the Go SDK's Windows quote handling to refuse this JSON", r.code, r.stdout, r.stderr)
	}
}

// testExec checks --exec: the exit status of the command, 127 for a
// missing one, and the environment it gets.
func (w *wine) testExec(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(w.dir, "exec")
	writeFiles(t, dir, map[string]string{
		"config":      "[profile proc]\n" + typeProcess(filepath.Join(dir, "proc.json")) + "\nregion = ap-southeast-2\n",
		"credentials": "",
		"proc.json":   processJSON(t, formatCreds["proc"]),
	})
	env := awsEnv(dir)
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"status_7", []string{"cmd", "/c", "exit 7"}, 7, ""},
		{"status_0", []string{"cmd", "/c", "exit 0"}, 0, ""},
		{"status_255", []string{"cmd", "/c", "exit 255"}, 255, ""},
		{"missing_127", []string{"no-such-command"}, 127, `^awsxc-cli: error: --exec: no-such-command: command not found.*\n$`},
		{"double_dash", []string{"--", "cmd", "/c", "exit 3"}, 3, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := w.run(t, env, "", w.cli, append([]string{"--profile", "proc", "--exec"}, tc.args...)...)
			if r.code != tc.code {
				t.Errorf("exit %d, want %d; stderr %q", r.code, tc.code, r.stderr)
			}
			if (tc.stderr == "") != (r.stderr == "") || tc.stderr != "" && !regexp.MustCompile(tc.stderr).MatchString(r.stderr) {
				t.Errorf("stderr = %q, want a match for %q", r.stderr, tc.stderr)
			}
		})
	}
	t.Run("cache", func(t *testing.T) {
		t.Parallel()
		// --cache keeps the profile's credentials under %LOCALAPPDATA%\cache.
		for range 2 {
			if r := w.run(t, env, "", w.cli, "--profile", "proc", "--json", "--cache"); r.code != 0 {
				t.Fatalf("--cache: exit %d: %s", r.code, r.stderr)
			}
		}
		m, _ := filepath.Glob(filepath.Join(filepath.Dir(w.appDir), "cache", "awsxc", "credentials", "*.json"))
		if len(m) != 1 {
			t.Errorf("cache files under %%LOCALAPPDATA%%\\cache\\awsxc\\credentials: %v, want one", m)
		}
	})
	t.Run("environment", func(t *testing.T) {
		t.Parallel()
		// cmd's "set AWS_" lists every variable starting with AWS_.
		r := w.run(t, append(env, "AWS_PROFILE=proc", "AWS_SESSION_TOKEN=stale", "AWS_SECURITY_TOKEN=stale",
			"AWS_CREDENTIAL_EXPIRATION=2000-01-01T00:00:00Z"), "", w.cli, "--exec", "cmd", "/c", "set AWS_")
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		var got []string
		for _, l := range strings.Split(strings.ReplaceAll(r.stdout, "\r\n", "\n"), "\n") {
			if l != "" && !strings.HasPrefix(l, "AWS_CONFIG_FILE=") && !strings.HasPrefix(l, "AWS_SHARED_CREDENTIALS_FILE=") &&
				!strings.HasPrefix(l, "AWS_ENDPOINT_URL_STS=") && !strings.HasPrefix(l, "AWS_EC2_METADATA_DISABLED=") {
				got = append(got, l)
			}
		}
		want := []string{ // cmd sorts them
			"AWS_ACCESS_KEY_ID=ASIAPROCEXAMPLE",
			"AWS_CREDENTIAL_EXPIRATION=2099-01-02T03:04:05Z",
			"AWS_DEFAULT_REGION=ap-southeast-2",
			"AWS_REGION=ap-southeast-2",
			"AWS_SECRET_ACCESS_KEY=procsecret",
			"AWS_SESSION_TOKEN=proctokenEXAMPLE",
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("the command's AWS_ variables (-want +got):\n%s", diff)
		}
	})
}

// serverEnv is an AWS setup whose static profile the servers exchange at
// the fake STS (GetSessionToken), reached from Wine over loopback.
func (w *wine) serverEnv(t *testing.T, name string) []string {
	dir := filepath.Join(w.dir, name)
	writeFiles(t, dir, map[string]string{
		"config":      "[profile static]\nregion = eu-west-1\n",
		"credentials": "[static]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = secret\n",
	})
	return awsEnv(dir)
}

// curl runs curl on the Linux side and returns the body and HTTP status.
func curl(t *testing.T, args ...string) (string, int) {
	t.Helper()
	out, err := exec.Command("curl", append([]string{"-sS", "--max-time", "10", "-w", "\n%{http_code}"}, args...)...).Output()
	if err != nil {
		t.Fatalf("curl %v: %v", args, err)
	}
	s := string(out)
	i := strings.LastIndex(s, "\n")
	var code int
	fmt.Sscan(s[i+1:], &code)
	return s[:i], code
}

// serverCreds is the credentials document of both servers.
type serverCreds struct {
	Code, AccessKeyID, SecretAccessKey, Token, Expiration string
}

func decode(t *testing.T, body string) serverCreds {
	t.Helper()
	var c struct {
		Code            string
		AccessKeyID     string `json:"AccessKeyId"`
		SecretAccessKey string
		Token           string
		Expiration      string
	}
	if err := json.Unmarshal([]byte(body), &c); err != nil {
		t.Fatalf("%v: %q", err, body)
	}
	return serverCreds(c)
}

// errWineExit is an exit status that Wine chose, not the program: the
// program had handled the Ctrl-C and written its last line ("shutting
// down", after which it returns 0 or writes an error), and then the
// process ended with another status or was killed by a signal. Wine 8
// does this now and then when a process exits right after its console
// control handler ran (seen about once in 40 runs here, and in CI); the
// +process,+seh trace shows the CTRL_C_EVENT handled, "shutting down",
// and nothing after it. Windows itself ends such a process with the
// status it gave ExitProcess.
var errWineExit = errors.New("the process was ended by Wine after its last line")

// stop sends SIGINT, which Wine delivers as CTRL_C_EVENT, and expects a
// graceful exit 0; errWineExit when Wine ended the process itself (see
// [withWineRetry]), another error otherwise.
func (p *proc) stop(t *testing.T) error {
	t.Helper()
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	code := p.exitCode(t, 15*time.Second)
	if code == 0 {
		return nil
	}
	text := p.errText()
	if strings.HasSuffix(text, "awsxc-cli: shutting down\n") {
		return fmt.Errorf("%w: exit %d after Ctrl-C", errWineExit, code)
	}
	return fmt.Errorf("exit %d after Ctrl-C, want 0; stderr:\n%s", code, text)
}

// withWineRetry runs once, and runs it again when Wine chose the exit
// status ([errWineExit]): the second run must pass, so a program that
// really exits non-zero fails the test either way.
func withWineRetry(t *testing.T, once func(t *testing.T) error) {
	t.Helper()
	err := once(t)
	if errors.Is(err, errWineExit) {
		t.Logf("%v; running the test once more", err)
		err = once(t)
	}
	if err != nil {
		t.Error(err)
	}
}

func (w *wine) testIMDS(t *testing.T) {
	t.Parallel()
	withWineRetry(t, w.imdsOnce)
}

func (w *wine) imdsOnce(t *testing.T) error {
	p := w.start(t, w.serverEnv(t, "imds"), w.cli, "--profile", "static", "--imds", "0")
	url := p.waitStderr(t, `IMDSv2\) at (http://127\.0\.0\.1:\d+/)\n`)[1]
	p.waitStderr(t, `Ctrl-C stops`)
	token, code := curl(t, "-X", "PUT", "-H", "X-aws-ec2-metadata-token-ttl-seconds: 60", url+"latest/api/token")
	if code != 200 || token == "" {
		t.Fatalf("token PUT: %d %q", code, token)
	}
	base := url + "latest/meta-data/iam/security-credentials/"
	role, code := curl(t, "-H", "X-aws-ec2-metadata-token: "+token, base)
	if code != 200 || role != "static" {
		t.Fatalf("role: %d %q, want 200 static", code, role)
	}
	body, code := curl(t, "-H", "X-aws-ec2-metadata-token: "+token, base+role)
	c := decode(t, body)
	if code != 200 || c.Code != "Success" || !strings.HasPrefix(c.AccessKeyID, "ASIAFAKE") || c.Token == "" || c.Expiration == "" {
		t.Errorf("credentials: %d %+v", code, c)
	}
	if _, code := curl(t, base+role); code != 401 {
		t.Errorf("read without a token: %d, want 401", code)
	}
	err := p.stop(t)
	if n := w.sts.Count("GetSessionToken"); n < 1 {
		t.Errorf("the fake STS saw %d GetSessionToken calls", n)
	}
	return err
}

func (w *wine) testContainer(t *testing.T) {
	t.Parallel()
	withWineRetry(t, w.containerOnce)
}

func (w *wine) containerOnce(t *testing.T) error {
	const token = "wine-container-token-0123456789"
	p := w.start(t, w.serverEnv(t, "container"), w.cli, "--profile", "static", "--container", "0", token)
	url := p.waitStderr(t, `container credentials at (http://127\.0\.0\.1:\d+/)`)[1]
	p.waitStderr(t, `Ctrl-C stops`)
	body, code := curl(t, "-H", "Authorization: "+token, url)
	c := decode(t, body)
	if code != 200 || !strings.HasPrefix(c.AccessKeyID, "ASIAFAKE") || c.Token == "" || c.Expiration == "" {
		t.Errorf("credentials: %d %+v", code, c)
	}
	if _, code := curl(t, url); code != 401 {
		t.Errorf("no token: %d, want 401", code)
	}
	if _, code := curl(t, "-H", "Authorization: wrong-token-0123456789", url); code != 403 {
		t.Errorf("wrong token: %d, want 403", code)
	}
	return p.stop(t)
}

// trayEnv is the tray's AWS setup: one static profile.
func (w *wine) trayEnv(t *testing.T) []string {
	return w.serverEnv(t, "tray")
}

// readSettings reads the tray's settings.json from the prefix.
func (w *wine) readSettings(t *testing.T) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(w.appDir, "settings.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s map[string]any
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("settings.json: %v\n%s", err, b)
	}
	return s
}

// quit asks the tray to quit the way Windows asks an app: WM_CLOSE to its
// top-level windows, from taskkill without /F. The caller waits until the
// tray's event loop runs (a log line from it): the loop starts only once
// systray has made its window. A WM_CLOSE sent earlier can be lost: it
// was, now and then, at the first start in a prefix, within half a second
// of the start (taskkill found a window of the process, presumably one
// Wine makes before systray's own).
func (w *wine) quit(t *testing.T, p *proc) {
	t.Helper()
	r := w.run(t, nil, "", "taskkill", "/im", "awsxc.exe")
	if r.code != 0 || !strings.Contains(r.stdout, "Close message sent") {
		t.Fatalf("taskkill: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	sent := time.Now()
	if code := p.exitCode(t, 15*time.Second); code != 0 {
		t.Errorf("the tray exited %d after WM_CLOSE, want 0; stderr:\n%s", code, p.errText())
	}
	t.Logf("the tray quit %.1fs after WM_CLOSE", time.Since(sent).Seconds())
}

const runKey = `HKCU\Software\Microsoft\Windows\CurrentVersion\Run`

// autostartValue reads awsxc's Run value back with reg.exe; "" when it
// is not there.
func (w *wine) autostartValue(t *testing.T) string {
	t.Helper()
	r := w.run(t, nil, "", "reg", "query", runKey, "/v", "awsxc")
	if r.code != 0 {
		return ""
	}
	m := regexp.MustCompile(`(?m)^\s+awsxc\s+REG_SZ\s+(.*?)\r?$`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("reg query: %q", r.stdout)
	}
	return m[1]
}

// testTray starts awsxc.exe: it writes its settings, serves on the
// loopback as the settings say, keeps one instance, sets Start at login
// with --autostart, and quits on WM_CLOSE with status 0.
func (w *wine) testTray(t *testing.T) {
	t.Parallel()
	env := w.trayEnv(t)
	settings := filepath.Join(w.appDir, "settings.json")

	// A first run writes the default settings.
	p := w.start(t, env, w.tray, "--debug")
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(settings); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s after 30s; stderr:\n%s", settings, p.errText())
		}
		time.Sleep(100 * time.Millisecond)
	}
	s := w.readSettings(t)
	p.waitStderr(t, `msg="loaded profile" profile=static`) // from the event loop
	// The lock and sleep watcher starts (WTSQuerySessionInformation, or
	// the clock alone where Wine does not answer it) and the tray runs on.
	t.Logf("screen watcher under Wine: %s", p.waitStderr(t, `msg="watching the screen's lock and sleep" with=("[^"]*"|\S+)`)[1])
	if s["export_name"] != "awsxc" || s["profile"] != nil && s["profile"] != "" {
		t.Errorf("first settings: %v", s)
	}
	if tok, _ := s["ecs_token"].(string); len(tok) < 32 {
		t.Errorf("ecs_token %q: want a random token (crypto/rand, through ProcessPrng)", tok)
	}
	w.quit(t, p)

	// Both servers on, on ports the tray picks and saves.
	s["imds"] = map[string]any{"enabled": true, "addr": "127.0.0.1:0"}
	s["ecs"] = map[string]any{"enabled": true, "addr": "127.0.0.1:0"}
	b, _ := json.Marshal(s)
	if err := os.WriteFile(settings, b, 0o600); err != nil {
		t.Fatal(err)
	}
	// The lock of the first run is gone: this one starts.
	p = w.start(t, env, w.tray)
	imds := p.waitStderr(t, `"server listening" server=imds url=http://(127\.0\.0\.1:\d+)/`)[1]
	ecs := p.waitStderr(t, `"server listening" server=ecs url=http://(127\.0\.0\.1:\d+)/`)[1]
	token, code := curl(t, "-X", "PUT", "-H", "X-aws-ec2-metadata-token-ttl-seconds: 60", "http://"+imds+"/latest/api/token")
	if code != 200 {
		t.Fatalf("tray IMDS token: %d %q", code, token)
	}
	body, code := curl(t, "-H", "X-aws-ec2-metadata-token: "+token, "http://"+imds+"/latest/meta-data/iam/security-credentials/static")
	if c := decode(t, body); code != 200 || !strings.HasPrefix(c.AccessKeyID, "ASIAFAKE") {
		t.Errorf("tray IMDS credentials: %d %+v", code, c)
	}
	ecsToken, _ := s["ecs_token"].(string)
	body, code = curl(t, "-H", "Authorization: "+ecsToken, "http://"+ecs+"/")
	if c := decode(t, body); code != 200 || !strings.HasPrefix(c.AccessKeyID, "ASIAFAKE") {
		t.Errorf("tray ECS credentials: %d %+v", code, c)
	}
	// Every menu item made it into the Win32 menu: fyne.io/systray logs
	// (and drops the item) when InsertMenuItem or SetMenuItemInfo fails,
	// an item under a parent that is not in the menu, say.
	if text := p.errText(); strings.Contains(text, "systray error") {
		t.Errorf("the menu was not built whole under Wine:\n%s", text)
	}
	saved := w.readSettings(t)
	if a := saved["imds"].(map[string]any)["addr"]; a != imds {
		t.Errorf("settings.json imds.addr = %v, want the port in use, %s", a, imds)
	}

	// One instance per user: LockFileEx under Wine, on a lock file in
	// %LOCALAPPDATA%\cache\awsxc.
	if _, err := os.Stat(filepath.Join(filepath.Dir(w.appDir), "cache", "awsxc", "awsxc.lock")); err != nil {
		t.Errorf("single-instance lock: %v", err)
	}
	if r := w.run(t, env, "", w.tray); r.code != 1 || !strings.Contains(r.stderr, "awsxc is already running") {
		t.Errorf("second instance: exit %d, stderr %q; want 1 and \"already running\"", r.code, r.stderr)
	}

	// Start at login: the Run value, read back with reg.exe.
	if v := w.autostartValue(t); v != "" {
		t.Fatalf("Run value %q before --autostart on", v)
	}
	if r := w.run(t, env, "", w.tray, "--autostart", "on"); r.code != 0 || r.stderr != "" {
		t.Fatalf("--autostart on: exit %d, %q", r.code, r.stderr)
	}
	if v, want := w.autostartValue(t), `"`+winPath(w.tray)+`"`; v != want {
		t.Errorf("Run value = %s, want %s", v, want)
	}
	if r := w.run(t, env, "", w.tray, "--autostart", "off"); r.code != 0 {
		t.Fatalf("--autostart off: exit %d, %q", r.code, r.stderr)
	}
	if v := w.autostartValue(t); v != "" {
		t.Errorf("Run value %q after --autostart off", v)
	}

	w.quit(t, p)
	// Quitting closed the servers.
	for _, addr := range []string{imds, ecs} {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			t.Errorf("%s still accepts connections after quit", addr)
		}
	}
	if strings.Contains(p.errText(), "took too long") {
		t.Errorf("shutdown was not clean:\n%s", p.errText())
	}
}
