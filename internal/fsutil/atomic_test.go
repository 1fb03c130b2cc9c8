package fsutil

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWriteFileAtomic(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		existing os.FileMode // mode of a file already there; 0: none
		perm     os.FileMode
		sub      string // folders to create under the temp dir
		wantMode os.FileMode
	}{
		{name: "new_file", perm: 0o600, wantMode: 0o600},
		{name: "new_file_0644", perm: 0o644, wantMode: 0o644},
		{name: "replace", existing: 0o600, perm: 0o600, wantMode: 0o600},
		{name: "replace_keeps_narrower_mode", existing: 0o400 | 0o200, perm: 0o644, wantMode: 0o600},
		{name: "replace_keeps_mode_within_perm", existing: 0o640, perm: 0o644, wantMode: 0o640},
		// A file given a secret is never left readable by others (review
		// 1, M2): perm is the most an existing file keeps.
		{name: "replace_narrows_group", existing: 0o640, perm: 0o600, wantMode: 0o600},
		{name: "replace_narrows_world", existing: 0o644, perm: 0o600, wantMode: 0o600},
		{name: "replace_narrows_wider", existing: 0o666, perm: 0o644, wantMode: 0o644},
		{name: "replace_drops_exec", existing: 0o700, perm: 0o600, wantMode: 0o600},
		{name: "parent_created_0700", perm: 0o600, sub: "a/b", wantMode: 0o600},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), tc.sub)
			path := filepath.Join(dir, "f")
			if tc.existing != 0 {
				if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(path, tc.existing); err != nil {
					t.Fatal(err)
				}
			}
			if err := WriteFileAtomic(path, []byte("new"), tc.perm); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(path)
			if err != nil || string(got) != "new" {
				t.Errorf("content %q, %v", got, err)
			}
			if fi, _ := os.Stat(path); fi.Mode().Perm() != tc.wantMode {
				t.Errorf("mode %v, want %v", fi.Mode().Perm(), tc.wantMode)
			}
			if tc.sub != "" {
				for d := dir; d != filepath.Dir(filepath.Dir(dir)); d = filepath.Dir(d) {
					if fi, _ := os.Stat(d); fi.Mode().Perm() != 0o700 {
						t.Errorf("folder %s mode %v, want 0700", d, fi.Mode().Perm())
					}
				}
			}
			assertNoTemp(t, dir)
		})
	}
}

func TestWriteFileAtomicBareName(t *testing.T) {
	// A bare name is relative to the working folder; t.Chdir forbids
	// t.Parallel.
	t.Chdir(t.TempDir())
	if err := WriteFileAtomic("bare.json", []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile("bare.json"); err != nil || string(got) != "x" {
		t.Errorf("content %q, %v", got, err)
	}
	assertNoTemp(t, ".")
}

func TestWriteFileAtomicFailedWrite(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := writeAtomic(path, 0o600, func(f *os.File) error {
		f.Write([]byte("partial"))
		return syscall.ENOSPC
	})
	if !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), "no space left") {
		t.Fatalf("err = %v, want ENOSPC", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Errorf("file changed: %q", got)
	}
	assertNoTemp(t, dir)
}

// TestWriteFileAtomicDiskFull fills a real 64 KiB tmpfs.
func TestWriteFileAtomicDiskFull(t *testing.T) {
	t.Parallel()
	dir := mountTmpfs(t, "size=64k,mode=0700")
	path := filepath.Join(dir, "f")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := WriteFileAtomic(path, make([]byte, 1<<20), 0o600)
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("err = %v, want ENOSPC", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Errorf("file changed: %q", got)
	}
	assertNoTemp(t, dir)
}

