package localsock

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// The test binary doubles as the other process of the cross-process
// tests: with LOCALSOCK_TEST_HELPER set, TestMain runs that helper
// instead of the tests.
//
//	listen  Listen on LOCALSOCK_TEST_PATH, print "ready" (or "error KIND
//	        message"), serve echo until stdin closes or the process is
//	        killed
//	listen-spawn  listen, with a grandchild process that sleeps a
//	        minute; prints "ready PID" (the grandchild's)
//	dial    Dial LOCALSOCK_TEST_PATH, send "ping", print "ok REPLY" or
//	        "error KIND message"
func TestMain(m *testing.M) {
	if mode := os.Getenv("LOCALSOCK_TEST_HELPER"); mode != "" {
		os.Exit(helper(mode, os.Getenv("LOCALSOCK_TEST_PATH")))
	}
	os.Exit(m.Run())
}

func helper(mode, path string) int {
	switch mode {
	case "listen":
		l, err := Listen(Options{Path: path})
		if err != nil {
			fmt.Printf("error %s %v\n", kindOf(err), err)
			return 0
		}
		go serveEcho(l)
		fmt.Println("ready")
		io.Copy(io.Discard, os.Stdin)
		l.Close()
		return 0
	case "listen-spawn":
		// A daemon that starts a program which outlives it, as the tray
		// starts credential_process helpers and browsers: the program
		// must not inherit what holds the endpoint.
		l, err := Listen(Options{Path: path})
		if err != nil {
			fmt.Printf("error %s %v\n", kindOf(err), err)
			return 0
		}
		self, _ := os.Executable()
		grandchild := exec.Command(self, "-test.run=^$")
		grandchild.Env = append(os.Environ(), "LOCALSOCK_TEST_HELPER=sleep")
		if err := grandchild.Start(); err != nil {
			fmt.Printf("error other %v\n", err)
			return 0
		}
		go serveEcho(l)
		fmt.Printf("ready %d\n", grandchild.Process.Pid)
		io.Copy(io.Discard, os.Stdin)
		l.Close()
		return 0
	case "sleep":
		time.Sleep(time.Minute)
		return 0
	case "dial":
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		fmt.Println(ping(ctx, path))
		return 0
	}
	if rc, ok := osHelper(mode, path); ok {
		return rc
	}
	fmt.Fprintf(os.Stderr, "unknown helper %q\n", mode)
	return 2
}

// ping dials path, sends "ping" and returns "ok REPLY" or "error KIND
// message".
func ping(ctx context.Context, path string) string {
	c, err := Dial(ctx, Options{Path: path})
	if err != nil {
		return fmt.Sprintf("error %s %v", kindOf(err), err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, "ping\n"); err != nil {
		return fmt.Sprintf("error write %v", err)
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return fmt.Sprintf("error read %v", err)
	}
	return "ok " + strings.TrimSuffix(line, "\n")
}

// exchangePing is ping through Exchange, which reads until the echo
// server hangs up.
func exchangePing(ctx context.Context, path string) string {
	answer, err := Exchange(ctx, Options{Path: path}, Request{Data: []byte("ping\n"), Limit: 64})
	switch {
	case err != nil:
		return fmt.Sprintf("error %s %v", kindOf(err), err)
	case !bytes.HasSuffix(answer, []byte("\n")):
		return fmt.Sprintf("error read %q", answer)
	}
	return "ok " + strings.TrimSuffix(string(answer), "\n")
}

// pingers are a client's two ways to the daemon, which must agree.
var pingers = []struct {
	name string
	ping func(context.Context, string) string
}{{"Dial", ping}, {"Exchange", exchangePing}}

// serveEcho answers each connection's first line with "echo LINE" until
// the listener is closed.
func serveEcho(l net.Listener) {
	serveLines(l, func(c net.Conn, line string) { io.WriteString(c, "echo "+line) })
}

// serveLines reads each connection's first line (within 10 s) and hands
// the connection and the line to serve, until the listener is closed.
func serveLines(l net.Listener, serve func(c net.Conn, line string)) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			c.SetReadDeadline(time.Now().Add(10 * time.Second))
			line, err := bufio.NewReader(c).ReadString('\n')
			if err == nil {
				serve(c, line)
			}
		}()
	}
}

