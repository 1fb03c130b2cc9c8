package browser

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/awsxc/awsxc/internal/exectest"
	"github.com/google/go-cmp/cmp"
)

func TestParseBROWSER(t *testing.T) {
	t.Parallel()
	const u = "https://example.com/a?b=c&d=%20"
	sep := string(filepath.ListSeparator)
	for _, tc := range []struct {
		name, v string
		want    [][]string
	}{
		{"unset", "", nil},
		{"blank_entries", sep + " " + sep, nil},
		{"program", "firefox", [][]string{{"firefox", u}}},
		{"with_args", "firefox --new-tab", [][]string{{"firefox", "--new-tab", u}}},
		{"placeholder", "w3m -o x=%s", [][]string{{"w3m", "-o", "x=" + u}}},
		{"percent_escape", "echo 100%% %s", [][]string{{"echo", "100%", u}}},
		{"lone_percent", "echo 5% x%", [][]string{{"echo", "5%", "x%", u}}},
		{"list", "a" + sep + "b %s", [][]string{{"a", u}, {"b", u}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, parseBROWSER(tc.v, u)); diff != "" {
				t.Errorf("parseBROWSER(%q) (-want +got):\n%s", tc.v, diff)
			}
		})
	}
}

func FuzzParseBROWSER(f *testing.F) {
	for _, s := range []string{"", "firefox", "a %s:b", "%%%s%", "x\x00y"} {
		f.Add(s, "https://h/p")
	}
	f.Fuzz(func(t *testing.T, v, u string) {
		for _, argv := range parseBROWSER(v, u) {
			if len(argv) == 0 || argv[0] == "" {
				t.Fatalf("empty command from %q", v)
			}
			// The URL always reaches the command, whole.
			joined := strings.Join(argv, " ")
			if !strings.Contains(joined, u) {
				t.Fatalf("%q lost the URL: %q", v, argv)
			}
			if utf8.ValidString(v) && utf8.ValidString(u) && !utf8.ValidString(joined) {
				t.Fatalf("invalid UTF-8 from valid input")
			}
		}
	})
}

// script writes an executable shell script and returns its path.
func script(t *testing.T, body string) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("uses sh scripts")
	}
	p := filepath.Join(t.TempDir(), "browser")
	exectest.WriteProgram(t, p, []byte("#!/bin/sh\n"+body))
	return p
}

func TestOpenBROWSER(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	fail := script(t, "echo cannot start >&2; exit 3\n")
	ok := script(t, `printf '%s\n' "$@" > `+log+"\n")
	const u = "https://d-1.awsapps.com/start?x=1&y=2"
	var out strings.Builder
	env := map[string]string{"BROWSER": fail + string(filepath.ListSeparator) + ok + " --tab"}
	if err := Open(context.Background(), u, Options{Getenv: func(k string) string { return env[k] }, Output: &out}); err != nil {
		t.Fatalf("Open: %v", err)
	}
	got, _ := os.ReadFile(log)
	if string(got) != "--tab\n"+u+"\n" {
		t.Errorf("the browser got %q", got)
	}
	if out.String() != "cannot start\n" {
		t.Errorf("browser output %q", out.String())
	}

	// The command gets the environment it is given.
	envLog := filepath.Join(dir, "env")
	env["BROWSER"] = script(t, `printf '%s' "$AWSXC_TEST" > `+envLog+"\n")
	if err := Open(context.Background(), u, Options{Getenv: func(k string) string { return env[k] }, Env: []string{"AWSXC_TEST=given"}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(envLog); string(got) != "given" {
		t.Errorf("the browser's environment: %q", got)
	}

	env["BROWSER"] = fail
	err := Open(context.Background(), u, Options{Getenv: func(k string) string { return env[k] }})
	if !errors.Is(err, ErrNoBrowser) || !strings.Contains(err.Error(), "browser exited with status 3") || strings.Contains(err.Error(), u) {
		t.Errorf("failing browser: %v", err)
	}
	env["BROWSER"] = filepath.Join(dir, "missing")
	if err := Open(context.Background(), u, Options{Getenv: func(k string) string { return env[k] }}); !errors.Is(err, ErrNoBrowser) {
		t.Errorf("missing browser: %v", err)
	}
}

func TestOpenRefusesOtherSchemes(t *testing.T) {
	t.Parallel()
	mark := filepath.Join(t.TempDir(), "called")
	called := script(t, "touch "+mark+"\n")
	for _, u := range []string{"file:///etc/passwd", "--help", "javascript:alert(1)", "http://", "/tmp/x"} {
		err := Open(context.Background(), u, Options{Getenv: func(string) string { return called }})
		if !errors.Is(err, ErrNoBrowser) {
			t.Errorf("%q: %v, want ErrNoBrowser", u, err)
		}
	}
	if _, err := os.Stat(mark); err == nil {
		t.Error("a browser was started for a URL that is not http(s)")
	}
}

// TestOpenCancelled: nothing is started once ctx is done.
func TestOpenCancelled(t *testing.T) {
	t.Parallel()
	mark := filepath.Join(t.TempDir(), "started")
	slow := script(t, "touch "+mark+"\nexec sleep 30\n")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Open(ctx, "https://h/", Options{Getenv: func(string) string { return slow }}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if _, err := os.Stat(mark); err == nil {
		t.Error("a browser was started after ctx was done")
	}
}

// TestStart: a program handed something for the desktop is started and
// not waited for; a missing one is named, its arguments never are.
func TestStart(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("the programs are Unix ones")
	}
	if err := Start([]string{"/bin/sh", "-c", "sleep 30"}); err != nil {
		t.Errorf("Start: %v", err)
	}
	err := Start([]string{"/nonexistent/opener", "secret-argument"})
	if err == nil || !strings.HasPrefix(err.Error(), "opener: ") || strings.Contains(err.Error(), "secret-argument") {
		t.Errorf("Start of a missing program: %v", err)
	}
	if err := Start(nil); err == nil {
		t.Error("Start of nothing: no error")
	}
	if got := Opener("https://example.com/"); len(got) == 0 || got[len(got)-1] != "https://example.com/" {
		t.Errorf("Opener = %q", got)
	}
}