// TestWriteFileAtomicRefuses covers the files that must not be replaced:
// each is left byte for byte as it was, with a one-line error naming it.
func TestWriteFileAtomicRefuses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		// setup returns the path to write; dir is a fresh folder.
		setup   func(t *testing.T, dir string) string
		wantErr error  // errors.Is, when set
		want    string // in the error
	}{
		{
			name: "read_only_file",
			setup: func(t *testing.T, dir string) string {
				path := filepath.Join(dir, "f")
				writeFile(t, path, "old", 0o400)
				return path
			},
			wantErr: ErrNotWritable,
			want:    "file is not writable (mode 0400)",
		},
		{
			name: "read_only_file_0444",
			setup: func(t *testing.T, dir string) string {
				path := filepath.Join(dir, "f")
				writeFile(t, path, "old", 0o444)
				return path
			},
			wantErr: ErrNotWritable,
			want:    "(mode 0444)",
		},
		{
			name: "read_only_target_of_symlink",
			setup: func(t *testing.T, dir string) string {
				writeFile(t, filepath.Join(dir, "real"), "old", 0o400)
				link := filepath.Join(dir, "f")
				symlink(t, "real", link)
				return link
			},
			wantErr: ErrNotWritable,
			want:    "real: file is not writable (mode 0400)",
		},
		{
			name: "folder",
			setup: func(t *testing.T, dir string) string {
				path := filepath.Join(dir, "f")
				if err := os.Mkdir(path, 0o700); err != nil {
					t.Fatal(err)
				}
				return path
			},
			wantErr: ErrNotRegular,
			want:    "not a regular file (a folder)",
		},
		{
			name: "fifo",
			setup: func(t *testing.T, dir string) string {
				path := filepath.Join(dir, "f")
				mkfifo(t, path)
				return path
			},
			wantErr: ErrNotRegular,
			want:    "not a regular file (a named pipe)",
		},
		{
			name: "symlink_loop",
			setup: func(t *testing.T, dir string) string {
				path := filepath.Join(dir, "f")
				symlink(t, "g", path)
				symlink(t, "f", filepath.Join(dir, "g"))
				return path
			},
			want: "too many links",
		},
		{
			name: "parent_is_a_file",
			setup: func(t *testing.T, dir string) string {
				writeFile(t, filepath.Join(dir, "file"), "old", 0o600)
				return filepath.Join(dir, "file", "sub", "f")
			},
			want: "not a directory",
		},
		{
			name: "read_only_file_system",
			setup: func(t *testing.T, _ string) string {
				dir := mountTmpfs(t, "size=1m,mode=0700")
				path := filepath.Join(dir, "f")
				writeFile(t, path, "old", 0o600)
				if out, err := exec.Command("mount", "-o", "remount,ro", dir).CombinedOutput(); err != nil {
					t.Fatalf("remount: %v: %s", err, out)
				}
				return path
			},
			want: "read-only file system",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := tc.setup(t, dir)
			watch := filepath.Dir(path)
			if _, err := os.Stat(watch); err != nil {
				watch = dir
			}
			before := snapshot(t, watch)
			err := WriteFileAtomic(path, []byte("new"), 0o600)
			if err == nil {
				t.Fatal("no error")
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("err = %v, want %v", err, tc.wantErr)
			}
			if msg := err.Error(); !strings.Contains(msg, tc.want) || strings.Contains(msg, "\n") {
				t.Errorf("error %q is not one line saying %q", msg, tc.want)
			}
			if diff := cmp.Diff(before, snapshot(t, watch)); diff != "" {
				t.Errorf("folder changed (-before +after):\n%s", diff)
			}
		})
	}
}

func TestWriteFileAtomicNoFileName(t *testing.T) {
	t.Parallel()
	if err := WriteFileAtomic(t.TempDir()+string(filepath.Separator), nil, 0o600); err == nil {
		t.Error("no error for a folder path")
	}
}

// TestWriteFileAtomicSymlinks checks that a write goes through every kind
// of link to the file it names, and leaves each link as it was.
func TestWriteFileAtomicSymlinks(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		// links are created in order, name -> target, in a fresh folder;
		// the write goes to "link"; want is the file that gets written.
		links    [][2]string
		existing []string // files holding "old" before the write
		want     string
	}{
		{name: "relative", links: [][2]string{{"link", "real"}}, existing: []string{"real"}, want: "real"},
		{name: "absolute", links: [][2]string{{"link", "$DIR/real"}}, existing: []string{"real"}, want: "real"},
		{name: "chain", links: [][2]string{{"link", "a"}, {"a", "sub/b"}, {"sub/b", "../real"}}, existing: []string{"real"}, want: "real"},
		{name: "into_another_folder", links: [][2]string{{"link", "dotfiles/aws/credentials"}}, existing: []string{"dotfiles/aws/credentials"}, want: "dotfiles/aws/credentials"},
		{name: "through_a_linked_folder", links: [][2]string{{"aws", "dotfiles"}, {"link", "aws/credentials"}}, existing: []string{"dotfiles/credentials"}, want: "dotfiles/credentials"},
		{name: "dangling", links: [][2]string{{"link", "missing/real"}}, want: "missing/real"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for _, p := range tc.existing {
				writeFile(t, filepath.Join(dir, p), "old", 0o640)
			}
			for _, l := range tc.links {
				symlink(t, strings.ReplaceAll(l[1], "$DIR", dir), filepath.Join(dir, l[0]))
			}
			linksBefore := readLinks(t, dir, tc.links)
			if err := WriteFileAtomic(filepath.Join(dir, "link"), []byte("new"), 0o600); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(linksBefore, readLinks(t, dir, tc.links)); diff != "" {
				t.Errorf("links changed (-before +after):\n%s", diff)
			}
			target := filepath.Join(dir, tc.want)
			if got, err := os.ReadFile(target); err != nil || string(got) != "new" {
				t.Errorf("%s: %q, %v; want %q", tc.want, got, err, "new")
			}
			// 0640 narrowed to at most 0600, or a new file.
			wantMode := os.FileMode(0o600)
			if fi, err := os.Lstat(target); err != nil || fi.Mode() != wantMode {
				t.Errorf("%s: mode %v, %v; want %v", tc.want, fi.Mode(), err, wantMode)
			}
			assertNoTemp(t, dir)
			assertNoTemp(t, filepath.Dir(target))
		})
	}
}

