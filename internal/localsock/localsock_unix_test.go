//go:build unix

package localsock

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/awsxc/awsxc/internal/exectest"
)

// nobody is the user the cross-user tests run their other process as.
const nobody = 65534

func osHelper(mode, path string) (int, bool) {
	switch mode {
	case "rawdial":
		// Connect as an attacker would, without Dial's checks, and
		// report what the listener did: "closed" when it hung up.
		c, err := net.Dial("unix", path)
		if err != nil {
			fmt.Printf("error %v\n", err)
			return 0, true
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		io.WriteString(c, "ping\n")
		b, err := io.ReadAll(c)
		switch {
		case len(b) > 0:
			fmt.Printf("answered %q\n", b)
		case err == nil, errors.Is(err, syscall.ECONNRESET):
			fmt.Println("closed")
		default:
			fmt.Printf("error %v\n", err)
		}
		return 0, true
	}
	return 0, false
}

// needRoot is for the tests that change owners or run a process as
// another user: they skip without root, and fail under CI=true.
func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("needs root")
		}
		t.Skip("needs root")
	}
}

// sockPath returns a socket path in a fresh folder that does not exist
// yet: dir/awsxc/daemon.sock.
func sockPath(t *testing.T) string {
	t.Helper()
	return filepath.Join(tempDir(t), "awsxc", "daemon.sock")
}

// tempDir is t.TempDir with a short name: t.TempDir's holds the test's
// name, and a socket path must fit in 107 bytes.
func tempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "ls-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func TestListenDial(t *testing.T) {
	t.Parallel()
	path := sockPath(t)
	l := listenEcho(t, Options{Path: path})
	if l.Path() != path || l.Addr().Network() != "unix" || l.Addr().String() != path {
		t.Errorf("Path %q, Addr %s %s; want %s", l.Path(), l.Addr().Network(), l.Addr(), path)
	}
	for _, f := range []struct {
		path string
		mode fs.FileMode
	}{
		{filepath.Dir(path), fs.ModeDir | 0o700},
		{path, fs.ModeSocket | 0o600},
		{path + ".lock", 0o600},
	} {
		fi, err := os.Lstat(f.path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != f.mode || owner(fi) != os.Geteuid() {
			t.Errorf("%s: mode %v owner %d, want %v owner %d", f.path, fi.Mode(), owner(fi), f.mode, os.Geteuid())
		}
	}
	for range 3 {
		wantPing(t, path)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("socket left after Close: %v", err)
	}
	if _, err := l.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Accept after Close: %v, want net.ErrClosed", err)
	}
	// The lock file stays (see fsutil), and the endpoint is free again.
	listenEcho(t, Options{Path: path})
	wantPing(t, path)
}

func TestHTTP(t *testing.T) {
	t.Parallel()
	testHTTP(t, sockPath(t))
}

func TestConcurrentClients(t *testing.T) {
	t.Parallel()
	testConcurrent(t, sockPath(t))
}

func TestDefaultPath(t *testing.T) {
	t.Parallel()
	env := map[string]string{"XDG_RUNTIME_DIR": "/run/user/1000", "HOME": "/home/u"}
	got, err := DefaultPath(func(k string) string { return env[k] })
	if want := "/run/user/1000/awsxc/daemon.sock"; err != nil || got != want {
		t.Errorf("DefaultPath = %q, %v; want %q", got, err, want)
	}
}

// TestDialNoDaemon: every way of "no daemon" is ErrNoDaemon at once,
// wrapping the system's reason.
func TestDialNoDaemon(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, path string)
		errno syscall.Errno
	}{
		{"no_folder", func(*testing.T, string) {}, syscall.ENOENT},
		{"no_socket", func(t *testing.T, path string) { mkdir(t, filepath.Dir(path), 0o700) }, syscall.ENOENT},
		{"stale_socket", func(t *testing.T, path string) {
			mkdir(t, filepath.Dir(path), 0o700)
			staleSocket(t, path)
		}, syscall.ECONNREFUSED},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := sockPath(t)
			tc.setup(t, path)
			for what, err := range connectErrors(context.Background(), path) {
				wantKind(t, what, err, "nodaemon")
				if !errors.Is(err, tc.errno) {
					t.Errorf("%s: err = %v, want it to wrap %v", what, err, tc.errno)
				}
			}
		})
	}
}

