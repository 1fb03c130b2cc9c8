package daemon

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/engine/activity"
	"github.com/awsxc/awsxc/engine/daemon/wire"
	"github.com/awsxc/awsxc/internal/localsock"
)

// standIn listens on a real endpoint and hands each connection to serve:
// a daemon that misbehaves.
func standIn(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	path := shortSocket(t)
	ln, err := localsock.Listen(localsock.Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				serve(c)
			}()
		}
	}()
	return path
}

// httpStandIn answers every request with handler, over a real endpoint.
func httpStandIn(t *testing.T, handler http.HandlerFunc) string {
	t.Helper()
	path := shortSocket(t)
	ln, err := localsock.Listen(localsock.Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: handler}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return path
}

// readRequest reads one HTTP request off c.
func readRequest(c net.Conn) {
	if req, err := http.ReadRequest(bufio.NewReader(c)); err == nil {
		io.Copy(io.Discard, req.Body)
	}
}

var goodAnswer = `{"profile":"p","kind":"static","credentials":{"access_key_id":"AKIAX","secret_access_key":"s"}}`

// TestClientFallsBack: every way a daemon can fail its client ends in
// ErrFallback, at once or within the timeout, never a hang.
func TestClientFallsBack(t *testing.T) {
	t.Parallel()
	answer := func(status int, version, body string) string {
		return httpStandIn(t, func(w http.ResponseWriter, r *http.Request) {
			if version != "" {
				w.Header().Set(Header, version)
			}
			w.WriteHeader(status)
			io.WriteString(w, body)
		})
	}
	missing := shortSocket(t)
	tests := []struct {
		name string
		path string
		want string
	}{
		{"no_daemon", missing, "no daemon listening"},
		{"version_mismatch", answer(200, "2", goodAnswer), `protocol version "2", not 1`},
		{"no_version", answer(200, "", goodAnswer), `protocol version "", not 1`},
		{"huge", answer(200, "1", `{"profile":"`+strings.Repeat("x", MaxResponseBytes)+`"}`), "bigger than 65536 bytes"},
		{"garbage_json", answer(200, "1", `{"profile": [`), "the daemon's answer"},
		{"no_keys", answer(200, "1", `{"profile":"p","credentials":{}}`), "credentials without keys"},
		{"bad_expiration", answer(200, "1", `{"credentials":{"access_key_id":"A","secret_access_key":"s","expiration":"soon"}}`), "bad expiration"},
		{"declined", answer(409, "1", `{"error":{"code":"fallback","message":"another configuration"}}`), "another configuration"},
		{"unknown_kind", answer(422, "1", `{"error":{"code":"resolve","kind":"brand-new"}}`), `error this client does not know ("brand-new")`},
		{"unknown_action", answer(422, "1", `{"error":{"code":"resolve","kind":"resolve","action":"dance"}}`), "does not know"},
		{"server_error", answer(500, "1", `oops`), "answered 500"},
		{"not_http", standIn(t, func(c net.Conn) {
			readRequest(c)
			io.WriteString(c, "SSH-2.0-OpenSSH_9.2\r\n\r\n")
		}), "malformed HTTP"},
		{"hang_up", standIn(t, func(c net.Conn) { readRequest(c) }), "EOF"},
		{"huge_header", standIn(t, func(c net.Conn) {
			readRequest(c)
			io.WriteString(c, "HTTP/1.1 200 OK\r\nX: "+strings.Repeat("y", 128<<10)+"\r\n\r\n")
		}), "reading the daemon's answer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := &Client{Path: tt.path}
			_, err := c.Credentials(context.Background(), CredentialsRequest{Profile: "p"})
			if !errors.Is(err, ErrFallback) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want ErrFallback saying %q", err, tt.want)
			}
		})
	}
	if _, err := (&Client{Path: missing}).Credentials(context.Background(), CredentialsRequest{}); !errors.Is(err, localsock.ErrNoDaemon) {
		t.Errorf("no daemon: %v, want it to wrap localsock.ErrNoDaemon", err)
	}
	if _, err := (&Client{Path: missing}).Status(context.Background()); !errors.Is(err, ErrFallback) {
		t.Errorf("Status with no daemon: %v", err)
	}
}

// TestClientTimeout: a daemon that accepts and never answers costs the
// client its timeout, then it gives up.
func TestClientTimeout(t *testing.T) {
	t.Parallel()
	stop := make(chan struct{})
	path := standIn(t, func(c net.Conn) { <-stop })
	t.Cleanup(func() { close(stop) })
	c := &Client{Path: path, Timeout: 200 * time.Millisecond}
	start := time.Now()
	_, err := c.Credentials(context.Background(), CredentialsRequest{Profile: "p"})
	took := time.Since(start)
	if !errors.Is(err, ErrFallback) || took < 200*time.Millisecond || took > 5*time.Second {
		t.Errorf("err = %v after %v; want ErrFallback after 200 ms", err, took)
	}
	if versionText != strconv.Itoa(Version) {
		t.Errorf("versionText %q, Version %d", versionText, Version)
	}
	if (&Client{}).Timeout != 0 || DefaultTimeout != 2*time.Second {
		t.Error("the default timeout is not 2 s")
	}
}

