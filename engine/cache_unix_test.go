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
	"time"

	"github.com/google/go-cmp/cmp"
)

// nobody is the uid (and gid) of another user for the ownership tests.
const nobody = 65534

// needRootOnLinux skips a test that gives files away with chown, or
// fails it under CI, where the tests run as root.
func needRootOnLinux(t *testing.T) {
	t.Helper()
	if runtime.GOOS != "linux" || os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("needs root on Linux")
		}
		t.Skip("needs root on Linux")
	}
}

// TestCacheTrust is issue 10 item 8: a cache file, a link to it, or a
// folder on the way that another user could have planted or changed is a
// miss that says why, as ssh refuses such files; an honest cache hits.
func TestCacheTrust(t *testing.T) {
	t.Parallel()
	now := time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
	creds := Credentials{AccessKeyID: "ASIATRUST", SecretAccessKey: "s", SessionToken: "t", Expires: now.Add(time.Hour)}
	// write puts an honest cache file at dir/name and returns its path.
	write := func(t *testing.T, dir, name string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		mustWriteCache(t, p, "k", creds)
		return p
	}
	chown := func(t *testing.T, p string, uid int) {
		t.Helper()
		needRootOnLinux(t)
		if err := os.Lchown(p, uid, uid); err != nil {
			t.Fatal(err)
		}
	}
	chmod := func(t *testing.T, p string, m os.FileMode) {
		t.Helper()
		if err := os.Chmod(p, m); err != nil {
			t.Fatal(err)
		}
	}
	mkdir := func(t *testing.T, p string, m os.FileMode) string {
		t.Helper()
		if err := os.Mkdir(p, 0o700); err != nil {
			t.Fatal(err)
		}
		chmod(t, p, m)
		return p
	}
	symlink := func(t *testing.T, target, link string) string {
		t.Helper()
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
		return link
	}
	for _, tc := range []struct {
		name string
		// setup returns the cache path to read.
		setup   func(t *testing.T, dir string) string
		wantErr string // "" for a hit
	}{
		{
			name:  "honest_hit",
			setup: func(t *testing.T, dir string) string { return write(t, dir, "c.json") },
		},
		{
			name: "file_owned_by_nobody",
			setup: func(t *testing.T, dir string) string {
				p := write(t, dir, "c.json")
				chown(t, p, nobody)
				return p
			},
			wantErr: "c.json is owned by uid 65534, not by you",
		},
		{
			name: "group_writable_file",
			setup: func(t *testing.T, dir string) string {
				p := write(t, dir, "c.json")
				chmod(t, p, 0o620)
				return p
			},
			wantErr: "c.json has mode 0620, open to other users (want 0600)",
		},
		{
			// WriteFileAtomic keeps a mode the user widened: such a file
			// is untrusted (writeCache narrows it, TestWriteCacheTrust).
			name: "world_readable_file",
			setup: func(t *testing.T, dir string) string {
				p := write(t, dir, "c.json")
				chmod(t, p, 0o644)
				return p
			},
			wantErr: "has mode 0644",
		},
		{
			name: "narrower_mode_hits",
			setup: func(t *testing.T, dir string) string {
				p := write(t, dir, "c.json")
				chmod(t, p, 0o400)
				return p
			},
		},
		{
			name: "world_writable_folder",
			setup: func(t *testing.T, dir string) string {
				d := mkdir(t, filepath.Join(dir, "open"), 0o700)
				p := write(t, d, "c.json")
				chmod(t, d, 0o777)
				return p
			},
			wantErr: "open is writable by others (mode 0777)",
		},
		{
			name: "group_writable_folder",
			setup: func(t *testing.T, dir string) string {
				d := mkdir(t, filepath.Join(dir, "grp"), 0o700)
				p := write(t, d, "c.json")
				chmod(t, d, 0o770)
				return p
			},
			wantErr: "grp is writable by its group (mode 0770)",
		},
		{
			// Every folder up to the root counts, not only the file's own.
			name: "world_writable_grandparent",
			setup: func(t *testing.T, dir string) string {
				d := mkdir(t, filepath.Join(dir, "open"), 0o700)
				mkdir(t, filepath.Join(d, "awsxc"), 0o700)
				p := write(t, filepath.Join(d, "awsxc"), "c.json")
				chmod(t, d, 0o777)
				return p
			},
			wantErr: "folder " + "", // the path is checked below
		},
		{
			name: "folder_owned_by_nobody",
			setup: func(t *testing.T, dir string) string {
				d := mkdir(t, filepath.Join(dir, "theirs"), 0o755)
				p := write(t, d, "c.json")
				chown(t, d, nobody)
				return p
			},
			wantErr: "theirs is owned by uid 65534, not by you",
		},
		{
			name: "symlink_to_other_users_file",
			setup: func(t *testing.T, dir string) string {
				other := mkdir(t, filepath.Join(dir, "other"), 0o755)
				p := write(t, other, "theirs.json")
				chown(t, p, nobody)
				return symlink(t, p, filepath.Join(dir, "c.json"))
			},
			wantErr: "theirs.json is owned by uid 65534, not by you",
		},
		{
			name: "symlink_to_own_file_hits",
			setup: func(t *testing.T, dir string) string {
				d := mkdir(t, filepath.Join(dir, "real"), 0o700)
				write(t, d, "c.json")
				return symlink(t, filepath.Join("real", "c.json"), filepath.Join(dir, "c.json"))
			},
		},
		{
			name: "symlinked_folder_into_open_folder",
			setup: func(t *testing.T, dir string) string {
				open := mkdir(t, filepath.Join(dir, "open"), 0o700)
				d := mkdir(t, filepath.Join(open, "cache"), 0o700)
				write(t, d, "c.json")
				chmod(t, open, 0o777)
				symlink(t, d, filepath.Join(dir, "cache"))
				return filepath.Join(dir, "cache", "c.json")
			},
			wantErr: "open is writable by others",
		},
		{
			name: "link_in_open_folder",
			setup: func(t *testing.T, dir string) string {
				write(t, dir, "real.json")
				open := mkdir(t, filepath.Join(dir, "open"), 0o700)
				symlink(t, filepath.Join(dir, "real.json"), filepath.Join(open, "c.json"))
				chmod(t, open, 0o777)
				return filepath.Join(open, "c.json")
			},
			wantErr: "open is writable by others",
		},
		{
			// /tmp: only an entry's owner can rename or delete it.
			name: "sticky_folder_own_file_hits",
			setup: func(t *testing.T, dir string) string {
				d := mkdir(t, filepath.Join(dir, "tmp"), 0o700)
				p := write(t, d, "c.json")
				chmod(t, d, 0o777|os.ModeSticky)
				return p
			},
		},
		{
			name: "sticky_folder_link_by_nobody",
			setup: func(t *testing.T, dir string) string {
				write(t, dir, "real.json")
				d := mkdir(t, filepath.Join(dir, "tmp"), 0o700)
				l := symlink(t, filepath.Join(dir, "real.json"), filepath.Join(d, "c.json"))
				chown(t, l, nobody)
				chmod(t, d, 0o777|os.ModeSticky)
				return l
			},
			wantErr: "c.json is owned by uid 65534, not by you (uid 0), in a folder anyone can write",
		},
		{
			name: "sticky_folder_subfolder_by_nobody",
			setup: func(t *testing.T, dir string) string {
				d := mkdir(t, filepath.Join(dir, "tmp"), 0o700)
				sub := mkdir(t, filepath.Join(d, "sub"), 0o700)
				p := write(t, sub, "c.json")
				chown(t, sub, nobody)
				chmod(t, d, 0o777|os.ModeSticky)
				return p
			},
			wantErr: "sub is owned by uid 65534",
		},
		{
			name: "dot_dot_through_link",
			setup: func(t *testing.T, dir string) string {
				d := mkdir(t, filepath.Join(dir, "a"), 0o700)
				mkdir(t, filepath.Join(d, "b"), 0o700)
				write(t, d, "c.json")
				symlink(t, filepath.Join(d, "b"), filepath.Join(dir, "link"))
				// Not filepath.Join, which would clean "link/.." away.
				return dir + "/link/../c.json"
			},
		},
		{
			name: "link_loop",
			setup: func(t *testing.T, dir string) string {
				return symlink(t, filepath.Join(dir, "c.json"), filepath.Join(dir, "c.json"))
			},
			wantErr: "too many links",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := tc.setup(t, dir)
			if tc.name == "world_writable_grandparent" {
				tc.wantErr = "folder " + filepath.Join(dir, "open") + " is writable by others (mode 0777)"
			}
			got, err := readCache(path, "k", now, 0)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(creds, got); diff != "" {
					t.Errorf("readCache (-want +got):\n%s", diff)
				}
				return
			}
			if !errors.Is(err, errCacheMiss) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want a miss saying %q", err, tc.wantErr)
			}
			if strings.ContainsAny(err.Error(), "\r\n") || strings.Contains(err.Error(), creds.SecretAccessKey+`"`) {
				t.Errorf("miss reason is not one secret-free line: %q", err)
			}
		})
	}
}

