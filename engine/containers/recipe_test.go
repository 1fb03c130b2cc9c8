package containers

import (
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// golden compares got with testdata/NAME, or rewrites it with -update.
func golden(t *testing.T, name string, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

const tokenFile = "/home/dev/.local/state/awsxc/tokens/api.token"

// recipeEngines are the engines the recipe tests cover: detected from the
// recorded outputs where there are some, written out where there are
// none (no sample of Docker Desktop on Linux, rootless Docker, rootful
// Podman, Podman machine or Rancher Desktop on Windows).
func recipeEngines(t *testing.T) []struct {
	name string
	eng  Engine
} {
	det := func(goos string, f func(in *Inputs)) Engine {
		in := Inputs{GOOS: goos}
		f(&in)
		return Detect(in)
	}
	return []struct {
		name string
		eng  Engine
	}{
		{"docker-desktop-darwin", det("darwin", func(in *Inputs) { in.Info = sample(t, "docker-desktop-macos-29_info.txt") })},
		{"docker-desktop-windows", det("windows", func(in *Inputs) { in.Info = sample(t, "docker-desktop-windows-29_info-server.partial.txt") })},
		{"docker-desktop-linux", Named(DockerDesktop, Inputs{GOOS: "linux"})},
		{"docker-engine", det("linux", func(in *Inputs) {
			in.Info = sample(t, "docker-engine-linux_info-format-json.txt")
			in.Context = sample(t, "local_docker-28.2.2_context-inspect-default.txt")
			in.Bridge = sample(t, "docker-engine-linux_network-inspect-bridge.txt")
		})},
		{"docker-engine-no-gateway", det("linux", func(in *Inputs) {
			in.Context = sample(t, "local_docker-28.2.2_context-inspect-default.txt")
			in.Bridge = sample(t, "local_docker-28.2.2_network-inspect-bridge-no-daemon.txt")
		})},
		{"docker-engine-rootless", Engine{Kind: DockerEngine, OS: "linux", Rootless: true}},
		{"podman-machine-darwin", Named(Podman, Inputs{GOOS: "darwin"})},
		{"podman-machine-windows", Named(Podman, Inputs{GOOS: "windows"})},
		{"podman-rootless-linux", det("linux", func(in *Inputs) { in.Podman = sample(t, "podman-3.0-rootless-linux_info-format-json.txt") })},
		{"podman-5-rootless-linux", Engine{Kind: Podman, OS: "linux", Rootless: true, Version: "5.3.1"}},
		{"podman-rootful-linux", Engine{Kind: Podman, OS: "linux"}},
		{"colima", det("darwin", func(in *Inputs) { in.Context = sample(t, "colima-and-rancher-desktop-macos_context-ls.txt") })},
		{"lima", det("darwin", func(in *Inputs) { in.Context = sample(t, "lima-and-rancher-desktop-macos_context-ls.txt") })},
		{"orbstack", det("darwin", func(in *Inputs) { in.Info = sample(t, "orbstack-macos_info.txt") })},
		{"rancher-desktop-darwin", det("darwin", func(in *Inputs) { in.Info = sample(t, "rancher-desktop-macos_info-server.partial.txt") })},
		{"rancher-desktop-windows", Engine{Kind: RancherDesktop, OS: "windows"}},
		{"remote", det("linux", func(in *Inputs) { in.Context = sample(t, "docker-cli-golden_context-inspect.txt") })},
		{"unknown", det("darwin", func(in *Inputs) { in.Context = sample(t, "local_docker-28.2.2_context-inspect-default.txt") })},
	}
}

var recipeServers = []struct {
	name string
	srv  Server
}{
	{"imds", Server{Protocol: IMDS, Port: 9931}},
	{"ecs", Server{Protocol: ECS, Port: 9932, Path: "/v1/credentials", TokenFile: tokenFile}},
}

// describe writes a recipe out for its golden file.
func describe(e Engine, s Server, r Recipe) string {
	var b strings.Builder
	fmt.Fprintf(&b, "engine: %s\nserver: %s on port %d\n", e, s.Protocol, s.Port)
	if !r.Usable() {
		fmt.Fprintf(&b, "no recipe: %s\n", r.Note)
		if r.Instead != "" {
			fmt.Fprintf(&b, "instead: %s\n", r.Instead)
		}
		return b.String()
	}
	fmt.Fprintf(&b, "host: %s\nlisten: %s\nexposure: %s\n", r.Host, r.Listen, r.Exposure)
	if r.Note != "" {
		fmt.Fprintf(&b, "note: %s\n", r.Note)
	}
	b.WriteString("run flags:\n")
	for _, f := range r.RunFlags() {
		b.WriteString("  " + f + "\n")
	}
	return b.String()
}

func TestRecipeGolden(t *testing.T) {
	t.Parallel()
	for _, e := range recipeEngines(t) {
		for _, s := range recipeServers {
			name := e.name + "_" + s.name
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				r := e.eng.Recipe(s.srv)
				golden(t, filepath.Join("recipes", name+".txt"), describe(e.eng, s.srv, r))
				compose := filepath.Join("recipes", name+".compose.yaml")
				if !r.Usable() {
					if r.Compose("") != "" || r.RunFlags() != nil {
						t.Error("an unusable recipe renders flags or compose")
					}
					if _, err := os.Stat(filepath.Join("testdata", compose)); err == nil && !*update {
						t.Errorf("%s exists for an unusable recipe", compose)
					}
					return
				}
				golden(t, compose, r.Compose(""))
				if again := e.eng.Recipe(s.srv).Compose(""); again != r.Compose("") {
					t.Error("Compose is not deterministic")
				}
			})
		}
	}
}

