//go:build unix

package daemon

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/awsxc/awsxc/internal/localsock"
)

// TestClaim: a front end claims the lock and the endpoint once; a
// second claim is refused while the first holds them, and succeeds once
// they are released. An endpoint in a folder others can enter cannot be
// listened on, and Claim then still holds the lock, so that a second
// front end is refused even though the first has no local API.
func TestClaim(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	lockPath := filepath.Join(t.TempDir(), LockName)

	sock := shortSocket(t)
	ep, err := Claim(ctx, HostOptions{Path: sock, LockPath: lockPath})
	if err != nil {
		t.Fatal(err)
	}
	var re *RunningError
	if _, err := Claim(ctx, HostOptions{Path: sock, LockPath: lockPath}); !errors.As(err, &re) || !errors.Is(err, localsock.ErrRunning) {
		t.Fatalf("second claim: %v; want a *RunningError", err)
	}
	if err := ep.Close(); err != nil {
		t.Fatal(err)
	}
	ep, err = Claim(ctx, HostOptions{Path: sock, LockPath: lockPath})
	if err != nil {
		t.Fatalf("claim after the first was closed: %v", err)
	}
	ep.Close()

	// A socket folder that group and others can enter: refused by the
	// listener, but the lock is kept.
	open := filepath.Join(filepath.Dir(sock), "open")
	if err := os.Mkdir(open, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(open, 0o755); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(open, "s")
	ep, err = Claim(ctx, HostOptions{Path: bad, LockPath: lockPath})
	if err == nil || errors.As(err, &re) || ep == nil {
		t.Fatalf("claim in an open folder: %v, endpoint %v; want the listener's error and a lock-only endpoint", err, ep)
	}
	ep.Serve(nil) // serves nothing, and must not panic
	if _, err := Claim(ctx, HostOptions{Path: sock, LockPath: lockPath}); !errors.As(err, &re) {
		t.Errorf("claim while a lock-only endpoint holds the lock: %v; want a *RunningError", err)
	}
	if err := ep.Close(); err != nil {
		t.Errorf("close of a lock-only endpoint: %v", err)
	}
	if ep, err := Claim(ctx, HostOptions{Path: sock, LockPath: lockPath}); err != nil {
		t.Errorf("claim after the lock-only endpoint closed: %v", err)
	} else {
		ep.Close()
	}
}
