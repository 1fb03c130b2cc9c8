package containers

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/netip"
	"strings"
)

// The parsers below read what the docker and podman CLIs print. They are
// lenient where the CLIs are: a field of an unexpected type is skipped
// (the rest still count), a JSON object cut short still gives the fields
// before the cut, and the human-readable forms the CLIs print without
// --format are read too, so a pasted `docker info` can be diagnosed. They
// never guess: a value that is not there stays empty.

// Context is a docker CLI context: where the CLI sends its requests.
type Context struct {
	Name        string // "default", "desktop-linux", "colima", ...
	Description string
	Endpoint    string // e.g. unix:///var/run/docker.sock, npipe:////./pipe/docker_engine
}

// ParseContext reads the current context from the output of `docker
// context inspect` (a JSON array, whose first entry is the current
// context), or from `docker context ls` (JSON lines with --format json, or
// the table, where a "*" follows the current context's name).
func ParseContext(b []byte) (Context, error) {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0:
		return Context{}, errors.New("no context: empty output")
	case b[0] == '[':
		return parseContextInspect(b)
	case b[0] == '{':
		return parseContextLines(b)
	}
	return parseContextTable(b)
}

func parseContextInspect(b []byte) (Context, error) {
	var list []json.RawMessage
	if err := json.Unmarshal(b, &list); err != nil {
		return Context{}, fmt.Errorf("context inspect: %w", err)
	}
	if len(list) == 0 {
		return Context{}, errors.New("context inspect: no context")
	}
	o := object(list[0])
	c := Context{
		Name:        str(o, "Name"),
		Description: str(object(o["Metadata"]), "Description"),
		Endpoint:    str(object(object(o["Endpoints"])["docker"]), "Host"),
	}
	if c.Name == "" {
		return Context{}, errors.New("context inspect: no context name")
	}
	return c, nil
}

func parseContextLines(b []byte) (Context, error) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, maxOutput)
	for sc.Scan() {
		o := object(sc.Bytes())
		if current, _ := boolean(o, "Current"); current {
			c := Context{Name: str(o, "Name"), Description: str(o, "Description"), Endpoint: str(o, "DockerEndpoint")}
			if c.Name != "" {
				return c, nil
			}
		}
	}
	return Context{}, errors.New("context list: no current context")
}

// parseContextTable reads `docker context ls` as a table: NAME (with " *"
// on the current row), DESCRIPTION (may be empty, may hold spaces), DOCKER
// ENDPOINT, and, in older CLIs, KUBERNETES ENDPOINT and ORCHESTRATOR.
// The endpoint is the first field that looks like a URL.
func parseContextTable(b []byte) (Context, error) {
	for line := range strings.SplitSeq(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 || f[1] != "*" {
			continue
		}
		c := Context{Name: f[0]}
		for i := 2; i < len(f); i++ {
			if isURL(f[i]) {
				c.Endpoint = f[i]
				c.Description = strings.Join(f[2:i], " ")
				return c, nil
			}
		}
	}
	return Context{}, errors.New("context list: no current context")
}

// isURL reports whether s starts like scheme://, the form of every docker
// endpoint.
func isURL(s string) bool {
	i := strings.Index(s, "://")
	if i <= 0 {
		return false
	}
	for _, r := range s[:i] {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '+' {
			return false
		}
	}
	return true
}

// Info is what `docker info` says about the engine, the fields detection
// reads.
type Info struct {
	// Answered is true when the engine answered (the server fields are
	// filled in); docker info prints the client half when it cannot reach
	// the engine.
	Answered        bool
	OperatingSystem string   // "Docker Desktop", "OrbStack", "Ubuntu 22.04.4 LTS", "fedora", ...
	Name            string   // the engine host's name: "docker-desktop", "orbstack", "colima", "lima-rancher-desktop"
	KernelVersion   string   // "6.12.72-linuxkit", "6.17.8-orbstack-…"
	ServerVersion   string   // the engine's version (Podman's own under Podman)
	Labels          []string // daemon labels, e.g. com.docker.desktop.address=unix:///…
	SecurityOptions []string // "name=seccomp,profile=builtin", "name=rootless", ...
	Context         string   // the CLI's current context (ClientInfo.Context)
}

// ParseInfo reads the output of `docker info --format '{{json .}}'` (one
// JSON object, which may be cut short), or the human-readable `docker
// info`.
func ParseInfo(b []byte) (Info, error) {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '{' {
		o, err := readObject(b)
		if err != nil {
			return Info{}, fmt.Errorf("docker info: %w", err)
		}
		in := Info{
			OperatingSystem: str(o, "OperatingSystem"),
			Name:            str(o, "Name"),
			KernelVersion:   str(o, "KernelVersion"),
			ServerVersion:   str(o, "ServerVersion"),
			Labels:          strs(o, "Labels"),
			SecurityOptions: strs(o, "SecurityOptions"),
			Context:         str(object(o["ClientInfo"]), "Context"),
		}
		in.Answered = str(o, "ID") != "" || in.ServerVersion != "" || in.OperatingSystem != "" || in.Name != "" || in.KernelVersion != ""
		return in, nil
	}
	in := parseInfoText(b)
	if !in.Answered && in.Context == "" {
		return Info{}, errors.New("docker info: neither JSON nor docker info's own layout")
	}
	return in, nil
}

