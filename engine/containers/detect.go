package containers

import (
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/awsxc/awsxc/internal/lazyre"
)

// Kind names a container engine. The values are the names a user gives
// to choose one (see [ParseKind]).
type Kind string

// The engines awsxc knows. Unknown is the zero value: nothing said which
// engine this is, and no recipe is offered for it.
const (
	Unknown        Kind = ""
	DockerDesktop  Kind = "docker-desktop"  // Docker Desktop on macOS, Windows or Linux
	DockerEngine   Kind = "docker-engine"   // Docker Engine on Linux, rootful or rootless
	Podman         Kind = "podman"          // Podman: a machine (VM) or native on Linux
	Colima         Kind = "colima"          // Colima (a Lima VM running dockerd)
	Lima           Kind = "lima"            // Lima's docker template
	OrbStack       Kind = "orbstack"        // OrbStack
	RancherDesktop Kind = "rancher-desktop" // Rancher Desktop with the moby (dockerd) engine
	Remote         Kind = "remote"          // an engine on another machine (tcp://, ssh://)
)

// Kinds lists the engines a user can name, in the order to show them.
var Kinds = []Kind{DockerDesktop, DockerEngine, Podman, Colima, Lima, OrbStack, RancherDesktop}

// ParseKind returns the engine s names, one of [Kinds].
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds {
		if string(k) == s {
			return k, nil
		}
	}
	return Unknown, fmt.Errorf("unknown container engine %q", s)
}

// Engine is a detected (or named) container engine: what decides how its
// containers reach a server on this machine.
type Engine struct {
	Kind Kind
	// OS is the operating system the container CLI runs on, as Go's
	// GOOS names it: "darwin", "windows", "linux".
	OS string
	// Rootless: Docker Engine or Podman running without root. Their
	// containers live in a user namespace with a network of their own.
	Rootless bool
	// Machine: Podman's engine runs in a VM (podman machine), which is
	// always so on macOS and Windows.
	Machine bool
	// Instance names the Colima profile ("default" for the context
	// "colima") or the Lima instance.
	Instance string
	// Context and Endpoint are the docker CLI's current context, when
	// known.
	Context  string
	Endpoint string
	// Version is the engine's version, when it answered.
	Version string
	// Running is true when the engine answered; a stopped engine can
	// still be recognised from the CLI's context.
	Running bool
	// Gateway and Subnet are the docker bridge's IPv4 gateway and subnet,
	// for rootful Docker Engine on Linux, where a container reaches this
	// machine at the gateway (host-gateway). Zero when unknown.
	Gateway netip.Addr
	Subnet  netip.Prefix
	// Reason says what decided Kind, e.g. `docker info: Operating System
	// "Docker Desktop"`, or, for Unknown, what was missing.
	Reason string
}

// String names the engine for people: "Docker Desktop", "Docker Engine
// (rootless)", "Podman machine", "Colima (profile work)".
func (e Engine) String() string {
	var s string
	switch e.Kind {
	case DockerDesktop:
		s = "Docker Desktop"
	case DockerEngine:
		s = "Docker Engine"
	case Podman:
		s = "Podman"
		if e.Machine {
			s = "Podman machine"
		}
	case Colima:
		s = "Colima"
	case Lima:
		s = "Lima"
	case OrbStack:
		s = "OrbStack"
	case RancherDesktop:
		s = "Rancher Desktop"
	case Remote:
		s = "a remote engine"
	default:
		return "an unknown container engine"
	}
	switch {
	case e.Rootless:
		s += " (rootless)"
	case e.Kind == Colima && e.Instance != "" && e.Instance != "default":
		s += " (profile " + e.Instance + ")"
	case e.Kind == Lima && e.Instance != "":
		s += " (instance " + e.Instance + ")"
	}
	return s
}

// Inputs are what the container CLIs printed, for [Detect]. Each is the
// standard output of one command that exited 0, or nil when the command
// failed or was not run; [Probe] collects them.
type Inputs struct {
	// GOOS is the operating system the CLIs run on (runtime.GOOS).
	GOOS string
	// Context: docker context inspect (or docker context ls).
	Context []byte
	// Info: docker info --format '{{json .}}'.
	Info []byte
	// Version: docker version --format '{{json .}}'.
	Version []byte
	// Podman: podman info --format json.
	Podman []byte
	// Bridge: docker network inspect bridge.
	Bridge []byte
}

