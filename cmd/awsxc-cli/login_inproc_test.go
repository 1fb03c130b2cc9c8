package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// The login tests above run the built binary, which the SDK points at the
// fakes through AWS_ENDPOINT_URL_*; these run login and logout in this
// process, in parallel, each with its own fakes named in its config's
// services section.

// inproc is a signinFixture whose config names the fakes' endpoints.
func newInproc(t *testing.T) *signinFixture {
	t.Helper()
	s := newSigninFixture(t)
	var cfg strings.Builder
	for _, l := range strings.Split(loginConfig, "\n") {
		cfg.WriteString(l + "\n")
		if strings.HasPrefix(l, "[profile ") {
			cfg.WriteString("services = fakes\n")
		}
	}
	fmt.Fprintf(&cfg, "\n[default]\nservices = fakes\n\n[services fakes]\nsso =\n  endpoint_url = %s\nsso_oidc =\n  endpoint_url = %s\n"+
		"signin =\n  endpoint_url = %s\nsts =\n  endpoint_url = %s\n", s.f.STS.URL, s.f.OIDC.URL, s.f.Signin.URL, s.f.STS.URL)
	if err := os.WriteFile(filepath.Join(s.home, ".aws", "config"), []byte(cfg.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return s
}

// proc is the process a run in this process sees: the fixture's
// environment (without the endpoint variables, which the SDK would read
// from this process, not from here), stdin and no terminal.
func (s *signinFixture) proc(mode string, stdin io.Reader, stdout, stderr io.Writer, extra ...string) proc {
	vars := map[string]string{}
	for _, kv := range s.env(mode, extra...) {
		k, v, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(k, "AWS_ENDPOINT_URL") {
			vars[k] = v
		}
	}
	var mu sync.Mutex
	return proc{stdin: stdin, stdout: stdout, stderr: stderr,
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
		dir:    s.home}
}

func (s *signinFixture) runIn(t *testing.T, mode, stdin string, extra []string, args ...string) result {
	t.Helper()
	var out, errb syncBuffer
	code := run(context.Background(), args, s.proc(mode, strings.NewReader(stdin), &out, &errb, extra...))
	return result{out.String(), errb.String(), code}
}

func TestLoginInProcess(t *testing.T) {
	t.Parallel()
	s := newInproc(t)
	steps := []struct {
		mode  string
		extra []string
		args  []string
		code  int
		want  string
	}{
		{"follow", nil, []string{"login", "--profile", "deploy"}, 0, `awsxc-cli: signed in to "my-sso" until `},
		{"", nil, []string{"login", "--profile", "ops"}, 0, `awsxc-cli: already signed in to "my-sso" until `},
		{"follow", nil, []string{"login", "--profile", "dev", "--force", "--use-device-code"}, 0, "enter the code"},
		{"follow", nil, []string{"login", "--profile", "legacy"}, 0, `signed in to "` + loginStartURL + `" until `},
		{"follow", nil, []string{"login", "--profile", "console"}, 0, `signed in to "arn:aws:iam::123456789012:user/alice" until `},
		{"follow", nil, []string{"login", "--sso-session", "lonely"}, 0, `signed in to "lonely"`},
		{"", nil, []string{"logout", "--sso-session", "lonely"}, 0, `signed out of "lonely": removed 1 token and no cached credentials file`},
		{"", nil, []string{"logout", "--profile", "console"}, 0, "stay valid for up to 15 minutes"},
		{"", nil, []string{"logout", "--profile", "console"}, 0, "nothing to remove"},
		{"", nil, []string{"logout", "--all"}, 0, "signed out of every session: removed 2 tokens"},
		{"", nil, []string{"logout", "--all", "--profile", "dev"}, 2, "give one of --profile, --sso-session and --all"},
		{"", nil, []string{"login", "extra"}, 2, "login takes no arguments"},
		{"", nil, []string{"login", "--profile", "keys"}, 2, "no sign-in session"},
		{"fail", nil, []string{"login", "--profile", "nope"}, 2, `profile "nope": no sign-in session: no such profile`},
	}
	for _, st := range steps {
		r := s.runIn(t, st.mode, "", st.extra, st.args...)
		if r.code != st.code || !strings.Contains(r.stderr, st.want) || signinSecretRe.MatchString(r.stderr) {
			t.Errorf("%v: exit %d, want %d with %q\n%s", st.args, r.code, st.code, st.want, r.stderr)
		}
	}
	// One sign-in for dev, ops and deploy, one for lonely.
	if n := s.f.OIDC.Count("Authorize"); n != 2 {
		t.Errorf("%d authorize calls", n)
	}
}

// TestLoginCrossDeviceInProcess: aws login over SSH prints the URL, and
// reads back the code the page shows from stdin.
func TestLoginCrossDeviceInProcess(t *testing.T) {
	t.Parallel()
	s := newInproc(t)
	pr, pw := io.Pipe()
	var out, errb syncBuffer
	go func() {
		// The user reads the URL, opens it elsewhere and pastes the code.
		re := regexp.MustCompile(`paste here the code the page shows: (\S+)`)
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if m := re.FindStringSubmatch(errb.String()); m != nil {
				resp, err := http.Get(m[1])
				if err != nil {
					pw.CloseWithError(err)
					return
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if c := regexp.MustCompile(`<pre id=code>([^<]+)</pre>`).FindSubmatch(body); c != nil {
					fmt.Fprintf(pw, "%s\n", c[1])
				}
				pw.Close()
				return
			}
		}
		pw.Close()
	}()
	code := run(context.Background(), []string{"login", "--profile", "console", "--no-browser"},
		s.proc("", pr, &out, &errb, "SSH_TTY=/dev/pts/1"))
	if code != 0 || !strings.Contains(errb.String(), "this is an SSH session") || !strings.Contains(errb.String(), "awsxc-cli: code: ") {
		t.Fatalf("exit %d\n%s", code, errb.String())
	}
	if _, err := os.Stat(s.loginPath("arn:aws:iam::123456789012:user/alice")); err != nil {
		t.Error(err)
	}

	// No code: the sign-in fails at once.
	r := s.runIn(t, "", "", []string{"SSH_TTY=/dev/pts/1"}, "login", "--profile", "console", "--force")
	if r.code != 3 || !strings.Contains(r.stderr, "read the code: no code given") {
		t.Errorf("no code: exit %d\n%s", r.code, r.stderr)
	}
}

// TestLoginDeviceNoBrowserInProcess: with no display, the device flow
// prints the code and waits; the user enters it elsewhere.
func TestLoginDeviceNoBrowserInProcess(t *testing.T) {
	t.Parallel()
	s := newInproc(t)
	// The user enters the code once it is shown: approved before the
	// sign-in's first poll, nothing would be shown (a client already
	// authorized needs no code).
	var out0, err0 syncBuffer
	go func() {
		re := regexp.MustCompile(`enter the code (\S+)`)
		for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if m := re.FindStringSubmatch(err0.String()); m != nil {
				s.f.OIDC.ApproveDevice(m[1])
				return
			}
		}
	}()
	code := run(context.Background(), []string{"login", "--profile", "dev", "--no-browser"}, s.proc("", strings.NewReader(""), &out0, &err0))
	if code != 0 || !strings.Contains(err0.String(), "no display (DISPLAY and WAYLAND_DISPLAY are unset)") {
		t.Errorf("exit %d\n%s", code, err0.String())
	}
	if !regexp.MustCompile(`(?m)^awsxc-cli: waiting until \d\d:\d\d; Ctrl-C cancels$`).MatchString(err0.String()) {
		t.Errorf("no waiting line:\n%s", err0.String())
	}
	// --no-browser with a display: the URL is printed, and the user opens
	// it on this machine.
	var out, errb syncBuffer
	go func() {
		re := regexp.MustCompile(`open this URL in a browser on this machine: (\S+)`)
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if m := re.FindStringSubmatch(errb.String()); m != nil {
				if resp, err := http.Get(m[1]); err == nil {
					resp.Body.Close()
				}
				return
			}
		}
	}()
	code = run(context.Background(), []string{"login", "--profile", "dev", "--no-browser", "--force"},
		s.proc("", strings.NewReader(""), &out, &errb, "DISPLAY=:0"))
	if code != 0 || !strings.Contains(errb.String(), "on another device, run awsxc-cli login --use-device-code") {
		t.Errorf("exit %d\n%s", code, errb.String())
	}
}
