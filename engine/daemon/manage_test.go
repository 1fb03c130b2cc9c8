package daemon

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/awsxc/awsxc/engine/activity"
)

// TestManageOverSocket: the local API's servers and activity endpoints,
// through a real socket: add, list, fetch, follow the activity, revoke;
// and a client with no daemon falls back at once.
func TestManageOverSocket(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	w := newWorld(t, Options{SettingsPath: filepath.Join(dir, "settings.json"), TokenDir: filepath.Join(dir, "tokens"), ReloadInterval: time.Hour})
	ctx := context.Background()
	c := w.client
	info, warn, err := c.AddServer(ctx, ServerSpec{Name: "api", Kind: KindConsumer, Profile: "role"})
	if err != nil || warn != "" || info.Name != "api" || !info.Running || info.TokenFile == "" || len(info.Settings.Env) == 0 {
		t.Fatalf("AddServer: %+v %q %v", info, warn, err)
	}
	if _, _, err := c.AddServer(ctx, ServerSpec{Name: "api", Kind: KindConsumer, Profile: "role"}); err == nil || errors.Is(err, ErrFallback) || !strings.Contains(err.Error(), "taken") {
		t.Errorf("AddServer again: %v", err)
	}

	// Follow the activity while the SDK fetches.
	fctx, cancel := context.WithCancel(ctx)
	got := make(chan activity.Record, 10)
	done := make(chan error, 1)
	go func() {
		done <- c.Activity(fctx, true, func(r activity.Record, _ uint64) error { got <- r; return nil })
	}()
	time.Sleep(100 * time.Millisecond) // the stream is open (a record before it would come from Recent anyway)
	if _, err := sdkECS(t, info.URL, info.TokenFile); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-got:
		if r.Consumer != "api" || r.Outcome != activity.Served || r.Profile != "role" {
			t.Errorf("followed record %+v", r)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no record followed")
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Activity(follow) ended with %v", err)
	}

	list, err := c.Servers(ctx)
	if err != nil || len(list) != 2 || list[1].Name != "api" || list[1].LastFetch == nil || list[1].LastFetch.Outcome != activity.Served {
		t.Fatalf("Servers: %+v, %v", list, err)
	}
	if err := c.Revoke(ctx, "api"); err != nil {
		t.Fatal(err)
	}
	if err := c.Revoke(ctx, "api"); !errors.Is(err, ErrNoServer) {
		t.Errorf("Revoke again: %v", err)
	}
	if err := c.Revoke(ctx, "ecs"); !errors.Is(err, ErrNotConsumer) {
		t.Errorf("Revoke(ecs): %v", err)
	}
	var recs []activity.Record
	if err := c.Activity(ctx, false, func(r activity.Record, _ uint64) error { recs = append(recs, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if n := len(recs); n < 2 || recs[n-1].Outcome != activity.Revoked || recs[n-1].Consumer != "api" {
		t.Errorf("activity %+v", recs)
	}

	none := &Client{Path: filepath.Join(shortSocket(t), "..", "none.sock")}
	if _, err := none.Servers(ctx); !errors.Is(err, ErrFallback) {
		t.Errorf("no daemon: %v", err)
	}
	if err := none.Activity(ctx, true, nil); !errors.Is(err, ErrFallback) {
		t.Errorf("no daemon, activity: %v", err)
	}
}
