package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/engine/daemon"
	"github.com/awsxc/awsxc/engine/settings"
	"github.com/awsxc/awsxc/internal/localsock"
	"github.com/awsxc/awsxc/internal/rundir"
)

var daemonCommand = &command{
	name:    "daemon",
	usage:   "daemon",
	summary: "run the credential daemon in the foreground, without the tray",
	doc: `Run the awsxc credential daemon in the foreground, without a tray icon (WSL,
SSH hosts, machines without a desktop, CI runners). The export modes of every
awsxc-cli of this user (and so every credential_process that runs one) ask it
first: it holds each profile's credentials for all of them and renews them
before they expire. It runs the IMDS and ECS servers that settings.json (the
tray's) switches on, for its active profile. It shows no dialogs: a profile
that needs an MFA code gets one from the first awsxc-cli that can ask its
user. One daemon per user: a second one, or a running awsxc tray, is refused.
SIGINT, SIGTERM or SIGHUP (its terminal closing) stops it (exit 0).
`,
	new: func() runner { return &daemonCmd{} },
}

type daemonCmd struct{}

func (*daemonCmd) flags() []flagSpec { return nil }

// run listens on the user's endpoint and serves until SIGINT or SIGTERM
// (or ctx). Start-up and what changes later (servers, settings errors,
// refresh failures) go to stderr, one line each.
func (*daemonCmd) run(ctx context.Context, c *cli, p parsed) error {
	if len(p.args) > 0 {
		return usagef("daemon takes no arguments")
	}
	sock, err := localsock.DefaultPath(c.getenv)
	if err != nil {
		return err
	}
	settingsPath, err := settings.DefaultPath(c.getenv)
	if err != nil {
		return err
	}
	// SIGHUP too: closing the terminal or SSH session it runs in stops
	// it cleanly, its socket removed and serve's servers with it (review
	// 3, L6).
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	rep := &daemonReporter{w: c.stderr, last: map[string]string{}}
	// The tray hosts the same daemon: whichever front end claims the
	// endpoint first is the user's daemon, and the other is refused.
	ep, err := daemon.Claim(ctx, daemon.HostOptions{Getenv: c.getenv, Path: sock, Logger: c.log,
		Refused: func(err error) { rep.line("awsxc-cli: warning: %v", err) }})
	if err != nil {
		if ep != nil {
			ep.Close() // the lock it kept (see daemon.Claim)
		}
		var re *daemon.RunningError
		if errors.As(err, &re) {
			if re.FrontEnd == "" {
				return errors.New("an awsxc daemon (the awsxc tray or awsxc-cli daemon) is already running for this user")
			}
			return fmt.Errorf("%s (pid %d) is already running for this user and answers awsxc-cli", re.FrontEnd, re.PID)
		}
		return err
	}
	defer ep.Close()
	ecsTokenFile, tokenDir := "", ""
	if dir, err := rundir.RuntimeDir(c.getenv); err == nil {
		ecsTokenFile = filepath.Join(dir, "ecs-token") // where the tray writes it
		tokenDir = filepath.Join(dir, "tokens")        // the consumers', as serve's default
	}
	// An awsxc-cli this daemon runs as a credential_process resolves in
	// its own process rather than asking back.
	if c.setenv != nil {
		c.setenv(noDaemonVar, "1")
	}
	changed := make(chan struct{}, 1)
	// The daemon's credential_process programs run in the background:
	// none may prompt on the terminal it was started from.
	env := c.env
	env.Terminal = false
	d, err := daemon.New(ctx, daemon.Options{
		Env:            env,
		Environ:        c.environ(),
		SettingsPath:   settingsPath,
		DefaultProfile: engine.ProfileName("", c.getenv),
		Logger:         c.log,
		Hints:          daemonHints,
		ECSTokenFile:   ecsTokenFile,
		TokenDir:       tokenDir,
		FrontEnd:       "awsxc-cli daemon",
		Version:        version,
		OnChange: func() {
			select {
			case changed <- struct{}{}:
			default:
			}
		},
	})
	if err != nil {
		return err
	}
	ep.Serve(d)
	rep.line("awsxc-cli: daemon listening on %s (settings %s); Ctrl-C stops", sock, settingsPath)
	rep.report(d.Status())
	for done := false; !done; {
		select {
		case <-ctx.Done():
			done = true
		case err = <-ep.Done():
			done = true
		case <-changed:
			rep.report(d.Status())
		}
	}
	rep.line("awsxc-cli: shutting down")
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// daemonHints words the daemon's actions: as the command line's, but
// its servers take no --allow-host (review 3, M5).
var daemonHints engine.Hints = func(a engine.Action, profile string) string {
	if a == engine.ActionAllowHost {
		return "point the client at localhost or 127.0.0.1 (the awsxc daemon's servers accept those and the container engines' host names), or add the name to allow_hosts in settings.json"
	}
	return cliHints(a, profile)
}

// daemonReporter prints what changes in a daemon's status, one line per
// change, each condition once.
type daemonReporter struct {
	w    io.Writer
	mu   sync.Mutex        // Refused calls come from another goroutine
	last map[string]string // the line last printed per condition
}

func (r *daemonReporter) line(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(r.w, format+"\n", args...)
}

// report prints the lines of st that differ from the last ones printed
// for their condition; a condition gone is forgotten (a failing profile
// that recovers says so).
func (r *daemonReporter) report(st daemon.StatusResponse) {
	now := map[string]string{}
	if st.SettingsError != "" {
		now["settings"] = "awsxc-cli: warning: " + st.SettingsError
	}
	if st.ActiveError != "" {
		now["active"] = "awsxc-cli: warning: the servers serve nothing: " + st.ActiveError
	}
	for _, s := range st.Servers {
		switch {
		case s.Running && s.Name == daemon.ServerIMDS:
			now["server "+s.Name] = fmt.Sprintf("awsxc-cli: serving profile %q as EC2 instance metadata (IMDSv2) at %s", s.Profile, s.URL)
		case s.Running && s.Kind == daemon.KindIMDS:
			now["server "+s.Name] = fmt.Sprintf("awsxc-cli: server %q serves profile %q as EC2 instance metadata (IMDSv2) at %s", s.Name, s.Profile, s.URL)
		case s.Running && s.Kind == daemon.KindConsumer:
			now["server "+s.Name] = fmt.Sprintf("awsxc-cli: consumer %q reads profile %q at %s", s.Name, s.Profile, s.URL)
		case s.Running && s.Kind == daemon.KindECS && !s.FollowsActive:
			now["server "+s.Name] = fmt.Sprintf("awsxc-cli: container credentials listener at %s (consumers only)", s.URL)
		case s.Running:
			now["server "+s.Name] = fmt.Sprintf("awsxc-cli: serving profile %q as container credentials at %s (any profile at %sprofiles/NAME)", s.Profile, s.URL, s.URL)
		case s.Error != "":
			now["server "+s.Name] = fmt.Sprintf("awsxc-cli: warning: the %s server is not running: %s", s.Name, s.Error)
		}
		if s.Running && s.Reach != "" {
			now["reach "+s.Name] = fmt.Sprintf("awsxc-cli: warning: the %s server also listens beyond loopback, on %s: whoever can reach it can read the credentials", s.Name, s.Reach)
		}
	}
	for _, p := range st.Profiles {
		if p.Error != "" {
			now["profile "+p.Profile] = fmt.Sprintf("awsxc-cli: warning: refreshing profile %q failed: %s", p.Profile, p.Error)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, key := range sortedKeys(now) {
		if r.last[key] != now[key] {
			fmt.Fprintln(r.w, now[key])
		}
	}
	for key := range r.last {
		if _, ok := now[key]; !ok && strings.HasPrefix(key, "profile ") {
			fmt.Fprintf(r.w, "awsxc-cli: profile %q credentials refreshed\n", strings.TrimPrefix(key, "profile "))
		}
	}
	r.last = now
}

// sortedKeys orders a report's conditions as they matter: the
// settings, the active profile, the servers, then the profiles.
func sortedKeys(m map[string]string) []string {
	rank := func(k string) int {
		switch {
		case k == "settings":
			return 0
		case k == "active":
			return 1
		case strings.HasPrefix(k, "server "), strings.HasPrefix(k, "reach "):
			return 2
		}
		return 3
	}
	keys := slices.Collect(maps.Keys(m))
	slices.SortFunc(keys, func(a, b string) int { return cmp.Or(cmp.Compare(rank(a), rank(b)), strings.Compare(a, b)) })
	return keys
}

var statusCommand = &command{
	name:    "status",
	usage:   "status [--json]",
	summary: "show what the awsxc daemon holds: profiles, expiry, servers",
	doc: `Show, through the awsxc daemon (the tray, or awsxc-cli daemon), each profile it
holds credentials for: kind, masked key id, expiry, whether it renews them on its
own, and which of its servers serve it; then its servers. Without a daemon it
says so (exit 0).
`,
	new: func() runner { return &statusCmd{} },
}

type statusCmd struct{ json bool }

func (s *statusCmd) flags() []flagSpec {
	return []flagSpec{boolFlag("json", "print the status as JSON", &s.json)}
}

func (s *statusCmd) run(ctx context.Context, c *cli, p parsed) error {
	if len(p.args) > 0 {
		return usagef("status takes no arguments")
	}
	var st *daemon.StatusResponse
	err := errors.New("the daemon's endpoint cannot be named")
	if client := c.daemonClient(); client != nil {
		st, err = client.Status(ctx)
	}
	if err != nil {
		why := "no awsxc daemon is running (awsxc-cli daemon, or the awsxc tray, starts one)"
		if !errors.Is(err, localsock.ErrNoDaemon) {
			why = "no usable awsxc daemon: " + strings.TrimPrefix(err.Error(), daemon.ErrFallback.Error()+": ")
		}
		c.log.Debug("status", "err", err)
		if s.json {
			return writeJSONLine(c.stdout, struct {
				Running bool   `json:"running"`
				Reason  string `json:"reason"`
			}{false, why})
		}
		_, err := fmt.Fprintln(c.stdout, why)
		return err
	}
	if s.json {
		return writeJSONLine(c.stdout, struct {
			Running bool `json:"running"`
			*daemon.StatusResponse
		}{true, st})
	}
	_, err = io.WriteString(c.stdout, statusText(st, c.env.Now()))
	return err
}

func writeJSONLine(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// statusText is the status for people.
func statusText(st *daemon.StatusResponse, now time.Time) string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "daemon\t%s %s (pid %d)\n", st.FrontEnd, st.Version, st.PID)
	if st.Settings != "" {
		line := st.Settings
		if st.SettingsError != "" {
			line += " (error: " + st.SettingsError + ")"
		}
		fmt.Fprintf(tw, "settings\t%s\n", line)
	}
	if st.AuditError != "" { // review 3, L3
		fmt.Fprintf(tw, "audit\terror: %s\n", st.AuditError)
	}
	if st.Active != "" {
		line := st.Active
		if st.ActiveError != "" {
			line += " (cannot be served: " + st.ActiveError + ")"
		}
		fmt.Fprintf(tw, "active\t%s\n", line)
	}
	for _, s := range st.Servers {
		label, profile := "server", "profile "+s.Profile
		if s.Kind == daemon.KindConsumer {
			label = "consumer"
		}
		if s.FollowsActive {
			profile = "follows active: " + cmp.Or(s.Profile, "none")
		}
		switch {
		case s.Running && s.Kind == daemon.KindConsumer:
			fmt.Fprintf(tw, "%s\t%s on %s (%s)\n", label, s.Name, s.URL, profile)
		case s.Running && s.Kind == daemon.KindECS && !s.FollowsActive:
			fmt.Fprintf(tw, "%s\t%s %s (consumers only)\n", label, s.Name, s.URL)
		case s.Running && s.Reach != "":
			fmt.Fprintf(tw, "%s\t%s %s (%s; also reachable on %s)\n", label, s.Name, s.URL, profile, s.Reach)
		case s.Running:
			fmt.Fprintf(tw, "%s\t%s %s (%s)\n", label, s.Name, s.URL, profile)
		default:
			fmt.Fprintf(tw, "%s\t%s %s not running: %s\n", label, s.Name, s.Addr, s.Error)
		}
	}
	tw.Flush()
	b.WriteString("\n")
	if len(st.Profiles) == 0 {
		b.WriteString("no profiles held yet\n")
		return b.String()
	}
	tw = tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PROFILE\tKIND\tKEY\tEXPIRES\tRENEWS\tSERVED BY")
	for _, p := range st.Profiles {
		key, exp := p.Key, "-"
		if key == "" {
			key = "-"
		}
		if t, err := time.Parse(time.RFC3339, p.Expiration); err == nil {
			exp = p.Expiration + " (" + untilText(t.Sub(now)) + ")"
		}
		if p.Error != "" && !p.Valid {
			exp = "failing: " + p.Error
		}
		renews := "yes"
		if !p.Renews {
			renews = "no (MFA)"
		}
		served := strings.Join(p.Servers, ", ")
		if served == "" {
			served = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", p.Profile, p.Kind, key, exp, renews, served)
	}
	tw.Flush()
	return b.String()
}
