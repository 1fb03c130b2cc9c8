// Package desktoptest starts the desktop services that tests of the tray
// and of platform need: a private D-Bus session bus and a private Xvfb,
// each stopped with its test. Tests that need a program call [Need], which
// skips when it is missing and fails when the CI environment variable is
// set, so CI cannot go green by skipping.
package desktoptest

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Need skips the test when a program is missing, or fails it under CI.
func Need(t testing.TB, programs ...string) {
	t.Helper()
	for _, p := range programs {
		if _, err := exec.LookPath(p); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s not found; CI must install it", p)
			}
			t.Skipf("%s not found", p)
		}
	}
}

// StartBus starts a private dbus-daemon for the test and returns its
// address. The daemon is killed when the test ends.
func StartBus(t testing.TB) string {
	t.Helper()
	Need(t, "dbus-daemon")
	dir, err := os.MkdirTemp("", "snitest")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("dbus-daemon", "--session", "--nofork", "--nopidfile",
		"--address=unix:path="+filepath.Join(dir, "bus"), "--print-address=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		os.RemoveAll(dir)
	})
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(out).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case addr := <-line:
		if addr == "" {
			t.Fatal("dbus-daemon printed no address")
		}
		return addr
	case <-time.After(30 * time.Second): // a loaded CI machine can take seconds
		t.Fatal("dbus-daemon did not start")
		return ""
	}
}

// Display starts a private Xvfb for the test, stopped with it, and
// returns its display. It never uses $DISPLAY: tests of other packages
// running at the same time (go test runs packages in parallel) would
// share that clipboard, and a developer's own clipboard is not for tests.
func Display(t testing.TB) string {
	t.Helper()
	Need(t, "Xvfb")
	// -noreset: by default Xvfb resets when its last client disconnects,
	// and a client connecting during the reset fails with "Can't open
	// display". With no long-lived client (no panel) every short xclip
	// run is the last one, so the app's copy would fail now and then.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "640x480x24", "-nolisten", "tcp", "-noreset")
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }) // TERM: Xvfb removes its lock and socket
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(r).ReadString('\n')
		r.Close()
		line <- strings.TrimSpace(s)
	}()
	select {
	case n := <-line:
		if n == "" {
			t.Fatal("Xvfb printed no display number")
		}
		return ":" + n
	case <-time.After(30 * time.Second):
		t.Fatal("Xvfb did not start")
		return ""
	}
}
