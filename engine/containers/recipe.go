package containers

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"strconv"
	"strings"

	"github.com/awsxc/awsxc/internal/lazyre"
)

// Protocol is a kind of awsxc credentials server.
type Protocol string

// The servers a container can use.
const (
	// IMDS is the EC2 instance metadata service (IMDSv2): every SDK takes
	// its address from AWS_EC2_METADATA_SERVICE_ENDPOINT, on any host,
	// and it has no token.
	IMDS Protocol = "imds"
	// ECS is the container-credentials endpoint (ECS, and EKS Pod
	// Identity on /v1/credentials): AWS_CONTAINER_CREDENTIALS_FULL_URI
	// with a token file. SDKs accept it over http only on loopback and on
	// 169.254.170.2 and 169.254.170.23.
	ECS Protocol = "ecs"
)

// Server describes the awsxc server a container is to use.
type Server struct {
	Protocol Protocol
	// Port is the port the server listens on.
	Port uint16
	// Path is the ECS credentials path: "/", "/v1/credentials" (the EKS
	// Pod Identity shape). Empty means "/".
	Path string
	// TokenFile is the host path of the ECS consumer's token file, which
	// the container gets read-only at [TokenTarget]. ECS needs one: a
	// token in the container's environment would show in command lines,
	// shell history and docker inspect.
	TokenFile string
}

// TokenTarget is where a container finds its ECS token file.
const TokenTarget = "/run/secrets/awsxc/token"

// The names containers use for this machine.
const (
	HostDocker     = "host.docker.internal"
	HostContainers = "host.containers.internal"
	HostLima       = "host.lima.internal"
)

// Mount is a file of this machine that a container gets read-only.
type Mount struct {
	Source string // the path on this machine
	Target string // the path in the container
}

// Recipe says how a container of one engine reaches one awsxc server.
// A recipe is usable when Env is set; otherwise Note says why none works
// and Instead names a server that would.
type Recipe struct {
	// Host is the name the container uses for this machine, for the
	// server's Host allowlist.
	Host string
	// Listen is where the server must listen: loopback, or the docker
	// bridge's gateway for rootful Docker Engine on Linux.
	Listen netip.AddrPort
	// Exposure says who else can connect there.
	Exposure string
	// Env are the container's NAME=value settings.
	Env []string
	// AddHosts are --add-host / extra_hosts entries, NAME:ADDRESS.
	AddHosts []string
	// Network is the network mode the container needs ("host",
	// "pasta:…"); empty for the engine's default.
	Network string
	// Mounts are files the container gets read-only (the token file).
	Mounts []Mount
	// Note is one line: a condition the recipe depends on, or why no
	// recipe works.
	Note string
	// Instead names a protocol that works on this engine when this one
	// does not; empty when none does, or when this recipe works.
	Instead Protocol
}

// Usable reports whether the recipe gives the container settings.
func (r Recipe) Usable() bool { return len(r.Env) > 0 }

var loopback = netip.MustParseAddr("127.0.0.1")

// Pasta's --map-host-loopback address for rootless Podman: 169.254.1.2 is
// taken by pasta's --map-guest-addr (Podman 5.3 and later), which leads
// to this machine's main interface rather than its loopback.
var pastaLoopback = netip.MustParseAddr("169.254.1.3")

// Rootless Docker's view of this machine's loopback (RootlessKit with
// slirp4netns or vpnkit), when host loopback is turned on.
var rootlessLoopback = netip.MustParseAddr("10.0.2.2")

// Recipe returns how a container of e reaches s. The container is on the
// engine's default network, unless the recipe says otherwise.
func (e Engine) Recipe(s Server) Recipe {
	if s.Protocol == ECS {
		return e.ecs(s)
	}
	return e.imds(s)
}