// connectErrors tries path with Dial and with Exchange (which makes its
// own connection) and returns each one's error: every refusal must be
// the same for both.
func connectErrors(ctx context.Context, path string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		c, err := Dial(ctx, Options{Path: path})
		if c != nil {
			c.Close()
		}
		if !yield("Dial", err) {
			return
		}
		_, err = Exchange(ctx, Options{Path: path}, Request{Data: []byte("ping\n"), Limit: 64})
		yield("Exchange", err)
	}
}

// staleSocket leaves a socket file at path that nobody listens on, as a
// daemon killed with SIGKILL does.
func staleSocket(t *testing.T, path string) {
	t.Helper()
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ln.SetUnlinkOnClose(false)
	ln.Close()
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestDialCanceled(t *testing.T) {
	t.Parallel()
	path := sockPath(t)
	listenEcho(t, Options{Path: path})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for what, err := range connectErrors(ctx, path) {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a canceled context: %v", what, err)
		}
	}
}

// TestSilentDaemon: a listener that never accepts still completes the
// connect (the kernel queues it), so only the caller's deadline ends the
// wait, as the package documentation tells callers.
func TestSilentDaemon(t *testing.T) {
	t.Parallel()
	path := sockPath(t)
	l, err := Listen(Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c, err := Dial(context.Background(), Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if _, err := c.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("Read from a silent daemon: %v, want the deadline", err)
	}
}

// TestStaleSocketReplaced kills a daemon (a real process) with SIGKILL,
// which leaves its socket behind, and starts another on the same path.
func TestStaleSocketReplaced(t *testing.T) {
	t.Parallel()
	path := sockPath(t)
	c, line := startChild(t, "", "listen", path, nil)
	if line != "ready" {
		t.Fatalf("helper: %s", line)
	}
	wantPing(t, path)
	c.cmd.Process.Kill()
	c.cmd.Wait()
	if fi, err := os.Lstat(path); err != nil || fi.Mode().Type() != fs.ModeSocket {
		t.Fatalf("no stale socket after SIGKILL: %v", err)
	}
	_, err := Dial(context.Background(), Options{Path: path})
	wantKind(t, "Dial to the dead daemon", err, "nodaemon")
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("err = %v, want ECONNREFUSED", err)
	}
	listenEcho(t, Options{Path: path})
	wantPing(t, path)
}

// TestStaleSocketChildOutlives: a daemon killed while a program it
// started still runs leaves nothing that program could hold the endpoint
// with (the lock and the socket are close-on-exec).
func TestStaleSocketChildOutlives(t *testing.T) {
	t.Parallel()
	path := sockPath(t)
	c, line := startChild(t, "", "listen-spawn", path, nil)
	var pid int
	if _, err := fmt.Sscanf(line, "ready %d", &pid); err != nil {
		t.Fatalf("helper: %s", line)
	}
	grandchild, err := os.FindProcess(pid)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { grandchild.Kill(); grandchild.Wait() })
	c.cmd.Process.Kill()
	c.cmd.Wait()
	if err := grandchild.Signal(syscall.Signal(0)); err != nil {
		t.Fatalf("the daemon's child is gone already: %v", err)
	}
	listenEcho(t, Options{Path: path})
	wantPing(t, path)
}

// TestSecondListener: while one daemon runs, another (in this process or
// another) is refused, and the first one's socket keeps working.
func TestSecondListener(t *testing.T) {
	t.Parallel()
	path := sockPath(t)
	listenEcho(t, Options{Path: path})
	_, err := Listen(Options{Path: path})
	wantKind(t, "second Listen in process", err, "running")
	wantPing(t, path)
	_, line := startChild(t, "", "listen", path, nil)
	if !strings.HasPrefix(line, "error running ") {
		t.Errorf("second Listen in another process: %s", line)
	}
	wantPing(t, path)

	// And the other way round: a daemon in another process holds the
	// endpoint against this one.
	other := sockPath(t)
	if _, line := startChild(t, "", "listen", other, nil); line != "ready" {
		t.Fatalf("helper: %s", line)
	}
	_, err = Listen(Options{Path: other})
	wantKind(t, "Listen while another process listens", err, "running")
	wantPing(t, other)
}

