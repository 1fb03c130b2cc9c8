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
		args []string
		want call
		ok   bool
	}{
		{[]string{"--profile", "dev", "--json"}, call{profile: "dev"}, true},
		{[]string{"--json", "--profile=dev"}, call{profile: "dev"}, true},
		{[]string{"--profile=a=b", "--json"}, call{profile: "a=b"}, true},
		{[]string{"--profile", "dev"}, call{profile: "dev", pretty: true}, true},
		{[]string{"--profile", "dev", "--pretty"}, call{profile: "dev", pretty: true}, true},
		{[]string{"--profile", "dev", "--json", "--pretty"}, call{profile: "dev", pretty: true}, true},
		// The command's parser takes the next word as the value, as here.
		{[]string{"--profile", "--json"}, call{profile: "--json", pretty: true}, true},
		// Left to the command.
		{nil, call{}, false},
		{[]string{"--json"}, call{}, false},
		{[]string{"--profile", "dev", "--json", "--json"}, call{}, false},
		{[]string{"--profile", "dev", "--pretty", "--pretty"}, call{}, false},
		{[]string{"--profile", "a", "--profile", "b"}, call{}, false},
		{[]string{"--profile", ""}, call{}, false},
		{[]string{"--profile="}, call{}, false},
		{[]string{"--profile"}, call{}, false},
		{[]string{"--prof", "dev", "--json"}, call{}, false},
		{[]string{"--profile", "dev", "--js"}, call{}, false},
		{[]string{"--profile", "dev", "--json", "--debug"}, call{}, false},
		{[]string{"--profile", "dev", "--env"}, call{}, false},
		{[]string{"--profile", "dev", "--json", "--refresh"}, call{}, false},
		{[]string{"--profile", "dev", "--json", "--"}, call{}, false},
		{[]string{"daemon"}, call{}, false},
		{[]string{"-test.v", "-test.run=X"}, call{}, false},
	}
	for _, tt := range tests {
		got, ok := parse(tt.args)
		if ok != tt.ok || ok && got != tt.want {
			t.Errorf("parse(%q) = %+v, %v; want %+v, %v", tt.args, got, ok, tt.want, tt.ok)
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
		{"error", "HTTP/1.1 422 Unprocessable Entity\r\nAwsxc-Protocol: 1\r\nContent-Length: 2\r\n\r\n{}", false, ""},
		{"chunked", "HTTP/1.1 200 OK\r\nAwsxc-Protocol: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exchanged = nil
			getenv, conns := standIn(t, tt.answer)
			out, ok := answer(call{profile: "dev", pretty: tt.pretty}, getenv, []string{"AWS_X=1"}, "/w")
			if d := cmp.Diff(tt.want, string(out)); ok != (tt.want != "") || d != "" {
				t.Errorf("answer = %v, -want +got:\n%s", ok, d)
			}
			x := Exchanged()
			if x == nil || x.Err != nil || string(x.Answer) != tt.answer || conns.Load() != 1 {
				t.Fatalf("the exchange: %+v after %d connections", x, conns.Load())
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
	for _, v := range []string{"AWSXC_NO_DAEMON", "AWSXC_PROFILE_CHAIN"} {
		exchanged = nil
		getenv, conns := standIn(t, ok200(`{}`))
		with := func(k string) string {
			if k == v {
				return "1"
			}
			return getenv(k)
		}
		if _, ok := answer(call{profile: "dev"}, with, nil, ""); ok || conns.Load() != 0 || Exchanged() != nil {
			t.Errorf("%s: answered %v after %d connections", v, ok, conns.Load())
		}
	}
	exchanged = nil
	dir := t.TempDir()
	none := func(k string) string { return map[string]string{"HOME": dir, "XDG_RUNTIME_DIR": dir}[k] }
	if _, ok := answer(call{profile: "dev"}, none, nil, ""); ok || Exchanged() == nil || !errors.Is(Exchanged().Err, localsock.ErrNoDaemon) {
		t.Errorf("no daemon: %v, %+v", ok, Exchanged())
	}
}
