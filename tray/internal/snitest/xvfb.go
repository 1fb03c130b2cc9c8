package snitest

import (
	"os"
	"os/exec"
	"testing"
	"time"
)

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
