package main

// awsxc-cli serve: any number of pinned servers from one process. Each
// IMDS server serves one profile on its port; the one ECS listener has
// consumers, each with a token of its own (written to DIR/NAME.token)
// that reads one profile. The start-up text on standard error says, for
// each server and consumer, what a client on this machine and a container
// need; standard output stays empty.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/engine/activity"
	"github.com/awsxc/awsxc/engine/containers"
	"github.com/awsxc/awsxc/engine/server"
	"github.com/awsxc/awsxc/internal/fsutil"
	"github.com/awsxc/awsxc/internal/rundir"
)

var serveCommand = &command{
	name:    "serve",
	usage:   "serve [--imds PORT=PROFILE]... [--ecs PORT]",
	summary: "serve several profiles at once, each server or consumer pinned to one",
	doc: `Serve credentials to programs and containers, each server pinned to one
profile: an EC2 IMDSv2 server per --imds (one profile per port, since IMDS
cannot choose), and one ECS container-credentials listener (--ecs) whose
consumers (--ecs-consumer) each get a token of their own that reads only
their profile, on / and on the EKS Pod Identity path /v1/credentials. Tokens
are written to DIR/NAME.token (0600, no final newline) and handed to
containers as files, never on a command line. Serves until SIGINT/SIGTERM.

Under a running awsxc daemon (the tray, or awsxc-cli daemon) the servers are
added to the daemon instead: the IMDS servers as its own, the consumers on its
ECS listener (at its address; --ecs names no other port), their tokens in its
token folder. serve prints the same settings and stays until SIGINT/SIGTERM,
then removes them (a consumer's token stops working at once); with --keep they
stay in the daemon, saved in its settings across restarts, and serve exits at
once (awsxc-cli revoke NAME and the tray remove them). --no-daemon serves from
this process. PROFILE @active (follow the active profile) needs the daemon.
`,
	new: func() runner { return &serveCmd{} },
}

// activeProfile is the PROFILE that follows the active profile.
const activeProfile = "@active"

type serveCmd struct {
	imds        []imdsSpec
	ecs         string
	consumers   []consumerSpec
	tokenDir    string
	allowHosts  []string
	bridge      string // --docker-bridge ADDR or "auto"
	allowRemote bool   // --allow-remote
	auditLog    string
	activity    bool
	imdsV1      bool
	noDaemon    bool
	keep        bool // --keep
}

// imdsSpec is one --imds [HOST:]PORT=PROFILE.
type imdsSpec struct{ addr, profile string }

// consumerSpec is one --ecs-consumer NAME=PROFILE.
type consumerSpec struct{ name, profile string }

func (s *serveCmd) flags() []flagSpec {
	return []flagSpec{
		{name: "imds", arg: "[HOST:]PORT=PROFILE", help: "serve PROFILE as EC2 instance metadata on PORT (repeatable; a bare port binds 127.0.0.1)",
			set: func(v string) error {
				addr, profile, err := parsePinnedIMDS(v)
				if err != nil {
					return usagef("argument --imds: %v", err)
				}
				s.imds = append(s.imds, imdsSpec{addr, profile})
				return nil
			}},
		{name: "ecs", arg: "[HOST:]PORT", help: "the ECS container credentials listener for the consumers",
			set: func(v string) error {
				if s.ecs != "" {
					return usagef("argument --ecs given twice (one listener serves every consumer)")
				}
				addr, err := server.ParseAddr(v)
				if err != nil {
					return usagef("argument --ecs: %v", err)
				}
				s.ecs = addr
				return nil
			}},
		{name: "ecs-consumer", arg: "NAME=PROFILE", help: "a consumer of the ECS listener whose own token reads PROFILE (repeatable)",
			set: func(v string) error {
				name, profile, err := parseConsumer(v)
				if err != nil {
					return usagef("argument --ecs-consumer: %v", err)
				}
				s.consumers = append(s.consumers, consumerSpec{name, profile})
				return nil
			}},
		stringFlag("token-dir", "DIR", "where each consumer's token goes, as DIR/NAME.token (default: serve-tokens in awsxc's run-time folder, not the daemon's); a valid token kept there for the same profile is kept", &s.tokenDir),
		{name: "allow-host", arg: "HOST", help: "also accept this Host header (repeatable); container engines' names are accepted already",
			set: func(v string) error { s.allowHosts = append(s.allowHosts, v); return nil }},
		stringFlag("docker-bridge", "ADDR", "also listen on the docker bridge's gateway ADDR, or auto to ask docker (Docker Engine on Linux)", &s.bridge),
		boolFlag("allow-remote", "let --imds and --ecs listen beyond loopback (0.0.0.0, a LAN address): whoever reaches them can read the credentials", &s.allowRemote),
		boolFlag("imds-v1", "let the IMDS servers answer reads without a session token (IMDSv1)", &s.imdsV1),
		stringFlag("audit-log", "PATH", "append a JSON line for every credentials request to PATH (0600)", &s.auditLog),
		boolFlag("activity", "print a line on stderr for every credentials request", &s.activity),
		boolFlag("no-daemon", "serve from this process even when the awsxc daemon runs", &s.noDaemon),
		boolFlag("keep", "under the awsxc daemon, keep the servers there (saved in its settings) and exit at once", &s.keep),
	}
}

