package localsock

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// directServer is a Direct listener whose thread answers "answer …"
// lines itself and hands every other line on to a goroutine that echoes
// what it reads, line by line, as "echo …".
type directServer struct {
	path    string
	ln      net.Listener
	answers atomic.Int32 // Answer calls that answered
	handed  atomic.Int32 // connections accepted from the thread
}

// startDirect listens on path (a fresh one when empty).
func startDirect(t *testing.T, path string, opts DirectOptions, refused func(error)) *directServer {
	t.Helper()
	if path == "" {
		path = sockPath(t)
	}
	s := &directServer{path: path}
	l, err := Listen(Options{Path: s.path, Refused: refused})
	if err != nil {
		t.Fatal(err)
	}
	if opts.Complete == nil {
		opts.Complete = func(b []byte) bool { return bytes.IndexByte(b, '\n') >= 0 }
	}
	if opts.Limit == 0 {
		opts.Limit = 1 << 10
	}
	answer := opts.Answer
	opts.Answer = func(req []byte) ([]byte, bool) {
		if answer != nil {
			return answer(req)
		}
		if line, ok := bytes.CutPrefix(req, []byte("answer ")); ok {
			s.answers.Add(1)
			return append([]byte("answered "), line...), true
		}
		return nil, false
	}
	s.ln = l.Direct(opts)
	if s.ln == net.Listener(l) {
		t.Fatal("Direct returned the listener itself on Linux")
	}
	t.Cleanup(func() { s.ln.Close() })
	go func() {
		for {
			c, err := s.ln.Accept()
			if err != nil {
				return
			}
			s.handed.Add(1)
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					io.WriteString(c, "echo "+line)
				}
			}()
		}
	}()
	return s
}

// ask connects, writes each part of a request (pausing between them),
// closes its side, and returns all the answer.
func ask(t *testing.T, path string, pause time.Duration, parts ...string) string {
	t.Helper()
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	for i, p := range parts {
		if i > 0 {
			time.Sleep(pause)
		}
		if _, err := io.WriteString(c, p); err != nil {
			t.Fatal(err)
		}
	}
	c.(*net.UnixConn).CloseWrite()
	b, err := io.ReadAll(c)
	if err != nil && !errors.Is(err, syscall.ECONNRESET) {
		t.Fatal(err)
	}
	return string(b)
}

// TestDirect: the thread answers what Answer answers, with the listener's
// own checks, and hands on the rest with the bytes it read; Exchange, a
// client's way, gets either.
func TestDirect(t *testing.T) {
	t.Parallel()
	s := startDirect(t, "", DirectOptions{}, nil)
	for _, c := range []struct {
		name  string
		pause time.Duration
		parts []string
		want  string
	}{
		{"answered", 0, []string{"answer me\n"}, "answered me\n"},
		{"answered in parts", 10 * time.Millisecond, []string{"ans", "wer in", " parts\n"}, "answered in parts\n"},
		{"handed on", 0, []string{"hand me on\nand more\n"}, "echo hand me on\necho and more\n"},
		{"handed on, more after", 10 * time.Millisecond, []string{"hand me on\n", "more\n"}, "echo hand me on\necho more\n"},
		// Slower than ReadTimeout: handed on with what it sent.
		{"slow", 300 * time.Millisecond, []string{"ans", "wer late\n"}, "echo answer late\n"},
		{"silent", 300 * time.Millisecond, []string{"", "x\n"}, "echo x\n"},
		// Longer than Limit before it is complete: handed on.
		{"long", 0, []string{"answer " + strings.Repeat("x", 2<<10) + "\n"}, "echo answer " + strings.Repeat("x", 2<<10) + "\n"},
	} {
		if got := ask(t, s.path, c.pause, c.parts...); got != c.want {
			t.Errorf("%s: got %.80q, want %.80q", c.name, got, c.want)
		}
	}
	if a, h := s.answers.Load(), s.handed.Load(); a != 2 || h != 5 {
		t.Errorf("%d answered, %d handed on; want 2 and 5", a, h)
	}
	// Exchange, as the daemon's clients ask.
	got, err := Exchange(context.Background(), Options{Path: s.path}, Request{Data: []byte("answer x\n"), Limit: 100, Timeout: 10 * time.Second})
	if err != nil || string(got) != "answered x\n" {
		t.Errorf("Exchange: %q, %v", got, err)
	}
	// A client that connects and goes: nothing handed on, and the next
	// one is answered.
	c, err := net.Dial("unix", s.path)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if got := ask(t, s.path, 0, "answer again\n"); got != "answered again\n" || s.handed.Load() != 5 {
		t.Errorf("after a client that went: %q, %d handed on", got, s.handed.Load())
	}
}

