package server

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/internal/fakeaws"
	"github.com/google/go-cmp/cmp"
)

// TestMain keeps the machine's own AWS setup away from every test: the
// sources take their files from an Env, but the SDK still reads some
// settings from the process (see engine's package documentation).
func TestMain(m *testing.M) { os.Exit(fakeaws.RunIsolated(m, nil)) }

// srvConfig and srvCreds are the AWS files of the Source and server
// tests (see fakeaws.SourceConfig).
const (
	srvConfig = fakeaws.SourceConfig
	srvCreds  = fakeaws.SourceCredentials
)

// srvEnv writes the AWS files of the server tests, whose profiles call a
// fake STS of their own, and returns the fake, a test clock for both,
// and the Env holding files and clock.
func srvEnv(t testing.TB) (*fakeaws.Server, *testClock, engine.Env) {
	t.Helper()
	fake := fakeaws.New()
	t.Cleanup(fake.Close)
	dir, cf, kf := fake.Files(t, srvConfig, srvCreds)
	clk := newTestClock()
	fake.SetNow(clk.Now)
	return fake, clk, engine.Env{ConfigFile: cf, CredentialsFile: kf, Home: dir, Dir: dir, Clock: clk}
}

// testClock is a clock tests move by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock {
	return &testClock{t: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)}
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *testClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// newTestSource makes a source closed at the end of the test.
func newTestSource(t testing.TB, opts engine.SourceOptions) *engine.Source {
	t.Helper()
	s, err := engine.NewSource(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// newTestRegistry makes a registry of sources with env, closed at the
// end of the test.
func newTestRegistry(t testing.TB, env engine.Env, max int) *engine.Registry {
	t.Helper()
	reg := engine.NewRegistry(context.Background(), engine.RegistryOptions{
		Source: engine.SourceOptions{Env: env}, Max: max})
	t.Cleanup(reg.Close)
	return reg
}

func waitUntil(t testing.TB, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// golden compares got with testdata/NAME, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

// testToken is an ECS token as CheckToken takes it.
const testToken = "test-token-0123456789"
