package signin

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/internal/fakeaws"
)

func TestMain(m *testing.M) { os.Exit(fakeaws.RunIsolated(m, nil)) }

const startURL = "https://d-1234567890.awsapps.com/start"

// testConfig is the config of the tests; SERVICES is replaced with the
// services section that points every client at the fakes.
const testConfig = `[default]
region = eu-west-1
services = fakes

[profile dev]
sso_session = my-sso
sso_account_id = 111122223333
sso_role_name = Admin
region = eu-west-1
services = fakes

[profile ops]
sso_session = my-sso
sso_account_id = 111122223333
sso_role_name = ReadOnly
services = fakes

[profile deploy]
role_arn = arn:aws:iam::111122223333:role/Deploy
source_profile = dev
services = fakes

[profile legacy]
sso_start_url = ` + startURL + `
sso_region = eu-west-1
sso_account_id = 111122223333
sso_role_name = ReadOnly
services = fakes

[profile console]
login_session = arn:aws:iam::123456789012:user/alice
region = eu-west-1
services = fakes

[profile keys]
aws_access_key_id = AKIAEXAMPLEKEYS00001
aws_secret_access_key = secret

[profile halfsso]
sso_account_id = 1

[profile nosession]
sso_session = missing

[sso-session my-sso]
sso_start_url = ` + startURL + `
sso_region = eu-west-1
sso_registration_scopes = sso:account:access

[sso-session other]
sso_start_url = ` + startURL + `/other
sso_region = eu-west-1

[sso-session broken]
sso_region = eu-west-1
`

// world is one test's AWS: every fake, a home folder with the config,
// and the Config that points this package at them.
type world struct {
	f    *fakeaws.Fakes
	home string
	c    Config
}

func newWorld(t *testing.T) *world {
	t.Helper()
	f := fakeaws.StartAll()
	t.Cleanup(f.Close)
	f.STS.Portal().SetAccounts([]fakeaws.Account{{ID: "111122223333", Roles: []string{"Admin", "ReadOnly"}}})
	home := t.TempDir()
	cfg := testConfig + fmt.Sprintf(`
[services fakes]
sso =
  endpoint_url = %s
sso_oidc =
  endpoint_url = %s
signin =
  endpoint_url = %s
sts =
  endpoint_url = %s
`, f.STS.URL, f.OIDC.URL, f.Signin.URL, f.STS.URL)
	path := filepath.Join(home, ".aws", "config")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	env := engine.Env{ConfigFile: path, CredentialsFile: filepath.Join(home, ".aws", "credentials"), Home: home,
		CacheDir: filepath.Join(home, ".cache")}
	return &world{f: f, home: home, c: Config{Env: env, Profile: "default"}}
}

func (w *world) session(t *testing.T, profile string) Session {
	t.Helper()
	s, err := ProfileSession(context.Background(), w.c.Env, profile)
	if err != nil {
		t.Fatalf("ProfileSession(%s): %v", profile, err)
	}
	return s
}

// browser is a stand-in for the user's browser, in process: it follows
// the URL while it stays on loopback, sending the user's decision to the
// fakes, as command fakebrowser does. It records the URLs it was given.
type browser struct {
	decision fakeaws.Decision
	mu       sync.Mutex
	urls     []string
	fail     error // returned instead of opening
	hops     []string
}

func (b *browser) open(ctx context.Context, u string) error {
	b.mu.Lock()
	b.urls = append(b.urls, u)
	fail := b.fail
	b.mu.Unlock()
	if fail != nil {
		return fail
	}
	client := &http.Client{Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for hop := 0; hop < 10; hop++ {
		target, err := url.Parse(u)
		if err != nil {
			return err
		}
		if ip := net.ParseIP(target.Hostname()); ip == nil || !ip.IsLoopback() {
			return nil
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		req.Header.Set(fakeaws.DecisionHeader, string(b.decision))
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		b.mu.Lock()
		b.hops = append(b.hops, fmt.Sprintf("%d %s", resp.StatusCode, target.Path))
		b.mu.Unlock()
		loc := resp.Header.Get("Location")
		if resp.StatusCode < 300 || resp.StatusCode > 399 || loc == "" {
			return nil
		}
		next, err := target.Parse(loc)
		if err != nil {
			return err
		}
		u = next.String()
	}
	return fmt.Errorf("too many redirects")
}

func (b *browser) opened() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.urls...)
}

// prompts records what SignIn showed.
type prompts struct {
	mu   sync.Mutex
	list []Prompt
	ch   chan Prompt
}

func newPrompts() *prompts { return &prompts{ch: make(chan Prompt, 10)} }

func (p *prompts) show(pr Prompt) {
	p.mu.Lock()
	p.list = append(p.list, pr)
	p.mu.Unlock()
	p.ch <- pr
}

func (p *prompts) all() []Prompt {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Prompt(nil), p.list...)
}

// opts are SignInOptions that open b and record the prompts.
func opts(b *browser, p *prompts) SignInOptions {
	o := SignInOptions{Timeout: 30 * time.Second}
	if b != nil {
		o.OpenBrowser = b.open
	}
	if p != nil {
		o.Show = p.show
	}
	return o
}

// readFile returns a file's content.
func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// noTempFiles fails when a folder holds a temporary file left behind.
func noTempFiles(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temporary file left behind: %s", filepath.Join(dir, e.Name()))
		}
	}
}
