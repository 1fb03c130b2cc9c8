package containers

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// sample returns the payload of testdata/samples/NAME: a real output of
// a container CLI (see testdata/samples/README.md), without the header
// that says where it came from, and without the file's final newline.
func sample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "samples", name))
	if err != nil {
		t.Fatal(err)
	}
	_, payload, ok := bytes.Cut(b, []byte("\n# ---\n"))
	if !ok {
		t.Fatalf("%s: no '# ---' line after the header", name)
	}
	return bytes.TrimSuffix(payload, []byte("\n"))
}

// Every recorded output, each with what it proves. Where a sample is one
// half of a machine's state (a context without the engine's info), the
// case says what that half alone decides.
func TestDetectSamples(t *testing.T) {
	t.Parallel()
	type files struct{ context, info, version, podman, bridge string }
	tests := []struct {
		name string
		goos string
		in   files
		want Engine
	}{
		// docker context inspect / docker context ls: the engine stopped
		// (or not asked), the context alone.
		{
			name: "colima_context_inspect_old_layout",
			goos: "darwin",
			in:   files{context: "colima-macos_context-inspect.txt"},
			want: Engine{Kind: Colima, OS: "darwin", Instance: "default", Context: "colima", Endpoint: "unix:///Users/andrew/.colima/docker.sock",
				Reason: `docker context "colima": the name Colima gives its contexts`},
		},
		{
			name: "colima_context_ls_table_current_layout",
			goos: "darwin",
			in:   files{context: "colima-and-rancher-desktop-macos_context-ls.txt"},
			want: Engine{Kind: Colima, OS: "darwin", Instance: "default", Context: "colima", Endpoint: "unix:///Users/em/.colima/default/docker.sock",
				Reason: `docker context "colima": the name Colima gives its contexts`},
		},
		{
			name: "orbstack_context_inspect",
			goos: "darwin",
			in:   files{context: "orbstack-macos_context-inspect.txt"},
			want: Engine{Kind: OrbStack, OS: "darwin", Context: "orbstack", Endpoint: "unix:///Users/.../.orbstack/run/docker.sock",
				Reason: `docker context "orbstack": the name OrbStack gives its context`},
		},
		{
			name: "orbstack_current_beside_docker_desktop_context_ls",
			goos: "darwin",
			in:   files{context: "docker-desktop-and-orbstack-macos_context-ls.txt"},
			want: Engine{Kind: OrbStack, OS: "darwin", Context: "orbstack", Endpoint: "unix:///Users/xiaoqiangjiang/.orbstack/run/docker.sock",
				Reason: `docker context "orbstack": the name OrbStack gives its context`},
		},
		{
			name: "lima_instance_current_context_ls_old_table",
			goos: "darwin",
			in:   files{context: "lima-and-rancher-desktop-macos_context-ls.txt"},
			want: Engine{Kind: Lima, OS: "darwin", Instance: "vz-virtfs-docker", Context: "lima-vz-virtfs-docker",
				Endpoint: "unix:///Users/teraoka/.lima/vz-virtfs-docker/sock/docker.sock",
				Reason:   `docker context "lima-vz-virtfs-docker": the name Lima's docker template gives its contexts`},
		},
		{
			name: "docker_cli_golden_context_is_remote",
			goos: "linux",
			in:   files{context: "docker-cli-golden_context-inspect.txt"},
			want: Engine{Kind: Remote, OS: "linux", Context: "current", Endpoint: "https://someswarmserver.example.com",
				Reason: `docker context "current": endpoint https://someswarmserver.example.com`},
		},
		{
			name: "docker_cli_golden_context_ls_json_lines",
			goos: "darwin",
			in:   files{context: "docker-cli-golden_context-ls-format-json.txt"},
			want: Engine{Kind: Remote, OS: "darwin", Context: "current", Endpoint: "https://someswarmserver.example.com",
				Reason: `docker context "current": endpoint https://someswarmserver.example.com`},
		},
		{
			name: "windows_context_ls_row_without_current_mark",
			goos: "windows",
			in:   files{context: "docker-desktop-windows_context-ls.partial.txt"},
			want: Engine{OS: "windows", Reason: "no container engine answered"},
		},
		{
			name: "local_default_context_linux_is_docker_engine",
			goos: "linux",
			in:   files{context: "local_docker-28.2.2_context-inspect-default.txt"},
			want: Engine{Kind: DockerEngine, OS: "linux", Context: "default", Endpoint: "unix:///var/run/docker.sock",
				Reason: `docker context "default": endpoint unix:///var/run/docker.sock`},
		},
		{
			// On a Mac the default socket belongs to whoever took it:
			// Docker Desktop before 4.13, Rancher Desktop with
			// administrative access, podman-mac-helper.
			name: "local_default_context_darwin_is_unknown",
			goos: "darwin",
			in:   files{context: "local_docker-28.2.2_context-inspect-default.txt"},
			want: Engine{OS: "darwin", Context: "default", Endpoint: "unix:///var/run/docker.sock",
				Reason: `the engine did not answer, and the docker context "default" names no known engine`},
		},
		{
			name: "local_context_ls_json_lines",
			goos: "linux",
			in:   files{context: "local_docker-28.2.2_context-ls-format-json.txt"},
			want: Engine{Kind: DockerEngine, OS: "linux", Context: "default", Endpoint: "unix:///var/run/docker.sock",
				Reason: `docker context "default": endpoint unix:///var/run/docker.sock`},
		},
		{
			name: "local_context_ls_table",
			goos: "linux",
			in:   files{context: "local_docker-28.2.2_context-ls.txt"},
			want: Engine{Kind: DockerEngine, OS: "linux", Context: "default", Endpoint: "unix:///var/run/docker.sock",
				Reason: `docker context "default": endpoint unix:///var/run/docker.sock`},
		},
		{
			name: "docker_host_on_rootless_podman_socket",
			goos: "linux",
			in:   files{context: "local_docker-28.2.2_context-inspect-docker-host-podman.txt"},
			want: Engine{Kind: Podman, OS: "linux", Rootless: true, Context: "default", Endpoint: "unix:///run/user/1000/podman/podman.sock",
				Reason: `docker context "default": endpoint unix:///run/user/1000/podman/podman.sock`},
		},

		// docker info: the engine answered.
		{
			name: "docker_desktop_29_macos_info",
			goos: "darwin",
			in:   files{info: "docker-desktop-macos-29_info.txt"},
			want: Engine{Kind: DockerDesktop, OS: "darwin", Context: "desktop-linux", Version: "29.2.1", Running: true,
				Reason: `docker info: Operating System "Docker Desktop"`},
		},
		{
			name: "docker_desktop_4_10_macos_info_default_context",
			goos: "darwin",
			in:   files{info: "docker-desktop-macos_info.txt", context: "local_docker-28.2.2_context-inspect-default.txt"},
			want: Engine{Kind: DockerDesktop, OS: "darwin", Context: "default", Endpoint: "unix:///var/run/docker.sock", Version: "20.10.17", Running: true,
				Reason: `docker info: Operating System "Docker Desktop"`},
		},
		{
			name: "docker_desktop_macos_info_json_cut_short",
			goos: "darwin",
			in:   files{info: "docker-desktop-macos_info-format-json.partial.txt"},
			want: Engine{Kind: DockerDesktop, OS: "darwin", Running: true,
				Reason: `docker info: Operating System "Docker Desktop"`},
		},
		{
			name: "docker_desktop_29_windows_info",
			goos: "windows",
			in:   files{info: "docker-desktop-windows-29_info-server.partial.txt"},
			want: Engine{Kind: DockerDesktop, OS: "windows", Version: "29.7.2", Running: true,
				Reason: `docker info: Operating System "Docker Desktop"`},
		},
		{
			name: "docker_desktop_windows_stopped_info",
			goos: "windows",
			in:   files{info: "docker-desktop-windows_version-and-info-daemon-down.partial.txt"},
			want: Engine{Kind: DockerDesktop, OS: "windows", Context: "desktop-linux",
				Reason: `docker context "desktop-linux": the name Docker Desktop gives its context`},
		},
		{
			name: "docker_desktop_windows_stopped_version",
			goos: "windows",
			in:   files{version: "docker-desktop-windows_version-and-info-daemon-down.partial.txt"},
			want: Engine{Kind: DockerDesktop, OS: "windows", Context: "desktop-linux",
				Reason: `docker context "desktop-linux": the name Docker Desktop gives its context`},
		},
		{
			name: "docker_desktop_4_10_version_platform",
			goos: "darwin",
			in:   files{version: "docker-desktop-macos_version.partial.txt"},
			want: Engine{Kind: DockerDesktop, OS: "darwin", Running: true,
				Reason: `docker version: server platform "Docker Desktop 4.10.1 (82475)"`},
		},
		{
			name: "docker_engine_linux_info_with_default_context_and_bridge",
			goos: "linux",
			in: files{info: "docker-engine-linux_info-format-json.txt", context: "local_docker-28.2.2_context-inspect-default.txt",
				bridge: "docker-engine-linux_network-inspect-bridge.txt"},
			want: Engine{Kind: DockerEngine, OS: "linux", Context: "default", Endpoint: "unix:///var/run/docker.sock", Version: "17.06.1-ce", Running: true,
				Gateway: netip.MustParseAddr("172.17.0.1"), Subnet: netip.MustParsePrefix("172.17.0.0/16"),
				Reason: `docker context "default": endpoint unix:///var/run/docker.sock`},
		},
		{
			// Without the context the info does not say where the engine
			// is: it could be on another machine.
			name: "docker_engine_linux_info_alone",
			goos: "linux",
			in:   files{info: "docker-engine-linux_info-format-json.txt"},
			want: Engine{OS: "linux", Context: "default", Version: "17.06.1-ce", Running: true,
				Reason: "the engine answered, but nothing it said names a known engine"},
		},
		{
			name: "local_no_daemon_info_and_version",
			goos: "linux",
			in: files{info: "local_docker-28.2.2_info-format-json-no-daemon.txt", version: "local_docker-28.2.2_version-format-json-no-daemon.txt",
				context: "local_docker-28.2.2_context-inspect-default.txt", bridge: "local_docker-28.2.2_network-inspect-bridge-no-daemon.txt"},
			want: Engine{Kind: DockerEngine, OS: "linux", Context: "default", Endpoint: "unix:///var/run/docker.sock",
				Reason: `docker context "default": endpoint unix:///var/run/docker.sock`},
		},
		{
			name: "local_no_daemon_info_alone_names_only_the_context",
			goos: "linux",
			in:   files{info: "local_docker-28.2.2_info-format-json-no-daemon.txt"},
			want: Engine{OS: "linux", Context: "default",
				Reason: `the engine did not answer, and the docker context "default" names no known engine`},
		},
		{
			name: "orbstack_info",
			goos: "darwin",
			in:   files{info: "orbstack-macos_info.txt"},
			want: Engine{Kind: OrbStack, OS: "darwin", Context: "orbstack", Version: "28.5.2", Running: true,
				Reason: `docker info: Operating System "OrbStack"`},
		},
		{
			name: "orbstack_info_cut_before_server_identity",
			goos: "darwin",
			in:   files{info: "orbstack-macos_info.partial.txt"},
			want: Engine{Kind: OrbStack, OS: "darwin", Context: "orbstack", Version: "27.3.1", Running: true,
				Reason: `docker context "orbstack": the name OrbStack gives its context`},
		},
		{
			name: "colima_info_cut_after_client",
			goos: "darwin",
			in:   files{info: "colima-macos_info.partial.txt"},
			want: Engine{Kind: Colima, OS: "darwin", Instance: "default", Context: "colima", Running: true,
				Reason: `docker context "colima": the name Colima gives its contexts`},
		},
		{
			name: "rancher_desktop_macos_info_is_not_lima",
			goos: "darwin",
			in:   files{info: "rancher-desktop-macos_info-server.partial.txt"},
			want: Engine{Kind: RancherDesktop, OS: "darwin", Version: "26.1.5", Running: true,
				Reason: `docker info: Name "lima-rancher-desktop"`},
		},

		// podman info: the podman CLI alone.
		{
			name: "podman_3_rootless_linux",
			goos: "linux",
			in:   files{podman: "podman-3.0-rootless-linux_info-format-json.txt"},
			want: Engine{Kind: Podman, OS: "linux", Rootless: true, Version: "3.0.0-dev", Running: true, Reason: "podman info"},
		},
		{
			// docker's engine answered: podman being installed too does
			// not make it the engine.
			name: "docker_answers_podman_installed",
			goos: "linux",
			in: files{info: "docker-engine-linux_info-format-json.txt", context: "local_docker-28.2.2_context-inspect-default.txt",
				podman: "podman-3.0-rootless-linux_info-format-json.txt"},
			want: Engine{Kind: DockerEngine, OS: "linux", Context: "default", Endpoint: "unix:///var/run/docker.sock", Version: "17.06.1-ce", Running: true,
				Reason: `docker context "default": endpoint unix:///var/run/docker.sock`},
		},
		{
			// podman info printed as YAML (no --format json) is not read.
			name: "podman_machine_yaml_info_not_read",
			goos: "darwin",
			in:   files{podman: "podman-5.1.2-machine-macos_machine-start.partial.txt"},
			want: Engine{OS: "darwin", Reason: "no container engine answered"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			read := func(name string) []byte {
				if name == "" {
					return nil
				}
				return sample(t, name)
			}
			in := Inputs{GOOS: tc.goos, Context: read(tc.in.context), Info: read(tc.in.info), Version: read(tc.in.version),
				Podman: read(tc.in.podman), Bridge: read(tc.in.bridge)}
			if diff := cmp.Diff(tc.want, Detect(in), netipEqual); diff != "" {
				t.Errorf("Detect mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// Samples that are not a whole CLI output: the tests take from them only
// the values they show, and check the rule those values meet.
func TestDetectSampleFragments(t *testing.T) {
	t.Parallel()
	find := func(t *testing.T, file, re string) string {
		t.Helper()
		m := regexp.MustCompile(re).FindSubmatch(sample(t, file))
		if m == nil {
			t.Fatalf("%s: no match for %s", file, re)
		}
		return string(m[1])
	}
	t.Run("rancher_desktop_windows_template_output", func(t *testing.T) {
		t.Parallel()
		// docker info --format '{{.OperatingSystem}} | kernel …'
		osName := find(t, "rancher-desktop-windows_info-format-template.txt", `^(.*?) \| kernel `)
		f := facts{goos: "windows", info: Info{Answered: true, OperatingSystem: osName}}
		got := f.decide()
		if got.Kind != RancherDesktop || got.Reason != `docker info: Operating System "Rancher Desktop WSL Distribution (containerized)"` {
			t.Errorf("got %v (%s)", got.Kind, got.Reason)
		}
	})
	t.Run("rancher_desktop_windows_default_pipe", func(t *testing.T) {
		t.Parallel()
		// testcontainers' log: the default pipe, and the engine's OS.
		file := "rancher-desktop-windows_testcontainers-log.partial.txt"
		ep := find(t, file, `\((npipe:[^)]*)\)`)
		osName := find(t, file, `Operating System: (.*)`)
		f := facts{goos: "windows", hasCtx: true, ctx: Context{Name: "default", Endpoint: ep}, info: Info{Answered: true, OperatingSystem: osName}}
		if got := f.decide(); got.Kind != RancherDesktop || got.Endpoint != "npipe:////./pipe/docker_engine" {
			t.Errorf("got %v at %s", got.Kind, got.Endpoint)
		}
		// The pipe alone is anybody's.
		f.info = Info{}
		if got := f.decide(); got.Kind != Unknown {
			t.Errorf("default pipe alone: got %v", got.Kind)
		}
	})
	t.Run("podman_machine_api_socket", func(t *testing.T) {
		t.Parallel()
		// podman machine start prints the DOCKER_HOST to export; the
		// docker CLI then shows it as the default context's endpoint.
		ep := find(t, "podman-5.1.2-machine-macos_machine-start.partial.txt", `export DOCKER_HOST='([^']*)'`)
		f := facts{goos: "darwin", hasCtx: true, ctx: Context{Name: "default", Endpoint: ep}}
		got := f.decide()
		want := Engine{Kind: Podman, OS: "darwin", Machine: true, Context: "default", Endpoint: ep, Reason: `docker context "default": endpoint ` + ep}
		if diff := cmp.Diff(want, got, netipEqual); diff != "" {
			t.Errorf("mismatch (-want +got):\n%s", diff)
		}
	})
}

func TestParseNetworkSamples(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file    string
		want    Network
		wantErr string
	}{
		{file: "docker-engine-linux_network-inspect-bridge.txt", want: Network{Name: "bridge", Bridge: "docker0",
			Subnet: netip.MustParsePrefix("172.17.0.0/16"), Gateway: netip.MustParseAddr("172.17.0.1")}},
		{file: "docker-engine-linux_network-inspect-user-network.txt", want: Network{Name: "alpine-net",
			Subnet: netip.MustParsePrefix("172.18.0.0/16"), Gateway: netip.MustParseAddr("172.18.0.1")}},
		{file: "local_docker-28.2.2_network-inspect-bridge-no-daemon.txt", wantErr: "network inspect: no network"},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			got, err := ParseNetwork(sample(t, tc.file))
			if gotErr := errString(err); gotErr != tc.wantErr {
				t.Fatalf("err = %q, want %q", gotErr, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got, netipEqual); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// netipEqual compares netip values by value (their fields are unexported).
var netipEqual = cmp.Options{
	cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
	cmp.Comparer(func(a, b netip.Prefix) bool { return a == b }),
	cmp.Comparer(func(a, b netip.AddrPort) bool { return a == b }),
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
