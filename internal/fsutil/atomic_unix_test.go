//go:build unix

package fsutil

import (
	"errors"
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

// TestWriteFileAtomicForeignLinkAsRoot: root (sudo -E awsxc-cli -c, a
// tray run as root with the user's environment) does not follow a user's
// symlink to another user's file or folder, as the kernel's
// fs.protected_symlinks would not in a sticky folder (review 1, L1).
// Links of root, and a user's links to the user's own files, are
// followed.
func TestWriteFileAtomicForeignLinkAsRoot(t *testing.T) {
	t.Parallel()
	needRoot(t)
	const nobody = 65534
	for _, tc := range []struct {
		name string
		// link is the user's ~/.aws/credentials (or ~/.aws for a folder
		// link), pointing at target, under root's folder or the user's.
		linkOwner, targetOwner int
		folderLink             bool // ~/.aws links to a folder; the file is new
		dangling               bool // the link's target does not exist
		refused                bool
	}{
		{name: "users_link_to_roots_file", linkOwner: nobody, targetOwner: 0, refused: true},
		{name: "users_link_to_roots_folder", linkOwner: nobody, targetOwner: 0, folderLink: true, refused: true},
		{name: "users_dangling_link_into_roots_folder", linkOwner: nobody, targetOwner: 0, dangling: true, refused: true},
		{name: "users_link_to_own_file", linkOwner: nobody, targetOwner: nobody},
		{name: "users_link_to_own_folder", linkOwner: nobody, targetOwner: nobody, folderLink: true},
		{name: "users_dangling_link_into_own_folder", linkOwner: nobody, targetOwner: nobody, dangling: true},
		{name: "roots_link_to_users_file", linkOwner: 0, targetOwner: nobody},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			base := t.TempDir()
			home := filepath.Join(base, "home")
			other := filepath.Join(base, "other") // the target's folder
			for _, d := range []string{home, other} {
				if err := os.Mkdir(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Chown(home, nobody, nobody); err != nil {
				t.Fatal(err)
			}
			if err := os.Chown(other, tc.targetOwner, tc.targetOwner); err != nil {
				t.Fatal(err)
			}
			target := filepath.Join(other, "file")
			if !tc.dangling {
				writeFile(t, target, "old", 0o600)
				if err := os.Chown(target, tc.targetOwner, tc.targetOwner); err != nil {
					t.Fatal(err)
				}
			}
			aws := filepath.Join(home, ".aws")
			link, to, path := filepath.Join(aws, "credentials"), target, filepath.Join(aws, "credentials")
			if tc.folderLink {
				link, to, path = aws, other, filepath.Join(aws, "new")
				target = filepath.Join(other, "new")
			} else if err := os.Mkdir(aws, 0o700); err != nil {
				t.Fatal(err)
			}
			if tc.dangling {
				to = filepath.Join(other, "missing", "file")
				target = to
			}
			symlink(t, to, link)
			if err := os.Lchown(link, tc.linkOwner, tc.linkOwner); err != nil {
				t.Fatal(err)
			}

			err := WriteFileAtomic(path, []byte("new"), 0o600)
			data, _ := os.ReadFile(target)
			if tc.refused {
				if !errors.Is(err, ErrForeignLink) {
					t.Errorf("write: %v, want ErrForeignLink", err)
				}
				if tc.dangling || tc.folderLink {
					if _, err := os.Stat(filepath.Dir(target)); tc.dangling && err == nil {
						t.Errorf("the dangling link's folder was made")
					}
					if data != nil {
						t.Errorf("%s was written: %q", target, data)
					}
				} else if string(data) != "old" {
					t.Errorf("%s holds %q, want it unchanged", target, data)
				}
				return
			}
			if err != nil || string(data) != "new" {
				t.Errorf("write: %v; %s holds %q, want new", err, target, data)
			}
		})
	}
}
