//go:build !darwin || cgo

package tray

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/awsxc/awsxc/internal/exectest"
)

// The docker command lines engine/containers.Probe runs.
const (
	DockerContext = "context inspect"
	DockerInfo    = "info -f {{json .}}"
	DockerBridge  = "network inspect bridge"
)

// DockerDesktop and DockerEngine are the recorded docker CLI outputs
// (engine/containers/testdata/samples) for the commands Probe runs:
// Docker Desktop, and rootful Docker Engine on Linux with its bridge.
func DockerDesktop(t testing.TB) map[string]string {
	return map[string]string{DockerInfo: DockerSample(t, "docker-desktop-macos_info-format-json.partial.txt")}
}

func DockerEngine(t testing.TB) map[string]string {
	return map[string]string{
		DockerContext: DockerSample(t, "local_docker-28.2.2_context-inspect-default.txt"),
		DockerInfo:    DockerSample(t, "docker-engine-linux_info-format-json.txt"),
		DockerBridge:  DockerSample(t, "docker-engine-linux_network-inspect-bridge.txt"),
	}
}

// DockerSample is the output recorded in a file of
// engine/containers/testdata/samples, without its header.
func DockerSample(t testing.TB, name string) string {
	t.Helper()
	_, self, _, _ := runtime.Caller(0)
	b, err := os.ReadFile(filepath.Join(filepath.Dir(self), "..", "engine", "containers", "testdata", "samples", name))
	if err != nil {
		t.Fatal(err)
	}
	_, payload, ok := bytes.Cut(b, []byte("\n# ---\n"))
	if !ok {
		t.Fatalf("%s: no '# ---' line after the header", name)
	}
	return string(bytes.TrimSuffix(payload, []byte("\n")))
}

// StandInDocker writes a docker program into dir that prints, for each
// command line of replies, its output, and fails any other, as a docker
// CLI does that cannot reach its engine. Every run appends its command
// line to dir/docker.calls. A test puts dir first on PATH.
func StandInDocker(t testing.TB, dir string, replies map[string]string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the stand-in docker is a shell script")
	}
	var cases strings.Builder
	i := 0
	for args, output := range replies {
		i++
		out := filepath.Join(dir, fmt.Sprintf("docker.%d.out", i))
		if err := os.WriteFile(out, []byte(output), 0o644); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&cases, "'%s') exec /bin/cat '%s' ;;\n", args, out)
	}
	script := fmt.Sprintf("#!/bin/sh\necho \"$*\" >> '%s'\ncase \"$*\" in\n%s*) echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' >&2; exit 1 ;;\nesac\n",
		filepath.Join(dir, "docker.calls"), cases.String())
	exectest.WriteProgram(t, filepath.Join(dir, "docker"), []byte(script))
}

// DockerCalls returns the command lines the stand-in docker in dir ran.
func DockerCalls(t testing.TB, dir string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "docker.calls"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}
