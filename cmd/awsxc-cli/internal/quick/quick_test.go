//go:build unix

package quick

import (
	"bufio"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/awsxc/awsxc/internal/localsock"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want call
		ok   bool
	}{
		{"json", []string{"--profile", "dev", "--json"}, call{profile: "dev"}, true},
		{"equals", []string{"--json", "--profile=dev"}, call{profile: "dev"}, true},
		{"equals_in_value", []string{"--profile=a=b", "--json"}, call{profile: "a=b"}, true},
		{"default_mode", []string{"--profile", "dev"}, call{profile: "dev", pretty: true}, true},
		{"pretty_alone", []string{"--profile", "dev", "--pretty"}, call{profile: "dev", pretty: true}, true},
		{"json_pretty", []string{"--profile", "dev", "--json", "--pretty"}, call{profile: "dev", pretty: true}, true},
		// The command's parser takes the next word as the value, as here.
		{"option_as_value", []string{"--profile", "--json"}, call{profile: "--json", pretty: true}, true},
		// Left to the command.
		{"nothing", nil, call{}, false},
		{"no_profile", []string{"--json"}, call{}, false},
		{"json_twice", []string{"--profile", "dev", "--json", "--json"}, call{}, false},
		{"pretty_twice", []string{"--profile", "dev", "--pretty", "--pretty"}, call{}, false},
		{"profile_twice", []string{"--profile", "a", "--profile", "b"}, call{}, false},
		{"profile_twice_equals", []string{"--profile=a", "--profile=b"}, call{}, false},
		{"empty_profile", []string{"--profile", ""}, call{}, false},
		{"empty_profile_equals", []string{"--profile="}, call{}, false},
		{"profile_without_value", []string{"--profile"}, call{}, false},
		{"prefix", []string{"--prof", "dev", "--json"}, call{}, false},
		{"mode_prefix", []string{"--profile", "dev", "--js"}, call{}, false},
		{"json_value", []string{"--profile", "dev", "--json=1"}, call{}, false},
		{"debug", []string{"--profile", "dev", "--json", "--debug"}, call{}, false},
		{"env", []string{"--profile", "dev", "--env"}, call{}, false},
		{"refresh", []string{"--profile", "dev", "--json", "--refresh"}, call{}, false},
		{"dash_dash", []string{"--profile", "dev", "--json", "--"}, call{}, false},
		{"command", []string{"daemon"}, call{}, false},
		{"test_flags", []string{"-test.v", "-test.run=X"}, call{}, false},
	}
	for _, tt := range tests {
		got, ok := parse(tt.args)
		if ok != tt.ok || ok && got != tt.want {
			t.Errorf("%s: parse(%q) = %+v, %v; want %+v, %v", tt.name, tt.args, got, ok, tt.want, tt.ok)
		}
	}
}

func TestTestBinary(t *testing.T) {
	for arg0, want := range map[string]bool{
		os.Args[0]: true, "/tmp/go-build1/b001/quick.test": true, "awsxc-cli.test": true,
		"awsxc-cli": false, "/usr/bin/awsxc-cli": false, "./test": false,
	} {
		if got := testBinary(arg0); got != want {
			t.Errorf("testBinary(%q) = %v, want %v", arg0, got, want)
		}
	}
}

// standIn is a daemon on a real endpoint under a runtime folder of its
// own that answers every request with answer; it returns the
// environment that names it and the number of connections it took.
func standIn(t *testing.T, answer string) (getenv func(string) string, conns *atomic.Int32) {
	t.Helper()
	dir, err := os.MkdirTemp("", "qck")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	ln, err := localsock.Listen(localsock.Options{Path: filepath.Join(dir, "awsxc", "daemon.sock")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	conns = new(atomic.Int32)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			if req, err := http.ReadRequest(bufio.NewReader(c)); err == nil {
				io.Copy(io.Discard, req.Body)
				io.WriteString(c, answer)
			}
			c.Close()
		}
	}()
	env := map[string]string{"HOME": dir, "XDG_RUNTIME_DIR": dir}
	return func(k string) string { return env[k] }, conns
}

func ok200(body string) string {
	return "HTTP/1.1 200 OK\r\nAwsxc-Protocol: 1\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body
}