func (e Engine) imds(s Server) Recipe {
	r := Recipe{Listen: netip.AddrPortFrom(loopback, s.Port)}
	everyContainer := "programs on this machine and every container of this engine can fetch the credentials (IMDS has no token)"
	switch e.Kind {
	case DockerDesktop, OrbStack, Colima:
		// Their VMs hand container traffic for host.docker.internal to
		// this machine's loopback. No host-gateway: it is not needed, and
		// it has pointed elsewhere on OrbStack and Colima.
		r.Host, r.Exposure = HostDocker, everyContainer
	case RancherDesktop:
		// host-gateway is wrong here: it names the VM's bridge.
		r.Host, r.Exposure = HostDocker, everyContainer
		if e.OS == "windows" {
			r.Note = "Rancher Desktop on Windows may need a Windows Firewall rule for its WSL network, and its reach to a loopback-only server is not verified"
		}
	case Lima:
		r.Host, r.Exposure = HostLima, everyContainer
	case Podman:
		switch {
		case e.Machine:
			// gvproxy answers host.containers.internal and forwards it
			// to this machine's loopback.
			r.Host, r.Exposure = HostContainers, everyContainer
			if e.OS == "windows" {
				r.Note = "Podman machine on Windows is expected to reach this machine's loopback as on macOS; this is not verified"
			}
		case e.Rootless && e.major() > 0 && e.major() < 5:
			// Before Podman 5 rootless networking was slirp4netns, which
			// maps 10.0.2.2 to this machine's loopback when asked to, and
			// Podman then points host.containers.internal there.
			r.Host = HostContainers
			r.Network = "slirp4netns:allow_host_loopback=true"
			r.Exposure = "programs on this machine, and this container, which also reaches every other service on this machine's loopback"
		case e.Rootless:
			// Podman keeps this machine's loopback out of containers on
			// purpose (pasta maps host.containers.internal to the main
			// interface); pasta's --map-host-loopback lets one container in.
			r.Host = HostContainers
			r.Network = "pasta:--map-host-loopback," + pastaLoopback.String()
			r.AddHosts = []string{HostContainers + ":" + pastaLoopback.String()}
			r.Exposure = "programs on this machine, and this container, which also reaches every other service on this machine's loopback"
			r.Note = "needs pasta with --map-host-loopback (Podman 5.3 and later), on pasta's own network rather than a podman network"
		default:
			return Recipe{Note: "rootful Podman containers reach this machine at the podman network's gateway, whose address is not known here"}
		}
	case DockerEngine:
		if e.Rootless {
			r.Host = HostDocker
			r.AddHosts = []string{HostDocker + ":" + rootlessLoopback.String()}
			r.Exposure = "programs on this machine and every container of this engine, which then also reach every other service on this machine's loopback"
			r.Note = "works only when rootless dockerd lets containers reach this machine's loopback (DOCKERD_ROOTLESS_ROOTLESSKIT_DISABLE_HOST_LOOPBACK=false); with the gvisor-tap-vsock network driver the address is 10.0.2.1"
			break
		}
		if !e.Gateway.IsValid() {
			return Recipe{Note: "containers reach this machine at the docker bridge's gateway address, which is not known here (docker network inspect bridge shows it)"}
		}
		// host-gateway is the daemon's host-gateway-ip, by default the
		// docker0 address: the bridge's gateway.
		r.Host = HostDocker
		r.Listen = netip.AddrPortFrom(e.Gateway, s.Port)
		r.AddHosts = []string{HostDocker + ":host-gateway"}
		subnet := "the bridge subnet"
		if e.Subnet.IsValid() {
			subnet = e.Subnet.String()
		}
		r.Exposure = "every container on this machine's Docker networks can fetch the credentials (IMDS has no token), and so can any machine that routes " +
			subnet + " to this one, unless a firewall drops it"
	case Remote:
		return Recipe{Note: "the engine runs on another machine (" + e.Endpoint + "), whose containers cannot reach this machine's servers"}
	default:
		return Recipe{Note: "the container engine is not known, so no recipe can be chosen"}
	}
	r.Env = []string{"AWS_EC2_METADATA_SERVICE_ENDPOINT=http://" + r.Host + ":" + strconv.Itoa(int(s.Port)) + "/"}
	return r
}

// major is the engine version's major number, 0 when unknown.
func (e Engine) major() int {
	m, _, _ := strings.Cut(e.Version, ".")
	n, err := strconv.Atoi(m)
	if err != nil {
		return 0
	}
	return n
}

