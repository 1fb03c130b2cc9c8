package main

import (
	"bufio"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"

	"github.com/awsxc/awsxc/internal/fakeaws"
	"github.com/awsxc/awsxc/internal/porttest"
)

const loginStartURL = "https://d-1234567890.awsapps.com/start"

const loginConfig = `[profile dev]
sso_session = my-sso
sso_account_id = 111122223333
sso_role_name = Admin
region = eu-west-1

[profile ops]
sso_session = my-sso
sso_account_id = 111122223333
sso_role_name = ReadOnly
region = eu-west-1

[profile deploy]
role_arn = arn:aws:iam::111122223333:role/Deploy
source_profile = dev
region = eu-west-1

[profile legacy]
sso_start_url = ` + loginStartURL + `
sso_region = eu-west-1
sso_account_id = 111122223333
sso_role_name = ReadOnly
region = eu-west-1

[profile console]
login_session = arn:aws:iam::123456789012:user/alice
region = eu-west-1

[profile keys]
aws_access_key_id = AKIAEXAMPLEKEYS00001
aws_secret_access_key = secret

[sso-session my-sso]
sso_start_url = ` + loginStartURL + `
sso_region = eu-west-1
sso_registration_scopes = sso:account:access

[sso-session lonely]
sso_start_url = ` + loginStartURL + `/lonely
sso_region = eu-west-1
`

// signinFixture is a HOME with loginConfig and every fake, reached the
// way a user's shell reaches AWS: AWS_ENDPOINT_URL_* in the environment.
type signinFixture struct {
	f          *fakeaws.Fakes
	home       string
	browser    string // the stand-in browser
	browserLog string
}