// TestAnswer: the quick path prints what the daemon answered, rendered
// as the command renders it, and leaves any other answer to the command
// with the exchange it made.
func TestAnswer(t *testing.T) {
	t.Parallel()
	creds := `"credentials":{"access_key_id":"ASIAQUICK","secret_access_key":"s","session_token":"t","expiration":"2099-01-02T03:04:05Z"}`
	tests := []struct {
		name, answer string
		pretty       bool
		want         string // "" when left to the command
	}{
		{"json", ok200(`{"profile":"dev","kind":"assume-role",` + creds + `}`), false,
			`{"Version":1,"AccessKeyId":"ASIAQUICK","SecretAccessKey":"s","SessionToken":"t","Expiration":"2099-01-02T03:04:05Z"}` + "\n"},
		{"pretty", ok200(`{"profile":"dev",` + creds + `}`), true,
			"{\n  \"Version\": 1,\n  \"AccessKeyId\": \"ASIAQUICK\",\n  \"SecretAccessKey\": \"s\",\n  \"SessionToken\": \"t\",\n  \"Expiration\": \"2099-01-02T03:04:05Z\"\n}\n"},
		{"warnings", ok200(`{"profile":"dev",` + creds + `,"warnings":[{"file":"/c","text":"line 1: x"}]}`), false, ""},
		{"no_keys", ok200(`{"profile":"dev","credentials":{}}`), false, ""},
		{"bad_json", ok200(`{"profile":`), false, ""},
		{"too_big", ok200(`{"profile":"dev",` + creds + `,"x":"` + strings.Repeat("x", 64<<10) + `"}`), false, ""},
		{"error", "HTTP/1.1 422 Unprocessable Entity\r\nAwsxc-Protocol: 1\r\nContent-Length: 2\r\n\r\n{}", false, ""},
		{"chunked", "HTTP/1.1 200 OK\r\nAwsxc-Protocol: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			getenv, conns := standIn(t, tt.answer)
			out, x, ok := answer(call{profile: "dev", pretty: tt.pretty}, getenv, []string{"AWS_X=1"}, "/w")
			if d := cmp.Diff(tt.want, string(out)); ok != (tt.want != "") || d != "" {
				t.Errorf("answer = %v, -want +got:\n%s", ok, d)
			}
			if x == nil || x.Err != nil || conns.Load() != 1 {
				t.Fatalf("the exchange: %+v after %d connections", x, conns.Load())
			}
			if len(tt.answer) < 64<<10 && string(x.Answer) != tt.answer {
				t.Errorf("the exchange's answer: %q", x.Answer)
			}
			path, _ := localsock.DefaultPath(getenv)
			if !x.Answers(path, x.Msg) || !strings.Contains(string(x.Msg), `"profile":"dev"`) || !strings.Contains(string(x.Msg), `"AWS_X":`) {
				t.Errorf("the request: %q", x.Msg)
			}
		})
	}
}

// TestAnswerLeaves: with AWSXC_NO_DAEMON or AWSXC_PROFILE_CHAIN set the
// quick path asks nothing; with no daemon it records the failure.
func TestAnswerLeaves(t *testing.T) {
	t.Parallel()
	for _, v := range []string{NoDaemonVar, ProfileChainVar} {
		getenv, conns := standIn(t, ok200(`{}`))
		with := func(k string) string {
			if k == v {
				return "1"
			}
			return getenv(k)
		}
		if _, x, ok := answer(call{profile: "dev"}, with, nil, ""); ok || conns.Load() != 0 || x != nil {
			t.Errorf("%s: answered %v, %+v after %d connections", v, ok, x, conns.Load())
		}
	}
	dir := t.TempDir()
	none := func(k string) string { return map[string]string{"HOME": dir, "XDG_RUNTIME_DIR": dir}[k] }
	if _, x, ok := answer(call{profile: "dev"}, none, nil, ""); ok || x == nil || !errors.Is(x.Err, localsock.ErrNoDaemon) {
		t.Errorf("no daemon: %v, %+v", ok, x)
	}
}

// failingWriter fails every write, as a closed standard output does.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) {
	return 0, errors.New("write /dev/stdout: bad file\ndescriptor")
}

// TestRun: what the process prints and its exit status.
func TestRun(t *testing.T) {
	t.Parallel()
	getenv, _ := standIn(t, ok200(`{"profile":"dev","credentials":{"access_key_id":"AKIAQUICK","secret_access_key":"s"}}`))
	environ := func() []string { return nil }
	var out, errb strings.Builder
	status, x, ok := run([]string{"--profile", "dev", "--json"}, getenv, environ, "/w", &out, &errb)
	if !ok || status != 0 || x != nil || out.String() != `{"Version":1,"AccessKeyId":"AKIAQUICK","SecretAccessKey":"s"}`+"\n" || errb.Len() != 0 {
		t.Errorf("run = %d, %v, %+v; stdout %q, stderr %q", status, ok, x, out.String(), errb.String())
	}
	errb.Reset()
	status, _, ok = run([]string{"--profile", "dev", "--json"}, getenv, environ, "/w", failingWriter{}, &errb)
	if !ok || status != 1 || errb.String() != "awsxc-cli: error: write /dev/stdout: bad file descriptor\n" {
		t.Errorf("a failed write: %d, %v, stderr %q", status, ok, errb.String())
	}
	if _, x, ok := run([]string{"--profile", "dev", "--env"}, getenv, environ, "/w", &out, &errb); ok || x != nil {
		t.Errorf("--env: %v, %+v", ok, x)
	}
}
