package platform

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestAutostartRoundTrip(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	exe := filepath.Join(t.TempDir(), "my apps", "awsxc")

	if on, err := Autostart(); err != nil || on {
		t.Fatalf("Autostart() = %v, %v before enabling; want false, nil", on, err)
	}
	if err := SetAutostart(true, exe); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(cfg, "autostart", "awsxc.desktop")
	if AutostartFile() != path {
		t.Errorf("AutostartFile() = %s, want %s", AutostartFile(), path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := "\nExec=\"" + exe + "\"\n"; !strings.Contains(string(data), want) {
		t.Errorf("entry lacks %q:\n%s", want, data)
	}
	if on, err := Autostart(); err != nil || !on {
		t.Errorf("Autostart() = %v, %v after enabling; want true, nil", on, err)
	}
	if _, err := exec.LookPath("desktop-file-validate"); err == nil {
		if out, err := exec.Command("desktop-file-validate", path).CombinedOutput(); err != nil || len(out) > 0 {
			t.Errorf("desktop-file-validate: %v\n%s", err, out)
		}
	} else if os.Getenv("CI") != "" {
		t.Error("desktop-file-validate not found; CI must install desktop-file-utils")
	}
	if err := SetAutostart(false, ""); err != nil {
		t.Fatal(err)
	}
	if on, err := Autostart(); err != nil || on {
		t.Errorf("Autostart() = %v, %v after disabling; want false, nil", on, err)
	}
	if err := SetAutostart(false, ""); err != nil {
		t.Errorf("disabling twice: %v", err)
	}
	if err := SetAutostart(true, "awsxc"); err == nil {
		t.Error("a relative path was accepted")
	}
}
