//go:build unix

package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// mainOnly are packages a quick run never initializes: the engine, the
// AWS SDK's configuration and clients, net/http. (A few of the SDK's
// small packages, its schemas, are initialized before the quick path:
// see package quick.)
var mainOnly = []string{
	"github.com/awsxc/awsxc/engine",
	"github.com/aws/aws-sdk-go-v2/config",
	"github.com/aws/aws-sdk-go-v2/service/sts",
	"github.com/aws/aws-sdk-go-v2/service/sts/internal/endpoints",
	"net/http",
}

// initTrace splits a run's stderr (under GODEBUG=inittrace=1) into what
// the run wrote and whether it initialized the packages of mainOnly (all
// of them: main ran) or none (the quick path answered); mixed is an
// error.
func initTrace(t *testing.T, stderr string) (rest string, main bool) {
	t.Helper()
	inited := map[string]bool{}
	var b strings.Builder
	for _, l := range strings.SplitAfter(stderr, "\n") {
		if name, ok := strings.CutPrefix(l, "init "); ok {
			inited[strings.Fields(name)[0]] = true
		} else {
			b.WriteString(l)
		}
	}
	if len(inited) == 0 {
		t.Fatalf("no init trace in %q", stderr)
	}
	n := 0
	for _, p := range mainOnly {
		if inited[p] {
			n++
		}
	}
	if n != 0 && n != len(mainOnly) {
		t.Errorf("of %q, %d initialized", mainOnly, n)
	}
	return b.String(), n > 0
}

// TestQuickPath: through a daemon, a credential_process call is answered
// before the engine and the AWS SDK's configuration and clients are
// initialized, with the output of the command; every other call runs the
// command, which asks the daemon itself.
func TestQuickPath(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	d := f.startDaemon(t)
	tests := []struct {
		name  string
		args  []string
		env   []string
		quick bool
	}{
		{"json", []string{"--profile", "role", "--json"}, nil, true},
		{"equals", []string{"--json", "--profile=role"}, nil, true},
		{"pretty_default", []string{"--profile", "role"}, nil, true},
		{"json_pretty", []string{"--profile", "role", "--json", "--pretty"}, nil, true},
		{"static", []string{"--profile", "static", "--json"}, nil, true},
		{"debug", []string{"--profile", "role", "--json", "--debug"}, nil, false},
		{"prefix", []string{"--prof", "role", "--json"}, nil, false},
		{"from_AWS_PROFILE", []string{"--json"}, []string{"AWS_PROFILE=role"}, false},
		{"env", []string{"--profile", "role", "--env"}, nil, false},
		{"no_daemon_0", []string{"--profile", "role", "--json"}, []string{"AWSXC_NO_DAEMON=0"}, false},
	}
	asked := 0
	for _, tt := range tests {
		r := f.runBinary(t, "", append(tt.env, "GODEBUG=inittrace=1"), tt.args...)
		stderr, ran := initTrace(t, r.stderr)
		if ran == tt.quick {
			t.Errorf("%s: main ran: %v, want %v", tt.name, ran, !tt.quick)
		}
		// The same call with --debug never takes the quick path.
		want := f.runBinary(t, "", tt.env, append(tt.args, "--debug")...)
		if r.code != 0 || r.stdout != want.stdout || !strings.Contains(want.stderr, "credentials from the daemon") {
			t.Errorf("%s: exit %d, stdout %q; the command prints %q\n%s", tt.name, r.code, r.stdout, want.stdout, want.stderr)
		}
		if tt.name != "debug" && stderr != "" {
			t.Errorf("%s: stderr %q", tt.name, stderr)
		}
		asked += 2
		if n := d.answered(); n != asked {
			t.Errorf("%s: the daemon answered %d requests, want %d: one a run", tt.name, n, asked)
		}
	}
	if n := f.sts.Count("AssumeRole"); n != 1 {
		t.Errorf("%d AssumeRole calls, want 1", n)
	}
}

// TestQuickPathHandsOver: an answer the quick path does not print (one
// with warnings, an error, a daemon that never answers) goes to the
// command with the exchange, which reads it instead of asking again: one
// connection a run (so a silent daemon costs its 2 s bound once), and the
// command's verdict on the answer.
func TestQuickPathHandsOver(t *testing.T) {
	t.Parallel()
	respond := func(status int, body string) func(net.Conn) {
		return func(c net.Conn) {
			if req, err := http.ReadRequest(bufio.NewReader(c)); err == nil {
				io.Copy(io.Discard, req.Body)
				resp := &http.Response{StatusCode: status, ProtoMajor: 1, ProtoMinor: 1, Header: http.Header{"Awsxc-Protocol": {"1"}},
					Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body))}
				resp.Write(c)
			}
		}
	}
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	tests := []struct {
		name   string
		serve  func(net.Conn)
		code   int
		stdout string // a substring of standard output
		stderr string // a substring of standard error
	}{
		{"warnings", respond(200, `{"profile":"static","kind":"static","credentials":{"access_key_id":"AKIAFROMDAEMON","secret_access_key":"s"},`+
			`"warnings":[{"file":"/x/config","text":"line 3: a warning"}]}`),
			0, `"AccessKeyId":"AKIAFROMDAEMON"`, "awsxc-cli: warning: line 3: a warning\n"},
		{"error", respond(422, `{"error":{"code":"resolve","profile":"static","kind":"profile-not-found","message":"no such profile"}}`),
			3, "", "no such profile"},
		{"silent", func(net.Conn) { <-stop }, 0, `"AccessKeyId":"AKIAEXAMPLE"`, ""},
		// Bigger than a client reads: the command refuses it and resolves
		// in process, and so must the quick path.
		{"too_big", respond(200, `{"profile":"static","kind":"static","credentials":{"access_key_id":"AKIAFROMDAEMON","secret_access_key":"s"},`+
			`"pad":"`+strings.Repeat("x", 64<<10)+`"}`), 0, `"AccessKeyId":"AKIAEXAMPLE"`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			var conns atomic.Int32
			f.standIn(t, func(c net.Conn) { conns.Add(1); tt.serve(c) })
			r := f.runBinary(t, "", []string{"GODEBUG=inittrace=1"}, "--profile", "static", "--json")
			stderr, ran := initTrace(t, r.stderr)
			if !ran || r.code != tt.code || !strings.Contains(r.stdout, tt.stdout) || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("main ran: %v; exit %d, stdout %q, stderr %q", ran, r.code, r.stdout, stderr)
			}
			if n := conns.Load(); n != 1 {
				t.Errorf("%d connections to the daemon, want 1", n)
			}
		})
	}
}
