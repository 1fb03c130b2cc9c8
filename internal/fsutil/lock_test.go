package fsutil

import (
	"bufio"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestTryLock checks that a second lock on the same file fails at once
// while the first is held (flock locks belong to the open file, so two
// opens in one process conflict as two processes would), and succeeds
// once it is released.
func TestTryLock(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "sub", "awsxc.lock")
	l, err := TryLock(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := TryLock(path); !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), path) {
		t.Fatalf("second TryLock: err = %v, want ErrLocked naming the file", err)
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
	if err := l.Unlock(); err != nil {
		t.Errorf("second Unlock: %v", err)
	}
	l2, err := TryLock(path)
	if err != nil {
		t.Fatalf("after Unlock: %v", err)
	}
	l2.Unlock()
	var nilLock *FileLock
	if err := nilLock.Unlock(); err != nil {
		t.Errorf("nil Unlock: %v", err)
	}
}

// TestLockWaits checks that Lock waits for the holder to let go.
func TestLockWaits(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "x.lock")
	l, err := Lock(path)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() {
		l2, err := Lock(path)
		got <- err
		l2.Unlock()
	}()
	select {
	case err := <-got:
		t.Fatalf("second Lock returned (%v) while the first is held", err)
	case <-time.After(200 * time.Millisecond):
	}
	l.Unlock()
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("second Lock not taken after the first was released")
	}
}

// TestLockAcrossProcesses holds the lock in a child process: TryLock here
// fails, Lock here waits, and both succeed once the child lets go.
func TestLockAcrossProcesses(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "x.lock")
	cmd := helper(os.Args[0], "lock", path)
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
	t.Cleanup(func() { stdin.Close(); cmd.Wait() })
	if line, err := bufio.NewReader(stdout).ReadString('\n'); line != "locked\n" {
		t.Fatalf("helper: %q, %v", line, err)
	}
	if _, err := TryLock(path); !errors.Is(err, ErrLocked) {
		t.Fatalf("TryLock while another process holds it: %v, want ErrLocked", err)
	}
	got := make(chan error, 1)
	go func() {
		l, err := Lock(path)
		got <- err
		l.Unlock()
	}()
	select {
	case err := <-got:
		t.Fatalf("Lock returned (%v) while another process holds it", err)
	case <-time.After(200 * time.Millisecond):
	}
	stdin.Close() // the helper unlocks and exits
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Lock not taken after the other process let go")
	}
	// The lock outlives its holders' file descriptors but not the file.
	if _, err := os.Stat(path); err != nil {
		t.Errorf("lock file gone: %v", err)
	}
}

// TestLockDiesWithProcess kills a holder: the kernel drops its lock.
func TestLockDiesWithProcess(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "x.lock")
	cmd := helper(os.Args[0], "lock", path)
	stdin, _ := cmd.StdinPipe()
	defer stdin.Close()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if line, err := bufio.NewReader(stdout).ReadString('\n'); line != "locked\n" {
		t.Fatalf("helper: %q, %v", line, err)
	}
	cmd.Process.Kill()
	cmd.Wait()
	l, err := TryLock(path)
	if err != nil {
		t.Fatalf("after the holder was killed: %v", err)
	}
	l.Unlock()
}

func TestLockFileModes(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "a", "b")
	path := filepath.Join(dir, "x.lock")
	l, err := Lock(path)
	if err != nil {
		t.Fatal(err)
	}
	l.Unlock()
	for p, want := range map[string]fs.FileMode{path: 0o600, dir: 0o700 | fs.ModeDir, filepath.Dir(dir): 0o700 | fs.ModeDir} {
		if fi, err := os.Lstat(p); err != nil || fi.Mode() != want {
			t.Errorf("%s: mode %v, %v; want %v", p, fi.Mode(), err, want)
		}
	}
}

// TestLockRefuses checks that the lock file is never followed through a
// symlink (to a file or to nothing) and that a FIFO or a folder at its
// place is refused at once, leaving everything as it was.
func TestLockRefuses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, dir, path string)
		want  string
	}{
		{
			name: "symlink_to_file",
			setup: func(t *testing.T, dir, path string) {
				writeFile(t, filepath.Join(dir, "victim"), "keep", 0o644)
				symlink(t, "victim", path)
			},
			want: "symlink",
		},
		{
			name:  "dangling_symlink",
			setup: func(t *testing.T, dir, path string) { symlink(t, "created-elsewhere", path) },
			want:  "symlink",
		},
		{
			name:  "fifo",
			setup: func(t *testing.T, dir, path string) { mkfifo(t, path) },
			want:  "not a regular file (a named pipe)",
		},
		{
			name: "folder",
			setup: func(t *testing.T, dir, path string) {
				if err := os.Mkdir(path, 0o700); err != nil {
					t.Fatal(err)
				}
			},
			want: "is a directory",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "x.lock")
			tc.setup(t, dir, path)
			before := snapshot(t, dir)
			for name, f := range map[string]func(string) (*FileLock, error){"Lock": Lock, "TryLock": TryLock} {
				done := make(chan error, 1)
				go func() {
					l, err := f(path)
					l.Unlock()
					done <- err
				}()
				select {
				case err := <-done:
					if err == nil || !strings.Contains(err.Error(), tc.want) || errors.Is(err, ErrLocked) {
						t.Errorf("%s: err = %v, want one saying %q", name, err, tc.want)
					}
				case <-time.After(5 * time.Second):
					t.Fatalf("%s hangs", name)
				}
			}
			if diff := cmp.Diff(before, snapshot(t, dir)); diff != "" {
				t.Errorf("folder changed (-before +after):\n%s", diff)
			}
		})
	}
}