func newSigninFixture(t *testing.T) *signinFixture {
	t.Helper()
	f := fakeaws.StartAll()
	t.Cleanup(f.Close)
	f.STS.Portal().SetAccounts([]fakeaws.Account{{ID: "111122223333", Roles: []string{"Admin", "ReadOnly"}}})
	home := t.TempDir()
	os.MkdirAll(filepath.Join(home, ".aws"), 0o700)
	if err := os.WriteFile(filepath.Join(home, ".aws", "config"), []byte(loginConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	return &signinFixture{f: f, home: home, browser: fakeBrowser(t), browserLog: filepath.Join(home, "browser.log")}
}

// env is the whole environment of a run: the fakes' endpoints, the
// stand-in browser in mode (or none when mode is ""), no display.
func (s *signinFixture) env(mode string, extra ...string) []string {
	env := []string{
		"HOME=" + s.home,
		"PATH=" + filepath.Dir(binary) + ":/usr/bin:/bin",
		"LANG=C.UTF-8",
		"XDG_CACHE_HOME=" + filepath.Join(s.home, ".cache"),
		"AWS_EC2_METADATA_DISABLED=true",
		"FAKEBROWSER_LOG=" + s.browserLog,
	}
	for k, v := range s.f.Env() {
		env = append(env, k+"="+v)
	}
	if mode != "" {
		env = append(env, "BROWSER="+s.browser, "FAKEBROWSER_MODE="+mode)
	}
	return append(env, extra...)
}

func (s *signinFixture) run(t *testing.T, mode string, extra []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = s.env(mode, extra...)
	cmd.Dir = s.home
	var out, errb strings.Builder
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

// started is a run of the binary whose stderr is read as it comes.
type started struct {
	cmd   *exec.Cmd
	lines chan string
	mu    sync.Mutex
	all   []string
	done  chan struct{}
}

func (s *signinFixture) start(t *testing.T, mode string, extra []string, args ...string) *started {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = s.env(mode, extra...)
	cmd.Dir = s.home
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	st := &started{cmd: cmd, lines: make(chan string, 100), done: make(chan struct{})}
	go func() {
		defer close(st.done)
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			st.mu.Lock()
			st.all = append(st.all, sc.Text())
			st.mu.Unlock()
			st.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return st
}

// waitLine returns the first stderr line matching re.
func (st *started) waitLine(t *testing.T, re *regexp.Regexp) []string {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case l := <-st.lines:
			if m := re.FindStringSubmatch(l); m != nil {
				return m
			}
		case <-timeout:
			t.Fatalf("no stderr line matched %s; got:\n%s", re, st.stderr())
		}
	}
}

// wait waits for the run to end and returns its exit code.
func (st *started) wait(t *testing.T) int {
	t.Helper()
	<-st.done
	err := st.cmd.Wait()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return 0
}

func (st *started) stderr() string {
	st.mu.Lock()
	defer st.mu.Unlock()
	return strings.Join(st.all, "\n")
}

func (s *signinFixture) tokenPath(name string) string {
	sum := sha1.Sum([]byte(name))
	return filepath.Join(s.home, ".aws", "sso", "cache", hex.EncodeToString(sum[:])+".json")
}

func (s *signinFixture) loginPath(arn string) string {
	sum := sha256.Sum256([]byte(arn))
	return filepath.Join(s.home, ".aws", "login", "cache", hex.EncodeToString(sum[:])+".json")
}

// signinSecretRe matches every token, secret, code and key the fakes
// hand out: none may reach stderr, --debug or not.
var signinSecretRe = regexp.MustCompile(`fakeaccess-|fakerefresh-|fakesecret-|fakecode-|fakedevice-|fakelogincode-|fakeloginrefresh-|loginSecret\d|LOGINTOKEN\d|fakeSecret\d|FAKETOKEN\d|PRIVATE KEY`)

// cliFormatRe is the AWS CLI's token file, byte for byte.
var cliFormatRe = regexp.MustCompile(`^\{"startUrl": "` + regexp.QuoteMeta(loginStartURL) + `", "region": "eu-west-1", "accessToken": "fakeaccess-[\w-]+", ` +
	`"expiresAt": "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "clientId": "fakeclient-[\w-]+", "clientSecret": "fakesecret-[\w-]+", ` +
	`"registrationExpiresAt": "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "refreshToken": "fakerefresh-[\w-]+"\}$`)

// TestLoginAuthCode signs in with PKCE through the built binary and the
// stand-in browser; the cache it writes serves awsxc (the Go SDK), a
// role on top of it, and botocore.
func TestLoginAuthCode(t *testing.T) {
	t.Parallel()
	s := newSigninFixture(t)
	r := s.run(t, "follow", nil, "login", "--profile", "dev", "--debug")
	if r.code != 0 || r.stdout != "" {
		t.Fatalf("login: exit %d, stdout %q\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		`awsxc-cli: to sign in to "my-sso", open this URL (opening it in your browser now): ` + s.f.OIDC.URL + "/authorize?response_type=code&client_id=",
		`awsxc-cli: signed in to "my-sso" until `,
		`renewed by itself until the session ends`,
		`awsxc-cli: for the profiles dev, ops, deploy`,
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if signinSecretRe.MatchString(r.stderr) {
		t.Errorf("--debug shows a secret:\n%s", r.stderr)
	}
	if s.f.OIDC.Count("Authorize") != 1 || s.f.OIDC.Count("CreateToken/authorization_code") != 1 {
		t.Errorf("OIDC calls: %+v", s.f.OIDC.Calls())
	}
	data, err := os.ReadFile(s.tokenPath("my-sso"))
	if err != nil || !cliFormatRe.Match(data) {
		t.Fatalf("token file: %v\n%s", err, data)
	}
	if fi, _ := os.Stat(s.tokenPath("my-sso")); fi.Mode().Perm() != 0o600 {
		t.Errorf("token file mode %v", fi.Mode().Perm())
	}
	for _, secret := range regexp.MustCompile(`"(fake(?:access|secret|refresh)-[\w-]+)"`).FindAllStringSubmatch(string(data), -1) {
		if strings.Contains(r.stderr, secret[1]) {
			t.Errorf("stderr shows %s", secret[1])
		}
	}

	// The Go SDK in awsxc-cli finds the token by itself (HOME), and the
	// portal takes it; a role on top of the profile works too.
	for _, p := range []string{"dev", "ops", "deploy"} {
		r := s.run(t, "", nil, "--profile", p, "--json", "--debug")
		if r.code != 0 || !strings.Contains(r.stdout, `"AccessKeyId":"ASIA`) {
			t.Errorf("--profile %s: exit %d\n%s", p, r.code, r.stderr)
		}
		if signinSecretRe.MatchString(r.stderr) {
			t.Errorf("--profile %s --debug shows a secret:\n%s", p, r.stderr)
		}
	}
	if n := s.f.OIDC.Count("Authorize"); n != 1 {
		t.Errorf("%d sign-ins for three profiles", n)
	}
	r = s.run(t, "", nil, "explain", "--profile", "ops")
	if !regexp.MustCompile(`session\s+my-sso \(sso-session\), signed in until \S+Z \(in \S+\), renews by itself until the session ends`).MatchString(r.stdout) {
		t.Errorf("explain:\n%s%s", r.stdout, r.stderr)
	}

	// botocore (Debian's 1.29, which predates AWS_ENDPOINT_URL_*, hence
	// the endpoint_url shim of the fakes' tests) reads the same cache.
	if _, err := os.Stat("/usr/bin/python3"); err != nil || exec.Command("/usr/bin/python3", "-c", "import botocore").Run() != nil {
		needTool(t, false, "/usr/bin/python3 with botocore is not installed")
	}
	cmd := exec.Command("/usr/bin/python3", "-c", botocoreSSOScript)
	cmd.Env = append(s.env(""), "AWS_PROFILE=dev", "AWS_CONFIG_FILE="+filepath.Join(s.home, ".aws", "config"))
	out, err := cmd.CombinedOutput()
	if err != nil || !regexp.MustCompile(`^sso ASIA\w+\n$`).Match(out) {
		t.Errorf("botocore: %v\n%s", err, out)
	}
}

// needTool skips the test locally and fails it under CI=true.
func needTool(t *testing.T, ok bool, why string) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("required under CI: %s", why)
	}
	t.Skip(why)
}

const botocoreSSOScript = `
import os, sys
import botocore.session
s = botocore.session.get_session()
eps = {'sso': os.environ['AWS_ENDPOINT_URL_SSO'], 'sso-oidc': os.environ['AWS_ENDPOINT_URL_SSO_OIDC']}
orig = s.create_client
def create_client(name, *args, **kwargs):
    if name in eps and not kwargs.get('endpoint_url'):
        kwargs['endpoint_url'] = eps[name]
    return orig(name, *args, **kwargs)
s.create_client = create_client
c = s.get_credentials()
if c is None:
    sys.exit('botocore: no credentials')
print(c.method, c.get_frozen_credentials().access_key)
`

func TestLoginRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		mode, args, want string
	}{
		{"wrong-state", "", `awsxc-cli: error: sign in to "my-sso": sign-in refused: the callback's state does not match: its code was not redeemed`},
		{"deny", "", `awsxc-cli: error: sign in to "my-sso": sign-in denied: the browser came back with access_denied`},
		{"deny", "--use-device-code", `awsxc-cli: error: sign in to "my-sso": sign-in denied: AccessDeniedException: `},
	} {
		t.Run(tc.mode+tc.args, func(t *testing.T) {
			t.Parallel()
			s := newSigninFixture(t)
			args := []string{"login", "--profile", "dev"}
			if tc.args != "" {
				args = append(args, tc.args)
			}
			r := s.run(t, tc.mode, nil, args...)
			last := r.stderr[strings.LastIndex(strings.TrimSuffix(r.stderr, "\n"), "\n")+1:]
			if r.code != 3 || !strings.HasPrefix(last, tc.want) {
				t.Errorf("exit %d, last line %q, want %q\n%s", r.code, last, tc.want, r.stderr)
			}
			if n := s.f.OIDC.Count("CreateToken/authorization_code"); n != 0 {
				t.Errorf("the code was redeemed %d times", n)
			}
			if _, err := os.Stat(s.tokenPath("my-sso")); !os.IsNotExist(err) {
				t.Errorf("a token was cached: %v", err)
			}
		})
	}
}

