//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// TestLoginLeavesTheBrowserRunning: a $BROWSER that stays after it has
// followed the sign-in (firefox with no firefox running: the user's
// whole browser) is still running when login has signed in and exited
// (review 2, M4). The test reaps its stand-in.
func TestLoginLeavesTheBrowserRunning(t *testing.T) {
	t.Parallel()
	s := newSigninFixture(t)
	pidFile := filepath.Join(t.TempDir(), "browser.pid")
	var pid int
	t.Cleanup(func() {
		if pid > 0 {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	r := s.run(t, "follow", []string{"FAKEBROWSER_WAIT=1", "FAKEBROWSER_STAY=" + pidFile}, "login", "--profile", "dev")
	b, err := os.ReadFile(pidFile)
	if err == nil {
		pid, _ = strconv.Atoi(string(b))
	}
	if r.code != 0 {
		t.Fatalf("login: exit %d\n%s", r.code, r.stderr)
	}
	if pid <= 0 {
		t.Fatalf("the stand-in browser wrote no process id: it was stopped before it could (%v)", err)
	}
	time.Sleep(100 * time.Millisecond) // a kill would have landed by now
	if err := syscall.Kill(pid, 0); err != nil {
		t.Fatalf("the browser did not outlive the sign-in: %v", err)
	}
}
