//go:build !darwin || cgo

package tray

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/engine/containers"
	"github.com/awsxc/awsxc/engine/server"
	"github.com/awsxc/awsxc/platform"
)

// engineTTL is how long a detected container engine is trusted: the
// docker CLI takes a moment (up to its timeout for a hung engine), and
// the engine seldom changes between two copies.
const engineTTL = 2 * time.Minute

// engineCache remembers the container engine last detected. Its lock is
// held while detecting, so that clicks in a row run the CLIs once.
type engineCache struct {
	mu  sync.Mutex // protects the fields below, and serialises detection
	at  time.Time  // when eng was detected; zero for never
	eng containers.Engine
	err error // what the CLIs' failures were, joined
}

// get returns the engine, detecting it with the docker and podman CLIs
// on PATH when the last detection is older than engineTTL. It may take
// seconds: call it off the loop.
func (c *engineCache) get(ctx context.Context) (containers.Engine, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.at.IsZero() && time.Since(c.at) < engineTTL {
		return c.eng, c.err
	}
	in, err := containers.Probe(ctx, containers.CLI{Env: os.Environ()}, runtime.GOOS)
	if ctx.Err() != nil {
		return containers.Engine{}, ctx.Err() // shutting down: keep nothing
	}
	c.eng, c.err, c.at = containers.Detect(in), err, time.Now()
	return c.eng, c.err
}

// ecsTokenFile is where the ECS server's token is kept for containers,
// which get it as a read-only file (a token in their environment would
// show in docker inspect).
func ecsTokenFile() string { return filepath.Join(platform.RuntimeDir(), "ecs-token") }

// dockerRecipe is what Copy settings for Docker does for one server.
type dockerRecipe struct {
	Text string // the docker run flags to copy; "" when none work
	// Summary and Body are for the notification: what is copied ("the
	// IMDS server settings for Docker Desktop") and what it depends on,
	// or why nothing is.
	Summary, Body string
}

// recipeFor words the recipe of engine eng for the server srv listening
// on addr (host:port) and on bridge (an address, at the same port; ""
// for none), named name ("IMDS server"), whose settings are under
// setting ("imds"). detectErr is why detection found no engine, if it
// did not.
func recipeFor(eng containers.Engine, detectErr error, srv containers.Server, addr, bridge, name, setting string) dockerRecipe {
	what := name + " settings for " + eng.String()
	if eng.Kind == containers.Unknown {
		body := "No container engine was recognised, so no settings can be chosen"
		if eng.Reason != "" {
			body += " (" + eng.Reason + ")"
		}
		if detectErr != nil {
			body += ": " + oneLine(detectErr.Error())
		}
		return dockerRecipe{Summary: "No Docker settings for the " + name, Body: body + "."}
	}
	r := eng.Recipe(srv)
	if !r.Usable() {
		body := eng.String() + ": " + r.Note
		if r.Instead == containers.IMDS {
			body += " (switch the IMDS server on and copy its settings)"
		}
		return dockerRecipe{Summary: "No Docker settings for the " + name, Body: body + "."}
	}
	if !listensFor(addr, r.Listen) && !listensFor(net.JoinHostPort(bridge, strconv.Itoa(int(r.Listen.Port()))), r.Listen) {
		// Docker Engine on Linux reaches this machine at the bridge
		// gateway only, where a loopback server does not listen.
		at := addr
		if bridge != "" {
			at += " and " + bridge
		}
		return dockerRecipe{
			Summary: "The " + name + " cannot be reached from " + eng.String() + " containers",
			Body: eng.String() + " containers reach this machine at " + r.Listen.Addr().String() + ", but the server listens on " + at +
				". To serve them, set " + setting + ".docker_bridge to " + r.Listen.Addr().String() + " in the settings: the server then also listens there (and " +
				r.Exposure + "). Then copy the settings again.",
		}
	}
	var body string
	if r.Note != "" {
		body = "Note: " + r.Note + "."
	}
	return dockerRecipe{Text: shellJoin(r.RunFlags()), Summary: "the " + what, Body: body}
}

// listensFor says a server listening on addr (host:port) is reached at
// want: the same address and port, or the same port on a wildcard bind.
func listensFor(addr string, want netip.AddrPort) bool {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port != strconv.Itoa(int(want.Port())) || host == "" {
		return false
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		// A name (localhost): loopback.
		return strings.EqualFold(host, "localhost") && want.Addr().IsLoopback()
	}
	return ip.IsUnspecified() || ip.Unmap() == want.Addr().Unmap()
}

// shellJoin joins args into one line a POSIX shell splits back into
// them.
func shellJoin(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = engine.ShellQuote(a)
	}
	return strings.Join(q, " ")
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// copyDocker copies the docker run flags that let a container of the
// engine on this machine reach a running server (IMDS, else ECS): the
// engine is detected from the docker and podman CLIs, off the loop. When
// no recipe works, or the server listens where the engine's containers
// cannot reach it, a notification says why and what to change, and
// nothing is copied.
func (a *app) copyDocker(imds bool) {
	var (
		srv           containers.Server
		addr, bridge  string
		name, setting string
		token         string
	)
	switch {
	case imds && a.imds != nil:
		srv = containers.Server{Protocol: containers.IMDS, Port: uint16(a.imds.Port())}
		addr, bridge, name, setting = a.state.IMDS.Addr, a.state.IMDS.Bridge, "IMDS server", "imds"
	case !imds && a.ecs != nil:
		srv = containers.Server{Protocol: containers.ECS, Port: uint16(a.ecs.Port()), TokenFile: ecsTokenFile()}
		addr, bridge, name, setting, token = a.state.ECS.Addr, a.state.ECS.Bridge, "ECS server", "ecs", a.ecs.Token()
	default:
		return
	}
	clearAfter := a.clearAfter()
	a.background(func() {
		eng, err := a.engines.get(a.ctx)
		if errors.Is(err, context.Canceled) {
			return
		}
		r := recipeFor(eng, err, srv, addr, bridge, name, setting)
		if r.Text != "" && token != "" {
			if err := server.WriteTokenFile(srv.TokenFile, token); err != nil {
				a.post(func() { a.notify("No Docker settings copied", err.Error()) })
				return
			}
		}
		if r.Text == "" {
			a.post(func() { a.notify(r.Summary, r.Body) })
			return
		}
		a.clipboard.putNote(a.ctx, r.Summary, r.Body, r.Text, clearAfter)
	})
}