// TestLoginDeviceCode: the device flow through the binary; the user
// reads the code from stderr (the page no longer takes it from the URL)
// and enters it; polling meets authorization_pending and one slow_down.
func TestLoginDeviceCode(t *testing.T) {
	t.Parallel()
	s := newSigninFixture(t)
	s.f.OIDC.SetUserCodeInURL(false)
	s.f.OIDC.SetPolling(1, 3*time.Second, time.Second)
	st := s.start(t, "none", nil, "login", "--profile", "dev", "--use-device-code", "--debug")
	m := st.waitLine(t, regexp.MustCompile(`^awsxc-cli: to sign in to "my-sso", open (\S+) on any device and enter the code ([A-Z]{4}-[A-Z]{4})$`))
	if m[1] != s.f.OIDC.URL+"/device" {
		t.Errorf("verification URL %s", m[1])
	}
	// Approved once the fake has answered two pending polls and a
	// slow_down (a poll 1 s after the one before, under the 3 s the fake
	// wants), however late the polls come (review 2, L7).
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if pending, slow := devicePolls(s.f.OIDC); pending >= 2 && slow >= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no slow_down within a minute\n%s", st.stderr())
		}
	}
	if err := s.f.OIDC.ApproveDevice(m[2]); err != nil {
		t.Fatal(err)
	}
	if code := st.wait(t); code != 0 {
		t.Fatalf("exit %d\n%s", code, st.stderr())
	}
	if signinSecretRe.MatchString(st.stderr()) {
		t.Errorf("--debug shows a secret:\n%s", st.stderr())
	}
	if pending, slow := devicePolls(s.f.OIDC); pending < 2 || slow != 1 {
		t.Errorf("%d authorization_pending, %d slow_down", pending, slow)
	}
	if r := s.run(t, "", nil, "--profile", "dev", "--json"); r.code != 0 {
		t.Errorf("after the device sign-in: %s", r.stderr)
	}
}

