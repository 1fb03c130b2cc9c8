package daemon

import (
	"context"
	"io"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/awsxc/awsxc/engine/daemon/wire"
	"github.com/awsxc/awsxc/internal/testbuf"
)

// TestDirectAnswer: on the local endpoint, what the daemon holds is
// answered by the endpoint's own thread, and everything that would wait
// goes through the http.Server; the answers are the same either way.
func TestDirectAnswer(t *testing.T) {
	t.Parallel()
	var log testbuf.Buffer
	w := newWorld(t, Options{Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	direct := func(what string, want bool) {
		t.Helper()
		l := log.Take()
		if !strings.Contains(l, `msg="local API: credentials"`) {
			t.Fatalf("%s: no credentials record in\n%s", what, l)
		}
		if got := strings.Contains(l, "direct=true"); got != want {
			t.Errorf("%s: answered directly %v, want %v:\n%s", what, got, want, l)
		}
	}
	first := mustAsk(t, w, w.request("role"))
	direct("role, first (AssumeRole)", false)
	again := mustAsk(t, w, w.request("role"))
	direct("role, held", true)
	if diff := cmp.Diff(first, again); diff != "" {
		t.Errorf("role held (-first +again):\n%s", diff)
	}
	refresh := w.request("role")
	refresh.Refresh = true
	if r := mustAsk(t, w, refresh); r.Credentials == first.Credentials {
		t.Error("a refresh gave the same credentials")
	}
	direct("role, refresh", false)
	mustAsk(t, w, w.request("static"))
	direct("static, keys in the files", true)
	temp := w.request("static")
	temp.EnsureTemporary, temp.DurationSeconds = true, 900
	mustAsk(t, w, temp)
	direct("static, a session of its own duration (GetSessionToken)", false)
	if n := w.sts.Count("AssumeRole"); n != 2 {
		t.Errorf("%d AssumeRole calls, want 2 (the first, the refresh)", n)
	}

	// Requests in shapes the thread leaves to the http.Server: answered
	// in full there.
	for _, c := range []struct{ name, request, want string }{
		{"chunked", "POST /v1/credentials HTTP/1.1\r\nHost: awsxc\r\nAwsxc-Protocol: 1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" +
			chunk(string(wire.AppendRequest(nil, ptr(w.request("static"))))) + "0\r\n\r\n", `"access_key_id":"AKIASTATICEXAMPLE0001"`},
		{"pipelined", "POST /v1/credentials HTTP/1.1\r\nHost: awsxc\r\nAwsxc-Protocol: 1\r\nContent-Length: 2\r\n\r\n[]" +
			"GET /v1/status HTTP/1.1\r\nHost: awsxc\r\nAwsxc-Protocol: 1\r\nConnection: close\r\n\r\n", `"profiles"`},
		{"status", "GET /v1/status HTTP/1.1\r\nHost: awsxc\r\nAwsxc-Protocol: 1\r\nConnection: close\r\n\r\n", `"profiles"`},
		{"another version", "POST /v1/credentials HTTP/1.1\r\nHost: awsxc\r\nAwsxc-Protocol: 2\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}", "HTTP/1.1 409 "},
		{"bad request", "POST /v1/credentials HTTP/1.1\r\nHost: awsxc\r\nAwsxc-Protocol: 1\r\nContent-Length: 2\r\nConnection: close\r\n\r\n[]", "HTTP/1.1 400 "},
	} {
		if got := rawAsk(t, w.sock, c.request); !strings.Contains(got, c.want) {
			t.Errorf("%s: %q does not hold %q", c.name, got, c.want)
		}
	}
	// A client that waits for "100 Continue" before its body (as curl
	// does for a big one) gets it (TestWholeRequest: at once).
	body := wire.AppendRequest(nil, ptr(w.request("static")))
	c, err := net.Dial("unix", w.sock)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	io.WriteString(c, "POST /v1/credentials HTTP/1.1\r\nHost: awsxc\r\nAwsxc-Protocol: 1\r\nExpect: 100-continue\r\nContent-Length: "+
		strconv.Itoa(len(body))+"\r\nConnection: close\r\n\r\n")
	interim := make([]byte, len("HTTP/1.1 100 Continue\r\n\r\n"))
	if _, err := io.ReadFull(c, interim); err != nil || string(interim) != "HTTP/1.1 100 Continue\r\n\r\n" {
		t.Fatalf("Expect: %q, %v", interim, err)
	}
	c.Write(body)
	if rest, _ := io.ReadAll(c); !strings.Contains(string(rest), `"access_key_id":"AKIASTATICEXAMPLE0001"`) {
		t.Errorf("Expect: %q", rest)
	}
}

func ptr[T any](v T) *T { return &v }

// chunk is s as one chunk of a chunked body.
func chunk(s string) string { return strconv.FormatInt(int64(len(s)), 16) + "\r\n" + s + "\r\n" }

// rawAsk sends request as it is and returns the whole answer.
func rawAsk(t *testing.T, sock, request string) string {
	t.Helper()
	c, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := io.WriteString(c, request); err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestDirectBytes: what the thread writes is an HTTP answer net/http
// reads as the http.Server's own: the same status, headers and body.
func TestDirectBytes(t *testing.T) {
	t.Parallel()
	w := newWorld(t, Options{})
	req := string(wire.AppendRequest(nil, ptr(w.request("static"))))
	head := "POST /v1/credentials HTTP/1.1\r\nHost: awsxc\r\nAwsxc-Protocol: 1\r\nContent-Type: application/json\r\nConnection: close\r\n"
	direct := rawAsk(t, w.sock, head+"Content-Length: "+strconv.Itoa(len(req))+"\r\n\r\n"+req)
	served := rawAsk(t, w.sock, head+"Transfer-Encoding: chunked\r\n\r\n"+chunk(req)+"0\r\n\r\n")
	parse := func(s string) (string, []string, string) {
		h, body, _ := strings.Cut(s, "\r\n\r\n")
		lines := strings.Split(h, "\r\n")
		var keep []string
		for _, l := range lines[1:] {
			if !strings.HasPrefix(l, "Date: ") {
				keep = append(keep, l)
			}
		}
		slices.Sort(keep)
		return lines[0], keep, body
	}
	s1, h1, b1 := parse(direct)
	s2, h2, b2 := parse(served)
	if diff := cmp.Diff([]any{s2, h2, b2}, []any{s1, h1, b1}); diff != "" {
		t.Errorf("(-http.Server +thread):\n%s", diff)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := w.client.Credentials(ctx, w.request("static")); err != nil {
		t.Errorf("the client: %v", err)
	}
}
