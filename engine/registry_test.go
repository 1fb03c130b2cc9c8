package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/awsxc/awsxc/internal/fakeaws"
)

func newTestRegistry(t *testing.T, opts RegistryOptions) *Registry {
	t.Helper()
	r := NewRegistry(context.Background(), opts)
	t.Cleanup(r.Close)
	return r
}

// acquire takes profile's source from r and releases it at the end of
// the test.
func acquire(t *testing.T, r *Registry, profile string) (*Source, func()) {
	t.Helper()
	src, release, err := r.Acquire(context.Background(), profile)
	if err != nil {
		t.Fatalf("Acquire(%q): %v", profile, err)
	}
	t.Cleanup(release)
	return src, release
}

// TestRegistrySharesOneSource: 64 goroutines ask for four profiles at
// once; each profile gets one source, and so one STS call.
func TestRegistrySharesOneSource(t *testing.T) {
	t.Parallel()
	fake, _, env := srvEnv(t)
	fake.SetDelay(50 * time.Millisecond) // let the callers pile up
	r := newTestRegistry(t, RegistryOptions{Source: SourceOptions{Env: env}})
	profiles := []string{"static", "other", "session", "role"}
	var mu sync.Mutex
	got := map[string]map[*Source]bool{}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 64 {
		p := profiles[i%len(profiles)]
		wg.Go(func() {
			src, release, err := r.Acquire(context.Background(), p)
			if err != nil {
				errs <- err
				return
			}
			defer release()
			if _, err := src.Credentials(context.Background()); err != nil {
				errs <- fmt.Errorf("%s: %w", p, err)
				return
			}
			mu.Lock()
			if got[p] == nil {
				got[p] = map[*Source]bool{}
			}
			got[p][src] = true
			mu.Unlock()
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for _, p := range profiles {
		if len(got[p]) != 1 {
			t.Errorf("profile %s: %d sources, want 1", p, len(got[p]))
		}
		for src := range got[p] {
			if st := src.Status(); st.Profile != p {
				t.Errorf("asked for %s, got the source of %s", p, st.Profile)
			}
		}
	}
	// static and other exchange their keys once each; role assumes its
	// role once; session has temporary keys already.
	if n, m := fake.Count("GetSessionToken"), fake.Count("AssumeRole"); n != 2 || m != 1 {
		t.Errorf("GetSessionToken %d, AssumeRole %d; want 2 and 1", n, m)
	}
}

func TestRegistryEvictsLeastRecentlyUsed(t *testing.T) {
	t.Parallel()
	_, _, env := srvEnv(t)
	r := newTestRegistry(t, RegistryOptions{Source: SourceOptions{Env: env}, Max: 2})

	a, release := acquire(t, r, "static")
	release()
	b, release := acquire(t, r, "other")
	release()
	if a2, release := acquire(t, r, "static"); a2 != a { // static is now the more recent
		t.Fatalf("static got a new source while the registry had room")
	} else {
		release()
	}
	c, _ := acquire(t, r, "session") // full: other, the least recently used, goes
	if a3, release := acquire(t, r, "static"); a3 != a {
		t.Errorf("static was evicted instead of other")
	} else {
		release()
	}
	waitUntil(t, "the evicted source closed", func() bool {
		_, err := b.Credentials(context.Background())
		return errors.Is(err, ErrSourceClosed)
	})
	if _, err := c.Credentials(context.Background()); err != nil {
		t.Errorf("the new source: %v", err)
	}
	if b2, release := acquire(t, r, "other"); b2 == b { // evicts static: session is held
		t.Errorf("other got its closed source back")
	} else {
		release()
	}
	waitUntil(t, "static closed", func() bool {
		_, err := a.Credentials(context.Background())
		return errors.Is(err, ErrSourceClosed)
	})
	if _, err := c.Credentials(context.Background()); err != nil {
		t.Errorf("the held source was closed: %v", err)
	}
}

// TestRegistryNeverEvictsHeld: with every source held, a new profile
// fails; once one is released it can be replaced.
func TestRegistryNeverEvictsHeld(t *testing.T) {
	t.Parallel()
	_, _, env := srvEnv(t)
	r := newTestRegistry(t, RegistryOptions{Source: SourceOptions{Env: env}, Max: 2})
	a, _ := acquire(t, r, "static")
	_, releaseB := acquire(t, r, "other")
	// A second hold on a held source is no new source.
	if a2, _ := acquire(t, r, "static"); a2 != a {
		t.Fatalf("second Acquire of static: a different source")
	}
	if _, _, err := r.Acquire(context.Background(), "session"); !errors.Is(err, ErrTooManySources) {
		t.Fatalf("Acquire with all held = %v, want ErrTooManySources", err)
	}
	releaseB()
	releaseB() // a second release does nothing
	if _, err := a.Credentials(context.Background()); err != nil {
		t.Fatalf("held source: %v", err)
	}
	if _, _, err := r.Acquire(context.Background(), "session"); err != nil {
		t.Fatalf("Acquire after a release: %v", err)
	}
	if _, _, err := r.Acquire(context.Background(), "role"); !errors.Is(err, ErrTooManySources) {
		t.Errorf("the released-twice source counted as released twice: %v", err)
	}
	r.mu.Lock()
	n := len(r.entries)
	r.mu.Unlock()
	if n != 2 {
		t.Errorf("%d sources kept, want 2", n)
	}
}

// TestRegistryStaysBounded: many goroutines take and release five
// profiles from a registry of three: it never keeps more than three, and
// every failure is ErrTooManySources.
func TestRegistryStaysBounded(t *testing.T) {
	t.Parallel()
	_, _, env := srvEnv(t)
	const max = 3
	r := newTestRegistry(t, RegistryOptions{Source: SourceOptions{Env: env}, Max: max})
	profiles := []string{"static", "other", "session", "role", "noregion"}
	var full atomic.Int32
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := range 16 {
		wg.Go(func() {
			for i := range 40 {
				p := profiles[(g+i)%len(profiles)]
				src, release, err := r.Acquire(context.Background(), p)
				if errors.Is(err, ErrTooManySources) {
					full.Add(1)
					continue
				}
				if err != nil {
					errs <- err
					return
				}
				if st := src.Status(); st.Profile != p {
					errs <- fmt.Errorf("asked for %s, got %s", p, st.Profile)
				}
				r.mu.Lock()
				n := len(r.entries)
				r.mu.Unlock()
				if n > max {
					errs <- fmt.Errorf("%d sources kept, bound %d", n, max)
				}
				release()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	t.Logf("%d asks found the registry full", full.Load())
	r.mu.Lock()
	for name, e := range r.entries {
		if e.refs != 0 {
			t.Errorf("%s: %d holds left after every release", name, e.refs)
		}
	}
	r.mu.Unlock()
}

func TestRegistryClose(t *testing.T) {
	t.Parallel()
	_, _, env := srvEnv(t)
	r := NewRegistry(context.Background(), RegistryOptions{Source: SourceOptions{Env: env}})
	held, release := acquire(t, r, "static")
	idle, release2 := acquire(t, r, "other")
	release2()
	if _, err := held.Credentials(context.Background()); err != nil {
		t.Fatal(err)
	}
	r.Close()
	for name, src := range map[string]*Source{"held": held, "idle": idle} {
		if _, err := src.Credentials(context.Background()); !errors.Is(err, ErrSourceClosed) {
			t.Errorf("%s source after Close: %v, want ErrSourceClosed", name, err)
		}
	}
	if _, _, err := r.Acquire(context.Background(), "static"); !errors.Is(err, ErrSourceClosed) {
		t.Errorf("Acquire after Close = %v, want ErrSourceClosed", err)
	}
	release() // after Close: nothing happens
	r.Close()
}

// TestRegistryCloseWhileAcquiring: Close racing with many Acquires
// leaves no source open and no Acquire hanging.
func TestRegistryCloseWhileAcquiring(t *testing.T) {
	t.Parallel()
	_, _, env := srvEnv(t)
	for range 5 {
		r := NewRegistry(context.Background(), RegistryOptions{Source: SourceOptions{Env: env}})
		var mu sync.Mutex
		var got []*Source
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				src, release, err := r.Acquire(context.Background(), []string{"static", "other"}[i%2])
				if err != nil {
					if !errors.Is(err, ErrSourceClosed) {
						t.Errorf("Acquire: %v", err)
					}
					return
				}
				defer release()
				mu.Lock()
				got = append(got, src)
				mu.Unlock()
			})
		}
		r.Close()
		wg.Wait()
		for _, src := range got {
			if _, err := src.Credentials(context.Background()); !errors.Is(err, ErrSourceClosed) {
				t.Errorf("a source handed out around Close is still open: %v", err)
			}
		}
	}
}

// TestRegistryLoadErrorNotKept: a profile that does not load is loaded
// again on the next ask, so fixing the files fixes it.
func TestRegistryLoadErrorNotKept(t *testing.T) {
	t.Parallel()
	fake, _, env := srvEnv(t)
	r := newTestRegistry(t, RegistryOptions{Source: SourceOptions{Env: env}})
	if _, _, err := r.Acquire(context.Background(), "late"); !errors.Is(err, ErrProfileNotFound) {
		t.Fatalf("Acquire(late) = %v, want ErrProfileNotFound", err)
	}
	cfg := srvConfig + "[profile late]\nregion = eu-west-1\nsource_profile = static\nrole_arn = arn:aws:iam::210987654321:role/Late\n"
	if err := os.WriteFile(env.ConfigFile, []byte(fakeaws.WithEndpoint(cfg, fake.URL)), 0o600); err != nil {
		t.Fatal(err)
	}
	src, _ := acquire(t, r, "late")
	if st := src.Status(); st.RoleName != "Late" {
		t.Errorf("status %+v", st)
	}
}

// TestRegistryOptions: every source gets the registry's options, its own
// MFA provider, and reports to the one OnChange under its name.
func TestRegistryOptions(t *testing.T) {
	t.Parallel()
	_, clk, env := srvEnv(t)
	rec := newStatusRecorder()
	var asked sync.Map
	r := newTestRegistry(t, RegistryOptions{
		Source: SourceOptions{Env: env, SessionDuration: 2 * time.Hour,
			MFA: func() (string, error) { t.Error("the template's MFA provider was used"); return "", nil }},
		MFA: func(profile string) TokenProvider {
			return func() (string, error) { asked.Store(profile, true); return "123456", nil }
		},
		OnChange: rec.onChange,
	})
	mfa, _ := acquire(t, r, "mfa")
	if err := mfa.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, ok := asked.Load("mfa"); !ok {
		t.Errorf("the mfa profile's provider was not asked")
	}
	st := rec.waitFor(t, "mfa refreshed", func(s Status) bool { return s.Profile == "mfa" && s.Valid && !s.Refreshing })
	if want := clk.Now().Add(2 * time.Hour); !st.Expires.Equal(want) {
		t.Errorf("expires %v, want %v (the registry's session duration)", st.Expires, want)
	}
	other, _ := acquire(t, r, "other")
	if _, err := other.Credentials(context.Background()); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "other refreshed", func(s Status) bool { return s.Profile == "other" && s.Valid && !s.Refreshing })
}

// TestRegistryQuietAfterEviction: an evicted source's news no longer
// reaches OnChange.
func TestRegistryQuietAfterEviction(t *testing.T) {
	t.Parallel()
	fake, _, env := srvEnv(t)
	var mu sync.Mutex
	seen := map[string]int{}
	r := newTestRegistry(t, RegistryOptions{Source: SourceOptions{Env: env}, Max: 1,
		OnChange: func(st Status) { mu.Lock(); seen[st.Profile]++; mu.Unlock() }})
	a, release := acquire(t, r, "static")
	fake.SetDelay(300 * time.Millisecond)
	go a.Credentials(context.Background()) // a fetch that ends after the eviction
	waitUntil(t, "fetch started", func() bool { return a.Status().Refreshing })
	mu.Lock()
	before := seen["static"]
	mu.Unlock()
	release()
	acquire(t, r, "session") // evicts static, whose Close cancels the fetch
	waitUntil(t, "static closed", func() bool {
		_, err := a.Credentials(context.Background())
		return errors.Is(err, ErrSourceClosed)
	})
	time.Sleep(50 * time.Millisecond)
	mu.Lock()
	after := seen["static"]
	mu.Unlock()
	if after != before {
		t.Errorf("OnChange got %d statuses of the evicted source", after-before)
	}
}

// TestRegistryDoneContext: ctx bounds only the wait for a source being
// made by another caller; a caller that makes it, or finds it made, gets
// it even with ctx done.
func TestRegistryDoneContext(t *testing.T) {
	t.Parallel()
	_, _, env := srvEnv(t)
	r := newTestRegistry(t, RegistryOptions{Source: SourceOptions{Env: env}})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for i := range 2 {
		src, release, err := r.Acquire(ctx, "static")
		if err != nil {
			t.Fatalf("Acquire %d with ctx done: %v", i, err)
		}
		release()
		if _, err := src.Credentials(context.Background()); err != nil {
			t.Fatalf("Acquire %d: a source that does not work: %v", i, err)
		}
	}
}

// TestRegistryIdleSourcesClosed (review 1, M5): a source that no one
// holds and no one asks for within IdleTimeout, on the injected clock, is
// closed (it stops refreshing) and dropped, so one request for a profile
// does not keep it refreshing for as long as a daemon runs; one asked for
// again in time, or held however long, is kept.
func TestRegistryIdleSourcesClosed(t *testing.T) {
	t.Parallel()
	_, clk, env := srvEnv(t)
	r := newTestRegistry(t, RegistryOptions{Source: SourceOptions{Env: env}, IdleTimeout: time.Hour,
		checkEvery: time.Millisecond})
	closedSource := func(src *Source) bool {
		_, err := src.Credentials(context.Background())
		return errors.Is(err, ErrSourceClosed)
	}

	idle, release := acquire(t, r, "static")
	release()
	held, _ := acquire(t, r, "other") // never released during the test
	clk.Add(59 * time.Minute)
	if again, release := acquire(t, r, "static"); again != idle { // asked for again in time
		t.Fatalf("static got a new source within the idle timeout")
	} else {
		release()
	}
	clk.Add(59 * time.Minute)
	if closedSource(idle) {
		t.Fatal("closed an hour after it was made, though asked for since")
	}
	clk.Add(2 * time.Minute) // an hour and a minute since the last use
	waitUntil(t, "the idle source closed", func() bool { return closedSource(idle) })
	if closedSource(held) {
		t.Error("the held source was closed")
	}
	if fresh, release := acquire(t, r, "static"); fresh == idle || closedSource(fresh) {
		t.Error("static got its closed source back")
	} else {
		release()
	}
}

// TestRegistryIdleTimeoutOptions: a negative IdleTimeout keeps sources;
// zero is the default hour.
func TestRegistryIdleTimeoutOptions(t *testing.T) {
	t.Parallel()
	_, clk, env := srvEnv(t)
	keep := newTestRegistry(t, RegistryOptions{Source: SourceOptions{Env: env}, IdleTimeout: -1})
	def := newTestRegistry(t, RegistryOptions{Source: SourceOptions{Env: env}})
	kept, release := acquire(t, keep, "static")
	release()
	dropped, release := acquire(t, def, "static")
	release()
	clk.Add(DefaultIdleTimeout + time.Minute)
	// Each Acquire looks for idle sources too.
	acquire(t, keep, "other")
	acquire(t, def, "other")
	if _, err := kept.Credentials(context.Background()); err != nil {
		t.Errorf("IdleTimeout -1 closed a source: %v", err)
	}
	waitUntil(t, "the default idle timeout closed the source", func() bool {
		_, err := dropped.Credentials(context.Background())
		return errors.Is(err, ErrSourceClosed)
	})
}

// TestRegistryDiscard: a discarded source is replaced on the next
// Acquire, keeps working for whoever holds it, and is closed on its last
// release; Sources lists what the registry keeps.
func TestRegistryDiscard(t *testing.T) {
	t.Parallel()
	_, _, env := srvEnv(t)
	r := newTestRegistry(t, RegistryOptions{Source: SourceOptions{Env: env}})
	old, release := acquire(t, r, "static")
	other, _ := acquire(t, r, "other")
	if got := r.Sources(); len(got) != 2 || got[0] != other || got[1] != old {
		t.Fatalf("Sources() = %v, want [other static]", got)
	}
	r.Discard(old)
	r.Discard(old) // again: nothing to do
	if got := r.Sources(); len(got) != 1 || got[0] != other {
		t.Errorf("Sources() after Discard = %v, want [other]", got)
	}
	fresh, _ := acquire(t, r, "static")
	if fresh == old {
		t.Fatal("Acquire after Discard handed out the discarded source")
	}
	// Held: still works.
	if _, err := old.Credentials(context.Background()); err != nil {
		t.Errorf("held discarded source: %v", err)
	}
	release()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := old.Credentials(context.Background()); errors.Is(err, ErrSourceClosed) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("discarded source not closed after its last release")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := fresh.Credentials(context.Background()); err != nil {
		t.Errorf("the new source: %v", err)
	}

	// Not held: closed at once; Close closes a held discarded one.
	r.Discard(other)
	held, _ := acquire(t, r, "session")
	r.Discard(held)
	r.Close()
	for _, s := range []*Source{other, held} {
		if _, err := s.Credentials(context.Background()); !errors.Is(err, ErrSourceClosed) {
			t.Errorf("%s after Close: %v, want ErrSourceClosed", s.Profile().Name, err)
		}
	}
	r.Discard(nil)
}