func TestLoginDeviceCodeExpires(t *testing.T) {
	t.Parallel()
	s := newSigninFixture(t)
	s.f.OIDC.SetDeviceCodeTTL(time.Second)
	r := s.run(t, "none", nil, "login", "--profile", "legacy")
	if r.code != 3 || !strings.Contains(r.stderr, `awsxc-cli: error: sign in to "`+loginStartURL+`": sign-in expired: ExpiredTokenException`) {
		t.Errorf("exit %d\n%s", r.code, r.stderr)
	}
}

// TestLoginNoDisplay: with no display (or over SSH) and no $BROWSER, the
// device flow is chosen, and said so.
func TestLoginNoDisplay(t *testing.T) {
	t.Parallel()
	for _, extra := range [][]string{nil, {"DISPLAY=:0", "SSH_CONNECTION=10.0.0.1 5000 10.0.0.2 22"}} {
		s := newSigninFixture(t)
		st := s.start(t, "", extra, "login", "--profile", "dev", "--no-browser")
		m := st.waitLine(t, regexp.MustCompile(`enter the code ([A-Z]{4}-[A-Z]{4})$`))
		s.f.OIDC.ApproveDevice(m[1])
		if code := st.wait(t); code != 0 {
			t.Fatalf("exit %d\n%s", code, st.stderr())
		}
		why := "no display (DISPLAY and WAYLAND_DISPLAY are unset)"
		if extra != nil {
			why = "this is an SSH session"
		}
		if !strings.Contains(st.stderr(), "awsxc-cli: "+why+": signing in with a code on any device") {
			t.Errorf("stderr:\n%s", st.stderr())
		}
	}
}