func (e Engine) ecs(s Server) Recipe {
	sdkRule := "SDKs accept a container-credentials endpoint over http only on loopback or 169.254.170.2/.23, and a container's loopback is its own"
	var r Recipe
	switch {
	case e.Kind == DockerEngine && !e.Rootless, e.Kind == OrbStack:
		// Host networking shares this machine's network (OrbStack's is
		// two-way), so 127.0.0.1 is this machine's loopback, the one
		// host every SDK accepts.
		r = Recipe{
			Host:     loopback.String(),
			Listen:   netip.AddrPortFrom(loopback, s.Port),
			Network:  "host",
			Exposure: "programs on this machine and this container, which shares this machine's network and so reaches every service on its loopback; others need the token",
		}
	case e.Kind == DockerDesktop:
		return Recipe{Note: sdkRule + ": use the IMDS server (or host networking, where Docker Desktop has it turned on)", Instead: IMDS}
	case e.Kind == Remote || e.Kind == Unknown:
		return Recipe{Note: e.imds(Server{Protocol: IMDS, Port: s.Port}).Note}
	default:
		r := Recipe{Note: sdkRule + ": use the IMDS server"}
		if e.imds(Server{Protocol: IMDS, Port: s.Port}).Usable() {
			r.Instead = IMDS
		}
		return r
	}
	if s.TokenFile == "" {
		return Recipe{Note: "a token file is needed: a token in the container's environment would show in command lines and docker inspect"}
	}
	path := s.Path
	if path == "" {
		path = "/"
	} else if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	r.Env = []string{
		"AWS_CONTAINER_CREDENTIALS_FULL_URI=http://" + r.Listen.String() + path,
		"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=" + TokenTarget,
	}
	r.Mounts = []Mount{{Source: s.TokenFile, Target: TokenTarget}}
	r.Note = "SDKs before EKS Pod Identity support (e.g. botocore 1.34.41, AWS CLI 2.15.0) ignore the token file"
	return r
}

// RunFlags returns the docker run (or podman run) arguments that apply
// the recipe: --network, --add-host, --mount for each mount, -e for each
// setting. Nil when the recipe is not usable. A mount is --mount
// type=bind,…,readonly, never -v SRC:DST:ro: given a missing SRC, -v
// makes Docker Engine create it as a root-owned folder, where the token
// file then cannot be written until it is removed as root; --mount
// refuses a missing source instead (review 2, L5).
func (r Recipe) RunFlags() []string {
	if !r.Usable() {
		return nil
	}
	var f []string
	if r.Network != "" {
		f = append(f, "--network="+r.Network)
	}
	for _, h := range r.AddHosts {
		f = append(f, "--add-host="+h)
	}
	for _, m := range r.Mounts {
		f = append(f, "--mount", "type=bind,"+mountField("src="+m.Source)+","+mountField("dst="+m.Target)+",readonly")
	}
	for _, kv := range r.Env {
		f = append(f, "-e", kv)
	}
	return f
}

// mountField quotes one key=value field of --mount as the engines read
// the option, a CSV record: in double quotes, its quotes doubled, when it
// holds a comma, a quote or a line break.
func mountField(kv string) string {
	if !strings.ContainsAny(kv, ",\"\r\n") {
		return kv
	}
	return `"` + strings.ReplaceAll(kv, `"`, `""`) + `"`
}

var plainKey = lazyre.New(`^[A-Za-z_][A-Za-z0-9_.-]*$`)

// Compose returns the recipe as a Compose file fragment for one service
// (named "app" when service is empty), to merge into a compose.yaml. The
// same recipe always gives the same bytes. Empty when the recipe is not
// usable.
func (r Recipe) Compose(service string) string {
	if !r.Usable() {
		return ""
	}
	if service == "" {
		service = "app"
	}
	var b strings.Builder
	b.WriteString("services:\n  ")
	b.WriteString(yamlKey(service))
	b.WriteString(":\n")
	if r.Network != "" {
		b.WriteString("    network_mode: " + yamlString(r.Network) + "\n")
	}
	if len(r.AddHosts) > 0 {
		b.WriteString("    extra_hosts:\n")
		for _, h := range r.AddHosts {
			b.WriteString("      - " + yamlString(h) + "\n")
		}
	}
	b.WriteString("    environment:\n")
	for _, kv := range r.Env {
		k, v, _ := strings.Cut(kv, "=")
		b.WriteString("      " + yamlKey(k) + ": " + yamlString(v) + "\n")
	}
	if len(r.Mounts) > 0 {
		b.WriteString("    volumes:\n")
		for _, m := range r.Mounts {
			b.WriteString("      - type: bind\n")
			b.WriteString("        source: " + yamlString(m.Source) + "\n")
			b.WriteString("        target: " + yamlString(m.Target) + "\n")
			b.WriteString("        read_only: true\n")
		}
	}
	return b.String()
}

// yamlString quotes s as a YAML double-quoted scalar: a JSON string is
// one, escapes included.
func yamlString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}

// yamlKey leaves a plain name as it is and quotes anything else,
// including the words YAML 1.1 reads as booleans or null.
func yamlKey(s string) string {
	switch strings.ToLower(s) {
	case "y", "yes", "n", "no", "true", "false", "on", "off", "null":
		return yamlString(s)
	}
	if plainKey().MatchString(s) {
		return s
	}
	return yamlString(s)
}