// parseInfoText reads docker info's own layout: a "Client:" and a
// "Server:" section, "Key: value" lines indented by one space, lists
// (Labels, Security Options) as the deeper-indented lines after their key.
func parseInfoText(b []byte) Info {
	var in Info
	section, list := "", ""
	for l := range layoutLines(b) {
		if l.indent == 0 {
			section, list = "", ""
			if l.text == "Client:" || l.text == "Server:" {
				section = l.text
			}
			continue
		}
		if l.indent == 1 {
			list = ""
			key, val, ok := l.keyValue()
			if !ok {
				continue
			}
			switch section {
			case "Client:":
				if key == "Context" {
					in.Context = val
				}
			case "Server:":
				in.Answered = true
				switch key {
				case "Operating System":
					in.OperatingSystem = val
				case "Name":
					in.Name = val
				case "Kernel Version":
					in.KernelVersion = val
				case "Server Version":
					in.ServerVersion = val
				case "Labels", "Security Options":
					list = key
				}
			}
			continue
		}
		switch {
		case list == "Labels" && l.indent == 2:
			in.Labels = append(in.Labels, l.text)
		case list == "Security Options" && l.indent == 2:
			// The layout shows an option's name on its own line and its
			// settings ("Profile: builtin") below it; JSON says name=….
			in.SecurityOptions = append(in.SecurityOptions, "name="+l.text)
		}
	}
	return in
}

// layoutLine is one line of the human-readable layout docker info and
// docker version share: sections at indent 0, "Key: value" lines below
// them, deeper lines for lists.
type layoutLine struct {
	indent int    // the leading spaces
	text   string // the rest, without trailing blanks
}

// layoutLines yields the lines of b that are not blank, with their
// indent: the one scanner of both parsers.
func layoutLines(b []byte) iter.Seq[layoutLine] {
	return func(yield func(layoutLine) bool) {
		for line := range strings.SplitSeq(string(b), "\n") {
			line = strings.TrimRight(line, "\r \t")
			indent := len(line) - len(strings.TrimLeft(line, " "))
			if line[indent:] == "" {
				continue
			}
			if !yield(layoutLine{indent, line[indent:]}) {
				return
			}
		}
	}
}

// keyValue splits "Key: value"; ok is false for a line without a colon.
func (l layoutLine) keyValue() (key, val string, ok bool) {
	key, val, ok = strings.Cut(l.text, ":")
	return key, strings.TrimSpace(val), ok
}

// Version is what `docker version` says, the fields detection reads.
type Version struct {
	// Answered is true when the engine answered (a Server part is there).
	Answered   bool
	Platform   string   // Server.Platform.Name: "Docker Desktop 4.10.1 (82475)", "Docker Engine - Community", ...
	Components []string // Server.Components[].Name: "Engine", "containerd", "Podman Engine", ...
	Server     string   // Server.Version
	Context    string   // Client.Context
}

// ParseVersion reads the output of `docker version --format '{{json
// .}}'`, or the human-readable `docker version`.
func ParseVersion(b []byte) (Version, error) {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '{' {
		o, err := readObject(b)
		if err != nil {
			return Version{}, fmt.Errorf("docker version: %w", err)
		}
		v := Version{Context: str(object(o["Client"]), "Context")}
		if srv := object(o["Server"]); srv != nil {
			v.Answered = true
			v.Platform = str(object(srv["Platform"]), "Name")
			v.Server = str(srv, "Version")
			var comps []json.RawMessage
			if json.Unmarshal(srv["Components"], &comps) == nil {
				for _, c := range comps {
					if n := str(object(c), "Name"); n != "" {
						v.Components = append(v.Components, n)
					}
				}
			}
		}
		return v, nil
	}
	v := parseVersionText(b)
	if !v.Answered && v.Context == "" {
		return Version{}, errors.New("docker version: neither JSON nor docker version's own layout")
	}
	return v, nil
}

// parseVersionText reads docker version's own layout: "Client:" with
// " Context: NAME", and "Server: PLATFORM NAME" followed by one " Name:"
// line per component.
func parseVersionText(b []byte) Version {
	var v Version
	section := ""
	for l := range layoutLines(b) {
		if l.indent == 0 {
			section = ""
			switch {
			case l.text == "Client:" || strings.HasPrefix(l.text, "Client: "):
				section = "Client:"
			case l.text == "Server:" || strings.HasPrefix(l.text, "Server: "):
				section = "Server:"
				v.Answered = true
				v.Platform = strings.TrimSpace(strings.TrimPrefix(l.text, "Server:"))
			}
			continue
		}
		if l.indent != 1 {
			continue
		}
		key, val, ok := l.keyValue()
		if !ok {
			continue
		}
		switch {
		case section == "Client:" && key == "Context":
			v.Context = val
		case section == "Server:" && val == "":
			v.Components = append(v.Components, key)
		}
	}
	return v
}

