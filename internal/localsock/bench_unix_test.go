//go:build unix

package localsock

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"testing"
)

// The cost of finding that no daemon runs, which every awsxc-cli call
// pays before it resolves in process (issue 11: "a missing socket is
// detected without a timeout", under 0.2 ms), against a bare Lstat of the
// socket path and a bare net.Dial. Compare within one run.

func BenchmarkLstatMissing(b *testing.B) {
	path := benchDir(b)
	for b.Loop() {
		if _, err := os.Lstat(path); err == nil {
			b.Fatal("socket exists")
		}
	}
}

func BenchmarkNetDialMissing(b *testing.B) {
	path := benchDir(b)
	for b.Loop() {
		if _, err := net.Dial("unix", path); err == nil {
			b.Fatal("connected")
		}
	}
}

func BenchmarkDialNoFolder(b *testing.B) {
	path := filepath.Join(b.TempDir(), "awsxc", "daemon.sock")
	benchNoDaemon(b, path)
}

func BenchmarkDialNoSocket(b *testing.B) {
	benchNoDaemon(b, benchDir(b))
}

func BenchmarkDialStale(b *testing.B) {
	path := benchDir(b)
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		b.Fatal(err)
	}
	ln.SetUnlinkOnClose(false)
	ln.Close()
	os.Chmod(path, 0o600)
	benchNoDaemon(b, path)
}

// BenchmarkDialLive is a successful Dial (checks, connect, peer check),
// the daemon's Accept (peer check) and hang-up, and Close: the
// transport's share of one CLI call through the daemon. Each round waits
// for the hang-up, so the daemon's queue never fills (a full queue would
// be ErrNoDaemon, EAGAIN).
func BenchmarkDialLive(b *testing.B) {
	path := benchDir(b)
	l, err := Listen(Options{Path: path})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	ctx := context.Background()
	for b.Loop() {
		c, err := Dial(ctx, Options{Path: path})
		if err != nil {
			b.Fatal(err)
		}
		c.Read(make([]byte, 1))
		c.Close()
	}
}

func benchNoDaemon(b *testing.B, path string) {
	ctx := context.Background()
	opts := Options{Path: path}
	for b.Loop() {
		if _, err := Dial(ctx, opts); kindOf(err) != "nodaemon" {
			b.Fatal(err)
		}
	}
}

// benchDir returns a socket path in an existing 0700 folder.
func benchDir(b *testing.B) string {
	dir := filepath.Join(b.TempDir(), "awsxc")
	if err := os.Mkdir(dir, 0o700); err != nil {
		b.Fatal(err)
	}
	os.Chmod(dir, 0o700)
	return filepath.Join(dir, "daemon.sock")
}
