package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/engine/signin"
	"github.com/awsxc/awsxc/internal/browser"
)

// The exit statuses of a login or logout ended by a signal: 128 + the
// signal's number, as shells report it.
const (
	exitInterrupted = 130 // SIGINT, Ctrl-C
	exitTerminated  = 143 // SIGTERM
)

// withSignals returns ctx cancelled on SIGINT or SIGTERM, and a function
// that says which came as the exit status to end with (0 for none yet).
// stop releases the signals. Every read that could block (the AWS files,
// the token caches) is checked first (engine.SDKFiles, fsutil), so the
// cancelled ctx ends the command.
func withSignals(ctx context.Context) (_ context.Context, signalled func() int, stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	var code atomic.Int32
	go func() {
		select {
		case sig := <-ch:
			if sig == syscall.SIGTERM {
				code.Store(exitTerminated)
			} else {
				code.Store(exitInterrupted)
			}
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, func() int { return int(code.Load()) }, func() { signal.Stop(ch); cancel() }
}

var loginCommand = &command{
	name:    "login",
	usage:   "login [--profile PROFILE] [OPTIONS]",
	summary: "sign in to a profile's IAM Identity Center or aws login session",
	doc: `Signs in to the session a profile uses (its sso-session, its legacy
sso_start_url, or its aws login login_session; a role profile's source
profile's), or to [sso-session NAME] with --sso-session, and caches the
token where the AWS CLI and every SDK find it (~/.aws/sso/cache,
~/.aws/login/cache). One sign-in serves every profile on the session.

A token still valid for a while is kept while the IAM Identity Center
portal still accepts it (--force signs in anyway); otherwise login signs
in anew, as aws sso login does, for a new session (an expired token is not
only refreshed: the SDKs do that by themselves). The browser is opened
($BROWSER, else the system's) on the sign-in page and
comes back to a listener on 127.0.0.1; with --use-device-code, or with
no display or over SSH, the page can be opened on any device and the
code printed here is entered there. The URL (and the code) are always
printed on stderr. Ctrl-C cancels (exit status 130; SIGTERM 143).
`,
	exits: "130 interrupted (Ctrl-C), 143 terminated (SIGTERM)",
	new:   func() runner { return &loginCmd{} },
}

type loginCmd struct {
	profile   profileFlag
	session   string
	device    bool
	noBrowser bool
	force     bool
}

func (l *loginCmd) flags() []flagSpec {
	return []flagSpec{
		l.profile.spec(),
		stringFlag("sso-session", "NAME", "sign in to [sso-session NAME] of the config file, named by a profile or not", &l.session),
		boolFlag("use-device-code", "sign in on any device with a code (the device code flow) instead of this machine's browser", &l.device),
		boolFlag("no-browser", "do not open a browser; print the URL only", &l.noBrowser),
		boolFlag("force", "sign in (with a new client registration) even when the cached token is still valid and accepted", &l.force),
	}
}

func (l *loginCmd) check(p parsed) error {
	if len(p.args) > 0 {
		return usagef("login takes no arguments (use --profile or --sso-session)")
	}
	if l.profile.set && l.session != "" {
		return usagef("--profile and --sso-session name the session twice: give one")
	}
	return nil
}

func (l *loginCmd) run(ctx context.Context, c *cli, _ parsed) error {
	ctx, signalled, stop := withSignals(ctx)
	defer stop()
	s, conf, err := c.session(ctx, &l.profile, l.session)
	if code := signalled(); code != 0 {
		return &exitError{code: code, msg: "login interrupted"}
	}
	if err != nil {
		return err
	}
	flow := signin.FlowBrowser
	if l.device {
		flow = signin.FlowDevice
	} else if why := noLocalBrowser(c.getenv); why != "" {
		flow = signin.FlowDevice
		c.notef("%s: signing in with a code on any device (as with --use-device-code)", why)
	}
	o := signin.SignInOptions{Flow: flow, Force: l.force, Explicit: true, Show: func(p signin.Prompt) { c.showPrompt(p, !l.noBrowser) },
		BrowserFailed: func(err error) { c.notef("could not open a browser (%v); open the URL above yourself", err) },
		ReadCode:      c.readCode}
	if !l.noBrowser {
		o.OpenBrowser = func(ctx context.Context, u string) error {
			return browser.Open(ctx, u, browser.Options{Getenv: c.getenv, Env: c.environ(), Output: c.stderr})
		}
	}
	res, err := signin.SignIn(ctx, s, conf, o)
	if code := signalled(); code != 0 || errors.Is(err, signin.ErrCancelled) {
		return &exitError{code: cmp.Or(code, exitInterrupted), msg: fmt.Sprintf("sign-in to %q interrupted; no token was written", s.Name)}
	}
	if err != nil {
		return err
	}
	st := res.Status
	until := engine.FormatTime(st.ExpiresAt) + " (" + untilText(st.ExpiresAt.Sub(c.env.Now())) + ")"
	switch res.How {
	case signin.StillValid:
		c.notef("already signed in to %q until %s; --force signs in again", s.Name, until)
	default: // SignedIn: an explicit sign-in never only refreshes
		msg := fmt.Sprintf("signed in to %q until %s", s.Name, until)
		if st.Refreshable {
			msg += ", renewed by itself until the session ends"
		}
		c.notef("%s", msg)
	}
	if profiles, err := signin.SessionProfiles(ctx, c.env, s.Key()); err == nil && len(profiles) > 0 {
		c.notef("for the profiles %s", strings.Join(profiles, ", "))
	}
	return nil
}

// session finds the session a login or logout names, and the Config
// for its calls.
func (c *cli) session(ctx context.Context, p *profileFlag, sessionName string) (signin.Session, signin.Config, error) {
	profile := p.choose(c)
	conf := signin.Config{Env: c.env, LoginCacheDir: c.getenv("AWS_LOGIN_CACHE_DIRECTORY"), Profile: profile, Logger: c.log, Getenv: c.getenv}
	var s signin.Session
	var err error
	if sessionName != "" {
		s, err = signin.NamedSession(c.env, sessionName)
	} else {
		s, err = signin.ProfileSession(ctx, c.env, profile)
	}
	if err == nil {
		c.log.Debug("sign-in session", "key", s.Key(), "region", s.Region, "profile", s.Profile)
	}
	return s, conf, err
}

// noLocalBrowser says why no browser on this machine can be used (an
// SSH session, no display), or "" when one can. $BROWSER set means the
// user has named one.
func noLocalBrowser(getenv func(string) string) string {
	if getenv("BROWSER") != "" {
		return ""
	}
	if getenv("SSH_CONNECTION") != "" || getenv("SSH_TTY") != "" {
		return "this is an SSH session"
	}
	switch runtime.GOOS {
	case "windows", "darwin", "ios", "android":
		return ""
	}
	if getenv("DISPLAY") == "" && getenv("WAYLAND_DISPLAY") == "" {
		return "no display (DISPLAY and WAYLAND_DISPLAY are unset)"
	}
	return ""
}

// showPrompt prints what the user must do: always the URL, and for the
// device code flow the code.
func (c *cli) showPrompt(p signin.Prompt, opening bool) {
	wait := "waiting until " + p.Expires.Local().Format("15:04") + "; Ctrl-C cancels"
	switch {
	case p.ReadsCode:
		c.notef("to sign in to %q, open this URL on any device, then paste here the code the page shows: %s", p.Session.Name, p.URL)
	case p.UserCode != "":
		c.notef("to sign in to %q, open %s on any device and enter the code %s", p.Session.Name, p.URL, p.UserCode)
		if opening {
			c.notef("opening it in your browser; %s", wait)
		} else {
			c.notef("%s", wait)
		}
	default:
		if opening {
			c.notef("to sign in to %q, open this URL (opening it in your browser now): %s", p.Session.Name, p.URL)
		} else {
			c.notef("to sign in to %q, open this URL in a browser on this machine: %s", p.Session.Name, p.URL)
		}
		c.notef("%s; on another device, run awsxc-cli login --use-device-code", wait)
	}
}

// readCode reads the code aws login's cross-device page shows, from
// stdin, else (stdin empty) from the terminal.
func (c *cli) readCode(context.Context) (string, error) {
	fmt.Fprint(c.stderr, "awsxc-cli: code: ")
	code := readCodeLine(c.stdin)
	if code == "" && c.tty != "" {
		if tty, err := os.Open(c.tty); err == nil {
			code = readCodeLine(tty)
			tty.Close()
		}
	}
	if code == "" {
		return "", errors.New("no code given")
	}
	return code, nil
}

// readCodeLine reads one line of at most 4 KiB, a byte at a time (as
// readLine does, taking nothing more from stdin), trimmed.
func readCodeLine(r io.Reader) string {
	var b strings.Builder
	buf := make([]byte, 1)
	for b.Len() < 4096 {
		n, err := r.Read(buf)
		if n == 1 && buf[0] == '\n' {
			break
		}
		if n == 1 {
			b.WriteByte(buf[0])
		}
		if err != nil {
			break
		}
	}
	return strings.TrimSpace(b.String())
}

// notef prints one line of information on stderr.
func (c *cli) notef(format string, args ...any) {
	msg := strings.Join(strings.Fields(fmt.Sprintf(format, args...)), " ")
	fmt.Fprintf(c.stderr, "awsxc-cli: %s\n", msg)
}