// PodmanInfo is what `podman info --format json` says, the fields
// detection reads.
type PodmanInfo struct {
	OS           string // host.os: "linux" (inside the machine VM when Remote)
	Distribution string // host.distribution.distribution: "fedora", ...
	Variant      string // host.distribution.variant: "coreos" inside podman machine
	Hostname     string
	Rootless     bool
	Remote       bool   // host.serviceIsRemote: the CLI talks to a machine or another host
	Socket       string // host.remoteSocket.path: the API socket
	Version      string // version.Version
}

// ParsePodmanInfo reads the output of `podman info --format json`.
func ParsePodmanInfo(b []byte) (PodmanInfo, error) {
	o, err := readObject(bytes.TrimSpace(b))
	if err != nil {
		return PodmanInfo{}, fmt.Errorf("podman info: %w", err)
	}
	host := object(o["host"])
	dist := object(host["distribution"])
	p := PodmanInfo{
		OS:           str(host, "os"),
		Distribution: str(dist, "distribution"),
		Variant:      str(dist, "variant"),
		Hostname:     str(host, "hostname"),
		Socket:       str(object(host["remoteSocket"]), "path"),
		Version:      str(object(o["version"]), "Version"),
	}
	p.Rootless, _ = boolean(object(host["security"]), "rootless")
	p.Remote, _ = boolean(host, "serviceIsRemote")
	// podman info always reports the host's OS and podman's version; an
	// object without them is not podman info.
	if p.OS == "" || p.Version == "" {
		return PodmanInfo{}, errors.New("podman info: no host.os or version.Version")
	}
	return p, nil
}

// Network is a docker network's address plan, from `docker network
// inspect`.
type Network struct {
	Name    string
	Bridge  string       // the Linux bridge, e.g. docker0; empty when docker does not say
	Subnet  netip.Prefix // the IPv4 subnet
	Gateway netip.Addr   // the IPv4 gateway: the host's address on the bridge
}

// ParseNetwork reads the output of `docker network inspect NAME` (a JSON
// array of one network) and returns its IPv4 subnet and gateway. Networks
// with IPv6 have a second IPAM entry; the IPv4 one is taken.
func ParseNetwork(b []byte) (Network, error) {
	var list []json.RawMessage
	if err := json.Unmarshal(bytes.TrimSpace(b), &list); err != nil {
		return Network{}, fmt.Errorf("network inspect: %w", err)
	}
	if len(list) == 0 {
		return Network{}, errors.New("network inspect: no network")
	}
	o := object(list[0])
	n := Network{Name: str(o, "Name"), Bridge: str(object(o["Options"]), "com.docker.network.bridge.name")}
	var cfgs []json.RawMessage
	_ = json.Unmarshal(object(o["IPAM"])["Config"], &cfgs)
	for _, c := range cfgs {
		c := object(c)
		gw, err := netip.ParseAddr(str(c, "Gateway"))
		if err != nil || !gw.Is4() {
			continue
		}
		sub, err := netip.ParsePrefix(str(c, "Subnet"))
		if err != nil || !sub.Addr().Is4() || !sub.Contains(gw) {
			continue
		}
		n.Gateway, n.Subnet = gw, sub.Masked()
		return n, nil
	}
	return Network{}, fmt.Errorf("network inspect: network %q has no IPv4 gateway", n.Name)
}

// readObject reads the members of a JSON object in order. Input cut short
// gives the members before the cut; anything that is not an object is an
// error.
func readObject(b []byte) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, errors.New("not a JSON object")
	}
	o := map[string]json.RawMessage{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			break
		}
		key, ok := t.(string)
		if !ok {
			break
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			break
		}
		o[key] = v
	}
	return o, nil
}

// object decodes a JSON object; anything else gives nil.
func object(b json.RawMessage) map[string]json.RawMessage {
	var o map[string]json.RawMessage
	if json.Unmarshal(b, &o) != nil {
		return nil
	}
	return o
}

// str returns o[key] when it is a JSON string.
func str(o map[string]json.RawMessage, key string) string {
	var s string
	if json.Unmarshal(o[key], &s) != nil {
		return ""
	}
	return s
}

// strs returns o[key] when it is an array of strings; other elements are
// skipped.
func strs(o map[string]json.RawMessage, key string) []string {
	var list []json.RawMessage
	if json.Unmarshal(o[key], &list) != nil {
		return nil
	}
	var out []string
	for _, e := range list {
		var s string
		if json.Unmarshal(e, &s) == nil {
			out = append(out, s)
		}
	}
	return out
}

// boolean returns o[key] when it is a JSON boolean.
func boolean(o map[string]json.RawMessage, key string) (bool, bool) {
	var v bool
	if json.Unmarshal(o[key], &v) != nil {
		return false, false
	}
	return v, true
}
