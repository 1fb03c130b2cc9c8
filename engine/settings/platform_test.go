package settings

import (
	"os"
	"testing"

	"github.com/awsxc/awsxc/platform"
)

// TestDefaultPathIsTheTrays: the daemon finds the file the tray uses
// (platform.SettingsFile, through github.com/adrg/xdg), with and without
// XDG_CONFIG_HOME.
func TestDefaultPathIsTheTrays(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("USERPROFILE", home)
	for _, cfg := range []string{"", home + "/cfg"} {
		t.Setenv("XDG_CONFIG_HOME", cfg)
		got, err := DefaultPath(os.Getenv)
		if want := platform.SettingsFile(); err != nil || got != want {
			t.Errorf("XDG_CONFIG_HOME=%q: DefaultPath = %q, %v; platform.SettingsFile = %q", cfg, got, err, want)
		}
	}
}