// What the recipes must get right, engine by engine, beyond the golden
// files' wording.
func TestRecipeRules(t *testing.T) {
	t.Parallel()
	engines := map[string]Engine{}
	for _, e := range recipeEngines(t) {
		engines[e.name] = e.eng
	}
	imds := Server{Protocol: IMDS, Port: 9931}
	ecs := Server{Protocol: ECS, Port: 9932, TokenFile: tokenFile}
	for name, e := range engines {
		r := e.Recipe(imds)
		// host-gateway only on rootful Docker Engine: it names the
		// VM's bridge on Rancher Desktop and has broken OrbStack and
		// Colima.
		gw := strings.Contains(strings.Join(r.RunFlags(), " "), "host-gateway")
		if want := name == "docker-engine"; gw != want {
			t.Errorf("%s: host-gateway in the flags = %v, want %v", name, gw, want)
		}
		// Only rootful Docker Engine listens beyond loopback.
		if r.Usable() && !r.Listen.Addr().IsLoopback() && name != "docker-engine" {
			t.Errorf("%s: listens on %s", name, r.Listen)
		}
		// Every usable recipe says who else can connect.
		if r.Usable() && r.Exposure == "" {
			t.Errorf("%s: no exposure", name)
		}
		if !r.Usable() && r.Note == "" {
			t.Errorf("%s: unusable without a note", name)
		}
		// ECS works only where the container shares this machine's
		// network, and never leaves the token in the environment.
		rc := e.Recipe(ecs)
		if rc.Usable() {
			if rc.Network != "host" || rc.Host != "127.0.0.1" {
				t.Errorf("%s: ECS recipe without host networking on 127.0.0.1: %+v", name, rc)
			}
			for _, kv := range rc.Env {
				if strings.HasPrefix(kv, "AWS_CONTAINER_AUTHORIZATION_TOKEN=") {
					t.Errorf("%s: token in the environment", name)
				}
			}
		} else if rc.Instead == IMDS && !r.Usable() {
			t.Errorf("%s: offers IMDS instead, which has no recipe either", name)
		}
	}
	if got := engines["docker-engine"].Recipe(Server{Protocol: ECS, Port: 1}); got.Usable() {
		t.Error("ECS without a token file is usable")
	}
	got := engines["orbstack"].Recipe(Server{Protocol: ECS, Port: 1, TokenFile: tokenFile}).Env[0]
	if got != "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:1/" {
		t.Errorf("empty Path: %s", got)
	}
}

