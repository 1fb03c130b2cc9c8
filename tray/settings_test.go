//go:build !darwin || cgo

package tray

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSettingsRoundTrip(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "awsxc", "settings.json")
	s, err := LoadSettings(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.ExportName != "awsxc" || s.IMDS.Addr != "127.0.0.1:0" || len(s.ECSToken) < 40 {
		t.Fatalf("defaults = %+v", s)
	}
	s.Profile = "dev"
	s.IMDS = ServerSettings{Enabled: true, Addr: "127.0.0.1:41001"}
	s.KeepRefreshed = true
	s.ClipboardClearSeconds = 30
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600", fi.Mode().Perm())
	}
	got, err := LoadSettings(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(s, got); diff != "" {
		t.Errorf("round trip mismatch (-want +got):\n%s", diff)
	}
}

// TestSettingsSymlink is issue 10 item 29 (part): a settings.json that a
// dotfile manager links into place stays a link; the write goes through.
func TestSettingsSymlink(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	real := filepath.Join(dir, "dotfiles", "settings.json")
	path := filepath.Join(dir, "awsxc", "settings.json")
	for _, d := range []string{filepath.Dir(real), filepath.Dir(path)} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(real, []byte(`{"profile": "old"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join("..", "dotfiles", "settings.json"), path); err != nil {
		t.Skip("no symlinks:", err)
	}
	s := DefaultSettings()
	s.Profile = "dev"
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(path); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("settings.json is no longer a link: %v, %v", fi.Mode(), err)
	}
	got, err := LoadSettings(real)
	if err != nil || got.Profile != "dev" {
		t.Errorf("the link's target holds profile %q, %v; want dev", got.Profile, err)
	}
}

func TestSettingsPartialFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "settings.json")
	os.WriteFile(path, []byte(`{"profile":"prod","ecs_token":"tok"}`), 0o600)
	s, err := LoadSettings(path)
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultSettings()
	want.Profile, want.ECSToken = "prod", "tok"
	if diff := cmp.Diff(want, s); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

func TestSettingsCorrupt(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "settings.json")
	corrupt := []byte(`{"profile": "dev",`)
	os.WriteFile(path, corrupt, 0o600)
	s, err := LoadSettings(path)
	if !errors.Is(err, ErrCorruptSettings) {
		t.Fatalf("err = %v, want ErrCorruptSettings", err)
	}
	if s.Profile != "" || s.ExportName != "awsxc" {
		t.Errorf("got %+v, want defaults", s)
	}
	bak, rerr := os.ReadFile(path + ".bak")
	if rerr != nil || string(bak) != string(corrupt) {
		t.Errorf(".bak = %q, %v; want the corrupt file kept", bak, rerr)
	}
	if _, serr := os.Stat(path); !os.IsNotExist(serr) {
		t.Errorf("corrupt file still in place: %v", serr)
	}
}
