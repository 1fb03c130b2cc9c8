//go:build unix

package rundir

import (
	"os"
	"path/filepath"
	"testing"
)

// TestOwnedDir checks the real file system question SocketDir asks
// about /run/user/<uid>.
func TestOwnedDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	uid := os.Geteuid()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		path string
		uid  int
		want bool
	}{
		{"own_folder", dir, uid, true},
		{"other_uid", dir, uid + 1, false},
		{"file", file, uid, false},
		{"symlink_to_own_folder", link, uid, false},
		{"missing", filepath.Join(dir, "missing"), uid, false},
	} {
		if got := ownedDir(tc.path, tc.uid); got != tc.want {
			t.Errorf("%s: ownedDir(%s, %d) = %v, want %v", tc.name, tc.path, tc.uid, got, tc.want)
		}
	}
}