// TestAPIErrorRoundTrip: every engine error kind and action crosses the
// wire and prints as it did.
func TestAPIErrorRoundTrip(t *testing.T) {
	t.Parallel()
	for _, k := range kinds {
		for a := engine.ActionNone; a <= engine.ActionAllowHost; a++ {
			e := &engine.Error{Profile: "dev", Kind: k.err, Err: errors.New("the cause\nspans lines"), Action: a, Hint: a.Hint("dev")}
			got, ok := apiError(e).EngineError()
			if !ok {
				t.Fatalf("%s/%s: not decoded", k.name, a)
			}
			if got.Error() != e.Error() || !errors.Is(got, k.err) || got.Action != a {
				t.Errorf("%s/%s: %q, want %q", k.name, a, got, e)
			}
		}
	}
	if KindName(errors.New("x")) != "" {
		t.Error("KindName of a foreign error")
	}
	e := &engine.Error{Profile: "p", Kind: engine.ErrNoCredentials}
	if got, _ := apiError(e).EngineError(); got.Error() != e.Error() || got.Err != nil {
		t.Errorf("without a cause: %q", got)
	}
}

// TestClientStreamBounds is review 3, M2: a servers list and an
// activity answer are bounded per record and in number, not as a whole,
// so a full activity buffer and hundreds of servers are read; an endless
// or oversized one is refused (ErrFallback), never held.
func TestClientStreamBounds(t *testing.T) {
	t.Parallel()
	rec := string(activity.Record{Time: time.Unix(1, 0).UTC(), Server: "ecs", Kind: KindECS, Consumer: "api",
		Profile: "p", Client: "127.0.0.1:1", UserAgent: strings.Repeat("u", 300), Outcome: activity.Served, Status: 200}.AppendJSON(nil))
	server := `{"name":"c","kind":"ecs-consumer","settings":{"note":"` + strings.Repeat("n", 700) + `"}}`
	stream := func(head, item, sep, tail string, n int) string {
		return httpStandIn(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set(Header, versionText)
			io.WriteString(w, head)
			for i := 0; n < 0 || i < n; i++ {
				if i > 0 {
					io.WriteString(w, sep)
				}
				if _, err := io.WriteString(w, item); err != nil {
					return
				}
			}
			io.WriteString(w, tail)
		})
	}
	ctx := context.Background()
	count := func(path string) (int, error) {
		n := 0
		err := (&Client{Path: path, Timeout: 10 * time.Second}).Activity(ctx, false, func(activity.Record, uint64) error { n++; return nil })
		return n, err
	}
	if n, err := count(stream("", rec+"\n", "", "", activity.DefaultSize)); err != nil || n != activity.DefaultSize {
		t.Errorf("a full activity buffer: %d records, %v", n, err)
	}
	if _, err := count(stream("", rec+"\n", "", "", -1)); !errors.Is(err, ErrFallback) {
		t.Errorf("endless activity: %v", err)
	}
	if _, err := count(stream("", `{"time":"`+strings.Repeat("x", 1<<20)+`"}`+"\n", "", "", 1)); !errors.Is(err, ErrFallback) {
		t.Errorf("a huge record: %v", err)
	}
	servers := func(path string) ([]ServerInfo, error) {
		return (&Client{Path: path, Timeout: 10 * time.Second}).Servers(ctx)
	}
	if list, err := servers(stream(`{"servers":[`, server, ",", "]}", 300)); err != nil || len(list) != 300 || list[299].Settings.Note == "" {
		t.Errorf("300 servers: %d, %v", len(list), err)
	}
	if _, err := servers(stream(`{"servers":[`, server, ",", "]}", -1)); !errors.Is(err, ErrFallback) {
		t.Errorf("endless servers: %v", err)
	}
	if _, err := servers(stream(`{"servers":[{"name":"`, strings.Repeat("x", 4096), "", `"}]}`, 64)); !errors.Is(err, ErrFallback) || !strings.Contains(err.Error(), "bigger") {
		t.Errorf("a huge server: %v", err)
	}
}

