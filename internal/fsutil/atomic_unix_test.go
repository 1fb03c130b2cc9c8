//go:build unix

package fsutil

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestWriteFileAtomicKeepsOwner writes, as root, a file that belongs to
// nobody (the user's file under sudo): it stays nobody's, group included,
// and its mode is narrowed to perm, written directly or through a
// symlink.
func TestWriteFileAtomicKeepsOwner(t *testing.T) {
	t.Parallel()
	needRoot(t)
	const uid, gid = 65534, 65534
	for _, viaLink := range []bool{false, true} {
		t.Run(fmt.Sprint("via_link=", viaLink), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			real := filepath.Join(dir, "credentials")
			writeFile(t, real, "old", 0o640)
			if err := os.Chown(real, uid, gid); err != nil {
				t.Fatal(err)
			}
			path := real
			if viaLink {
				path = filepath.Join(dir, "link")
				symlink(t, "credentials", path)
			}
			if err := WriteFileAtomic(path, []byte("new"), 0o600); err != nil {
				t.Fatal(err)
			}
			fi, err := os.Stat(real)
			if err != nil {
				t.Fatal(err)
			}
			st := fi.Sys().(*syscall.Stat_t)
			got := fmt.Sprintf("uid=%d gid=%d mode=%v", st.Uid, st.Gid, fi.Mode())
			want := fmt.Sprintf("uid=%d gid=%d mode=%v", uid, gid, os.FileMode(0o600))
			if got != want {
				t.Errorf("after the write: %s, want %s", got, want)
			}
			if data, _ := os.ReadFile(real); string(data) != "new" {
				t.Errorf("content %q", data)
			}
		})
	}
}
