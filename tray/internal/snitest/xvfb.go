package snitest

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

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
	case <-time.After(10 * time.Second):
		t.Fatal("Xvfb did not start")
		return ""
	}
}

// Clipboard reads the CLIPBOARD selection of display with xclip.
func Clipboard(t testing.TB, display string) string {
	t.Helper()
	cmd := exec.Command("xclip", "-o", "-selection", "clipboard")
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	return string(out)
}

// WaitClipboard polls the clipboard until cond holds.
func WaitClipboard(t testing.TB, display string, timeout time.Duration, cond func(string) bool) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		s := Clipboard(t, display)
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("clipboard after %v: %q", timeout, s)
		}
		time.Sleep(25 * time.Millisecond)
	}
}