func TestRealPath(t *testing.T) {
	t.Parallel()
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "real"), "x", 0o600)
	symlink(t, "real", filepath.Join(dir, "link"))
	symlink(t, ".", filepath.Join(dir, "here"))
	symlink(t, "nowhere/file", filepath.Join(dir, "dangling"))
	for _, tc := range []struct{ in, want string }{
		{"real", "real"},
		{"link", "real"},
		{"here/link", "real"},
		{"here/here/missing", "missing"},
		{"dangling", "nowhere/file"},
		{"missing/deeper/file", "missing/deeper/file"},
	} {
		got, err := RealPath(filepath.Join(dir, tc.in))
		if err != nil || got != filepath.Join(dir, tc.want) {
			t.Errorf("RealPath(%s) = %q, %v; want %q", tc.in, got, err, filepath.Join(dir, tc.want))
		}
	}
}

// TestWriteFileAtomicNotWritableAsNobody runs the write as user nobody on
// a root-owned 0644 file in a folder everyone may write: the rename alone
// would succeed, so only the writability check stops it.
func TestWriteFileAtomicNotWritableAsNobody(t *testing.T) {
	t.Parallel()
	needRoot(t)
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		unavailable(t, "no setpriv: %v", err)
	}
	dir, err := os.MkdirTemp("", "awsxc-fsutil-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	bin := copyTestBinary(t, dir)
	path := filepath.Join(dir, "root-owned")
	writeFile(t, path, "old", 0o644)
	before := snapshot(t, dir)

	cmd := helper(bin, "write", path, "x", "3", "1")
	cmd.Args = append([]string{setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"}, cmd.Args...)
	cmd.Path = setpriv
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), path+": file is not writable (mode 0644)") {
		t.Fatalf("helper as nobody: %v: %s", err, out)
	}
	if diff := cmp.Diff(before, snapshot(t, dir)); diff != "" {
		t.Errorf("folder changed (-before +after):\n%s", diff)
	}
}

// TestWriteFileAtomicConcurrent has goroutines and other processes
// replace one file over and over while a reader checks that every read
// is one whole version, never a mix or a truncated file.
func TestWriteFileAtomicConcurrent(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	const size, rounds = 64 << 10, 30
	writeFile(t, path, strings.Repeat("0", size), 0o600)

	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 4 {
		b := string(rune('a' + i))
		wg.Go(func() {
			for range rounds {
				if err := WriteFileAtomic(path, []byte(strings.Repeat(b, size)), 0o600); err != nil {
					errs <- err
					return
				}
			}
		})
		wg.Go(func() {
			b := string(rune('A' + i))
			if out, err := helper(os.Args[0], "write", path, b, fmt.Sprint(size), fmt.Sprint(rounds)).CombinedOutput(); err != nil {
				errs <- fmt.Errorf("helper %s: %v: %s", b, err, out)
			}
		})
	}
	var stop atomic.Bool
	done := make(chan struct{})
	reads := 0
	go func() {
		defer close(done)
		for {
			data, err := os.ReadFile(path)
			reads++
			if err != nil || len(data) != size || bytes.Count(data, data[:1]) != size {
				t.Errorf("read %d: %d bytes, %v: not one whole version", reads, len(data), err)
				return
			}
			if stop.Load() {
				return
			}
		}
	}()
	wg.Wait()
	stop.Store(true)
	<-done
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	t.Logf("%d reads during %d writes", reads, 8*rounds)
	assertNoTemp(t, dir)
}

func writeFile(t *testing.T, path, data string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(link), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

func readLinks(t *testing.T, dir string, links [][2]string) map[string]string {
	t.Helper()
	got := map[string]string{}
	for _, l := range links {
		target, err := os.Readlink(filepath.Join(dir, l[0]))
		if err != nil {
			t.Fatalf("%s is no longer a link: %v", l[0], err)
		}
		got[l[0]] = target
	}
	return got
}

// snapshot is every entry of dir with its mode and content.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	got := map[string]string{}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		p := filepath.Join(dir, e.Name())
		fi, err := os.Lstat(p)
		if err != nil {
			t.Fatal(err)
		}
		s := fi.Mode().String()
		switch {
		case fi.Mode().IsRegular():
			data, _ := os.ReadFile(p)
			s += " " + string(data)
		case fi.Mode()&fs.ModeSymlink != 0:
			l, _ := os.Readlink(p)
			s += " -> " + l
		}
		got[e.Name()] = s
	}
	return got
}
