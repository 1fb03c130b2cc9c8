//go:build unix

package engine

import (
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
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
	if err := WriteCredentialsProfile(path, "tgt", testTemp, WriteOptions{LockDir: t.TempDir()}); err != nil {
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
