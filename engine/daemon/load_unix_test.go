//go:build unix

package daemon

import (
	"path/filepath"
	"syscall"
	"testing"
)

// TestFileSumFIFO: a FIFO is no AWS file and is not read (a read would
// wait for a writer, and no request waits).
func TestFileSumFIFO(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "config")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	var l loads
	if _, _, ok := l.fileSum(fifo); ok {
		t.Error("a FIFO was summed")
	}
}
