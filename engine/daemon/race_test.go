package daemon

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/awsxc/awsxc/engine/settings"
)

// TestChangesDuringReloads is review 3's H1: servers added and a
// consumer revoked through the socket, all at once, while the watcher
// reads the settings every millisecond and a front end asks for reloads
// too. Every add is saved and listed, the revoked consumer stays
// revoked, and its token file stays gone: no reload takes the daemon's
// own earlier write for a user's edit.
func TestChangesDuringReloads(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "settings.json")
	tokenDir := filepath.Join(dir, "tokens")
	const rounds, adds = 8, 8
	s := settings.Default()
	for r := range rounds {
		s.Servers = append(s.Servers, settings.Pinned{Name: fmt.Sprintf("victim%d", r), Kind: KindConsumer, Profile: "static"})
	}
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	w := newWorld(t, Options{SettingsPath: path, TokenDir: tokenDir, ReloadInterval: time.Millisecond})
	ctx := context.Background()
	stop := make(chan struct{})
	var reloader sync.WaitGroup
	reloader.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
				w.d.Reload()
			}
		}
	})
	var want []string
	for r := range rounds {
		victim := fmt.Sprintf("victim%d", r)
		if _, err := os.Stat(filepath.Join(tokenDir, victim+".token")); err != nil {
			t.Fatalf("before the revoke: %v", err)
		}
		var wg sync.WaitGroup
		for i := range adds {
			name := fmt.Sprintf("r%d-%d", r, i)
			want = append(want, name)
			wg.Go(func() {
				if _, _, err := w.client.AddServer(ctx, ServerSpec{Name: name, Kind: KindConsumer, Profile: "static"}); err != nil {
					t.Errorf("add %s: %v", name, err)
				}
			})
		}
		wg.Go(func() {
			if err := w.client.Revoke(ctx, victim); err != nil {
				t.Errorf("revoke %s: %v", victim, err)
			}
		})
		wg.Wait()
	}
	time.Sleep(20 * time.Millisecond) // more reloads
	close(stop)
	reloader.Wait()
	slices.Sort(want)

	saved, err := settings.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	var inFile, listed []string
	for _, p := range saved.Servers {
		inFile = append(inFile, p.Name)
	}
	for _, i := range w.d.ServerList() {
		if i.Kind == KindConsumer {
			listed = append(listed, i.Name)
		}
	}
	slices.Sort(inFile)
	slices.Sort(listed)
	if !slices.Equal(want, inFile) {
		t.Errorf("settings file holds %v\nwant %v", inFile, want)
	}
	if !slices.Equal(want, listed) {
		t.Errorf("ServerList holds %v\nwant %v", listed, want)
	}
	for r := range rounds {
		if _, err := os.Stat(filepath.Join(tokenDir, fmt.Sprintf("victim%d.token", r))); err == nil {
			t.Errorf("victim%d's token file is back", r)
		}
	}
	for _, name := range want {
		if _, err := os.Stat(filepath.Join(tokenDir, name+".token")); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
