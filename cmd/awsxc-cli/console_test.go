package main

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/awsxc/awsxc/internal/exectest"
	"github.com/awsxc/awsxc/internal/fakeaws"
)

// consoleConfig has a profile of every kind the console command signs in
// with; HOME stands for the fixture's folder.
const consoleConfig = `[profile user]
region = eu-west-1

[profile role]
role_arn = arn:aws:iam::210987654321:role/Deploy
source_profile = user
region = eu-central-1

[profile chained]
role_arn = arn:aws:iam::444455556666:role/Next
source_profile = role

[profile mfarole]
role_arn = arn:aws:iam::210987654321:role/Admin
source_profile = user
mfa_serial = arn:aws:iam::123456789012:mfa/alice

[profile cnrole]
role_arn = arn:aws-cn:iam::210987654321:role/Deploy
source_profile = user
region = cn-northwest-1

[profile govrole]
role_arn = arn:aws-us-gov:iam::210987654321:role/Deploy
source_profile = user
region = us-gov-west-1

[profile euscrole]
role_arn = arn:aws-eusc:iam::210987654321:role/Deploy
source_profile = user
region = eusc-de-east-1

[profile webid]
role_arn = arn:aws:iam::210987654321:role/Web
web_identity_token_file = HOME/token

[profile procrole]
credential_process = cat HOME/role.json
region = us-west-2

[profile procsession]
credential_process = cat HOME/session.json

[profile sessiontoken]

[profile sso]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Admin
region = eu-west-1

[profile ssolegacy]
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-east-1
sso_account_id = 111122223333
sso_role_name = ReadOnly

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start/
sso_region = eu-west-1
`

const (
	consoleUserARN    = "arn:aws:iam::123456789012:user/alice"
	consoleUserKey    = "AKIACONSOLEUSER00001"
	consoleUserSecret = "consoleUserSecret"
)

// consoleFixture is a HOME whose AWS files reach a fake STS, SSO portal
// and federation endpoint (AWSXC_SIGNIN_URL), with a live IAM Identity
// Center token for sso-session corp and credentials the fake STS issued
// (a role session for a credential_process, a GetSessionToken session in
// the credentials file and for another credential_process).
type consoleFixture struct {
	home string
	sts  *fakeaws.Server
	fed  *fakeaws.Federation
}