// Detect decides which engine the CLIs' outputs describe. The rules are
// ordered and the first match wins; what the engine itself says (docker
// info, docker version, podman info) is read before the CLI's context,
// because a context's name can mislead: Rancher Desktop with
// administrative access and Podman behind podman-mac-helper both appear as
// the "default" context on /var/run/docker.sock. When the engine does not
// answer, the context's name and endpoint still identify Docker Desktop,
// OrbStack, Rancher Desktop, Colima, Lima, Podman and Docker Engine (not
// running). Nothing else is guessed: outputs that fit no rule give
// Unknown. Outputs that do not parse count as absent.
func Detect(in Inputs) Engine {
	var f facts
	f.goos = in.GOOS
	if in.Context != nil {
		f.ctx, f.hasCtx = parseOK(ParseContext(in.Context))
	}
	if in.Info != nil {
		f.info, _ = parseOK(ParseInfo(in.Info))
	}
	if in.Version != nil {
		f.ver, _ = parseOK(ParseVersion(in.Version))
	}
	if in.Podman != nil {
		f.pod, f.hasPod = parseOK(ParsePodmanInfo(in.Podman))
	}
	e := f.decide()
	if e.Kind == DockerEngine && !e.Rootless && e.OS == "linux" && in.Bridge != nil {
		if n, err := ParseNetwork(in.Bridge); err == nil {
			e.Gateway, e.Subnet = n.Gateway, n.Subnet
		}
	}
	return e
}

// Named returns the engine k, as a user named it, with what the outputs
// say about it (rootless, machine, bridge gateway, ...) where they
// describe that engine, and Reason saying it was named. Where they do not,
// the details keep their zero values (rootful, no machine) except that
// Podman is a machine on macOS and Windows; a front end that knows better
// (a Podman user without root) sets them.
func Named(k Kind, in Inputs) Engine {
	d := Detect(in)
	if d.Kind == k {
		d.Reason = "named; " + d.Reason
		return d
	}
	e := Engine{Kind: k, OS: in.GOOS, Reason: "named"}
	switch k {
	case Podman:
		e.Machine = in.GOOS != "linux"
	case DockerEngine:
		if n, err := ParseNetwork(in.Bridge); err == nil && in.GOOS == "linux" {
			e.Gateway, e.Subnet = n.Gateway, n.Subnet
		}
	}
	return e
}

func parseOK[T any](v T, err error) (T, bool) {
	if err != nil {
		var zero T
		return zero, false
	}
	return v, true
}

// facts are the parsed inputs.
type facts struct {
	goos   string
	ctx    Context
	hasCtx bool
	info   Info
	ver    Version
	pod    PodmanInfo
	hasPod bool
}

// contextName is the current context's name from whichever output said it.
func (f *facts) contextName() string {
	switch {
	case f.hasCtx:
		return f.ctx.Name
	case f.info.Context != "":
		return f.info.Context
	}
	return f.ver.Context
}

func (f *facts) decide() Engine {
	e := Engine{OS: f.goos, Context: f.contextName(), Endpoint: f.ctx.Endpoint}
	docker := f.info.Answered || f.ver.Answered
	e.Running = docker
	e.Version = firstOf(f.info.ServerVersion, f.ver.Server)
	if e.Kind, e.Reason = f.byServer(); e.Kind != Unknown {
		f.fill(&e)
		return e
	}
	if !docker && f.hasPod {
		e.Kind, e.Reason, e.Running, e.Version = Podman, "podman info", true, f.pod.Version
		f.fill(&e)
		return e
	}
	if e.Kind, e.Reason = f.byContext(e.Context, e.Endpoint); e.Kind != Unknown {
		f.fill(&e)
		return e
	}
	switch {
	case docker:
		e.Reason = "the engine answered, but nothing it said names a known engine"
	case e.Context != "":
		e.Reason = fmt.Sprintf("the engine did not answer, and the docker context %q names no known engine", e.Context)
	default:
		e.Reason = "no container engine answered"
	}
	return e
}

