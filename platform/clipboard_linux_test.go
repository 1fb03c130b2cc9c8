package platform

import (
	"os/exec"
	"testing"
	"time"

	"github.com/awsxc/awsxc/internal/desktoptest"
)

// TestClipboardRoundTrip writes with Copy and reads back both with Paste
// and with another X client, xclip, on a private Xvfb.
func TestClipboardRoundTrip(t *testing.T) {
	desktoptest.Need(t, "xclip")
	// Always a private X server: never the developer's clipboard, and
	// never one that tests of other packages write at the same time.
	t.Setenv("DISPLAY", desktoptest.Display(t))
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
