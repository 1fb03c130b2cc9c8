package engine

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestWriteFileAtomic(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		existing bool
		perm     os.FileMode
		sub      string // folders to create under the temp dir
	}{
		{"new_file", false, 0o600, ""},
		{"new_file_0644", false, 0o644, ""},
		{"replace", true, 0o600, ""},
		{"parent_created_0700", false, 0o600, "a/b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), tc.sub)
			path := filepath.Join(dir, "f")
			if tc.existing {
				if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
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
			if fi, _ := os.Stat(path); fi.Mode().Perm() != tc.perm {
				t.Errorf("mode %v, want %v", fi.Mode().Perm(), tc.perm)
			}
			if tc.sub != "" {
				if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
					t.Errorf("folder mode %v, want 0700", fi.Mode().Perm())
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

func TestWriteFileAtomicNoFileName(t *testing.T) {
	t.Parallel()
	if err := WriteFileAtomic(t.TempDir()+string(filepath.Separator), nil, 0o600); err == nil {
		t.Error("no error for a folder path")
	}
}