// byServer applies the rules to what the engine said about itself.
func (f *facts) byServer() (Kind, string) {
	in, v := f.info, f.ver
	for _, c := range v.Components {
		if c == "Podman Engine" {
			return Podman, `docker version: server component "Podman Engine"`
		}
	}
	if strings.Contains(strings.ToLower(v.Platform), "podman") {
		return Podman, fmt.Sprintf("docker version: server platform %q", v.Platform)
	}
	switch {
	case strings.HasPrefix(in.OperatingSystem, "Docker Desktop"):
		return DockerDesktop, fmt.Sprintf("docker info: Operating System %q", in.OperatingSystem)
	case in.Name == "docker-desktop":
		return DockerDesktop, `docker info: Name "docker-desktop"`
	case hasPrefix(in.Labels, "com.docker.desktop.address="):
		return DockerDesktop, "docker info: label com.docker.desktop.address"
	case strings.HasPrefix(v.Platform, "Docker Desktop"):
		return DockerDesktop, fmt.Sprintf("docker version: server platform %q", v.Platform)
	case strings.HasPrefix(in.OperatingSystem, "OrbStack"):
		return OrbStack, fmt.Sprintf("docker info: Operating System %q", in.OperatingSystem)
	case strings.Contains(strings.ToLower(in.Name), "orbstack"):
		return OrbStack, fmt.Sprintf("docker info: Name %q", in.Name)
	case strings.HasPrefix(in.OperatingSystem, "Rancher Desktop"):
		return RancherDesktop, fmt.Sprintf("docker info: Operating System %q", in.OperatingSystem)
	case strings.Contains(in.Name, "rancher-desktop"):
		// Before Lima: Rancher Desktop's VM is the Lima instance
		// "rancher-desktop", so its name is lima-rancher-desktop.
		return RancherDesktop, fmt.Sprintf("docker info: Name %q", in.Name)
	case strings.HasPrefix(in.Name, "colima"):
		return Colima, fmt.Sprintf("docker info: Name %q", in.Name)
	case strings.HasPrefix(in.Name, "lima"):
		return Lima, fmt.Sprintf("docker info: Name %q", in.Name)
	}
	return Unknown, ""
}

var (
	// rootlessDocker is rootless dockerd's socket: $XDG_RUNTIME_DIR/docker.sock.
	rootlessDocker = lazyre.New(`^unix:///run/user/[0-9]+/docker\.sock$`)
	// podmanSocket is a Podman API socket: /run/podman/podman.sock
	// (rootful), /run/user/UID/podman/podman.sock (rootless),
	// $TMPDIR/podman/MACHINE-api.sock (podman machine on macOS).
	podmanSocket = lazyre.New(`^unix://.*/podman/[^/]+\.sock$`)
)

// byContext applies the rules to the CLI's current context: its name and
// endpoint.
func (f *facts) byContext(name, ep string) (Kind, string) {
	why := func(what string) string {
		if name == "" {
			return "docker endpoint " + ep
		}
		return fmt.Sprintf("docker context %q: %s", name, what)
	}
	lower := strings.ToLower(ep)
	switch {
	case podmanSocket().MatchString(ep) || strings.Contains(lower, "/pipe/podman-machine"):
		return Podman, why("endpoint " + ep)
	case name == "desktop-linux":
		return DockerDesktop, why("the name Docker Desktop gives its context")
	case strings.HasSuffix(ep, "/.docker/run/docker.sock") || strings.HasSuffix(ep, "/.docker/desktop/docker.sock") ||
		strings.HasSuffix(lower, "/pipe/dockerdesktoplinuxengine"):
		return DockerDesktop, why("endpoint " + ep)
	case name == "orbstack":
		return OrbStack, why("the name OrbStack gives its context")
	case strings.Contains(ep, "/.orbstack/"):
		return OrbStack, why("endpoint " + ep)
	case name == "rancher-desktop":
		return RancherDesktop, why("the name Rancher Desktop gives its context")
	case strings.HasSuffix(ep, "/.rd/docker.sock"):
		return RancherDesktop, why("endpoint " + ep)
	case name == "colima" || strings.HasPrefix(name, "colima-"):
		return Colima, why("the name Colima gives its contexts")
	case strings.Contains(ep, "/.colima/"):
		return Colima, why("endpoint " + ep)
	case strings.HasPrefix(name, "lima-"):
		return Lima, why("the name Lima's docker template gives its contexts")
	case strings.Contains(ep, "/.lima/"):
		return Lima, why("endpoint " + ep)
	case f.goos == "linux" && (ep == "unix:///var/run/docker.sock" || ep == "unix:///run/docker.sock" || rootlessDocker().MatchString(ep)):
		return DockerEngine, why("endpoint " + ep)
	case isRemote(ep):
		return Remote, why("endpoint " + ep)
	}
	return Unknown, ""
}

