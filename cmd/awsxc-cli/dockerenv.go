package main

// awsxc-cli docker-env: the docker run flags, or a Compose snippet, that
// give a container of this machine's container engine a profile's
// credentials, with the awsxc-cli serve command that serves them. The
// flags (or the snippet) go to standard output, everything else to
// standard error.

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"net"
	"net/netip"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/engine/containers"
	"github.com/awsxc/awsxc/engine/daemon"
	"github.com/awsxc/awsxc/engine/server"
	"github.com/awsxc/awsxc/internal/localsock"
)

var dockerEnvCommand = &command{
	name:    "docker-env",
	usage:   "docker-env [--profile PROFILE] [--engine ENGINE] [--compose]",
	summary: "print docker run flags or a Compose snippet that give a container a profile's credentials",
	doc: `Print the docker run flags, or with --compose a Compose file fragment, that
let a container of this machine's container engine fetch a profile's
credentials from an awsxc server. Under a running awsxc daemon that server is
the daemon's: a pinned server (or with --ecs a consumer) of the profile it
has, or one it adds (saved in its settings; stderr says which). Without a
daemon, or where its loopback servers cannot serve the engine (Docker
Engine's bridge), stderr gives the awsxc-cli serve command to run. The engine is detected from what the docker
and podman CLIs say (never guessed); --engine names it instead: ` + strings.Join(kindNames(), ", ") + `.

IMDS (the default) works with every SDK in every engine that can reach this
machine; --ecs gives the ECS container endpoint with a token file instead,
which SDKs accept only on loopback (a container on the host's network).
`,
	new: func() runner { return &dockerEnvCmd{} },
}

func kindNames() []string {
	var names []string
	for _, k := range containers.Kinds {
		names = append(names, string(k))
	}
	return names
}

type dockerEnvCmd struct {
	profile  profileFlag
	engine   string
	compose  bool
	ecs      bool
	port     int
	service  string
	tokenDir string
}

func (d *dockerEnvCmd) flags() []flagSpec {
	return []flagSpec{
		d.profile.spec(),
		stringFlag("engine", "ENGINE", "the container engine, instead of detecting it: "+strings.Join(kindNames(), ", "), &d.engine),
		boolFlag("compose", "print a Compose file fragment instead of docker run flags", &d.compose),
		stringFlag("compose-service", "NAME", "with --compose, the service's name (default app)", &d.service),
		boolFlag("ecs", "use the ECS container endpoint with a token file instead of IMDS", &d.ecs),
		{name: "port", arg: "PORT", help: "the server's port (default: one derived from the profile's name)",
			set: func(v string) error {
				n, err := strconv.Atoi(v)
				if err != nil || n < 1 || n > 65535 {
					return usagef("argument --port: want a port from 1 to 65535, got %q", v)
				}
				d.port = n
				return nil
			}},
		stringFlag("token-dir", "DIR", "with --ecs, the folder of the token files (as awsxc-cli serve's)", &d.tokenDir),
	}
}

func (d *dockerEnvCmd) check(p parsed) error {
	switch {
	case len(p.args) > 0:
		return usagef("docker-env takes no arguments (use --profile)")
	case d.service != "" && !d.compose:
		return usagef("--compose-service only applies to --compose")
	case d.tokenDir != "" && !d.ecs:
		return usagef("--token-dir only applies to --ecs")
	case d.service != "" && strings.ContainsAny(d.service, "\r\n"):
		return usagef("argument --compose-service: a line break in the name")
	}
	if d.engine != "" {
		if _, err := containers.ParseKind(d.engine); err != nil {
			return usagef("argument --engine: %v (want one of %s)", err, strings.Join(kindNames(), ", "))
		}
	}
	return nil
}

// defaultPort is the port docker-env proposes for a profile: derived from
// its name, so the same profile gets the same port every time and two
// profiles rarely share one. IMDS in 47000-47999, ECS in 48000-48999.
func defaultPort(profile string, ecs bool) int {
	h := fnv.New32a()
	h.Write([]byte(profile))
	p := 47000 + int(h.Sum32()%1000)
	if ecs {
		p += 1000
	}
	return p
}

// consumerName is the consumer name docker-env uses for a profile.
func consumerName(profile string) string {
	b := []byte(profile)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			b[i] = '-'
		}
	}
	n := string(b)
	if strings.HasPrefix(n, ".") {
		n = "p" + n
	}
	if len(n) > 64 {
		n = n[:64]
	}
	return n
}