// parsePinnedIMDS reads [HOST:]PORT=PROFILE. The profile is everything
// after the first "=" that follows the address (profile names may hold
// "="; addresses never do).
func parsePinnedIMDS(v string) (addr, profile string, err error) {
	a, p, ok := strings.Cut(v, "=")
	if !ok {
		return "", "", fmt.Errorf("want [HOST:]PORT=PROFILE, got %q", v)
	}
	if addr, err = server.ParseAddr(a); err != nil {
		return "", "", err
	}
	if err := checkPinnedProfile(p); err != nil {
		return "", "", err
	}
	return addr, p, nil
}

// parseConsumer reads NAME=PROFILE.
func parseConsumer(v string) (name, profile string, err error) {
	n, p, ok := strings.Cut(v, "=")
	if !ok {
		return "", "", fmt.Errorf("want NAME=PROFILE, got %q", v)
	}
	if err := server.ValidConsumerName(n); err != nil {
		return "", "", err
	}
	if err := checkPinnedProfile(p); err != nil {
		return "", "", err
	}
	return n, p, nil
}

func checkPinnedProfile(p string) error {
	if p == activeProfile {
		return nil
	}
	if p == "" {
		return errors.New("empty profile name")
	}
	if err := engine.ValidateProfileName(p); err != nil {
		return err
	}
	return nil
}