// TestWriteCacheTrust: writeCache mends a wide mode on the user's own
// file, and writes nowhere readCache would not trust.
func TestWriteCacheTrust(t *testing.T) {
	t.Parallel()
	now := time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
	creds := Credentials{AccessKeyID: "ASIATRUST", SecretAccessKey: "s", SessionToken: "t", Expires: now.Add(time.Hour)}
	t.Run("wide_mode_narrowed", func(t *testing.T) {
		t.Parallel()
		p := filepath.Join(t.TempDir(), "c.json")
		mustWriteCache(t, p, "k", creds)
		if err := os.Chmod(p, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := readCache(p, "k", now, 0); !errors.Is(err, errCacheMiss) {
			t.Fatalf("0644 cache: err = %v, want a miss", err)
		}
		mustWriteCache(t, p, "k", creds)
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("mode after writeCache = %v, %v; want 0600", fi.Mode().Perm(), err)
		}
		if _, err := readCache(p, "k", now, 0); err != nil {
			t.Errorf("after the rewrite: %v", err)
		}
	})
	t.Run("other_users_file_untouched", func(t *testing.T) {
		t.Parallel()
		needRootOnLinux(t)
		p := filepath.Join(t.TempDir(), "c.json")
		if err := os.WriteFile(p, []byte("theirs"), 0o666); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, 0o666); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(p, nobody, nobody); err != nil {
			t.Fatal(err)
		}
		err := writeCache(p, "k", creds)
		if err == nil || !strings.Contains(err.Error(), "owned by uid 65534") {
			t.Fatalf("err = %v, want a refusal naming the owner", err)
		}
		fi, _ := os.Stat(p)
		data, _ := os.ReadFile(p)
		if st := fi.Sys().(*syscall.Stat_t); string(data) != "theirs" || fi.Mode().Perm() != 0o666 || st.Uid != nobody {
			t.Errorf("their file changed: %q mode %v uid %d", data, fi.Mode().Perm(), st.Uid)
		}
	})
	t.Run("open_folder_not_written", func(t *testing.T) {
		t.Parallel()
		d := filepath.Join(t.TempDir(), "open")
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(d, 0o777); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(d, "sub", "c.json")
		if err := writeCache(p, "k", creds); err == nil || !strings.Contains(err.Error(), "writable by others") {
			t.Fatalf("err = %v, want a refusal", err)
		}
		if ents, _ := os.ReadDir(d); len(ents) != 0 {
			t.Errorf("wrote into the open folder: %v", ents)
		}
	})
	t.Run("symlink_to_other_users_file_not_followed", func(t *testing.T) {
		t.Parallel()
		needRootOnLinux(t)
		dir := t.TempDir()
		theirs := filepath.Join(dir, "theirs")
		if err := os.WriteFile(theirs, []byte("theirs"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(theirs, nobody, nobody); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, "c.json")
		if err := os.Symlink(theirs, p); err != nil {
			t.Fatal(err)
		}
		if err := writeCache(p, "k", creds); err == nil {
			t.Fatal("wrote through a link to another user's file")
		}
		if data, _ := os.ReadFile(theirs); string(data) != "theirs" {
			t.Errorf("their file changed: %q", data)
		}
	})
}