// The recorded /etc/hosts and ping outputs show the names containers
// get; the recipes must use those names.
func TestRecipeHostsMatchSamples(t *testing.T) {
	t.Parallel()
	// Rootless Podman 5 with pasta: both names map to 169.254.1.2,
	// pasta's --map-guest-addr, which leads to the main interface, not
	// loopback.
	hosts := string(sample(t, "podman-5.3-pasta-linux_container-etc-hosts.txt"))
	if !strings.Contains(hosts, "169.254.1.2\thost.containers.internal host.docker.internal") {
		t.Fatal("sample changed")
	}
	r := Engine{Kind: Podman, OS: "linux", Rootless: true, Version: "5.3.0"}.Recipe(Server{Protocol: IMDS, Port: 1})
	if r.Host != HostContainers {
		t.Errorf("rootless Podman host %q", r.Host)
	}
	if strings.Contains(strings.Join(r.RunFlags(), " "), "169.254.1.2") {
		t.Error("rootless Podman recipe uses 169.254.1.2, which pasta maps to the main interface")
	}
	// Podman before 5 (slirp4netns): with allow_host_loopback=true
	// Podman points host.containers.internal at 10.0.2.2, slirp4netns's
	// name for the loopback of the machine podman runs on (in that sample
	// a podman machine VM; on Linux, this machine).
	hosts = string(sample(t, "podman-3.4-machine-macos_container-etc-hosts-slirp.txt"))
	if !strings.Contains(hosts, "--network slirp4netns:allow_host_loopback=true docker.io/library/fedora cat /etc/hosts") ||
		!strings.HasSuffix(hosts, "10.0.2.2 host.containers.internal") {
		t.Fatal("sample changed")
	}
	r = Detect(Inputs{GOOS: "linux", Podman: sample(t, "podman-3.0-rootless-linux_info-format-json.txt")}).Recipe(Server{Protocol: IMDS, Port: 1})
	if r.Host != HostContainers || r.Network != "slirp4netns:allow_host_loopback=true" || len(r.AddHosts) != 0 {
		t.Errorf("rootless Podman 3: %+v", r)
	}
	// Rancher Desktop: host.docker.internal is lima's host address.
	ping := string(sample(t, "rancher-desktop-macos_nerdctl-and-lima-ping-host.txt"))
	if !strings.Contains(ping, "PING host.docker.internal (192.168.5.2)") {
		t.Fatal("sample changed")
	}
	r = Detect(Inputs{GOOS: "darwin", Info: sample(t, "rancher-desktop-macos_info-server.partial.txt")}).Recipe(Server{Protocol: IMDS, Port: 1})
	if r.Host != HostDocker || len(r.AddHosts) != 0 {
		t.Errorf("Rancher Desktop: host %q, add-hosts %v", r.Host, r.AddHosts)
	}
}

