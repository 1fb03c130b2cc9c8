//go:build unix

package main

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
	"testing"
	"time"
)

// TestReview3DaemonSIGHUP is review 3, L6: closing the terminal that
// runs awsxc-cli daemon stops it cleanly (exit 0, its socket removed).
func TestReview3DaemonSIGHUP(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	d := f.startDaemon(t)
	d.cmd.Process.Signal(syscall.SIGHUP)
	select {
	case <-d.done:
	case <-time.After(10 * time.Second):
		t.Fatalf("the daemon did not stop on SIGHUP:\n%s", d.log())
	}
	if d.err != nil {
		t.Errorf("exit after SIGHUP: %v\n%s", d.err, d.log())
	}
	if _, err := os.Lstat(f.socket()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the socket is left after SIGHUP: %v", err)
	}
}
