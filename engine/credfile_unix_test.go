//go:build unix

package engine

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/awsxc/awsxc/internal/fsutil"
)

// TestWriteCredentialsProfileKeepsOwner is issue 10 item 22: root (sudo)
// writing a user's credentials file leaves it the user's.
func TestWriteCredentialsProfileKeepsOwner(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" || os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("needs root on Linux")
		}
		t.Skip("needs root on Linux")
	}
	path := filepath.Join(t.TempDir(), "credentials")
	if err := os.WriteFile(path, []byte("[a]\nx = 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(path, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	if _, err := WriteCredentialsProfile(path, "tgt", testTemp, WriteOptions{LockDir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st := fi.Sys().(*syscall.Stat_t); st.Uid != 65534 || st.Gid != 65534 || fi.Mode().Perm() != 0o600 {
		t.Errorf("owner %d:%d mode %v after the write, want 65534:65534 0600", st.Uid, st.Gid, fi.Mode().Perm())
	}
}

// TestWriteCredentialsProfileNotRegular is issue 10 item 9 for the
// writer: a FIFO or a device named as the credentials file is refused at
// once, with one line, never read (a FIFO would hang the write, /dev/zero
// grow it without end).
func TestWriteCredentialsProfileNotRegular(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "credentials")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, path, want string }{
		{"fifo", fifo, "not a regular file (a named pipe)"},
		{"dev_zero", "/dev/zero", "not a regular file (a character device)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := WriteCredentialsProfile(tc.path, "tgt", testTemp, WriteOptions{LockDir: t.TempDir()})
			if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, fsutil.ErrNotRegular) {
				t.Fatalf("err = %v, want one saying %q", err, tc.want)
			}
			if strings.ContainsAny(err.Error(), "\r\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced: %v %v", fi.Mode(), err)
	}
}