func newConsoleFixture(t *testing.T) *consoleFixture {
	t.Helper()
	f := &consoleFixture{home: t.TempDir(), sts: fakeaws.New()}
	t.Cleanup(f.sts.Close)
	f.fed = fakeaws.NewFederation(f.sts)
	t.Cleanup(f.fed.Close)
	f.sts.AddUser(consoleUserARN, consoleUserKey, consoleUserSecret)
	client := sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(f.sts.URL),
		Credentials: credentials.NewStaticCredentialsProvider(consoleUserKey, consoleUserSecret, "")})
	ar, err := client.AssumeRole(context.Background(), &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::210987654321:role/Kept"), RoleSessionName: aws.String("kept")})
	if err != nil {
		t.Fatal(err)
	}
	st, err := client.GetSessionToken(context.Background(), &sts.GetSessionTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	processJSON := func(akid, secret, token *string, exp *time.Time) string {
		return fmt.Sprintf(`{"Version":1,"AccessKeyId":%q,"SecretAccessKey":%q,"SessionToken":%q,"Expiration":%q}`,
			*akid, *secret, *token, exp.UTC().Format(time.RFC3339))
	}
	sum := sha1.Sum([]byte("corp"))
	files := map[string]string{
		".aws/config": fakeaws.WithEndpoint(strings.ReplaceAll(consoleConfig, "HOME/", f.home+"/"), f.sts.URL),
		".aws/credentials": fmt.Sprintf("[user]\naws_access_key_id = %s\naws_secret_access_key = %s\n", consoleUserKey, consoleUserSecret) +
			fmt.Sprintf("[sessiontoken]\naws_access_key_id = %s\naws_secret_access_key = %s\naws_session_token = %s\n",
				*st.Credentials.AccessKeyId, *st.Credentials.SecretAccessKey, *st.Credentials.SessionToken),
		".aws/sso/cache/" + hex.EncodeToString(sum[:]) + ".json": `{"accessToken":"ssoaccesstoken","expiresAt":"2099-01-01T00:00:00Z","region":"eu-west-1","startUrl":"https://corp.awsapps.com/start/"}`,
		"token":        "eyJ.fake.jwt",
		"role.json":    processJSON(ar.Credentials.AccessKeyId, ar.Credentials.SecretAccessKey, ar.Credentials.SessionToken, ar.Credentials.Expiration),
		"session.json": processJSON(st.Credentials.AccessKeyId, st.Credentials.SecretAccessKey, st.Credentials.SessionToken, st.Credentials.Expiration),
	}
	for name, body := range files {
		p := filepath.Join(f.home, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f *consoleFixture) env(extra ...string) []string {
	return append([]string{
		"HOME=" + f.home,
		"PATH=" + filepath.Dir(binary) + ":/usr/bin:/bin",
		"LANG=C.UTF-8",
		"XDG_CACHE_HOME=" + filepath.Join(f.home, ".cache"),
		"AWS_EC2_METADATA_DISABLED=true",
		"AWSXC_SIGNIN_URL=" + f.fed.Endpoint(),
	}, extra...)
}

// command is the built awsxc-cli, to run in the fixture's folder.
func (f *consoleFixture) command(env []string, args ...string) (*exec.Cmd, *bytes.Buffer, *syncBuffer) {
	cmd := exec.Command(binary, args...)
	cmd.Env, cmd.Dir = f.env(env...), f.home
	noTerminal(cmd) // an MFA prompt must not find the terminal the tests run in
	var out bytes.Buffer
	var errb syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	return cmd, &out, &errb
}

func (f *consoleFixture) run(t *testing.T, env []string, args ...string) result {
	t.Helper()
	cmd, out, errb := f.command(env, args...)
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{out.String(), errb.String(), code}
}

// signinCall is what the federation fake got for getSigninToken, if
// anything: "kind SessionDuration=…".
func (f *consoleFixture) signinCall() string {
	for _, c := range f.fed.Calls() {
		if c.Action == "getSigninToken" {
			return fmt.Sprintf("%s SessionDuration=%s status=%d", c.Kind, c.SessionDuration, c.Status)
		}
	}
	return ""
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// login opens a link as a browser would, one hop: the Location it is sent to.
func login(t *testing.T, link string) string {
	t.Helper()
	resp, err := noRedirect.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("GET the link: %s", resp.Status)
	}
	return resp.Header.Get("Location")
}

// secretsIn lists the secrets that must never reach stderr: the link's
// sign-in token (and the link), and every secret key and session token
// the fakes issued or the files hold.
func (f *consoleFixture) secretsIn(t *testing.T, s, link string) {
	t.Helper()
	secrets := []string{consoleUserSecret, "fakeSecret", "FAKETOKEN", "ssoSecret", "SSOTOKEN", "ssoaccesstoken", "fakesignin-"}
	if u, err := url.Parse(link); err == nil && link != "" {
		secrets = append(secrets, link, u.Query().Get("SigninToken"))
	}
	for _, sec := range secrets {
		if sec != "" && strings.Contains(s, sec) {
			t.Errorf("stderr holds a secret (%.16s…):\n%s", sec, s)
		}
	}
}

// TestConsolePrint signs in with every kind of profile through the
// built binary with --print --debug, against the fakes: the link on
// stdout works at the fake's login and lands where it should; stderr
// (the debug records) holds no sign-in token, no session token and no
// secret key; SessionDuration is sent only where the endpoint takes it.
func TestConsolePrint(t *testing.T) {
	t.Parallel()
	const noDuration = "SessionDuration= status=200"
	for _, tc := range []struct {
		name   string
		args   []string
		setup  func(f *consoleFixture)
		dest   string // where the federation link lands
		portal string // the portal link, whole
		signin string // what getSigninToken got
	}{
		{"iam_user_keys", []string{"--profile", "user"}, nil,
			"https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1", "", "federation-token " + noDuration},
		{"iam_user_keys_duration", []string{"--profile", "user", "--duration", "3600", "--service", "ec2"}, nil,
			"https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1", "", "federation-token " + noDuration},
		{"role", []string{"--profile", "role"}, nil,
			"https://eu-central-1.console.aws.amazon.com/console/home?region=eu-central-1", "", "role " + noDuration},
		{"role_duration", []string{"--profile", "role", "--duration", "7200"}, nil,
			"https://eu-central-1.console.aws.amazon.com/console/home?region=eu-central-1", "", "role SessionDuration=7200 status=200"},
		{"chained_role", []string{"--profile", "chained", "--duration", "7200", "--service", "iam"}, nil,
			"https://console.aws.amazon.com/iam/home", "", "chained-role " + noDuration},
		{"mfa_role", []string{"--profile", "mfarole", "--mfa-code", "123456", "--region", "ap-south-1", "--service", "s3"}, nil,
			"https://s3.console.aws.amazon.com/s3/home?region=ap-south-1", "", "role " + noDuration},
		{"web_identity", []string{"--profile", "webid"}, nil,
			"https://console.aws.amazon.com/", "", "web-identity " + noDuration},
		{"credential_process_role", []string{"--profile", "procrole", "--destination", "https://us-west-2.console.aws.amazon.com/lambda/home?region=us-west-2#/functions"}, nil,
			"https://us-west-2.console.aws.amazon.com/lambda/home?region=us-west-2#/functions", "", "role " + noDuration},
		{"sso_federate", []string{"--profile", "sso", "--federate", "--duration", "3600"}, nil,
			"https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1", "", "sso-role " + noDuration},
		{"sso_portal", []string{"--profile", "sso"}, nil, "",
			"https://corp.awsapps.com/start/#/console?account_id=111122223333&destination=" +
				url.QueryEscape("https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1") + "&role_name=Admin", ""},
		{"sso_legacy_portal", []string{"--profile", "ssolegacy", "--service", "lambda"}, nil, "",
			"https://legacy.awsapps.com/start/#/console?account_id=111122223333&destination=" +
				url.QueryEscape("https://console.aws.amazon.com/lambda/home") + "&role_name=ReadOnly", ""},
		{"china", []string{"--profile", "cnrole", "--service", "ec2"}, nil,
			"https://cn-northwest-1.console.amazonaws.cn/ec2/home?region=cn-northwest-1", "", "role " + noDuration},
		{"govcloud", []string{"--profile", "govrole"}, nil,
			"https://console.amazonaws-us-gov.com/console/home?region=us-gov-west-1", "", "role " + noDuration},
		{"eusc", []string{"--profile", "euscrole", "--service", "s3"}, nil,
			"https://eusc-de-east-1.console.amazonaws-eusc.eu/s3/home?region=eusc-de-east-1", "", "role " + noDuration},
		{"profile_from_the_environment", nil, nil,
			"https://eu-central-1.console.aws.amazon.com/console/home?region=eu-central-1", "", "role " + noDuration},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newConsoleFixture(t)
			var env []string
			if tc.args == nil {
				env = []string{"AWS_PROFILE=role"}
			}
			r := f.run(t, env, append([]string{"console", "--print", "--debug"}, tc.args...)...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			link, rest, _ := strings.Cut(r.stdout, "\n")
			if rest != "" {
				t.Errorf("stdout holds more than the link: %q", r.stdout)
			}
			if tc.portal == "" {
				f.secretsIn(t, r.stderr, link)
			} else {
				f.secretsIn(t, r.stderr, "") // a portal link is no credential: --debug shows it
			}
			if got := f.signinCall(); got != tc.signin {
				t.Errorf("getSigninToken: %q, want %q", got, tc.signin)
			}
			if tc.portal != "" {
				if link != tc.portal {
					t.Errorf("portal link %q, want %q", link, tc.portal)
				}
				if n := f.sts.Count(""); n != 2 {
					t.Errorf("the portal link cost %d calls", n-2)
				}
				return
			}
			if !strings.HasPrefix(link, f.fed.Endpoint()+"?Action=login&") {
				t.Errorf("link %q is not the endpoint's login", link)
			}
			if !strings.Contains(r.stderr, "SigninToken=[hidden]") {
				t.Errorf("--debug does not show the masked link:\n%s", r.stderr)
			}
			if got := login(t, link); got != tc.dest {
				t.Errorf("the link lands on %q, want %q", got, tc.dest)
			}
			// --duration that does not apply is a warning.
			warn := tc.name == "chained_role" || tc.name == "sso_federate"
			if strings.Contains(r.stderr, "awsxc-cli: warning: --duration does not apply") != warn {
				t.Errorf("warning about --duration: %v, want %v:\n%s", !warn, warn, r.stderr)
			}
		})
	}
}

// TestConsoleRefusals: each refusal is one line on stderr, nothing on
// stdout, and the exit status of its kind; none asks for anything.
func TestConsoleRefusals(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		args  []string
		env   []string
		setup func(f *consoleFixture)
		code  int
		want  []string // on the one stderr line
		calls int      // STS calls made (after the fixture's own)
	}{
		{"get_session_token_profile", []string{"--profile", "sessiontoken"}, nil, nil, exitResolution,
			[]string{"GetSessionToken credentials cannot sign in to the console", "arn:aws:iam::123456789012:user/alice", "use", "role profile"}, 1},
		{"get_session_token_process", []string{"--profile", "procsession"}, nil, nil, exitResolution,
			[]string{"GetSessionToken credentials cannot sign in to the console"}, 1},
		{"get_federation_token_denied", []string{"--profile", "user"}, nil, func(f *consoleFixture) { f.sts.RefuseFederation(fakeaws.FederationDenied) },
			exitResolution, []string{"STS GetFederationToken refused", "not authorized to perform: sts:GetFederationToken", "allow sts:GetFederationToken"}, 2},
		{"get_federation_token_requires_mfa", []string{"--profile", "user"}, nil, func(f *consoleFixture) { f.sts.RefuseFederation(fakeaws.FederationMFARequired) },
			exitResolution, []string{"explicit deny", "cannot carry MFA", "mfa_serial"}, 2},
		{"mfa_required", []string{"--profile", "mfarole"}, nil, nil, exitResolution,
			[]string{"MFA code needed", "--mfa-code"}, 0},
		{"foreign_destination", []string{"--profile", "mfarole", "--destination", "https://evil.example/console"}, nil, nil, exitUsage,
			[]string{`not a console URL: "https://evil.example/console" is not on console.aws.amazon.com`}, 0},
		{"destination_of_another_partition", []string{"--profile", "cnrole", "--destination", "https://console.aws.amazon.com/"}, nil, nil, exitUsage,
			[]string{`"https://console.aws.amazon.com/" is not on console.amazonaws.cn`}, 1},
		{"service_and_destination", []string{"--service", "s3", "--destination", "https://console.aws.amazon.com/"}, nil, nil, exitUsage,
			[]string{"--destination: not allowed with --service"}, 0},
		{"bad_service", []string{"--profile", "role", "--service", "../evil"}, nil, nil, exitUsage,
			[]string{`service "../evil" is not a console service name`}, 0},
		{"bad_duration", []string{"--profile", "role", "--duration", "60"}, nil, nil, exitUsage,
			[]string{"--duration: want seconds between 900 and 43200"}, 0},
		{"unknown_profile", []string{"--profile", "nope"}, nil, nil, exitResolution,
			[]string{`profile "nope": profile not found; check the name with awsxc-cli profiles`}, 0},
		{"endpoint_not_https", []string{"--profile", "role"}, []string{"AWSXC_SIGNIN_URL=http://signin.example.com/federation"}, nil, exitUsage,
			[]string{"must be https"}, 0},
		{"no_console_in_the_partition", []string{"--profile", "role", "--region", "us-iso-east-1"}, nil, nil, exitUsage,
			[]string{"region us-iso-east-1 is in partition aws-iso, the credentials in aws"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newConsoleFixture(t)
			if tc.setup != nil {
				tc.setup(f)
			}
			r := f.run(t, tc.env, append([]string{"console"}, tc.args...)...)
			if r.code != tc.code || r.stdout != "" {
				t.Errorf("exit %d, stdout %q; want exit %d and no output", r.code, r.stdout, tc.code)
			}
			// One error line, after the MFA prompt if there was one.
			stderr := strings.TrimPrefix(r.stderr, "awsxc-cli: MFA code for profile \"mfarole\": \n")
			if strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "awsxc-cli: error: ") {
				t.Errorf("stderr is not one error line: %q", r.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr %q does not say %q", r.stderr, w)
				}
			}
			if n := f.sts.Count("") - 2; n != tc.calls {
				t.Errorf("%d STS calls, want %d", n, tc.calls)
			}
			if f.signinCall() != "" {
				t.Errorf("the federation endpoint was called: %s", f.signinCall())
			}
			f.secretsIn(t, r.stderr, "")
			// --debug on the way to a refusal shows no secret either.
			d := f.run(t, tc.env, append([]string{"console", "--debug"}, tc.args...)...)
			if d.code != tc.code {
				t.Errorf("with --debug: exit %d", d.code)
			}
			f.secretsIn(t, d.stderr, "")
		})
	}
}

