//go:build !darwin || cgo

package tray

import (
	"bytes"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLockInstance: a second instance is refused; a symlink planted at
// the lock path is not followed (its target is neither created nor
// locked), and the tray starts without the lock, saying why.
func TestLockInstance(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var log bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&log, nil))

	path := filepath.Join(dir, "state", "awsxc.lock")
	first, err := lockInstance(path, logger)
	if err != nil || first == nil {
		t.Fatalf("first lock: %v, %v", first, err)
	}
	defer first.Unlock()
	if _, err := lockInstance(path, logger); !errors.Is(err, ErrAlreadyRunning) {
		t.Errorf("second lock: %v; want ErrAlreadyRunning", err)
	}

	target := filepath.Join(dir, "victim")
	link := filepath.Join(dir, "link.lock")
	if err := os.Symlink(target, link); err != nil {
		t.Skip("no symlinks:", err)
	}
	lock, err := lockInstance(link, logger)
	if err != nil || lock != nil {
		t.Errorf("lock through a symlink: %v, %v; want none, and no error", lock, err)
	}
	lock.Unlock() // a nil lock unlocks nothing
	if _, err := os.Lstat(target); !os.IsNotExist(err) {
		t.Errorf("the symlink's target was created: %v", err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the symlink was replaced: %v", err)
	}
	if !strings.Contains(log.String(), "symlink") {
		t.Errorf("log %q; want it to say the lock file is a symlink", log.String())
	}
}
