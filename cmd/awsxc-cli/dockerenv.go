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
	"net/netip"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/engine/containers"
	"github.com/awsxc/awsxc/engine/server"
	"github.com/awsxc/awsxc/internal/rundir"
)

var dockerEnvCommand = &command{
	name:    "docker-env",
	usage:   "docker-env [--profile PROFILE] [--engine ENGINE] [--compose]",
	summary: "print docker run flags or a Compose snippet that give a container a profile's credentials",
	doc: `Print the docker run flags, or with --compose a Compose file fragment, that
let a container of this machine's container engine fetch a profile's
credentials from an awsxc server, and (on stderr) the awsxc-cli serve
command that serves them there. The engine is detected from what the docker
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
	eng, err := c.detectEngine(ctx, d.engine)
	if err != nil {
		return err
	}
	port := d.port
	if port == 0 {
		port = defaultPort(name, d.ecs)
	}
	srv := containers.Server{Protocol: containers.IMDS, Port: uint16(port)}
	var serveCmd []string
	consumer := consumerName(name)
	if d.ecs {
		dir := d.tokenDir
		if dir == "" {
			rd, err := rundir.RuntimeDir(c.getenv)
			if err != nil {
				return err
			}
			dir = filepath.Join(rd, "tokens")
		}
		if dir, err = c.env.ExpandPath(dir); err != nil {
			return fmt.Errorf("--token-dir: %w", err)
		}
		if dir, err = filepath.Abs(dir); err != nil {
			return fmt.Errorf("--token-dir: %w", err)
		}
		// serve refuses a folder another user can write: say so now.
		if err := engine.PrivateDir(dir); err != nil {
			return usagef("--token-dir: %v", err)
		}
		srv = containers.Server{Protocol: containers.ECS, Port: uint16(port), TokenFile: filepath.Join(dir, consumer+".token")}
		serveCmd = []string{"--ecs", "127.0.0.1:" + strconv.Itoa(port), "--ecs-consumer", consumer + "=" + name, "--token-dir", dir}
	}
	r := eng.Recipe(srv)
	fmt.Fprintf(c.stderr, "awsxc-cli: container engine: %s (%s)\n", eng, eng.Reason)
	if !r.Usable() {
		msg := r.Note
		if r.Instead == containers.IMDS {
			msg += "; without --ecs the IMDS server works there"
		}
		if eng.Kind == containers.Unknown {
			msg += "; name the engine with --engine"
		}
		return errors.New(msg)
	}
	if !d.ecs {
		serveCmd = []string{"--imds", "127.0.0.1:" + strconv.Itoa(port) + "=" + name}
		if r.Listen.Addr() != loopbackAddr {
			serveCmd = append(serveCmd, "--docker-bridge", r.Listen.Addr().String())
		}
	}
	if r.Host != "" && r.Host != "127.0.0.1" && !slices.Contains(server.DefaultHosts(), r.Host) {
		serveCmd = append(serveCmd, "--allow-host", r.Host)
	}
	// The seam for the daemon: under a running daemon, docker-env will use
	// (or add) a pinned server there instead of asking for serve.
	fmt.Fprintf(c.stderr, "awsxc-cli: serve the credentials with: awsxc-cli serve %s\n", shellJoin(serveCmd))
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
