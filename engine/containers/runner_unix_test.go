//go:build unix

package containers

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/awsxc/awsxc/internal/exectest"
	"github.com/google/go-cmp/cmp"
)

// The runner is tested with stand-in docker and podman programs: shell
// scripts that answer each command line with a recorded output (stdout,
// stderr, exit status) and fail any other command line, as a CLI would
// that does not know it. They find nothing else on PATH, so a real docker
// on the machine never answers.

type reply struct {
	stdout, stderr []byte
	code           int
	hang           bool // never finish (a hung engine)
}

// standIn writes the program name into dir: for each command line in
// replies ("info --format {{json .}}") it prints the reply. Every run
// appends its command line to dir/calls.
func standIn(t *testing.T, dir, name string, replies map[string]reply) {
	t.Helper()
	data := filepath.Join(dir, name+".d")
	if err := os.MkdirAll(data, 0o755); err != nil {
		t.Fatal(err)
	}
	var cases strings.Builder
	i := 0
	for args, r := range replies {
		i++
		base := filepath.Join(data, fmt.Sprint(i))
		for ext, b := range map[string][]byte{".out": r.stdout, ".err": r.stderr} {
			if err := os.WriteFile(base+ext, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		body := fmt.Sprintf("/bin/cat '%s.out'; /bin/cat '%s.err' >&2; exit %d", base, base, r.code)
		if r.hang {
			// The hung command says who it is, so a test can check it
			// was stopped.
			body = fmt.Sprintf("echo $$ > '%s'; exec /bin/sleep 60", filepath.Join(dir, "hung.pid"))
		}
		fmt.Fprintf(&cases, "'%s') %s ;;\n", args, body)
	}
	script := fmt.Sprintf("#!/bin/sh\necho \"%s $*\" >> '%s'\ncase \"$*\" in\n%s*) echo \"stand-in %s: no recording for: $*\" >&2; exit 97 ;;\nesac\n",
		name, filepath.Join(dir, "calls"), cases.String(), name)
	exectest.WriteProgram(t, filepath.Join(dir, name), []byte(script))
}

// pidIn reads the process id a stand-in wrote to path.
func pidIn(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the stand-in wrote no process id: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

// alive reports whether the process whose id is in path still runs (a
// zombie, ended but not yet waited for, does not).
func alive(t *testing.T, path string) bool {
	t.Helper()
	pid := pidIn(t, path)
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return !os.IsNotExist(err) // no /proc (macOS): kill answered
	}
	// pid (comm) STATE ...: Z is a zombie.
	_, rest, _ := strings.Cut(string(stat), ") ")
	return !strings.HasPrefix(rest, "Z")
}

// stop kills the process whose id is in path, if it runs.
func stop(t *testing.T, path string) {
	if b, err := os.ReadFile(path); err == nil {
		if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

func calls(t *testing.T, dir string) []string {
	b, err := os.ReadFile(filepath.Join(dir, "calls"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return strings.Fields(strings.ReplaceAll(strings.TrimSpace(string(b)), " ", "_"))
}

const (
	ctxInspect  = "context inspect"
	infoJSON    = "info -f {{json .}}"
	versionJSON = "version -f {{json .}}"
	podmanJSON  = "info -f json"
	bridge      = "network inspect bridge"
)

// The local recordings: docker CLI 28.2.2 with no daemon.
func noDaemon(t *testing.T) map[string]reply {
	down := sample(t, "local_docker-28.2.2_info-no-daemon.stderr.txt")
	return map[string]reply{
		ctxInspect:  {stdout: sample(t, "local_docker-28.2.2_context-inspect-default.txt")},
		infoJSON:    {stdout: sample(t, "local_docker-28.2.2_info-format-json-no-daemon.txt"), stderr: down, code: 1},
		versionJSON: {stdout: sample(t, "local_docker-28.2.2_version-format-json-no-daemon.txt"), stderr: down, code: 1},
		bridge:      {stdout: sample(t, "local_docker-28.2.2_network-inspect-bridge-no-daemon.txt"), stderr: down, code: 1},
	}
}

func TestProbe(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		docker    func(t *testing.T) map[string]reply // nil: no docker
		podman    func(t *testing.T) map[string]reply // nil: no podman
		want      Engine
		wantCalls []string
		wantErrs  []string // the joined error's lines
		wantIs    []error
	}{
		{
			name:     "no_cli_at_all",
			want:     Engine{OS: "linux", Reason: "no container engine answered"},
			wantErrs: []string{"docker: not installed", "podman: not installed"},
			wantIs:   []error{ErrNotInstalled},
		},
		{
			name:   "docker_28_without_daemon",
			docker: noDaemon,
			want: Engine{Kind: DockerEngine, OS: "linux", Context: "default", Endpoint: "unix:///var/run/docker.sock",
				Reason: `docker context "default": endpoint unix:///var/run/docker.sock`},
			wantCalls: []string{"docker_context_inspect", "docker_info_-f_{{json_.}}", "docker_network_inspect_bridge", "docker_version_-f_{{json_.}}"},
			wantErrs: []string{
				"docker info: the engine did not answer: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
				"docker network inspect bridge: the engine did not answer: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
				"docker version: the engine did not answer: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
				"podman: not installed",
			},
			wantIs: []error{ErrUnreachable, ErrNotInstalled},
		},
		{
			// docker version has no recording of a running Docker
			// Engine: the stand-in refuses it, as an unknown command.
			name: "docker_engine_running",
			docker: func(t *testing.T) map[string]reply {
				return map[string]reply{
					ctxInspect: {stdout: sample(t, "local_docker-28.2.2_context-inspect-default.txt")},
					infoJSON:   {stdout: sample(t, "docker-engine-linux_info-format-json.txt")},
					bridge:     {stdout: sample(t, "docker-engine-linux_network-inspect-bridge.txt")},
				}
			},
			podman: func(t *testing.T) map[string]reply {
				return map[string]reply{podmanJSON: {stdout: sample(t, "podman-3.0-rootless-linux_info-format-json.txt")}}
			},
			want: Engine{Kind: DockerEngine, OS: "linux", Context: "default", Endpoint: "unix:///var/run/docker.sock", Version: "17.06.1-ce", Running: true,
				Gateway: netip.MustParseAddr("172.17.0.1"), Subnet: netip.MustParsePrefix("172.17.0.0/16"),
				Reason: `docker context "default": endpoint unix:///var/run/docker.sock`},
			wantCalls: []string{"docker_context_inspect", "docker_info_-f_{{json_.}}", "docker_network_inspect_bridge", "docker_version_-f_{{json_.}}"},
			wantErrs:  []string{"docker version: exit status 97: stand-in docker: no recording for: version -f {{json .}}"},
		},
		{
			name: "podman_alone",
			podman: func(t *testing.T) map[string]reply {
				return map[string]reply{podmanJSON: {stdout: sample(t, "podman-3.0-rootless-linux_info-format-json.txt")}}
			},
			want:      Engine{Kind: Podman, OS: "linux", Rootless: true, Version: "3.0.0-dev", Running: true, Reason: "podman info"},
			wantCalls: []string{"podman_info_-f_json"},
			wantErrs:  []string{"docker: not installed"},
			wantIs:    []error{ErrNotInstalled},
		},
		{
			name: "podman_without_machine",
			podman: func(t *testing.T) map[string]reply {
				return map[string]reply{podmanJSON: {stderr: sample(t, "podman-5.8.2-macos_no-machine.stderr.txt"), code: 125}}
			},
			want:      Engine{OS: "linux", Reason: "no container engine answered"},
			wantCalls: []string{"podman_info_-f_json"},
			wantErrs: []string{"docker: not installed",
				"podman info: the engine did not answer: Cannot connect to Podman. Please verify your connection to the Linux system using `podman system connection list`, or try `podman machine init` and `podman machine start` to manage a new Linux VM"},
			wantIs: []error{ErrNotInstalled, ErrUnreachable},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if tc.docker != nil {
				standIn(t, dir, "docker", tc.docker(t))
			}
			if tc.podman != nil {
				standIn(t, dir, "podman", tc.podman(t))
			}
			in, err := Probe(context.Background(), CLI{Env: []string{"PATH=" + dir}, Timeout: 10 * time.Second}, "linux")
			if diff := cmp.Diff(tc.want, Detect(in), netipEqual); diff != "" {
				t.Errorf("Detect mismatch (-want +got):\n%s", diff)
			}
			var gotErrs []string
			if err != nil {
				gotErrs = strings.Split(err.Error(), "\n")
			}
			if diff := cmp.Diff(tc.wantErrs, gotErrs); diff != "" {
				t.Errorf("errors mismatch (-want +got):\n%s", diff)
			}
			for _, target := range tc.wantIs {
				if !errors.Is(err, target) {
					t.Errorf("error is not %v", target)
				}
			}
			got := calls(t, dir)
			if diff := cmp.Diff(tc.wantCalls, slices.Sorted(slices.Values(got))); diff != "" {
				t.Errorf("commands run (-want +got):\n%s", diff)
			}
		})
	}
}

// Each recorded unreachable-engine message is ErrUnreachable; other
// failures are not.
func TestRunClassifiesFailures(t *testing.T) {
	t.Parallel()
	windows := sample(t, "docker-desktop-windows_version-and-info-daemon-down.partial.txt")
	connectErr := regexp.MustCompile(`(?m)^error during connect: .*$`).Find(windows)
	tests := []struct {
		name   string
		stderr []byte
		want   error
	}{
		{"docker_28_unix", sample(t, "local_docker-28.2.2_info-no-daemon.stderr.txt"), ErrUnreachable},
		{"docker_28_tcp_refused", sample(t, "local_docker-28.2.2_info-tcp-refused.stderr.txt"), ErrUnreachable},
		{"docker_29_windows", sample(t, "docker-desktop-windows-29_info-daemon-down.txt"), ErrUnreachable},
		{"docker_28_windows_pipe_missing", connectErr, ErrUnreachable},
		{"podman_no_machine", sample(t, "podman-5.8.2-macos_no-machine.stderr.txt"), ErrUnreachable},
		{"docker_context_missing", sample(t, "local_docker-28.2.2_context-inspect-missing-context.stderr.txt"), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if len(tc.stderr) == 0 {
				t.Fatal("empty recording")
			}
			dir := t.TempDir()
			standIn(t, dir, "docker", map[string]reply{"info": {stderr: tc.stderr, code: 1}})
			_, err := CLI{Env: []string{"PATH=" + dir}}.Run(context.Background(), "docker", "info")
			var ce *CommandError
			if !errors.As(err, &ce) || ce.Command != "docker info" {
				t.Fatalf("err = %v, want a *CommandError for docker info", err)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
			if tc.want == nil && (errors.Is(err, ErrUnreachable) || ce.Err.Error() != "exit status 1") {
				t.Errorf("err = %v, want exit status 1", err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is more than one line: %q", err)
			}
		})
	}
}

// A hung engine is a timeout, not a hang: the other commands still
// answer, and Probe returns.
func TestProbeTimeout(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	replies := noDaemon(t)
	replies[infoJSON] = reply{hang: true}
	standIn(t, dir, "docker", replies)
	in, err := Probe(context.Background(), CLI{Env: []string{"PATH=" + dir}, Timeout: 500 * time.Millisecond}, "linux")
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
	if !strings.Contains(err.Error(), "docker info: timed out after 500ms") {
		t.Errorf("err = %v", err)
	}
	// The 60-second sleep was stopped, not waited for (review 1, L4: a
	// check of what happened, not of how long it took).
	if alive(t, filepath.Join(dir, "hung.pid")) {
		t.Error("the hung docker info is still running")
	}
	if in.Context == nil {
		t.Error("docker context inspect's answer was lost")
	}
}

// A program that leaves a child holding its output open does not hold
// Run past the timeout.
func TestRunOutputHeldOpen(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	child, main := filepath.Join(dir, "child.pid"), filepath.Join(dir, "main.pid")
	script := fmt.Sprintf("#!/bin/sh\n/bin/sleep 60 &\necho $! > '%s'\necho $$ > '%s'\nexec /bin/sleep 60\n", child, main)
	exectest.WriteProgram(t, filepath.Join(dir, "docker"), []byte(script))
	t.Cleanup(func() { stop(t, child) })
	_, err := CLI{Env: []string{"PATH=" + dir}, Timeout: 200 * time.Millisecond}.Run(context.Background(), "docker", "info")
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
	// Run returned while the child still holds the output open: it did
	// not wait for it (review 1, L4: an order, not a time).
	if alive(t, main) {
		t.Error("the timed-out docker is still running")
	}
	if !alive(t, child) {
		t.Error("the child holding the output ended first: the test shows nothing")
	}
}

func TestRunCanceled(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	standIn(t, dir, "docker", map[string]reply{"info": {hang: true}})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err := CLI{Env: []string{"PATH=" + dir}}.Run(ctx, "docker", "info")
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// The programs get Env and nothing of this process's environment, and are
// found on Env's PATH only.
func TestRunEnvironment(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	script := "#!/bin/sh\necho \"host=$DOCKER_HOST home=$HOME\"\n"
	exectest.WriteProgram(t, filepath.Join(dir, "docker"), []byte(script))
	out, err := CLI{Env: []string{"PATH=/nonexistent:" + dir, "DOCKER_HOST=unix:///x.sock"}}.Run(context.Background(), "docker", "info")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(out), "host=unix:///x.sock home=\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	for _, env := range [][]string{nil, {"PATH="}, {"PATH=."}, {"PATH=relative"}} {
		if _, err := (CLI{Env: env}).Run(context.Background(), "docker", "info"); !errors.Is(err, ErrNotInstalled) {
			t.Errorf("Env %q: err = %v, want ErrNotInstalled", env, err)
		}
	}
	// Not executable: not a program.
	if err := os.WriteFile(filepath.Join(dir, "podman"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := (CLI{Env: []string{"PATH=" + dir}}).Run(context.Background(), "podman", "info"); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("non-executable podman: err = %v, want ErrNotInstalled", err)
	}
}

func TestRunCapsOutput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	script := "#!/bin/sh\nexec /usr/bin/head -c 5000000 /dev/zero\n"
	exectest.WriteProgram(t, filepath.Join(dir, "docker"), []byte(script))
	out, err := CLI{Env: []string{"PATH=" + dir}}.Run(context.Background(), "docker", "info")
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != maxOutput {
		t.Errorf("kept %d bytes, want %d", len(out), maxOutput)
	}
}