// TestLoginInterrupted: SIGINT while the login waits for the browser
// closes the listener, writes nothing and exits 130.
func TestLoginInterrupted(t *testing.T) {
	t.Parallel()
	s := newSigninFixture(t)
	st := s.start(t, "none", nil, "login", "--profile", "dev")
	m := st.waitLine(t, regexp.MustCompile(`open this URL \(opening it in your browser now\): (\S+)$`))
	u, _ := url.Parse(m[1])
	redirect, _ := url.Parse(u.Query().Get("redirect_uri"))
	if c, err := net.Dial("tcp", redirect.Host); err != nil {
		t.Fatalf("no listener on %s while waiting: %v", redirect.Host, err)
	} else {
		c.Close()
	}
	st.waitLine(t, regexp.MustCompile(`Ctrl-C cancels`))
	st.cmd.Process.Signal(syscall.SIGINT)
	if code := st.wait(t); code != 130 {
		t.Errorf("exit %d, want 130\n%s", code, st.stderr())
	}
	if !strings.HasSuffix(st.stderr(), `awsxc-cli: error: sign-in to "my-sso" interrupted; no token was written`) {
		t.Errorf("stderr:\n%s", st.stderr())
	}
	if c, err := net.Dial("tcp", redirect.Host); err == nil {
		c.Close()
		t.Error("the listener outlived the process")
	}
	if _, err := os.Stat(s.tokenPath("my-sso")); !os.IsNotExist(err) {
		t.Errorf("a token was written: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Dir(s.tokenPath("my-sso")))
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

// TestLoginSignsInAgain: a good token the portal accepts is kept; an
// expired one is not only refreshed but signed in again, for a new
// session, as aws sso login does (the SDKs refresh by themselves); an
// expired registration is renewed.
func TestLoginSignsInAgain(t *testing.T) {
	t.Parallel()
	s := newSigninFixture(t)
	if r := s.run(t, "follow", nil, "login", "--profile", "dev"); r.code != 0 {
		t.Fatalf("login: %s", r.stderr)
	}
	r := s.run(t, "follow", nil, "login", "--profile", "ops")
	if r.code != 0 || !strings.Contains(r.stderr, `awsxc-cli: already signed in to "my-sso" until `) {
		t.Errorf("second login: %s", r.stderr)
	}
	s.f.OIDC.ExpireAccessTokens()
	setJSON(t, s.tokenPath("my-sso"), "expiresAt", time.Now().Add(-time.Minute).UTC().Format("2006-01-02T15:04:05Z"))
	r = s.run(t, "follow", nil, "login", "--profile", "dev")
	if r.code != 0 || !strings.Contains(r.stderr, `awsxc-cli: signed in to "my-sso" until `) {
		t.Errorf("expired token: exit %d\n%s", r.code, r.stderr)
	}
	if n := s.f.OIDC.Count("Authorize"); n != 2 || s.f.OIDC.Count("CreateToken/refresh_token") != 0 {
		t.Errorf("%d sign-ins, %d refreshes; want 2 and none", n, s.f.OIDC.Count("CreateToken/refresh_token"))
	}
	if data, _ := os.ReadFile(s.tokenPath("my-sso")); !cliFormatRe.Match(data) {
		t.Errorf("token file:\n%s", data)
	}

	// The registration's cache says it expired: login registers again.
	regs, _ := filepath.Glob(filepath.Join(s.home, ".aws", "sso", "cache", "*.json"))
	for _, p := range regs {
		if p != s.tokenPath("my-sso") {
			setJSON(t, p, "expiresAt", "2001-01-01T00:00:00Z")
		}
	}
	os.Remove(s.tokenPath("my-sso"))
	if r := s.run(t, "follow", nil, "login", "--profile", "dev"); r.code != 0 || s.f.OIDC.Count("RegisterClient") != 2 {
		t.Errorf("login: exit %d, %d registrations\n%s", r.code, s.f.OIDC.Count("RegisterClient"), r.stderr)
	}
}

// setJSON rewrites one string member of a JSON file in place, keeping the
// AWS CLI's format.
func setJSON(t *testing.T, path, key, value string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`"` + key + `": "[^"]*"`)
	if !re.Match(data) {
		t.Fatalf("%s has no %s", path, key)
	}
	os.WriteFile(path, re.ReplaceAll(data, []byte(`"`+key+`": "`+value+`"`)), 0o600)
}

// TestLoginReadsAWSCLICache: a token cached the way aws sso login writes
// it serves awsxc-cli, and login leaves it be.
func TestLoginReadsAWSCLICache(t *testing.T) {
	t.Parallel()
	s := newSigninFixture(t)
	ctx := context.Background()
	c := ssooidc.New(ssooidc.Options{Region: "eu-west-1", BaseEndpoint: aws.String(s.f.OIDC.URL)})
	reg, err := c.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("botocore-client-my-sso"),
		ClientType: aws.String("public"), Scopes: []string{"sso:account:access"}})
	if err != nil {
		t.Fatal(err)
	}
	dev, _ := c.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: reg.ClientId,
		ClientSecret: reg.ClientSecret, StartUrl: aws.String(loginStartURL)})
	s.f.OIDC.ApproveDevice(*dev.UserCode)
	tok, err := c.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
		GrantType: aws.String("urn:ietf:params:oauth:grant-type:device_code"), DeviceCode: dev.DeviceCode})
	if err != nil {
		t.Fatal(err)
	}
	f := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }
	cli := fmt.Sprintf(`{"startUrl": %q, "region": "eu-west-1", "accessToken": %q, "expiresAt": %q, "clientId": %q, "clientSecret": %q, "registrationExpiresAt": %q, "refreshToken": %q}`,
		loginStartURL, *tok.AccessToken, f(time.Now().Add(time.Hour)), *reg.ClientId, *reg.ClientSecret, f(time.Unix(reg.ClientSecretExpiresAt, 0)), *tok.RefreshToken)
	os.MkdirAll(filepath.Dir(s.tokenPath("my-sso")), 0o700)
	os.WriteFile(s.tokenPath("my-sso"), []byte(cli), 0o600)
	if r := s.run(t, "", nil, "--profile", "dev", "--json"); r.code != 0 {
		t.Errorf("awsxc-cli with the AWS CLI's token: %s", r.stderr)
	}
	if r := s.run(t, "", nil, "login", "--profile", "dev"); r.code != 0 || !strings.Contains(r.stderr, "already signed in") {
		t.Errorf("login: %s", r.stderr)
	}
}