func (d *dockerEnvCmd) run(ctx context.Context, c *cli, _ parsed) error {
	name := d.profile.choose(c)
	if _, err := engine.Load(ctx, engine.Options{Env: c.env, Profile: name, Logger: c.log}); err != nil {
		return err
	}
	if d.tokenDir != "" { // one line, before anything else is said
		if _, err := c.serveTokenDir(d.tokenDir); err != nil {
			return err
		}
	}
	eng, err := c.detectEngine(ctx, d.engine)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stderr, "awsxc-cli: container engine: %s (%s)\n", eng, eng.Reason)
	// What the container needs, before a port is known: a recipe that
	// is not usable is not usable on any port.
	proto := containers.IMDS
	if d.ecs {
		proto = containers.ECS
	}
	if r := eng.Recipe(containers.Server{Protocol: proto, Port: 1, TokenFile: "token"}); !r.Usable() {
		msg := r.Note
		if r.Instead == containers.IMDS {
			msg += "; without --ecs the IMDS server works there"
		}
		if eng.Kind == containers.Unknown {
			msg += "; name the engine with --engine"
		}
		return errors.New(msg)
	}
	srv, handled, err := d.fromDaemon(ctx, c, eng, name)
	if err != nil {
		return err
	}
	if !handled {
		if srv, err = d.serveCommand(c, eng, name); err != nil {
			return err
		}
	}
	r := eng.Recipe(srv)
	if r.Exposure != "" {
		fmt.Fprintf(c.stderr, "awsxc-cli: note: %s\n", r.Exposure)
	}
	if r.Note != "" {
		fmt.Fprintf(c.stderr, "awsxc-cli: note: %s\n", r.Note)
	}
	if d.compose {
		_, err = fmt.Fprint(c.stdout, r.Compose(d.service))
		return err
	}
	_, err = fmt.Fprintln(c.stdout, shellJoin(r.RunFlags()))
	return err
}

// daemonOnly is why the daemon's servers cannot serve a recipe, "" when
// they can: they listen on loopback only and accept the engines' host
// names, no others (review 3, M5).
func daemonOnly(r containers.Recipe, tokenDir string) string {
	switch {
	case tokenDir != "":
		return "--token-dir names a folder of its own"
	case r.Listen.Addr() != loopbackAddr:
		return "the container reaches this machine at " + r.Listen.Addr().String() + ", where the daemon's servers do not listen"
	case r.Host != "" && r.Host != "127.0.0.1" && !slices.Contains(server.DefaultHosts(), r.Host):
		return "the container names this machine " + r.Host + ", which the daemon's servers do not accept"
	}
	return ""
}

// fromDaemon finds, under a running daemon, a pinned server of the
// daemon that serves profile to this engine's containers (an IMDS server,
// or with --ecs a consumer), or adds one, and says so on stderr (issue
// 14). handled is false when no daemon answers, or when its servers
// cannot serve this recipe (then serve --no-daemon is proposed).
func (d *dockerEnvCmd) fromDaemon(ctx context.Context, c *cli, eng containers.Engine, profile string) (srv containers.Server, handled bool, err error) {
	if c.daemonOff(&options{}) != "" {
		return srv, false, nil
	}
	client := c.daemonClient()
	if client == nil {
		return srv, false, nil
	}
	list, err := client.Servers(ctx)
	if err != nil {
		if !errors.Is(err, localsock.ErrNoDaemon) {
			c.log.Debug("the daemon did not answer; proposing awsxc-cli serve", "why", err)
		}
		return srv, false, nil
	}
	proto, kind := containers.IMDS, daemon.KindIMDS
	if d.ecs {
		proto, kind = containers.ECS, daemon.KindConsumer
	}
	if why := daemonOnly(eng.Recipe(containers.Server{Protocol: proto, Port: 1, TokenFile: "token"}), d.tokenDir); why != "" {
		fmt.Fprintf(c.stderr, "awsxc-cli: note: not using the awsxc daemon's servers: %s\n", why)
		return srv, false, nil
	}
	// One it has: pinned to the profile, on loopback, on --port if given.
	var found *daemon.ServerInfo
	for i := range list {
		s := &list[i]
		if s.Kind != kind || s.Builtin || s.FollowsActive || s.Profile != profile || !s.Running || s.Reach != "" || !onLoopback(s.Addr, d.port) {
			continue
		}
		if found == nil || d.ecs && s.Name == consumerName(profile) {
			found = s
		}
	}
	verb := "uses"
	if found == nil {
		spec := daemon.ServerSpec{Kind: kind, Profile: profile}
		if d.ecs {
			spec.Name = consumerName(profile)
			if d.port != 0 && !daemonECSAt(list, d.port) {
				return srv, true, usagef("--port %d: the awsxc daemon's ECS listener is not on that port; leave --port out to use it", d.port)
			}
		} else {
			spec.Addr = "127.0.0.1:" + strconv.Itoa(d.port) // 0: the daemon picks one, and saves it
		}
		info, warn, err := client.AddServer(ctx, spec)
		if err != nil {
			return srv, true, fmt.Errorf("the awsxc daemon did not add the server: %w", daemonError(err))
		}
		if warn != "" {
			fmt.Fprintf(c.stderr, "awsxc-cli: warning: %s (the server is gone when the daemon restarts)\n", warn)
		}
		if info.Error != "" {
			return srv, true, fmt.Errorf("the awsxc daemon added %s, but it is not running: %s", info.Name, info.Error)
		}
		found, verb = &info, "added"
	}
	_, p, _ := net.SplitHostPort(found.Addr)
	port, _ := strconv.Atoi(p)
	if d.ecs {
		fmt.Fprintf(c.stderr, "awsxc-cli: %s consumer %q of the awsxc daemon, which reads profile %q at %s; its token is in %s\n", verb, found.Name, profile, found.URL, found.TokenFile)
		return containers.Server{Protocol: containers.ECS, Port: uint16(port), TokenFile: found.TokenFile}, true, nil
	}
	fmt.Fprintf(c.stderr, "awsxc-cli: %s server %s of the awsxc daemon, which serves profile %q as EC2 instance metadata at %s\n", verb, found.Name, profile, found.URL)
	return containers.Server{Protocol: containers.IMDS, Port: uint16(port)}, true, nil
}