var buildBrowserOnce sync.Once

// buildEnv is the environment before TestMain points HOME elsewhere, so
// that go build finds its cache.
var buildEnv = os.Environ()

// fakeBrowser builds the stand-in browser next to the test binary.
func fakeBrowser(t *testing.T) string {
	t.Helper()
	path := filepath.Join(filepath.Dir(binary), "fakebrowser")
	buildBrowserOnce.Do(func() {
		build := exec.Command("go", "build", "-o", path, "github.com/awsxc/awsxc/internal/fakeaws/fakebrowser")
		build.Env = append(buildEnv, "CGO_ENABLED=0")
		out, err := build.CombinedOutput()
		if err != nil {
			t.Fatalf("building fakebrowser: %v\n%s", err, out)
		}
	})
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// waitLines waits for a file to hold n lines.
func waitLines(t *testing.T, path string, n int) []string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		data, _ := os.ReadFile(path)
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		if len(data) > 0 && len(lines) >= n {
			return lines
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s has %q, want %d lines", path, data, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestConsoleBrowser opens the console through a stand-in $BROWSER. The
// browser's command line gets a one-shot loopback link, never the
// sign-in link: its first GET redirects to the sign-in link, later ones
// get 410; console waits for that GET and prints nothing on stdout.
func TestConsoleBrowser(t *testing.T) {
	t.Parallel()
	browser := fakeBrowser(t)

	t.Run("record_only", func(t *testing.T) {
		t.Parallel()
		f := newConsoleFixture(t)
		log := filepath.Join(t.TempDir(), "browser.log")
		cmd, out, errb := f.command([]string{"BROWSER=" + browser, "FAKEBROWSER_MODE=none", "FAKEBROWSER_LOG=" + log},
			"console", "--profile", "role", "--debug")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		given := waitLines(t, log, 1)[0]
		u, err := url.Parse(given)
		if err != nil || u.Scheme != "http" || u.Hostname() != "127.0.0.1" || u.RawQuery != "" || strings.Contains(given, "Signin") {
			t.Fatalf("the browser was given %q, want a loopback link", given)
		}
		signin := login(t, given)
		if !strings.HasPrefix(signin, f.fed.Endpoint()+"?Action=login&") {
			t.Errorf("the loopback link redirects to %q", signin)
		}
		if err := cmd.Wait(); err != nil {
			t.Fatalf("console: %v: %s", err, errb.String())
		}
		if out.Len() != 0 {
			t.Errorf("stdout %q", out.String())
		}
		f.secretsIn(t, errb.String(), signin)
		if got := login(t, signin); got != "https://eu-central-1.console.aws.amazon.com/console/home?region=eu-central-1" {
			t.Errorf("the sign-in link lands on %q", got)
		}
		if resp, err := http.Get(given); err == nil {
			resp.Body.Close()
			t.Errorf("the loopback link still answers after console exited: %s", resp.Status)
		}
	})

	t.Run("follow", func(t *testing.T) {
		t.Parallel()
		f := newConsoleFixture(t)
		log := filepath.Join(t.TempDir(), "browser.log")
		r := f.run(t, []string{"BROWSER=" + browser, "FAKEBROWSER_MODE=follow", "FAKEBROWSER_LOG=" + log},
			"console", "--profile", "user", "--service", "s3")
		if r.code != 0 || r.stdout != "" || r.stderr != "" {
			t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
		}
		hops := waitLines(t, log+".follow", 3)
		want := []string{"GET http://127.0.0.1:", "GET " + f.fed.Endpoint() + "?Action=login&", "stop https://s3.console.aws.amazon.com/s3/home?region=eu-west-1"}
		for i, w := range want {
			if !strings.HasPrefix(hops[i], w) {
				t.Errorf("hop %d: %q, want %q…", i, hops[i], w)
			}
		}
		var logins []string
		for _, c := range f.fed.Calls() {
			if c.Action == "login" {
				logins = append(logins, fmt.Sprintf("%d %s %s", c.Status, c.Issuer, c.Destination))
			}
		}
		if len(logins) != 1 || logins[0] != "302 awsxc https://s3.console.aws.amazon.com/s3/home?region=eu-west-1" {
			t.Errorf("logins at the endpoint: %q", logins)
		}
	})

	t.Run("portal_link_given_as_it_is", func(t *testing.T) {
		t.Parallel()
		f := newConsoleFixture(t)
		log := filepath.Join(t.TempDir(), "browser.log")
		r := f.run(t, []string{"BROWSER=" + browser, "FAKEBROWSER_MODE=none", "FAKEBROWSER_LOG=" + log},
			"console", "--profile", "ssolegacy")
		if r.code != 0 || r.stdout != "" || r.stderr != "" {
			t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
		}
		if got := waitLines(t, log, 1)[0]; got != "https://legacy.awsapps.com/start/#/console?account_id=111122223333&role_name=ReadOnly" {
			t.Errorf("the browser got %q", got)
		}
	})

	// Review 1, H1: a process that read the one-shot link in the process
	// list fetches it too. A second fetch by the same user is detected
	// (everywhere); another user's fetch is refused (Linux), and the
	// browser still signs in. Either way console fails with one line
	// saying what to do, and exits 1.
	t.Run("second_fetch_detected", func(t *testing.T) {
		t.Parallel()
		curl, err := exec.LookPath("curl")
		needTool(t, err == nil, "no curl")
		f := newConsoleFixture(t)
		dir := t.TempDir()
		log, thief := filepath.Join(dir, "browser.log"), filepath.Join(dir, "thief")
		// The browser follows first; a poller of the process list fetches
		// right after it.
		script := filepath.Join(dir, "browser")
		exectest.WriteProgram(t, script, []byte(fmt.Sprintf("#!/bin/sh\nFAKEBROWSER_WAIT=1 %q \"$1\" || exit 1\n%q -s -o /dev/null -w '%%{http_code}' \"$1\" > %q\n",
			browser, curl, thief)))
		r := f.run(t, []string{"BROWSER=" + script, "FAKEBROWSER_MODE=follow", "FAKEBROWSER_LOG=" + log}, "console", "--profile", "role")
		want := "awsxc-cli: error: the one-shot link was fetched twice: another program on this machine may have taken it: do not use the console session it opened, sign out of it (the sign-in link expires 15 minutes after it was made)\n"
		if r.code != exitFailure || r.stdout != "" || r.stderr != want {
			t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and %q", r.code, r.stdout, r.stderr, exitFailure, want)
		}
		if got, _ := os.ReadFile(thief); string(got) != "410" {
			t.Errorf("the second fetch got %q, want 410", got)
		}
		f.secretsIn(t, r.stderr, "")
	})

	t.Run("another_users_fetch_refused", func(t *testing.T) {
		t.Parallel()
		needTool(t, runtime.GOOS == "linux" && os.Geteuid() == 0, "needs root on Linux, to run a process as another user")
		setpriv, err1 := exec.LookPath("setpriv")
		curl, err2 := exec.LookPath("curl")
		needTool(t, errors.Join(err1, err2) == nil, "needs setpriv and curl")
		f := newConsoleFixture(t)
		dir := t.TempDir()
		os.Chmod(dir, 0o755)
		log, thief := filepath.Join(dir, "browser.log"), filepath.Join(dir, "thief")
		// Another user's poller fetches first; then the browser.
		script := filepath.Join(dir, "browser")
		exectest.WriteProgram(t, script, []byte(fmt.Sprintf("#!/bin/sh\n%q --reuid=65534 --regid=65534 --clear-groups %q -s -o /dev/null -w '%%{http_code} %%{redirect_url}' \"$1\" > %q\nexec %q \"$1\"\n",
			setpriv, curl, thief, browser)))
		r := f.run(t, []string{"BROWSER=" + script, "FAKEBROWSER_MODE=follow", "FAKEBROWSER_LOG=" + log}, "console", "--profile", "user", "--service", "s3")
		want := "awsxc-cli: error: a process of another user asked for the one-shot link and was refused (it read the link in the process list; the browser got the link): if a console session opened that you did not open, sign out of it\n"
		if r.code != exitFailure || r.stdout != "" || r.stderr != want {
			t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and %q", r.code, r.stdout, r.stderr, exitFailure, want)
		}
		if got, _ := os.ReadFile(thief); strings.TrimSpace(string(got)) != "403" {
			t.Errorf("another user's fetch got %q, want 403 and no redirect", got)
		}
		// The browser stand-in still signed in.
		hops := waitLines(t, log+".follow", 3)
		for i, w := range []string{"GET http://127.0.0.1:", "GET " + f.fed.Endpoint() + "?Action=login&", "stop https://s3.console.aws.amazon.com/s3/home?region=eu-west-1"} {
			if !strings.HasPrefix(hops[i], w) {
				t.Errorf("hop %d: %q, want %q…", i, hops[i], w)
			}
		}
		f.secretsIn(t, r.stderr, "")
	})

	t.Run("browser_fails", func(t *testing.T) {
		t.Parallel()
		f := newConsoleFixture(t)
		r := f.run(t, []string{"BROWSER=" + browser, "FAKEBROWSER_MODE=fail"}, "console", "--profile", "role")
		if r.code != exitFailure || r.stdout != "" || !strings.Contains(r.stderr, "--print") {
			t.Errorf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
		}
		f.secretsIn(t, r.stderr, "")
		if strings.Contains(r.stderr, "127.0.0.1") {
			t.Errorf("the error names the one-shot link: %q", r.stderr)
		}
	})
}

// TestConsoleCompletion: bash completes the console command and its
// --service names.
func TestConsoleCompletion(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("bash"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("bash not installed")
		}
		t.Skip("no bash")
	}
	f := newConsoleFixture(t)
	script := f.run(t, nil, "completion", "bash").stdout
	for words, want := range map[string]string{
		"awsxc-cli con":                     "console",
		"awsxc-cli console --serv":          "--service",
		"awsxc-cli console --service s":     "s3 secretsmanager sfn sm sns sqs ssm sso stepfunctions support",
		"awsxc-cli console --destination h": "",
	} {
		w := strings.Fields(words)
		cmd := exec.Command("bash", "-c", script+fmt.Sprintf("\nCOMP_WORDS=(%s); COMP_CWORD=%d; _awsxc_cli; echo \"${COMPREPLY[*]}\"\n", words, len(w)-1))
		cmd.Env = f.env()
		out, err := cmd.Output()
		if err != nil || strings.TrimSpace(string(out)) != want {
			t.Errorf("completing %q: %q, %v; want %q", words, out, err, want)
		}
	}
}

// runHere runs awsxc-cli in this process, with the fixture's
// environment and folder and no terminal.
func (f *consoleFixture) runHere(t *testing.T, env []string, args ...string) result {
	t.Helper()
	vars := map[string]string{}
	for _, kv := range f.env(env...) {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	var out, errb syncBuffer
	code := run(context.Background(), args, proc{
		stdin: strings.NewReader(""), stdout: &out, stderr: &errb,
		getenv:  func(k string) string { return vars[k] },
		environ: func() []string { return nil },
		setenv:  func(string, string) error { return nil },
		dir:     f.home,
	})
	return result{out.String(), errb.String(), code}
}

// TestConsoleInProcess: the command's run() in this process gives what
// the binary gives, a working link or the refusal's line.
func TestConsoleInProcess(t *testing.T) {
	t.Parallel()
	f := newConsoleFixture(t)
	r := f.runHere(t, nil, "console", "--profile", "role", "--print", "--service", "cfn", "--debug")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	link := strings.TrimSuffix(r.stdout, "\n")
	if got := login(t, link); got != "https://eu-central-1.console.aws.amazon.com/cloudformation/home?region=eu-central-1" {
		t.Errorf("lands on %q", got)
	}
	f.secretsIn(t, r.stderr, link)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"console", "--profile", "sessiontoken"}, exitResolution, "GetSessionToken credentials cannot sign in to the console"},
		{[]string{"console", "--profile", "role", "--destination", "https://evil.example/"}, exitUsage, "not a console URL"},
		{[]string{"console", "--profile", "role", "stray"}, exitUsage, "console takes no arguments"},
		{[]string{"console", "--profile", "role", "--region", "cn-north-1"}, exitUsage, "region cn-north-1 is in partition aws-cn"},
		{[]string{"console", "--profile", "chained", "--duration", "900", "--print"}, exitOK, "awsxc-cli: warning: --duration does not apply to profile \"chained\": the console session lasts as long as its credentials (until "},
	} {
		r := f.runHere(t, nil, tc.args...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want %d and %q", tc.args, r.code, r.stderr, tc.code, tc.want)
		}
	}
}