// TestWholeAnswer: a client stops reading once the answer's head and
// Content-Length bytes are in, and waits for the daemon to hang up
// otherwise; every shorter prefix of a real server's answer is not
// whole.
func TestWholeAnswer(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", true},
		{"HTTP/1.1 200 OK\r\ncontent-length:2\r\n\r\n{}\n", true},
		{"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n{}", false},
		{"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n", false},
		{"HTTP/1.1 200 OK\r\n\r\n{}", false},
		{"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}", false},
		{"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}", false},
		{"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n{}", false},
		{"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n{}", false},
	} {
		if got := wire.WholeAnswer([]byte(tc.in)); got != tc.want {
			t.Errorf("wire.WholeAnswer(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
	// What net/http's server writes for a daemon's answer.
	rec := httptest.NewRecorder()
	writeJSON(rec, http.StatusOK, map[string]string{"profile": "p"})
	var b bytes.Buffer
	res := rec.Result()
	res.ContentLength = int64(rec.Body.Len())
	res.Write(&b)
	full := b.Bytes()
	if !wire.WholeAnswer(full) {
		t.Fatalf("a whole answer is not whole: %q", full)
	}
	for i := range len(full) {
		if wire.WholeAnswer(full[:i]) {
			t.Errorf("%d of %d bytes are whole: %q", i, len(full), full[:i])
		}
	}
}

// TestWholeRequest: the local endpoint's thread reads a request until
// it can decide: the body it announces, or a head that leaves the body's
// length to the http.Server.
func TestWholeRequest(t *testing.T) {
	const head = "POST /v1/credentials HTTP/1.1\r\nHost: awsxc\r\n"
	for _, c := range []struct {
		in   string
		want bool
	}{
		{"", false},
		{head, false},
		{head + "\r\n", true}, // no body
		{head + "Content-Length: 2\r\n\r\n{", false},
		{head + "Content-Length: 2\r\n\r\n{}", true},
		{head + "content-length: 2\r\n\r\n{}x", true},
		{head + "Transfer-Encoding: chunked\r\n\r\n", true},
		{head + "Expect: 100-continue\r\nContent-Length: 2\r\n\r\n", true},
		{head + "Content-Length: x\r\n\r\n", true},
		{head + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n", true},
	} {
		if got := wholeRequest([]byte(c.in)); got != c.want {
			t.Errorf("wholeRequest(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

// TestClientPrefetched: an exchange made before (the CLI's quick path)
// answers the first request that is the same, path and bytes, once, with
// its answer or its error; a request that differs asks the daemon; so
// does the next one.
func TestClientPrefetched(t *testing.T) {
	t.Parallel()
	var conns atomic.Int32
	path := standIn(t, func(c net.Conn) {
		conns.Add(1)
		readRequest(c)
		io.WriteString(c, "HTTP/1.1 200 OK\r\n"+Header+": 1\r\nContent-Length: "+strconv.Itoa(len(goodAnswer))+"\r\n\r\n"+goodAnswer)
	})
	req := CredentialsRequest{Profile: "p", Config: Config{Home: "/h", SDK: map[string]string{}}}
	other := req
	other.Refresh = true
	const before = `{"profile":"p","kind":"static","credentials":{"access_key_id":"AKIABEFORE","secret_access_key":"s"}}`
	made := func(path string, r CredentialsRequest, err error) *wire.Exchange {
		answer := "HTTP/1.1 200 OK\r\n" + Header + ": 1\r\nContent-Length: " + strconv.Itoa(len(before)) + "\r\n\r\n" + before
		return &wire.Exchange{Path: path, Msg: wire.CredentialsMessage(&r), Answer: []byte(answer), Err: err}
	}
	tests := []struct {
		name  string
		x     *wire.Exchange
		key   string // the first answer's key; "" for an error
		conns int32  // connections for the first request
	}{
		{"same", made(path, req, nil), "AKIABEFORE", 0},
		{"failed", made(path, req, fmt.Errorf("%w: gone", localsock.ErrNoDaemon)), "", 0},
		{"other_request", made(path, other, nil), "AKIAX", 1},
		{"other_path", made(path+"x", req, nil), "AKIAX", 1},
	}
	for _, tt := range tests {
		conns.Store(0)
		c := &Client{Path: path, Prefetched: tt.x}
		resp, err := c.Credentials(context.Background(), req)
		switch {
		case tt.key == "" && !errors.Is(err, localsock.ErrNoDaemon):
			t.Errorf("%s: %v, want the exchange's error", tt.name, err)
		case tt.key != "" && (err != nil || resp.Credentials.AccessKeyID != tt.key):
			t.Errorf("%s: %+v, %v; want %s", tt.name, resp, err, tt.key)
		}
		if n := conns.Load(); n != tt.conns {
			t.Errorf("%s: %d connections for the first request, want %d", tt.name, n, tt.conns)
		}
		if resp, err := c.Credentials(context.Background(), req); err != nil || resp.Credentials.AccessKeyID != "AKIAX" || conns.Load() != tt.conns+1 {
			t.Errorf("%s: the second request: %+v, %v after %d connections; want the daemon's answer", tt.name, resp, err, conns.Load())
		}
	}
}
