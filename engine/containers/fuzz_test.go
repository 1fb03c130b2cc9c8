package containers

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// The fuzz tests feed each parser, and Detect through it, inputs of any
// shape (seeded with every recorded output). None may panic, and Detect
// may name an engine only when the input says that engine's name: an odd
// input gives Unknown, never a wrong engine.

// evidence is the text an input holds, lower case: the raw bytes, plus
// every JSON string token (keys and values, escapes decoded) up to where
// the JSON stops parsing.
func evidence(b []byte) string {
	var s strings.Builder
	s.Write(bytes.ToLower(b))
	dec := json.NewDecoder(bytes.NewReader(b))
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		if str, ok := tok.(string); ok {
			s.WriteString("\x00" + strings.ToLower(str))
		}
	}
	return s.String()
}

// markers are the words an input must hold for Detect to name an engine.
var markers = map[Kind][]string{
	DockerDesktop:  {"docker desktop", "docker-desktop", "com.docker.desktop.address=", "desktop-linux", "/.docker/run/docker.sock", "/.docker/desktop/docker.sock", "dockerdesktoplinuxengine"},
	OrbStack:       {"orbstack"},
	RancherDesktop: {"rancher desktop", "rancher-desktop", "/.rd/docker.sock"},
	Colima:         {"colima"},
	Lima:           {"lima"},
	Podman:         {"podman"},
	DockerEngine:   {"docker.sock"},
	Remote:         {"://"},
}

func checkDetect(t *testing.T, slot string, b []byte) {
	for _, goos := range []string{"linux", "darwin", "windows"} {
		in := Inputs{GOOS: goos}
		switch slot {
		case "context":
			in.Context = b
		case "info":
			in.Info = b
		case "version":
			in.Version = b
		case "podman":
			in.Podman = b
		case "bridge":
			in.Bridge = b
		}
		e := Detect(in)
		if e.Kind == Unknown {
			continue
		}
		if slot == "podman" {
			// podman info names no engine but Podman, by construction.
			if e.Kind != Podman {
				t.Fatalf("podman info gave %v", e.Kind)
			}
			continue
		}
		if slot == "bridge" {
			t.Fatalf("a network alone gave %v", e.Kind)
		}
		if e.Kind == DockerEngine && goos != "linux" {
			t.Fatalf("Docker Engine on %s", goos)
		}
		ev := evidence(b)
		found := false
		for _, m := range markers[e.Kind] {
			if strings.Contains(ev, m) {
				found = true
				break
			}
		}
		if !found {
			t.Fatalf("%s on %s: %v (%s) from an input that never names it: %q", slot, goos, e.Kind, e.Reason, b)
		}
	}
}

// seed adds every recorded output to the corpus.
func seed(f *testing.F) {
	entries, err := os.ReadDir("testdata/samples")
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".txt") {
			f.Add(sample(f, e.Name()))
		}
	}
	f.Add([]byte(`{"OperatingSystem":5,"Name":["docker-desktop"],"Labels":"com.docker.desktop.address=x"}`))
	f.Add([]byte(`[{"Name":{"x":1},"Endpoints":{"docker":{"Host":7}}}]`))
}

func FuzzParseContext(f *testing.F) {
	seed(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		if c, err := ParseContext(b); err == nil && c.Name == "" {
			t.Fatalf("a context without a name: %+v", c)
		}
		checkDetect(t, "context", b)
	})
}

func FuzzParseInfo(f *testing.F) {
	seed(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = ParseInfo(b)
		checkDetect(t, "info", b)
	})
}

func FuzzParseVersion(f *testing.F) {
	seed(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = ParseVersion(b)
		checkDetect(t, "version", b)
	})
}

func FuzzParsePodmanInfo(f *testing.F) {
	seed(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		if p, err := ParsePodmanInfo(b); err == nil && (p.OS == "" || p.Version == "") {
			t.Fatalf("podman info without host.os or version: %+v", p)
		}
		checkDetect(t, "podman", b)
	})
}

func FuzzParseNetwork(f *testing.F) {
	seed(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := ParseNetwork(b)
		if err == nil && (!n.Gateway.Is4() || !n.Subnet.Contains(n.Gateway) || n.Subnet != n.Subnet.Masked()) {
			t.Fatalf("gateway %v outside subnet %v", n.Gateway, n.Subnet)
		}
		checkDetect(t, "bridge", b)
	})
}
