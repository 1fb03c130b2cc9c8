package containers

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
)

// Runner runs a container CLI command: the seam through which detection
// learns about the engine. [CLI] runs the real programs.
type Runner interface {
	// Run runs the program name with args and returns what it wrote to
	// standard output. A failure is a *[CommandError]; standard output
	// is returned with it, as some commands print a partial answer.
	Run(ctx context.Context, name string, args ...string) ([]byte, error)
}

// The ways a command fails that callers tell apart, each wrapped in a
// *[CommandError].
var (
	// ErrNotInstalled: the program is not on the PATH.
	ErrNotInstalled = errors.New("not installed")
	// ErrUnreachable: the CLI could not reach its engine (not running,
	// its socket or pipe missing, a refused connection).
	ErrUnreachable = errors.New("the engine did not answer")
	// ErrTimeout: the command did not finish in time and was stopped.
	ErrTimeout = errors.New("timed out")
)

// unreachable are the messages the CLIs print when they cannot reach the
// engine (recorded in testdata/samples):
var unreachable = []string{
	"Cannot connect to the Docker daemon", // docker up to 28: "… at unix:///var/run/docker.sock. Is the docker daemon running?"
	"failed to connect to the docker API", // docker 29: "… at <endpoint>; check if the path is correct and if the daemon is running: …"
	"error during connect",                // docker on Windows when the engine's named pipe is missing
	"Cannot connect to Podman",            // the remote podman CLI (macOS, Windows) when no machine answers
}

// CommandError is a failed container CLI command.
type CommandError struct {
	Command string // the program and its subcommand: "docker info", "podman info"
	Err     error  // ErrNotInstalled, ErrUnreachable, ErrTimeout, or the exec error ("exit status 1")
	Stderr  string // what the command wrote to standard error, trimmed
}

func (e *CommandError) Error() string {
	s := e.Command + ": " + e.Err.Error()
	if line, _, _ := strings.Cut(e.Stderr, "\n"); line != "" {
		s += ": " + strings.TrimSpace(line)
	}
	return s
}

func (e *CommandError) Unwrap() error { return e.Err }

// DefaultTimeout bounds each command when [CLI] has no Timeout: a
// stopped Docker Desktop or Podman machine answers at once, a hung one
// never does.
const DefaultTimeout = 10 * time.Second

// maxOutput caps what is kept of a command's output; docker info is a few
// KiB, a network inspect of a busy host some hundreds.
const maxOutput = 4 << 20

// CLI runs the docker and podman programs.
type CLI struct {
	// Env is the programs' whole environment; its PATH finds them, and
	// DOCKER_HOST, DOCKER_CONTEXT, DOCKER_CONFIG and CONTAINER_HOST in it
	// choose the engine they talk to, as in a shell. Nil runs nothing.
	Env []string
	// Timeout bounds each command; zero means DefaultTimeout.
	Timeout time.Duration
}

// Run runs name (found on Env's PATH) with args, standard input empty.
func (c CLI) Run(ctx context.Context, name string, args ...string) ([]byte, error) {
	cmdName := name
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			break
		}
		cmdName += " " + a
	}
	path, ok := lookPath(name, c.Env)
	if !ok {
		return nil, &CommandError{Command: name, Err: ErrNotInstalled}
	}
	tctx, cancel := context.WithTimeout(ctx, cmp.Or(c.Timeout, DefaultTimeout))
	defer cancel()
	cmd := exec.CommandContext(tctx, path, args...)
	cmd.Env = append([]string{}, c.Env...) // never nil: nil would pass on this process's environment
	// A program that leaves a child holding its output open must not
	// hold Run past the timeout.
	cmd.WaitDelay = time.Second
	var stdout, stderr capped
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	out := stdout.Bytes()
	if err == nil {
		return out, nil
	}
	ce := &CommandError{Command: cmdName, Err: err, Stderr: strings.TrimSpace(stderr.String())}
	switch {
	case ctx.Err() != nil:
		ce.Err = ctx.Err()
	case tctx.Err() != nil:
		ce.Err = fmt.Errorf("%w after %v", ErrTimeout, cmp.Or(c.Timeout, DefaultTimeout))
	default:
		for _, m := range unreachable {
			if strings.Contains(ce.Stderr, m) {
				ce.Err = ErrUnreachable
				break
			}
		}
	}
	return out, ce
}

