package tray

import (
	"errors"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/awsxc/awsxc/internal/fsutil"
)

// unblockFIFO lets a reader stuck on the FIFO at path go: opening its
// write end and closing it gives the reader an end of file.
func unblockFIFO(path string) {
	if f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
		f.Close()
	}
}

// A FIFO as settings.json is refused, not read: reading it would block
// the start-up, or the event loop on every tick (review 1, L7).
func TestSettingsFIFO(t *testing.T) {
	h := newHarness(t, harnessOptions{config: twoProfiles, creds: twoProfilesCreds, settings: `{"profile": "dev"}`})
	h.waitFor(t, "dev", valid("dev"))
	if err := os.Remove(h.settings); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(h.settings, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unblockFIFO(h.settings) })

	done := make(chan error, 1)
	go func() { _, err := LoadSettings(h.settings); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, fsutil.ErrNotRegular) {
			t.Errorf("LoadSettings of a FIFO: %v, want ErrNotRegular", err)
		}
	case <-time.After(patience):
		unblockFIFO(h.settings)
		t.Fatal("LoadSettings blocked on a FIFO")
	}
	// The loop's reload on a tick: h.do fails if the loop is stuck.
	h.do(t, func(a *app) { a.reloadSettings() })
	h.do(t, func(a *app) {
		if a.settings.Profile != "dev" {
			t.Errorf("settings in use: profile %q, want dev kept", a.settings.Profile)
		}
	})
}
