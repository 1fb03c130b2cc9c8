package fsutil

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// TestStamp: a stamp stays while a file is left alone and moves when it
// is rewritten (to another size, or to the same size with its time set
// back, which only the change time tells on Unix), replaced by a rename
// or changed in mode.
func TestStamp(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "config")
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	write := func(content string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, old, old); err != nil {
			t.Fatal(err)
		}
	}
	stamp := func() Stamp {
		t.Helper()
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return StampOf(fi)
	}
	write("[default]\n")
	a := stamp()
	if b := stamp(); a != b {
		t.Errorf("a file left alone: %+v then %+v", a, b)
	}
	if !a.Settled(time.Now().Add(time.Hour)) {
		t.Error("a read an hour after the last change is not settled")
	}
	// Setting the time back is a change of status now.
	if runtime.GOOS != "windows" && a.Settled(time.Now()) {
		t.Error("a file whose time was set back just now is settled")
	}
	time.Sleep(10 * time.Millisecond)
	write("[profile x]\n")
	if b := stamp(); a == b {
		t.Error("another size, the same stamp")
	}
	a = stamp()
	time.Sleep(10 * time.Millisecond)
	write("[profile y]\n") // the same size and time
	if b := stamp(); a == b && runtime.GOOS != "windows" {
		t.Error("rewritten in place with its time set back, the same stamp")
	}
	a = stamp()
	tmp := filepath.Join(dir, "new")
	os.WriteFile(tmp, []byte("[profile z]\n"), 0o600)
	os.Chtimes(tmp, old, old)
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	if b := stamp(); a == b && runtime.GOOS != "windows" {
		t.Error("replaced by a rename, the same stamp")
	}
	a = stamp()
	os.Chmod(path, 0o400)
	if b := stamp(); a == b {
		t.Error("another mode, the same stamp")
	}
	os.Chmod(path, 0o600)
	if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	fresh := stamp()
	if fresh.Settled(time.Now()) {
		t.Error("a file written just now is settled")
	}
	if !fresh.Settled(time.Now().Add(racyWindow + time.Second)) {
		t.Error("a read well after the write is not settled")
	}
}