// TestConsoleForeignEndpointWarned (review 1, L2): AWSXC_SIGNIN_URL is
// sent the secret key and the session token themselves, so a host that
// is no AWS sign-in host (nor loopback) gets a one-line warning naming
// it; AWS's own hosts and the local fake get none. (An SSO profile's
// portal shortcut makes no call, so nothing is sent anywhere here.)
func TestConsoleForeignEndpointWarned(t *testing.T) {
	t.Parallel()
	f := newConsoleFixture(t)
	for endpoint, want := range map[string]string{
		"https://signin.example.net/federation":              "awsxc-cli: warning: AWSXC_SIGNIN_URL points at signin.example.net, which is not an AWS sign-in host: a federation sign-in sends it the profile's secret key and session token\n",
		"https://signin.aws.amazon.com.evil.example/x":       "awsxc-cli: warning: AWSXC_SIGNIN_URL points at signin.aws.amazon.com.evil.example, which is not an AWS sign-in host: a federation sign-in sends it the profile's secret key and session token\n",
		"https://signin.aws.amazon.com/federation":           "",
		"https://eu-west-1.signin.aws.amazon.com/federation": "",
		"https://signin.amazonaws.cn/federation":             "",
		"https://signin.amazonaws-us-gov.com/federation":     "",
		f.fed.Endpoint(): "",
	} {
		r := f.run(t, []string{"AWSXC_SIGNIN_URL=" + endpoint}, "console", "--profile", "sso", "--print")
		if r.code != 0 || r.stderr != want {
			t.Errorf("%s: exit %d, stderr %q; want exit 0 and %q", endpoint, r.code, r.stderr, want)
		}
	}
}
