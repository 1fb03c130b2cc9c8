//go:build linux

package platform

import (
	"os"
	"os/exec"
	"testing"
)

// TestClipboardRoundTrip writes with Copy and reads back both with Paste
// and with another X client, xclip. It needs a display (Xvfb in CI).
func TestClipboardRoundTrip(t *testing.T) {
	if os.Getenv("DISPLAY") == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("DISPLAY is not set; CI runs this under Xvfb")
		}
		t.Skip("no DISPLAY")
	}
	needTool(t, "xclip")
	want := "export AWS_ACCESS_KEY_ID=AKIAEXAMPLE\nexport AWS_SESSION_TOKEN='tok/+=é'\n"
	if err := Copy(want); err != nil {
		t.Fatal(err)
	}
	got, err := Paste()
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("Paste() = %q, want %q", got, want)
	}
	out, err := exec.Command("xclip", "-o", "-selection", "clipboard").Output()
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != want {
		t.Errorf("xclip -o = %q, want %q", out, want)
	}
}