func TestLoginErrors(t *testing.T) {
	t.Parallel()
	s := newSigninFixture(t)
	dead := "http://" + porttest.Addr(t) // nothing listens, nor will
	for _, tc := range []struct {
		name  string
		extra []string
		args  []string
		code  int
		want  string // the whole stderr
	}{
		{"both", nil, []string{"login", "--profile", "dev", "--sso-session", "x"}, 2,
			"awsxc-cli: error: --profile and --sso-session name the session twice: give one (see awsxc-cli login --help)\n"},
		{"args", nil, []string{"logout", "dev"}, 2,
			"awsxc-cli: error: logout takes no arguments (use --profile, --sso-session or --all) (see awsxc-cli logout --help)\n"},
		{"keys", nil, []string{"login", "--profile", "keys"}, 2,
			"awsxc-cli: error: profile \"keys\": no sign-in session: it takes keys from the files\n"},
		{"missing_session", nil, []string{"login", "--sso-session", "nope"}, 3,
			"awsxc-cli: error: sign in to \"nope\": sign-in settings incomplete: [sso-session nope]: sso-session not found in " + filepath.Join(s.home, ".aws", "config") + "\n"},
		{"unreachable", []string{"AWS_ENDPOINT_URL_SSO_OIDC=" + dead}, []string{"login", "--profile", "dev"}, 3,
			"awsxc-cli: error: sign in to \"my-sso\": sign-in service unreachable: cannot reach " + dead + ": "},
	} {
		r := s.run(t, "follow", tc.extra, tc.args...)
		if r.code != tc.code || !strings.HasPrefix(r.stderr, tc.want) || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%s: exit %d, stderr %q, want %d %q", tc.name, r.code, r.stderr, tc.code, tc.want)
		}
	}
	// An expired session's error names awsxc-cli login.
	r := s.run(t, "", nil, "--profile", "dev", "--json")
	if r.code != 3 || !strings.HasSuffix(r.stderr, "; run awsxc-cli login --profile dev\n") {
		t.Errorf("not signed in: exit %d %q", r.code, r.stderr)
	}
}

// TestLoginBrowserFails: a browser that cannot start leaves the URL on
// stderr and the login waiting; the user opens it by hand.
func TestLoginBrowserFails(t *testing.T) {
	t.Parallel()
	s := newSigninFixture(t)
	st := s.start(t, "fail", nil, "login", "--profile", "dev")
	m := st.waitLine(t, regexp.MustCompile(`open this URL \(opening it in your browser now\): (\S+)$`))
	st.waitLine(t, regexp.MustCompile(`^awsxc-cli: could not open a browser \(no browser could be opened: fakebrowser exited with status 2\); open the URL above yourself$`))
	req, _ := http.NewRequest(http.MethodGet, m[1], nil)
	resp, err := http.DefaultClient.Do(req) // follows the redirect to the listener
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if code := st.wait(t); code != 0 || resp.StatusCode != 200 {
		t.Errorf("exit %d, callback %d\n%s", code, resp.StatusCode, st.stderr())
	}
}