// isRemote reports whether a docker endpoint is on another machine: a
// tcp://, ssh:// or http(s):// endpoint whose host is not loopback.
func isRemote(ep string) bool {
	scheme, rest, ok := strings.Cut(ep, "://")
	if !ok {
		return false
	}
	switch scheme {
	case "tcp", "ssh", "http", "https":
	default:
		return false
	}
	host := rest
	if i := strings.IndexAny(host, "/?#"); i >= 0 {
		host = host[:i]
	}
	if i := strings.LastIndexByte(host, '@'); i >= 0 {
		host = host[i+1:]
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if host == "" || strings.EqualFold(host, "localhost") {
		return false
	}
	if a, err := netip.ParseAddr(host); err == nil && a.IsLoopback() {
		return false
	}
	return true
}

// fill adds what the kind's own facts say: rootless, machine, instance.
func (f *facts) fill(e *Engine) {
	switch e.Kind {
	case DockerEngine:
		e.Rootless = hasPrefix(f.info.SecurityOptions, "name=rootless") || rootlessDocker().MatchString(e.Endpoint)
	case Podman:
		e.Machine = e.OS != "linux" || (f.hasPod && f.pod.Remote)
		switch {
		case f.hasPod:
			e.Rootless = f.pod.Rootless
		case f.info.Answered:
			e.Rootless = hasPrefix(f.info.SecurityOptions, "name=rootless")
		default:
			e.Rootless = strings.HasPrefix(e.Endpoint, "unix:///run/user/")
		}
		if e.Version == "" && f.hasPod {
			e.Version = f.pod.Version
		}
	case Colima:
		e.Instance = colimaProfile(e.Context, f.info.Name, e.Endpoint)
	case Lima:
		e.Instance = limaInstance(e.Context, f.info.Name, e.Endpoint)
	}
}

// colimaProfile names the Colima profile: the context is "colima" for the
// default profile and "colima-NAME" for the others; the VM's host name is
// the same; the socket is ~/.colima/NAME/docker.sock (~/.colima/docker.sock
// before Colima 0.4).
func colimaProfile(ctx, host, ep string) string {
	for _, n := range []string{ctx, host} {
		if n == "colima" {
			return "default"
		}
		if p, ok := strings.CutPrefix(n, "colima-"); ok && p != "" {
			return p
		}
	}
	if _, rest, ok := strings.Cut(ep, "/.colima/"); ok {
		if p, ok := strings.CutSuffix(rest, "/docker.sock"); ok && p != "" && !strings.Contains(p, "/") {
			return p
		}
		return "default"
	}
	return ""
}

// limaInstance names the Lima instance: the context is "lima-NAME" and the
// socket ~/.lima/NAME/sock/docker.sock.
func limaInstance(ctx, host, ep string) string {
	for _, n := range []string{ctx, host} {
		if p, ok := strings.CutPrefix(n, "lima-"); ok && p != "" {
			return p
		}
	}
	if _, rest, ok := strings.Cut(ep, "/.lima/"); ok {
		if p, _, ok := strings.Cut(rest, "/"); ok {
			return p
		}
	}
	return ""
}

func hasPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

func firstOf(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