// kindOf names the sentinel err wraps, for the helpers' output and the
// tests' messages.
func kindOf(err error) string {
	for _, k := range []struct {
		err  error
		name string
	}{
		{ErrNoDaemon, "nodaemon"},
		{ErrInsecure, "insecure"},
		{ErrPeer, "peer"},
		{ErrRunning, "running"},
		{ErrPathTooLong, "pathtoolong"},
	} {
		if errors.Is(err, k.err) {
			return k.name
		}
	}
	if err == nil {
		return "nil"
	}
	return "other"
}

// listenEcho listens on path and serves echo until the test ends.
func listenEcho(t *testing.T, opts Options) *Listener {
	t.Helper()
	l, err := Listen(opts)
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	go serveEcho(l)
	return l
}

// wantPing dials path, and exchanges with it, and fails the test unless
// the echo comes back both times.
func wantPing(t *testing.T, path string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, p := range pingers {
		if got := p.ping(ctx, path); got != "ok echo ping" {
			t.Fatalf("%s %s: %s", p.name, path, got)
		}
	}
}

// wantKind fails the test unless err wraps the sentinel named kind and
// is one line.
func wantKind(t *testing.T, what string, err error, kind string) {
	t.Helper()
	if got := kindOf(err); got != kind {
		t.Errorf("%s: err = %v (%s), want %s", what, err, got, kind)
		return
	}
	if err != nil && strings.Contains(err.Error(), "\n") {
		t.Errorf("%s: error is not one line: %q", what, err)
	}
}

// child is a helper process of the test binary.
type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bufio.Reader
}

// startChild runs the helper mode on path in a new process (exe is the
// test binary to run, "" for this one; attr sets its credentials) and
// returns once it printed its first line, which it returns too.
func startChild(t *testing.T, exe, mode, path string, prep func(*exec.Cmd)) (*child, string) {
	t.Helper()
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), "LOCALSOCK_TEST_HELPER="+mode, "LOCALSOCK_TEST_PATH="+path)
	cmd.Stderr = os.Stderr
	if prep != nil {
		prep(cmd)
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, stdin: stdin, out: bufio.NewReader(stdout)}
	t.Cleanup(c.stop)
	line := make(chan string, 1)
	go func() {
		s, _ := c.out.ReadString('\n')
		line <- strings.TrimSuffix(s, "\n")
	}()
	select {
	case s := <-line:
		return c, s
	case <-time.After(30 * time.Second):
		t.Fatalf("helper %s printed nothing", mode)
		return nil, ""
	}
}

// stop ends the child: closing stdin lets a listener close cleanly.
func (c *child) stop() {
	c.stdin.Close()
	done := make(chan struct{})
	go func() { c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		c.cmd.Process.Kill()
		<-done
	}
}

// testHTTP serves HTTP on a listener at path and asks it through
// Options.DialContext, the way the CLI will.
func testHTTP(t *testing.T, path string) {
	t.Helper()
	l, err := Listen(Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "%s %s", r.Method, r.URL.Path)
		}),
		ReadHeaderTimeout: 5 * time.Second,
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	client := &http.Client{
		Transport: &http.Transport{DialContext: Options{Path: path}.DialContext, DisableKeepAlives: true},
		Timeout:   10 * time.Second,
	}
	for range 3 {
		resp, err := client.Post("http://awsxc/v1/credentials", "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 || string(body) != "POST /v1/credentials" {
			t.Fatalf("got %d %q, %v", resp.StatusCode, body, err)
		}
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		t.Errorf("Serve returned %v", err)
	}
}

// testConcurrent has 20 clients dial and ping at once.
func testConcurrent(t *testing.T, path string) {
	t.Helper()
	const clients = 20
	var accepted sync.WaitGroup
	l, err := Listen(Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	n := 0
	var mu sync.Mutex
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			n++
			mu.Unlock()
			accepted.Add(1)
			go func() {
				defer accepted.Done()
				defer c.Close()
				c.SetDeadline(time.Now().Add(10 * time.Second))
				line, err := bufio.NewReader(c).ReadString('\n')
				if err == nil {
					io.WriteString(c, "echo "+line)
				}
			}()
		}
	}()
	start := make(chan struct{})
	results := make([]string, clients)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			results[i] = pingers[i%len(pingers)].ping(ctx, path)
		}()
	}
	close(start)
	wg.Wait()
	for i, r := range results {
		if r != "ok echo ping" {
			t.Errorf("client %d: %s", i, r)
		}
	}
	accepted.Wait()
	mu.Lock()
	defer mu.Unlock()
	if n != clients {
		t.Errorf("accepted %d connections, want %d", n, clients)
	}
}