// TestDirectConcurrent: many clients at once are all answered, by the
// thread or after it.
func TestDirectConcurrent(t *testing.T) {
	t.Parallel()
	s := startDirect(t, "", DirectOptions{}, nil)
	var wg sync.WaitGroup
	errs := make(chan string, 40)
	for i := range 40 {
		wg.Go(func() {
			line := fmt.Sprintf("answer %d\n", i)
			want := fmt.Sprintf("answered %d\n", i)
			if i%2 == 1 {
				line, want = fmt.Sprintf("hand %d\n", i), fmt.Sprintf("echo hand %d\n", i)
			}
			c, err := net.Dial("unix", s.path)
			if err != nil {
				errs <- err.Error()
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(10 * time.Second))
			io.WriteString(c, line)
			c.(*net.UnixConn).CloseWrite()
			if b, _ := io.ReadAll(c); string(b) != want {
				errs <- fmt.Sprintf("%q: got %q", line, b)
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestDirectPanic: an Answer that panics hands its connection on, and
// the thread goes on.
func TestDirectPanic(t *testing.T) {
	t.Parallel()
	s := startDirect(t, "", DirectOptions{Answer: func(req []byte) ([]byte, bool) {
		if bytes.HasPrefix(req, []byte("panic")) {
			panic("boom")
		}
		return []byte("ok\n"), true
	}}, nil)
	if got := ask(t, s.path, 0, "panic\n"); got != "echo panic\n" {
		t.Errorf("after a panic: %q, want it handed on", got)
	}
	if got := ask(t, s.path, 0, "next\n"); got != "ok\n" {
		t.Errorf("the next request: %q", got)
	}
}

// TestDirectClose: Close stops the thread even while it waits on a
// client, ends Accept, closes the connections not accepted, removes the
// socket, and frees the endpoint.
func TestDirectClose(t *testing.T) {
	t.Parallel()
	s := startDirect(t, "", DirectOptions{ReadTimeout: 5 * time.Second}, nil)
	if got := ask(t, s.path, 0, "answer 1\n"); got != "answered 1\n" {
		t.Fatalf("got %q", got)
	}
	// A client the thread waits on (for 5 s) when Close comes.
	c, err := net.Dial("unix", s.path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "answ")
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	closed := make(chan error)
	go func() { closed <- s.ln.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Errorf("Close: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return")
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Close took %v", took)
	}
	if _, err := s.ln.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Accept after Close: %v, want net.ErrClosed", err)
	}
	if _, err := os.Lstat(s.path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("socket left after Close: %v", err)
	}
	if err := s.ln.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	// The endpoint is free again: a plain listener takes it.
	listenEcho(t, Options{Path: s.path})
	wantPing(t, s.path)
}

// TestDirectPeerOfAnotherUser: the thread hangs up on a process of
// another user, as Accept does, reports it to Refused, and neither
// answers it nor hands it on.
func TestDirectPeerOfAnotherUser(t *testing.T) {
	t.Parallel()
	needRoot(t)
	base, exe := nobodyBinary(t)
	refused := make(chan error, 10)
	path := filepath.Join(base, "awsxc", "daemon.sock")
	s := startDirect(t, path, DirectOptions{}, func(err error) { refused <- err })
	chmod(t, filepath.Dir(path), 0o711)
	chmod(t, path, 0o666)
	if _, line := startChild(t, exe, "rawdial", path, asNobody); line != "closed" {
		t.Errorf("raw connection of uid %d: %s, want closed", nobody, line)
	}
	select {
	case err := <-refused:
		wantKind(t, "Refused", err, "peer")
	case <-time.After(10 * time.Second):
		t.Fatal("Refused not called")
	}
	if s.answers.Load() != 0 || s.handed.Load() != 0 {
		t.Errorf("another user's connection: %d answered, %d handed on", s.answers.Load(), s.handed.Load())
	}
}
