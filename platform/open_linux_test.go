package platform

import (
	"strings"
	"testing"
)

// Without xdg-open the error says what to install, not exec's words.
func TestOpenFileWithoutXDGOpen(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	err := OpenFile("/nonexistent/settings.json")
	if err == nil || !strings.Contains(err.Error(), "install xdg-utils") {
		t.Errorf("OpenFile = %v; want an error saying to install xdg-utils", err)
	}
	if strings.Contains(err.Error(), "$PATH") {
		t.Errorf("OpenFile = %q; want no raw exec error", err)
	}
}
