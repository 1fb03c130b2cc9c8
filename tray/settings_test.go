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