// onLoopback reports whether addr is on 127.0.0.1, and on port when it
// is not 0.
func onLoopback(addr string, port int) bool {
	h, p, err := net.SplitHostPort(addr)
	return err == nil && h == "127.0.0.1" && (port == 0 || p == strconv.Itoa(port))
}

// daemonECSAt reports whether the daemon's ECS listener is on port.
func daemonECSAt(list []daemon.ServerInfo, port int) bool {
	for _, s := range list {
		if s.Kind == daemon.KindECS {
			return onLoopback(s.Addr, port)
		}
	}
	return false
}

// serveCommand is the server docker-env proposes without a daemon, and
// the awsxc-cli serve command that runs it (on stderr).
func (d *dockerEnvCmd) serveCommand(c *cli, eng containers.Engine, name string) (containers.Server, error) {
	port := d.port
	if port == 0 {
		port = defaultPort(name, d.ecs)
	}
	srv := containers.Server{Protocol: containers.IMDS, Port: uint16(port)}
	var serveCmd []string
	if d.ecs {
		dir, err := c.serveTokenDir(d.tokenDir) // serve's own folder, as serve checks it
		if err != nil {
			return srv, err
		}
		consumer := consumerName(name)
		srv = containers.Server{Protocol: containers.ECS, Port: uint16(port), TokenFile: filepath.Join(dir, consumer+".token")}
		serveCmd = []string{"--ecs", "127.0.0.1:" + strconv.Itoa(port), "--ecs-consumer", consumer + "=" + name, "--token-dir", dir}
	}
	r := eng.Recipe(srv)
	if !d.ecs {
		serveCmd = []string{"--imds", "127.0.0.1:" + strconv.Itoa(port) + "=" + name}
		if r.Listen.Addr() != loopbackAddr {
			serveCmd = append(serveCmd, "--docker-bridge", r.Listen.Addr().String())
		}
	}
	if r.Host != "" && r.Host != "127.0.0.1" && !slices.Contains(server.DefaultHosts(), r.Host) {
		serveCmd = append(serveCmd, "--allow-host", r.Host)
	}
	// Under a running daemon serve would add the servers there, which
	// cannot serve this (daemonOnly).
	if c.daemonRunning() {
		serveCmd = append([]string{"--no-daemon"}, serveCmd...)
	}
	fmt.Fprintf(c.stderr, "awsxc-cli: serve the credentials with: awsxc-cli serve %s\n", shellJoin(serveCmd))
	return srv, nil
}

// daemonRunning reports whether a daemon answers (and is not turned
// off for this run).
func (c *cli) daemonRunning() bool {
	if c.daemonOff(&options{}) != "" {
		return false
	}
	client := c.daemonClient()
	if client == nil {
		return false
	}
	_, err := client.Status(context.Background())
	return err == nil
}

var loopbackAddr = netip.MustParseAddr("127.0.0.1")

// detectEngine detects this machine's container engine through the
// docker and podman CLIs, or takes the one named (with what the CLIs say
// about it, when they answer).
func (c *cli) detectEngine(ctx context.Context, named string) (containers.Engine, error) {
	runner := containers.CLI{Env: c.environ()}
	in, perr := containers.Probe(ctx, runner, runtime.GOOS)
	if named != "" {
		k, _ := containers.ParseKind(named)
		if k == containers.DockerEngine && in.Bridge == nil {
			in.Bridge, _ = runner.Run(ctx, "docker", "network", "inspect", "bridge")
		}
		return containers.Named(k, in), nil
	}
	eng := containers.Detect(in)
	if eng.Kind == containers.Unknown {
		why := eng.Reason
		if perr != nil {
			why = perr.Error()
		}
		return eng, fmt.Errorf("no container engine recognised (%s); name it with --engine %s", oneLine(why), strings.Join(kindNames(), "|"))
	}
	return eng, nil
}

// shellJoin quotes each word for a POSIX shell and joins them.
func shellJoin(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = engine.ShellQuote(w)
	}
	return strings.Join(q, " ")
}