// TestInsecure: folders and sockets that are not safely the user's are
// refused by the listener and the client, and nothing is changed.
func TestInsecure(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		root bool // changes owners
		// setup gets a fresh base folder and returns the path to use;
		// it may leave a daemon listening.
		setup      func(t *testing.T, base string) string
		wantListen string // kindOf the error of a new Listen
		wantDial   string // kindOf the error of Dial, "" to skip
		want       string // in both errors
	}{
		{
			name: "folder_0755",
			setup: func(t *testing.T, base string) string {
				path := listening(t, base)
				chmod(t, filepath.Dir(path), 0o755)
				return path
			},
			wantListen: "insecure", wantDial: "insecure", want: "has mode 0755; group and others must have no access",
		},
		{
			name: "folder_0711",
			setup: func(t *testing.T, base string) string {
				path := listening(t, base)
				chmod(t, filepath.Dir(path), 0o711)
				return path
			},
			wantListen: "insecure", wantDial: "insecure", want: "has mode 0711",
		},
		{
			name: "folder_0755_made_elsewhere",
			setup: func(t *testing.T, base string) string {
				dir := filepath.Join(base, "awsxc")
				mkdir(t, dir, 0o755)
				return filepath.Join(dir, "daemon.sock")
			},
			wantListen: "insecure", want: "has mode 0755",
		},
		{
			name: "socket_0666",
			setup: func(t *testing.T, base string) string {
				path := listening(t, base)
				chmod(t, path, 0o666)
				return path
			},
			// The lock answers a new listener first.
			wantListen: "running", wantDial: "insecure", want: "",
		},
		{
			name: "folder_symlink",
			setup: func(t *testing.T, base string) string {
				path := listening(t, base)
				link := filepath.Join(base, "link")
				symlink(t, filepath.Dir(path), link)
				return filepath.Join(link, "daemon.sock")
			},
			wantListen: "insecure", wantDial: "insecure", want: "is a symlink, not followed",
		},
		{
			name: "socket_symlink",
			setup: func(t *testing.T, base string) string {
				path := listening(t, base)
				alias := filepath.Join(filepath.Dir(path), "alias.sock")
				symlink(t, path, alias)
				return alias
			},
			wantListen: "insecure", wantDial: "insecure", want: "is a symlink, not a socket",
		},
		{
			name: "regular_file_at_socket_path",
			setup: func(t *testing.T, base string) string {
				dir := filepath.Join(base, "awsxc")
				mkdir(t, dir, 0o700)
				path := filepath.Join(dir, "daemon.sock")
				if err := os.WriteFile(path, []byte("keep me"), 0o600); err != nil {
					t.Fatal(err)
				}
				return path
			},
			wantListen: "insecure", wantDial: "insecure", want: "is a regular file, not a socket",
		},
		{
			name: "folder_is_a_file",
			setup: func(t *testing.T, base string) string {
				dir := filepath.Join(base, "awsxc")
				if err := os.WriteFile(dir, []byte("keep me"), 0o600); err != nil {
					t.Fatal(err)
				}
				return filepath.Join(dir, "daemon.sock")
			},
			wantListen: "insecure", wantDial: "insecure", want: "is a regular file, not a folder",
		},
		{
			name: "parent_writable_by_others_not_sticky",
			setup: func(t *testing.T, base string) string {
				chmod(t, base, 0o777)
				return filepath.Join(base, "awsxc", "daemon.sock")
			},
			wantListen: "insecure", want: "others may write folder",
		},
		{
			name: "folder_of_another_user",
			root: true,
			setup: func(t *testing.T, base string) string {
				path := listening(t, base)
				chown(t, filepath.Dir(path), nobody)
				return path
			},
			wantListen: "insecure", wantDial: "insecure", want: "belongs to uid 65534, not uid 0",
		},
		{
			name: "socket_of_another_user",
			root: true,
			setup: func(t *testing.T, base string) string {
				path := listening(t, base)
				chown(t, path, nobody)
				return path
			},
			wantListen: "running", wantDial: "insecure", want: "",
		},
		{
			name: "stale_socket_of_another_user",
			root: true,
			setup: func(t *testing.T, base string) string {
				dir := filepath.Join(base, "awsxc")
				mkdir(t, dir, 0o700)
				path := filepath.Join(dir, "daemon.sock")
				staleSocket(t, path)
				chown(t, path, nobody)
				return path
			},
			wantListen: "insecure", wantDial: "insecure", want: "belongs to uid 65534, not uid 0",
		},
		{
			name: "parent_of_another_user",
			root: true,
			setup: func(t *testing.T, base string) string {
				parent := filepath.Join(base, "p")
				mkdir(t, parent, 0o755)
				chown(t, parent, nobody)
				dir := filepath.Join(parent, "awsxc")
				mkdir(t, dir, 0o700)
				return filepath.Join(dir, "daemon.sock")
			},
			wantListen: "insecure", want: "belongs to uid 65534, not uid 0 or root",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.root {
				needRoot(t)
			}
			base := tempDir(t)
			path := tc.setup(t, base)
			before := snapshot(t, base)
			l, err := Listen(Options{Path: path})
			if l != nil {
				l.Close()
			}
			wantKind(t, "Listen", err, tc.wantListen)
			if err != nil && !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Listen: %q does not say %q", err, tc.want)
			}
			if tc.wantDial != "" {
				for what, err := range connectErrors(context.Background(), path) {
					wantKind(t, what, err, tc.wantDial)
					if err != nil && !strings.Contains(err.Error(), tc.want) {
						t.Errorf("%s: %q does not say %q", what, err, tc.want)
					}
				}
			}
			if diff := cmp.Diff(before, snapshot(t, base)); diff != "" {
				t.Errorf("files changed (-before +after):\n%s", diff)
			}
		})
	}
}

