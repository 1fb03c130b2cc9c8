package fsutil

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/windows"
)

// TestWriteFileAtomicWhileOpen: another program holds the file open
// without FILE_SHARE_DELETE (the AWS CLI reading the credentials file, an
// antivirus scan), which makes MoveFileEx fail; the write waits for it to
// close the file instead of failing (review 1, L8).
func TestWriteFileAtomicWhileOpen(t *testing.T) {
	t.Parallel()
	// Not t.TempDir: its clean-up fails under Wine (Go's RemoveAll uses
	// calls Wine 8 lacks), and the Wine suite runs this test.
	dir, err := os.MkdirTemp("", "fsutil-while-open-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	path := filepath.Join(dir, "credentials")
	writeFile(t, path, "old", 0o600)
	name, err := windows.UTF16PtrFromString(path)
	if err != nil {
		t.Fatal(err)
	}
	h, err := windows.CreateFile(name, windows.GENERIC_READ, windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE,
		nil, windows.OPEN_EXISTING, windows.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		t.Fatal(err)
	}
	// The holder closes the file once the first rename has been refused.
	if err := os.Rename(path, path+".moved"); err == nil || !busy(err) {
		windows.CloseHandle(h)
		t.Skipf("a rename over a file open without FILE_SHARE_DELETE is not refused here (%v): nothing to retry", err)
	}
	go func() {
		time.Sleep(50 * time.Millisecond)
		windows.CloseHandle(h)
	}()
	if err := WriteFileAtomic(path, []byte("new"), 0o600); err != nil {
		t.Fatalf("write while another program had the file open: %v", err)
	}
	if data, _ := os.ReadFile(path); string(data) != "new" {
		t.Errorf("content %q", data)
	}
	assertNoTemp(t, filepath.Dir(path))
}