// TestLoginSSOSession: --sso-session signs in to a session no profile
// names yet.
func TestLoginSSOSession(t *testing.T) {
	t.Parallel()
	s := newSigninFixture(t)
	r := s.run(t, "follow", nil, "login", "--sso-session", "lonely")
	if r.code != 0 || !strings.Contains(r.stderr, `signed in to "lonely"`) {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(s.tokenPath("lonely")); err != nil {
		t.Error(err)
	}
	if r := s.run(t, "", nil, "logout", "--sso-session", "lonely"); r.code != 0 || !strings.Contains(r.stderr, `signed out of "lonely": removed 1 token`) {
		t.Errorf("logout: %s", r.stderr)
	}
}

// TestLoginAWSLogin: an aws login profile signs in through the signin
// fake with DPoP; awsxc-cli (the Go SDK's logincreds) then resolves it.
func TestLoginAWSLogin(t *testing.T) {
	t.Parallel()
	s := newSigninFixture(t)
	const arn = "arn:aws:iam::123456789012:user/alice"
	r := s.run(t, "follow", nil, "login", "--profile", "console", "--debug")
	if r.code != 0 || !strings.Contains(r.stderr, `signed in to "`+arn+`" until `) || signinSecretRe.MatchString(r.stderr) {
		t.Fatalf("login: exit %d\n%s", r.code, r.stderr)
	}
	data, err := os.ReadFile(s.loginPath(arn))
	if err != nil || !strings.HasPrefix(string(data), `{"accessToken": {"accessKeyId": "ASIALOGIN`) {
		t.Fatalf("cache: %v %s", err, data)
	}
	r = s.run(t, "", nil, "--profile", "console", "--json")
	if r.code != 0 || !strings.Contains(r.stdout, `"AccessKeyId":"ASIALOGIN`) {
		t.Errorf("logincreds: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// AWS_LOGIN_CACHE_DIRECTORY moves the cache, for awsxc and the SDK alike.
	dir := filepath.Join(s.home, "elsewhere")
	r = s.run(t, "follow", []string{"AWS_LOGIN_CACHE_DIRECTORY=" + dir}, "login", "--profile", "console")
	if r.code != 0 {
		t.Fatalf("login with AWS_LOGIN_CACHE_DIRECTORY: %s", r.stderr)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "*.json")); len(files) != 1 {
		t.Errorf("files in AWS_LOGIN_CACHE_DIRECTORY: %v", files)
	}
	if r := s.run(t, "", []string{"AWS_LOGIN_CACHE_DIRECTORY=" + dir}, "logout", "--profile", "console"); r.code != 0 ||
		!strings.Contains(r.stderr, "stay valid for up to 15 minutes") {
		t.Errorf("logout: %s", r.stderr)
	}
}

func TestLogout(t *testing.T) {
	t.Parallel()
	s := newSigninFixture(t)
	if r := s.run(t, "follow", nil, "login", "--profile", "dev"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if r := s.run(t, "", nil, "--profile", "ops", "--json", "--cache"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	r := s.run(t, "", nil, "logout", "--profile", "dev", "--debug")
	if r.code != 0 || !strings.Contains(r.stderr, `awsxc-cli: signed out of "my-sso": removed 1 token and 1 cached credentials file (profiles dev, ops, deploy)`) ||
		signinSecretRe.MatchString(r.stderr) {
		t.Errorf("logout: exit %d\n%s", r.code, r.stderr)
	}
	if s.f.STS.Count("Logout") != 1 {
		t.Errorf("portal Logout calls: %d", s.f.STS.Count("Logout"))
	}
	if r := s.run(t, "", nil, "--profile", "ops", "--json", "--cache"); r.code != 3 {
		t.Errorf("after logout, the cached credentials were still served: %s", r.stdout)
	}
	if r := s.run(t, "", nil, "logout", "--profile", "dev"); r.code != 0 || !strings.Contains(r.stderr, `not signed in to "my-sso": nothing to remove`) {
		t.Errorf("second logout: %s", r.stderr)
	}
	s.run(t, "follow", nil, "login", "--profile", "dev")
	s.run(t, "follow", nil, "login", "--profile", "console")
	if r := s.run(t, "", nil, "logout", "--all"); r.code != 0 || !strings.Contains(r.stderr, "signed out of every session: removed 2 tokens") {
		t.Errorf("logout --all: %s", r.stderr)
	}
}

// TestLoginIgnoresAWSProfile: AWS_PROFILE naming a profile the files
// lack does not reach the SDK's loader for a session found through no
// profile: login --sso-session signs in, and logout --all ends the
// sign-in at the portal too (review 2, M6).
func TestLoginIgnoresAWSProfile(t *testing.T) {
	t.Parallel()
	s := newSigninFixture(t)
	missing := []string{"AWS_PROFILE=nonexistent"}
	r := s.run(t, "follow", missing, "login", "--sso-session", "my-sso", "--force")
	if r.code != 0 || !strings.Contains(r.stderr, `signed in to "my-sso"`) {
		t.Fatalf("login --sso-session: exit %d\n%s", r.code, r.stderr)
	}
	r = s.run(t, "", missing, "logout", "--all")
	if r.code != 0 || strings.Contains(r.stderr, "Logout failed") || !strings.Contains(r.stderr, "signed out of every session: removed 1 token") {
		t.Errorf("logout --all: exit %d\n%s", r.code, r.stderr)
	}
	if n := s.f.STS.Count("Logout"); n != 1 {
		t.Errorf("%d portal Logout calls, want 1", n)
	}
}

// TestLoginRefusedToken: a cached token the portal no longer accepts
// (the session was ended at the service, or signed out elsewhere) is
// "SSO login needed" with the login hint, however far off its expiry,
// and login signs in again instead of calling it valid (review 2, M5).
func TestLoginRefusedToken(t *testing.T) {
	t.Parallel()
	s := newSigninFixture(t)
	if r := s.run(t, "follow", nil, "login", "--profile", "dev"); r.code != 0 {
		t.Fatalf("login: %s", r.stderr)
	}
	setJSON(t, s.tokenPath("my-sso"), "accessToken", "fakeaccess-unknown-to-the-portal")
	for _, profile := range []string{"dev", "deploy"} { // deploy: a role on top of dev
		r := s.run(t, "", nil, "--profile", profile, "--json")
		if r.code != 3 || !strings.Contains(r.stderr, "SSO login needed") || !strings.HasSuffix(r.stderr, "; run awsxc-cli login --profile "+profile+"\n") {
			t.Errorf("%s with a refused token: exit %d %q, want 3, SSO login needed and the login hint", profile, r.code, r.stderr)
		}
	}
	r := s.run(t, "follow", nil, "login", "--profile", "dev")
	if r.code != 0 || !strings.Contains(r.stderr, `awsxc-cli: signed in to "my-sso" until `) || s.f.OIDC.Count("Authorize") != 2 {
		t.Fatalf("login with a refused token: exit %d, %d sign-ins\n%s", r.code, s.f.OIDC.Count("Authorize"), r.stderr)
	}
	if r := s.run(t, "", nil, "--profile", "dev", "--json"); r.code != 0 {
		t.Errorf("after the new sign-in: exit %d %s", r.code, r.stderr)
	}
	// A token the portal accepts is left alone.
	if r := s.run(t, "follow", nil, "login", "--profile", "ops"); r.code != 0 || !strings.Contains(r.stderr, "already signed in") ||
		s.f.OIDC.Count("Authorize") != 2 {
		t.Errorf("login with a good token: exit %d\n%s", r.code, r.stderr)
	}
}

// devicePolls counts the fake OIDC's authorization_pending and slow_down
// answers to device-code polls.
func devicePolls(o *fakeaws.OIDC) (pending, slow int) {
	for _, c := range o.Calls() {
		switch c.Exception {
		case "AuthorizationPendingException":
			pending++
		case "SlowDownException":
			slow++
		}
	}
	return pending, slow
}