// The Compose fragments are YAML that a real parser (PyYAML, as
// /usr/bin/python3 has it) reads back as the recipe.
func TestComposeParses(t *testing.T) {
	t.Parallel()
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import yaml").Run(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s with PyYAML not found; CI must install python3-yaml (scripts/deps.sh)", py)
		}
		t.Skipf("%s with PyYAML not found", py)
	}
	type service struct {
		NetworkMode string            `json:"network_mode"`
		ExtraHosts  []string          `json:"extra_hosts"`
		Environment map[string]string `json:"environment"`
		Volumes     []struct {
			Type     string `json:"type"`
			Source   string `json:"source"`
			Target   string `json:"target"`
			ReadOnly bool   `json:"read_only"`
		} `json:"volumes"`
	}
	odd := Recipe{Env: []string{`A=x: "y" \ # z`, "B=ünï"}, Mounts: []Mount{{Source: `C:\Users\a b\t.token`, Target: TokenTarget}}, Network: "host"}
	cases := map[string]Recipe{"odd values": odd}
	for _, e := range recipeEngines(t) {
		for _, s := range recipeServers {
			if r := e.eng.Recipe(s.srv); r.Usable() {
				cases[e.name+"_"+s.name] = r
			}
		}
	}
	// One PyYAML run reads every fragment: a JSON list of YAML texts in,
	// a JSON list of documents out.
	type fragment struct {
		name, service string
		r             Recipe
	}
	var frags []fragment
	var texts []string
	for name, r := range cases {
		for _, svc := range []string{"", "yes", "my app"} {
			frags = append(frags, fragment{name, svc, r})
			texts = append(texts, r.Compose(svc))
		}
	}
	input, _ := json.Marshal(texts)
	cmd := exec.Command(py, "-c", "import sys, yaml, json; json.dump([yaml.safe_load(t) for t in json.load(sys.stdin)], sys.stdout)")
	cmd.Stdin = strings.NewReader(string(input))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("PyYAML: %v", err)
	}
	var docs []struct{ Services map[string]service }
	if err := json.Unmarshal(out, &docs); err != nil || len(docs) != len(frags) {
		t.Fatalf("PyYAML gave %d documents (%v): %s", len(docs), err, out)
	}
	for i, f := range frags {
		name, r, doc := f.name, f.r, docs[i]
		key := f.service
		if key == "" {
			key = "app"
		}
		got, ok := doc.Services[key]
		if !ok || len(doc.Services) != 1 {
			t.Fatalf("%s: services %v, want only %q", name, doc.Services, key)
		}
		env := map[string]string{}
		for _, kv := range r.Env {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = v
		}
		if diff := cmp.Diff(env, got.Environment); diff != "" {
			t.Errorf("%s: environment (-want +got):\n%s", name, diff)
		}
		if diff := cmp.Diff(r.AddHosts, got.ExtraHosts); diff != "" {
			t.Errorf("%s: extra_hosts (-want +got):\n%s", name, diff)
		}
		if got.NetworkMode != r.Network {
			t.Errorf("%s: network_mode %q, want %q", name, got.NetworkMode, r.Network)
		}
		if len(got.Volumes) != len(r.Mounts) {
			t.Fatalf("%s: volumes %v", name, got.Volumes)
		}
		for i, m := range r.Mounts {
			v := got.Volumes[i]
			if v.Type != "bind" || v.Source != m.Source || v.Target != m.Target || !v.ReadOnly {
				t.Errorf("%s: volume %+v, want a read-only bind of %+v", name, v, m)
			}
		}
	}
}

// TestRecipeMountFlag: a token file is mounted with --mount type=bind,
// which refuses a missing source, never with -v, which makes Docker
// Engine create it as a root-owned folder (review 2, L5). The option
// reads back, as Docker's CLI reads it (a CSV record), to the same
// source, however odd the path.
func TestRecipeMountFlag(t *testing.T) {
	t.Parallel()
	for _, src := range []string{"/home/dev/.local/state/awsxc/tokens/api.token", `/tmp/a,b "c"/x=y.token`} {
		r := Recipe{Network: "host", Mounts: []Mount{{Source: src, Target: TokenTarget}}, Env: []string{"A=b"}}
		flags := r.RunFlags()
		if slices.Contains(flags, "-v") {
			t.Errorf("-v in %q", flags)
		}
		i := slices.Index(flags, "--mount")
		if i < 0 || i+1 >= len(flags) {
			t.Fatalf("no --mount in %q", flags)
		}
		fields, err := csv.NewReader(strings.NewReader(flags[i+1])).Read()
		if err != nil {
			t.Fatalf("--mount %s: %v", flags[i+1], err)
		}
		if want := []string{"type=bind", "src=" + src, "dst=" + TokenTarget, "readonly"}; !slices.Equal(fields, want) {
			t.Errorf("--mount %s reads as %q, want %q", flags[i+1], fields, want)
		}
	}
}
