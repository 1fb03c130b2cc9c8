package engine

import (
	"path/filepath"
	"testing"
	"time"
)

// TestLockPathExcludes checks that a second lock on the same file waits
// for the first to be released, as two processes' locks would.
func TestLockPathExcludes(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "x.lock")
	unlock, err := lockPath(path)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan struct{})
	go func() {
		unlock2, err := lockPath(path)
		if err != nil {
			t.Error(err)
			close(got)
			return
		}
		close(got)
		unlock2()
	}()
	select {
	case <-got:
		t.Fatal("second lock taken while the first is held")
	case <-time.After(200 * time.Millisecond):
	}
	unlock()
	select {
	case <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("second lock not taken after the first was released")
	}
}