// check rejects what cannot work before anything is resolved.
func (s *serveCmd) check(p parsed) error {
	if len(p.args) > 0 {
		return usagef("serve takes no arguments (use --imds PORT=PROFILE or --ecs-consumer NAME=PROFILE)")
	}
	switch {
	case s.ecs == "" && len(s.consumers) > 0 && s.noDaemon:
		return usagef("--ecs-consumer needs --ecs [HOST:]PORT")
	case len(s.imds) == 0 && s.ecs == "" && len(s.consumers) == 0:
		return usagef("nothing to serve: give --imds [HOST:]PORT=PROFILE or --ecs [HOST:]PORT with --ecs-consumer NAME=PROFILE")
	case s.ecs != "" && len(s.consumers) == 0:
		return usagef("--ecs needs at least one --ecs-consumer NAME=PROFILE")
	case s.tokenDir != "" && s.ecs == "":
		return usagef("--token-dir only applies to --ecs")
	case s.imdsV1 && len(s.imds) == 0:
		return usagef("--imds-v1 only applies to --imds")
	}
	ports := map[string]string{}
	for _, m := range append(slices.Clone(s.imds), imdsSpec{addr: s.ecs}) {
		if m.addr == "" {
			continue
		}
		_, port, _ := net.SplitHostPort(m.addr)
		if port == "0" {
			continue
		}
		if prev, ok := ports[port]; ok {
			return usagef("port %s is given twice (%s and %s): one profile per port", port, prev, m.addr)
		}
		ports[port] = m.addr
	}
	names := map[string]bool{}
	for _, c := range s.consumers {
		if names[c.name] {
			return usagef("consumer %q is given twice", c.name)
		}
		names[c.name] = true
	}
	if s.bridge != "" && s.bridge != "auto" {
		a, err := netip.ParseAddr(s.bridge)
		if err != nil || !a.Is4() {
			return usagef("argument --docker-bridge: want the bridge's IPv4 gateway address or auto, got %q", s.bridge)
		}
		// Not 0.0.0.0, not the LAN's address (review 2, H1).
		var be *server.BridgeError
		if err := server.CheckBridge(a); errors.As(err, &be) && !s.allowRemote {
			return usagef("argument --docker-bridge: %s (want a container bridge's own address, as docker0's 172.17.0.1, or auto); add --allow-remote to listen there anyway", be.Reason)
		}
	}
	// Beyond loopback only when asked (--docker-bridge asks for the
	// bridge alone).
	for _, m := range s.imds {
		if err := server.CheckAddr(m.addr, s.allowRemote); err != nil {
			return usagef("argument --imds: %v; add --allow-remote to allow it", err)
		}
	}
	if s.ecs != "" {
		if err := server.CheckAddr(s.ecs, s.allowRemote); err != nil {
			return usagef("argument --ecs: %v; add --allow-remote to allow it", err)
		}
	}
	// Under a running daemon serve hands these servers to it (see
	// serveDaemon), unless --no-daemon; @active needs it.
	if s.uses(activeProfile) && s.noDaemon {
		return usagef("profile %s follows the active profile and needs the awsxc daemon; name a profile with --no-daemon", activeProfile)
	}
	if s.keep && s.noDaemon {
		return usagef("--keep adds the servers to the awsxc daemon; it does not go with --no-daemon")
	}
	return nil
}

// uses reports whether profile is served by any server or consumer.
func (s *serveCmd) uses(profile string) bool {
	for _, m := range s.imds {
		if m.profile == profile {
			return true
		}
	}
	for _, c := range s.consumers {
		if c.profile == profile {
			return true
		}
	}
	return false
}

// profiles lists the profiles served, each once, in the order given.
func (s *serveCmd) profiles() []string {
	var out []string
	for _, m := range s.imds {
		if !slices.Contains(out, m.profile) {
			out = append(out, m.profile)
		}
	}
	for _, c := range s.consumers {
		if !slices.Contains(out, c.profile) {
			out = append(out, c.profile)
		}
	}
	return out
}

func (s *serveCmd) run(ctx context.Context, c *cli, _ parsed) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if handled, err := c.serveDaemon(ctx, s); handled {
		return err
	}
	if s.uses(activeProfile) {
		return usagef("profile %s follows the tray's active profile and needs the awsxc daemon, which is not running; name a profile", activeProfile)
	}
	if s.keep {
		return usagef("--keep adds the servers to the awsxc daemon, which is not running")
	}
	if s.ecs == "" && len(s.consumers) > 0 {
		return usagef("--ecs-consumer needs --ecs [HOST:]PORT (the awsxc daemon, which has a listener of its own, is not running)")
	}
	return c.servePinned(ctx, s)
}