// TestPrivateDir: a folder for secrets is made 0700 when missing, and
// refused when another user can write it or the path to it, or owns it
// (review 2, M8).
func TestPrivateDir(t *testing.T) {
	t.Parallel()
	mkdir := func(t *testing.T, p string, m os.FileMode) string {
		t.Helper()
		if err := os.Mkdir(p, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, m); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name    string
		root    bool // needs root on Linux (chown)
		setup   func(t *testing.T, dir string) string
		wantErr string // "" when trusted
	}{
		{name: "missing_made", setup: func(t *testing.T, dir string) string { return filepath.Join(dir, "a", "tokens") }},
		{name: "own_folder", setup: func(t *testing.T, dir string) string { return mkdir(t, filepath.Join(dir, "tokens"), 0o755) }},
		{name: "world_writable", setup: func(t *testing.T, dir string) string { return mkdir(t, filepath.Join(dir, "tokens"), 0o777) },
			wantErr: "tokens is writable by others (mode 0777)"},
		{name: "world_writable_parent", setup: func(t *testing.T, dir string) string {
			return mkdir(t, filepath.Join(mkdir(t, filepath.Join(dir, "shared"), 0o777), "tokens"), 0o700)
		}, wantErr: "shared is writable by others (mode 0777)"},
		{name: "missing_under_world_writable", setup: func(t *testing.T, dir string) string {
			return filepath.Join(mkdir(t, filepath.Join(dir, "shared"), 0o777), "tokens")
		}, wantErr: "shared is writable by others (mode 0777)"},
		{name: "sticky_parent", setup: func(t *testing.T, dir string) string {
			return filepath.Join(mkdir(t, filepath.Join(dir, "tmp"), 0o777|os.ModeSticky), "tokens")
		}},
		{name: "owned_by_nobody", root: true, setup: func(t *testing.T, dir string) string {
			d := mkdir(t, filepath.Join(dir, "tokens"), 0o755)
			if err := os.Lchown(d, nobody, nobody); err != nil {
				t.Fatal(err)
			}
			return d
		}, wantErr: "tokens is owned by uid 65534"},
		{name: "symlink_to_theirs", root: true, setup: func(t *testing.T, dir string) string {
			sticky := mkdir(t, filepath.Join(dir, "tmp"), 0o777|os.ModeSticky)
			link := filepath.Join(sticky, "tokens")
			if err := os.Symlink(mkdir(t, filepath.Join(dir, "mine"), 0o700), link); err != nil {
				t.Fatal(err)
			}
			if err := os.Lchown(link, nobody, nobody); err != nil {
				t.Fatal(err)
			}
			return link
		}, wantErr: "owned by uid 65534, not by you"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.root {
				needRootOnLinux(t)
			}
			dir := t.TempDir()
			path := tc.setup(t, dir)
			_, statErr := os.Lstat(path)
			err := PrivateDir(path)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if fi, err := os.Stat(path); err != nil || !fi.IsDir() || (statErr != nil && fi.Mode().Perm() != 0o700) {
					t.Errorf("after PrivateDir: %v %v", fi, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("PrivateDir: %v, want an error saying %q", err, tc.wantErr)
			}
			if _, err := os.Lstat(path); statErr != nil && err == nil {
				t.Error("an untrusted path was made")
			}
		})
	}
}