// listening starts a daemon in base/awsxc and returns its socket path.
func listening(t *testing.T, base string) string {
	t.Helper()
	path := filepath.Join(base, "awsxc", "daemon.sock")
	listenEcho(t, Options{Path: path})
	wantPing(t, path)
	return path
}

// TestPathTooLong: the longest path the system takes works; one byte
// more is refused before anything is created.
func TestPathTooLong(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	fill := maxPath - len(base) - len("/") - len("/s")
	if fill < 1 {
		t.Skipf("temp folder %s is too long to test with", base)
	}
	longest := filepath.Join(base, strings.Repeat("d", fill), "s")
	if len(longest) != maxPath {
		t.Fatalf("test path is %d bytes, want %d", len(longest), maxPath)
	}
	listenEcho(t, Options{Path: longest})
	wantPing(t, longest)

	tooLong := filepath.Join(base, strings.Repeat("e", fill+1), "s")
	_, err := Listen(Options{Path: tooLong})
	wantKind(t, "Listen", err, "pathtoolong")
	want := fmt.Sprintf("is %d bytes, the system allows %d", maxPath+1, maxPath)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Listen: %v, want it to say %q", err, want)
	}
	_, err = Dial(context.Background(), Options{Path: tooLong})
	wantKind(t, "Dial", err, "pathtoolong")
	if _, err := os.Lstat(filepath.Dir(tooLong)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("folder created for a path too long: %v", err)
	}
	if runtime.GOOS == "linux" && maxPath != 107 {
		t.Errorf("maxPath = %d, want 107 on Linux", maxPath)
	}
}

func TestRelativePath(t *testing.T) {
	t.Parallel()
	if _, err := Listen(Options{Path: "awsxc/daemon.sock"}); err == nil || !strings.Contains(err.Error(), "not absolute") {
		t.Errorf("Listen: %v", err)
	}
	if _, err := Dial(context.Background(), Options{Path: "daemon.sock"}); err == nil || !strings.Contains(err.Error(), "not absolute") {
		t.Errorf("Dial: %v", err)
	}
	if _, err := Listen(Options{}); err == nil {
		t.Error("Listen without a path: no error")
	}
}