// servePinned resolves every profile once (an MFA code is asked for
// here, never later), starts the servers, writes the token files, prints
// the settings and serves until ctx is done.
func (c *cli) servePinned(ctx context.Context, s *serveCmd) error {
	tokenDir := s.tokenDir
	if s.ecs != "" {
		var err error
		if tokenDir, err = c.serveTokenDir(tokenDir); err != nil {
			return err
		}
	}
	var extra []string
	if s.bridge != "" {
		gw, err := c.bridgeGateway(ctx, s.bridge)
		if err != nil {
			return err
		}
		extra = []string{net.JoinHostPort(gw.String(), "0")}
	}

	audit := s.auditLog
	if audit != "" {
		var err error
		if audit, err = c.env.ExpandPath(audit); err != nil {
			return fmt.Errorf("--audit-log: %w", err)
		}
	}
	log, err := activity.New(activity.Options{AuditFile: audit})
	if err != nil {
		return err
	}
	defer log.Close()
	if s.activity {
		sub := log.Subscribe(64)
		defer sub.Close()
		go func() {
			for r := range sub.C() {
				fmt.Fprintf(c.stderr, "awsxc-cli: fetch: %s\n", r)
			}
		}()
	}

	report := newServeReporter(c.stderr)
	reg := engine.NewRegistry(ctx, engine.RegistryOptions{
		Source: engine.SourceOptions{Env: c.env, Logger: c.log},
		MFA:    func(profile string) engine.TokenProvider { return c.mfaProvider("", profile) },
		// Refresh failures and recoveries, one line each, once serving.
		OnChange: report.change,
	})
	defer reg.Close()
	srcs := map[string]*engine.Source{}
	for _, p := range s.profiles() {
		src, release, err := reg.Acquire(ctx, p)
		if err != nil {
			return err
		}
		defer release()
		if err := src.Refresh(ctx); err != nil {
			if ctx.Err() != nil {
				return nil // Ctrl-C at an MFA prompt
			}
			return err
		}
		srcs[p] = src
	}

	opts := func() server.Options {
		return server.Options{AllowHosts: s.allowHosts, ExtraAddrs: extra, AllowRemote: s.allowRemote,
			Logger: c.log, Clock: c.env.Clock, Hints: cliHints, Activity: log}
	}
	var want []server.Want
	named := map[string]int{}
	for _, m := range s.imds {
		o := opts()
		o.Addr = m.addr
		name := "imds-" + m.profile
		if named[m.profile]++; named[m.profile] > 1 {
			name += "-" + strconv.Itoa(named[m.profile])
		}
		want = append(want, server.Want{Name: name, Source: srcs[m.profile],
			IMDS: &server.IMDSOptions{Options: o, AllowV1: s.imdsV1}})
	}
	if s.ecs != "" {
		o := opts()
		o.Addr = s.ecs
		ecs := &server.ECSOptions{Options: o}
		for _, cs := range s.consumers {
			tok, err := keptToken(filepath.Join(tokenDir, cs.name+".token"), cs.profile)
			if err != nil {
				return err
			}
			ecs.Consumers = append(ecs.Consumers, server.Consumer{Name: cs.name, Token: tok, Source: srcs[cs.profile]})
		}
		want = append(want, server.Want{Name: "ecs", ECS: ecs})
	}
	servers := server.NewGroup(ctx)
	defer servers.Close()
	states := servers.Apply(want)
	for _, st := range states { // one error line, before any start-up text
		if st.Err != nil {
			return fmt.Errorf("%s: %w", st.Name, st.Err)
		}
	}
	for i, st := range states {
		switch {
		case st.IMDS != nil:
			m := s.imds[i]
			fmt.Fprintf(c.stderr, "awsxc-cli: serving profile %q as EC2 instance metadata at %s%s\n", m.profile, st.URL, alsoAt(st.Addrs))
			io.WriteString(c.stderr, st.IMDS.Settings().String())
		case st.ECS != nil:
			fmt.Fprintf(c.stderr, "awsxc-cli: container credentials listener at %s%s (EKS Pod Identity path %sv1/credentials)\n", st.URL, alsoAt(st.Addrs), st.URL)
			for j, cs := range st.Consumers {
				file := filepath.Join(tokenDir, cs.Name+".token")
				if err := server.WriteTokenFile(file, cs.Token); err != nil {
					return err
				}
				if err := fsutil.WriteFileAtomic(profileFile(file), []byte(s.consumers[j].profile), 0o600); err != nil {
					return fmt.Errorf("token file: %w", err)
				}
				fmt.Fprintf(c.stderr, "awsxc-cli: consumer %q reads profile %q; its token is in %s\n", cs.Name, s.consumers[j].profile, file)
				io.WriteString(c.stderr, st.ECS.Settings(server.SettingsOptions{Consumer: cs.Name, TokenFile: file}).String())
			}
		}
		// --docker-bridge's listener too (review 2, H1).
		if st.Reach.Remote {
			fmt.Fprintf(c.stderr, "awsxc-cli: warning: %s listens beyond this machine, on %s: anyone who can reach it can read the credentials\n", st.Name, st.Reach)
		}
	}
	fmt.Fprintln(c.stderr, "awsxc-cli: credentials are refreshed before they expire; Ctrl-C stops")
	report.live.Store(true)
	<-ctx.Done()
	fmt.Fprintln(c.stderr, "awsxc-cli: shutting down")
	if err := servers.Close(); err != nil {
		return err
	}
	return log.Close()
}

