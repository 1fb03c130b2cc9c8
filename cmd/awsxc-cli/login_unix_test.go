//go:build unix

package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
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

// TestLoginUnreadableConfig: a FIFO as the config file, where a plain
// read would wait for a writer for good, and /dev/zero, which never
// ends, make login and logout fail at once with one line, as the
// exporting commands do (review 2, M3).
func TestLoginUnreadableConfig(t *testing.T) {
	t.Parallel()
	s := newSigninFixture(t)
	fifo := filepath.Join(t.TempDir(), "config")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		file, why string
		args      []string
	}{
		{fifo, "(a named pipe)", []string{"login", "--profile", "dev"}},
		{fifo, "(a named pipe)", []string{"login", "--sso-session", "my-sso"}},
		{fifo, "(a named pipe)", []string{"logout", "--profile", "dev"}},
		{"/dev/zero", "(a character device)", []string{"login", "--sso-session", "my-sso"}},
		{"/dev/zero", "(a character device)", []string{"login", "--profile", "dev"}},
	} {
		st := s.start(t, "follow", []string{"AWS_CONFIG_FILE=" + tc.file}, tc.args...)
		select {
		case <-st.done:
		case <-time.After(20 * time.Second):
			t.Fatalf("%s with %s: still running after 20 s\n%s", tc.args, tc.file, st.stderr())
		}
		code := st.wait(t)
		want := "awsxc-cli: error: "
		if code != 3 || !strings.HasPrefix(st.stderr(), want) || !strings.Contains(st.stderr(), tc.file+": not a regular file "+tc.why) ||
			strings.Count(st.stderr(), "\n") != 0 {
			t.Errorf("%s with %s: exit %d, stderr %q, want 3 and one line naming the file", tc.args, tc.file, code, st.stderr())
		}
	}
}

// TestLoginTerminated: SIGTERM ends a login that waits for the browser,
// with status 143 (review 2, M3).
func TestLoginTerminated(t *testing.T) {
	t.Parallel()
	s := newSigninFixture(t)
	st := s.start(t, "none", nil, "login", "--profile", "dev")
	st.waitLine(t, regexp.MustCompile(`Ctrl-C cancels`))
	st.cmd.Process.Signal(syscall.SIGTERM)
	if code := st.wait(t); code != 143 {
		t.Errorf("exit %d, want 143\n%s", code, st.stderr())
	}
	if _, err := os.Stat(s.tokenPath("my-sso")); !os.IsNotExist(err) {
		t.Errorf("a token was written: %v", err)
	}
}