// nobodyBinary makes a folder that user nobody may enter but not write
// (t.TempDir's are closed to others, and TMPDIR may be too) and copies
// the test binary there.
func nobodyBinary(t *testing.T) (base, exe string) {
	t.Helper()
	base, err := os.MkdirTemp("/tmp", "localsock-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	chmod(t, base, 0o711)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	exe = filepath.Join(base, "localsock.test")
	exectest.WriteProgram(t, exe, data)
	return base, exe
}

func asNobody(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	cmd.Dir = "/"
}

// TestPeerClientOfAnotherUser: a process of another user that gets to the
// socket (here the folder and the socket are opened up after Listen's
// checks, as a careless chmod would) is hung up on, reported to
// Refused, and never reaches the server; Dial, run by that user, refuses
// the folder before connecting.
func TestPeerClientOfAnotherUser(t *testing.T) {
	t.Parallel()
	needRoot(t)
	base, exe := nobodyBinary(t)
	path := filepath.Join(base, "awsxc", "daemon.sock")
	refused := make(chan error, 10)
	served := make(chan struct{}, 10)
	l, err := Listen(Options{Path: path, Refused: func(err error) { refused <- err }})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			served <- struct{}{}
			c.Close()
		}
	}()
	chmod(t, filepath.Dir(path), 0o711)
	chmod(t, path, 0o666)

	_, line := startChild(t, exe, "rawdial", path, asNobody)
	if line != "closed" {
		t.Errorf("raw connection of uid %d: %s, want closed", nobody, line)
	}
	select {
	case err := <-refused:
		wantKind(t, "Refused", err, "peer")
		if want := fmt.Sprintf("from uid %d (pid ", nobody); !strings.Contains(err.Error(), want) {
			t.Errorf("Refused: %q does not say %q", err, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Refused not called")
	}
	_, line = startChild(t, exe, "dial", path, asNobody)
	if want := "error insecure "; !strings.HasPrefix(line, want) || !strings.Contains(line, "belongs to uid 0, not uid 65534") {
		t.Errorf("Dial as uid %d: %s", nobody, line)
	}
	select {
	case <-served:
		t.Error("a connection of another user reached the server")
	default:
	}

	// The listener goes on serving its own user.
	chmod(t, filepath.Dir(path), 0o700)
	chmod(t, path, 0o600)
	c, err := Dial(context.Background(), Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	select {
	case <-served:
	case <-time.After(10 * time.Second):
		t.Error("own connection not accepted after a refusal")
	}
}

// TestPeerDaemonOfAnotherUser: a daemon run by another user is refused by
// the client: by its folder's owner when it is in that user's folder, and
// by the peer check when its socket is made to look like ours (moved into
// our folder and given to us; the kernel still knows who listens).
func TestPeerDaemonOfAnotherUser(t *testing.T) {
	t.Parallel()
	needRoot(t)
	base, exe := nobodyBinary(t)
	home := filepath.Join(base, "home")
	mkdir(t, home, 0o700)
	chown(t, home, nobody)
	theirs := filepath.Join(home, "awsxc", "daemon.sock")
	if _, line := startChild(t, exe, "listen", theirs, asNobody); line != "ready" {
		t.Fatalf("listener as uid %d: %s", nobody, line)
	}
	if fi, err := os.Lstat(filepath.Dir(theirs)); err != nil || owner(fi) != nobody {
		t.Fatalf("their folder: %v, %v", fi, err)
	}
	for what, err := range connectErrors(context.Background(), theirs) {
		wantKind(t, what+" in their folder", err, "insecure")
		if err == nil || !strings.Contains(err.Error(), "belongs to uid 65534, not uid 0") {
			t.Errorf("%s in their folder: %v", what, err)
		}
	}

	ours := filepath.Join(base, "awsxc", "daemon.sock")
	mkdir(t, filepath.Dir(ours), 0o700)
	if err := os.Rename(theirs, ours); err != nil {
		t.Fatal(err)
	}
	if err := os.Lchown(ours, 0, 0); err != nil {
		t.Fatal(err)
	}
	for what, err := range connectErrors(context.Background(), ours) {
		wantKind(t, what+" to their daemon in our folder", err, "peer")
		if want := fmt.Sprintf("runs as uid %d (pid ", nobody); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want it to say %q", what, err, want)
		}
	}
}

// snapshot lists every file under dir with its type, mode, owner and,
// for regular files, content, to show that a refusal changed nothing.
// Lock files are left out: Listen may create one before it finds the
// socket path unusable, and a lock file is never removed by design.
func snapshot(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasSuffix(p, ".lock") {
			return nil
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		s := fmt.Sprintf("%s %v %d", strings.TrimPrefix(p, dir), fi.Mode(), owner(fi))
		if fi.Mode().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			s += " " + string(b)
		}
		out = append(out, s)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func mkdir(t *testing.T, dir string, mode fs.FileMode) {
	t.Helper()
	if err := os.Mkdir(dir, mode); err != nil {
		t.Fatal(err)
	}
	chmod(t, dir, mode)
}

func chmod(t *testing.T, path string, mode fs.FileMode) {
	t.Helper()
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func chown(t *testing.T, path string, uid int) {
	t.Helper()
	if err := os.Lchown(path, uid, uid); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// endpoint is a fresh endpoint for the tests every system runs.
func endpoint(t *testing.T) string { return sockPath(t) }