// alsoAt names the other addresses a server listens on.
func alsoAt(addrs []string) string {
	if len(addrs) < 2 {
		return ""
	}
	return " (and " + strings.Join(addrs[1:], ", ") + ")"
}

// serveTokenDir is the folder of serve's own token files: dir as given
// (expanded, absolute), by default the run-time folder's serve-tokens.
// The daemon's token folder (tokens) is the daemon's alone: a serve that
// kept its NAME.token would let one token read the daemon's profile and
// this serve's (review 3, M3), so it is refused.
func (c *cli) serveTokenDir(dir string) (string, error) {
	rd, rerr := rundir.RuntimeDir(c.getenv)
	daemonDir := ""
	if rerr == nil {
		daemonDir = filepath.Join(rd, "tokens")
	}
	if dir == "" {
		if rerr != nil {
			return "", rerr
		}
		dir = filepath.Join(rd, "serve-tokens")
	}
	var err error
	if dir, err = c.env.ExpandPath(dir); err != nil {
		return "", fmt.Errorf("--token-dir: %w", err)
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return "", fmt.Errorf("--token-dir: %w", err)
	}
	if daemonDir != "" && sameDir(dir, daemonDir) {
		return "", usagef("--token-dir: %s is the awsxc daemon's token folder; give a folder of this serve's own (the default is %s)", dir, filepath.Join(rd, "serve-tokens"))
	}
	// A folder another user can write would let them plant
	// NAME.token, or a link in its place (review 2, M8).
	if err := engine.PrivateDir(dir); err != nil {
		return "", usagef("--token-dir: %v", err)
	}
	return dir, nil
}

// sameDir reports whether a and b name one folder (links followed), or
// the same path when either does not exist yet.
func sameDir(a, b string) bool {
	if filepath.Clean(a) == filepath.Clean(b) {
		return true
	}
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}

// profileFile is where serve notes the profile a token file's token
// reads: NAME.token's NAME.profile.
func profileFile(tokenFile string) string {
	return strings.TrimSuffix(tokenFile, ".token") + ".profile"
}

// keptToken returns the token in path when it is a valid one that only
// this user can read and that was written for profile (its
// [profileFile] says so), so containers that mounted it keep working
// across restarts; otherwise "" (a new one is made). A token written for
// another profile is never kept: one token reads one profile (review 3,
// M3).
func keptToken(path, profile string) (string, error) {
	if b, err := os.ReadFile(profileFile(path)); err != nil || string(b) != profile {
		return "", nil
	}
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("token file: %w", err)
	case !fi.Mode().IsRegular() || fi.Mode().Perm()&0o077 != 0 || fi.Size() > server.MaxTokenLen:
		return "", nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("token file: %w", err)
	}
	if server.ValidToken(string(b)) != nil {
		return "", nil
	}
	return string(b), nil
}

// bridgeGateway is --docker-bridge's address: as given, or docker's
// bridge network's gateway.
func (c *cli) bridgeGateway(ctx context.Context, v string) (netip.Addr, error) {
	if v != "auto" {
		return netip.ParseAddr(v)
	}
	out, err := containers.CLI{Env: c.environ()}.Run(ctx, "docker", "network", "inspect", "bridge")
	if err != nil {
		return netip.Addr{}, fmt.Errorf("--docker-bridge auto: %w", err)
	}
	n, err := containers.ParseNetwork(out)
	if err != nil || !n.Gateway.IsValid() {
		return netip.Addr{}, fmt.Errorf("--docker-bridge auto: docker network inspect bridge names no gateway")
	}
	return n.Gateway, nil
}