// lookPath finds name the way a shell would with env's PATH (exec.LookPath
// reads this process's PATH instead). Empty entries, the current folder,
// are skipped.
func lookPath(name string, env []string) (string, bool) {
	if strings.ContainsAny(name, `/\`) {
		p, err := exec.LookPath(name)
		return p, err == nil
	}
	for _, dir := range filepath.SplitList(envPath(runtime.GOOS, env)) {
		if dir == "" || !filepath.IsAbs(dir) {
			continue
		}
		// With a separator in it, LookPath checks this one file (and
		// tries PATHEXT's extensions on Windows).
		if p, err := exec.LookPath(filepath.Join(dir, name)); err == nil {
			return p, true
		}
	}
	return "", false
}

// envPath is the value of PATH in env, the last one when it is there more
// than once, as os/exec takes it. Windows names are case-insensitive, and
// its environment spells it Path (as os/exec's dedupEnvCase knows).
func envPath(goos string, env []string) string {
	var path string
	for _, kv := range env {
		k, v, ok := strings.Cut(kv, "=")
		if ok && (k == "PATH" || (goos == "windows" && strings.EqualFold(k, "PATH"))) {
			path = v
		}
	}
	return path
}

// capped is a buffer that keeps the first maxOutput bytes.
type capped struct{ b bytes.Buffer }

func (c *capped) Write(p []byte) (int, error) {
	if room := maxOutput - c.b.Len(); room > 0 {
		c.b.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (c *capped) Bytes() []byte  { return c.b.Bytes() }
func (c *capped) String() string { return c.b.String() }

// Probe runs the commands [Detect] reads, through r: docker context
// inspect, docker info and docker version (at once); podman info when
// docker gave no answer or its engine is Podman; and docker network
// inspect bridge when the engine is rootful Docker Engine on Linux. Each
// command's output is kept only when it succeeded. The error joins the
// commands' failures (each a *[CommandError]: [ErrNotInstalled],
// [ErrUnreachable], [ErrTimeout], ...); detection can succeed without
// some of them, so the Inputs are always returned.
func Probe(ctx context.Context, r Runner, goos string) (Inputs, error) {
	in := Inputs{GOOS: goos}
	var errs []error
	var mu sync.Mutex // protects errs
	run := func(dst *[]byte, name string, args ...string) {
		out, err := r.Run(ctx, name, args...)
		if err != nil {
			mu.Lock()
			errs = append(errs, err)
			mu.Unlock()
			return
		}
		*dst = out
	}
	// -f is --format in both CLIs: {{json .}}, not json, which docker
	// before 23.0.6/24.0 prints as the word "json".
	var wg sync.WaitGroup
	wg.Go(func() { run(&in.Context, "docker", "context", "inspect") })
	wg.Go(func() { run(&in.Info, "docker", "info", "-f", "{{json .}}") })
	wg.Go(func() { run(&in.Version, "docker", "version", "-f", "{{json .}}") })
	wg.Wait()
	if in.Info == nil || Detect(Inputs{GOOS: goos, Version: in.Version}).Kind == Podman {
		run(&in.Podman, "podman", "info", "-f", "json")
	}
	if e := Detect(in); e.Kind == DockerEngine && !e.Rootless && goos == "linux" {
		run(&in.Bridge, "docker", "network", "inspect", "bridge")
	}
	return in, errors.Join(dedupe(errs)...)
}

// dedupe sorts the errors by message (the commands ran at once) and
// drops repeats: a missing docker fails three commands the same way.
func dedupe(errs []error) []error {
	slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
	var out []error
	seen := map[string]bool{}
	for _, err := range errs {
		if m := err.Error(); !seen[m] {
			seen[m] = true
			out = append(out, err)
		}
	}
	return out
}
