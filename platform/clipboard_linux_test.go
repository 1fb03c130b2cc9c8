package platform

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestClipboardRoundTrip writes with Copy and reads back both with Paste
// and with another X client, xclip, on a private Xvfb.
func TestClipboardRoundTrip(t *testing.T) {
	needTool(t, "xclip")
	// Always a private X server: never the developer's clipboard, and
	// never one that tests of other packages write at the same time.
	t.Setenv("DISPLAY", startXvfb(t))
	t.Setenv("WAYLAND_DISPLAY", "")
	want := "export AWS_ACCESS_KEY_ID=AKIAEXAMPLE\nexport AWS_SESSION_TOKEN='tok/+=é'\n"
	if err := Copy(want); err != nil {
		t.Fatal(err)
	}
	// xclip -in hands the selection to a child it forks, so the first
	// read may come before the child answers; poll briefly.
	var got string
	var err error
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		got, err = Paste()
		if (err == nil && got == want) || time.Now().After(deadline) {
			break
		}
	}
	if err != nil || got != want {
		t.Errorf("Paste() = %q, %v; want %q", got, err, want)
	}
	out, err := exec.Command("xclip", "-o", "-selection", "clipboard").Output()
	if err != nil || string(out) != want {
		t.Errorf("xclip -o = %q, %v; want %q", out, err, want)
	}
}

// startXvfb starts a private X server for the test and returns its
// display. (tray/internal/snitest.Display does the same for the tray.)
func startXvfb(t *testing.T) string {
	t.Helper()
	needTool(t, "Xvfb")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "320x200x24", "-nolisten", "tcp", "-noreset")
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
