package engine

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/awsxc/awsxc/internal/fakeaws"
)

// srvConfig and srvCreds are the AWS files of the Source and server
// tests (see fakeaws.SourceConfig).
const (
	srvConfig = fakeaws.SourceConfig
	srvCreds  = fakeaws.SourceCredentials
)

// srvEnv writes the AWS files of the Source and server tests, whose
// profiles call a fake STS of their own, and returns the fake, a test
// clock for both, and the Env holding files and clock.
func srvEnv(t testing.TB) (*fakeaws.Server, *testClock, Env) {
	t.Helper()
	fake := fakeaws.New()
	t.Cleanup(fake.Close)
	dir, cf, kf := fake.Files(t, srvConfig, srvCreds)
	clk := newTestClock()
	fake.SetNow(clk.Now)
	return fake, clk, Env{ConfigFile: cf, CredentialsFile: kf, Home: dir, Dir: dir, Clock: clk}
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

// statusRecorder collects OnChange calls.
type statusRecorder struct {
	ch chan Status
}

func newStatusRecorder() *statusRecorder { return &statusRecorder{ch: make(chan Status, 100)} }

func (r *statusRecorder) onChange(s Status) { r.ch <- s }

// waitFor waits for a status matching ok.
func (r *statusRecorder) waitFor(t *testing.T, what string, ok func(Status) bool) Status {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case s := <-r.ch:
			if ok(s) {
				return s
			}
		case <-timeout:
			t.Fatalf("timed out waiting for status: %s", what)
		}
	}
}

func newTestSource(t *testing.T, opts SourceOptions) *Source {
	t.Helper()
	s, err := NewSource(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func TestSourceStaticOneGetSessionToken(t *testing.T) {
	t.Parallel()
	fake, clk, env := srvEnv(t)
	fake.SetDelay(100 * time.Millisecond) // let the callers pile up on the first fetch
	src := newTestSource(t, SourceOptions{Env: env, Profile: "static"})

	var wg sync.WaitGroup
	keys := make([]string, 32)
	errs := make([]error, 32)
	for i := range keys {
		wg.Go(func() {
			c, err := src.Credentials(context.Background())
			keys[i], errs[i] = c.AccessKeyID, err
		})
	}
	wg.Wait()
	for i := range keys {
		if errs[i] != nil || keys[i] != "ASIAFAKE0001EXAMPLE" {
			t.Fatalf("caller %d: key %q, err %v; want the one temporary key", i, keys[i], errs[i])
		}
	}
	c, err := src.Credentials(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !c.Temporary() || !c.Expires.Equal(clk.Now().Add(time.Hour)) {
		t.Errorf("credentials %s expiring %v, want temporary ones expiring in 1h", MaskKey(c.AccessKeyID), c.Expires)
	}
	if n := fake.Count("GetSessionToken"); n != 1 {
		t.Errorf("GetSessionToken calls = %d, want 1", n)
	}
	st := src.Status()
	if !st.Valid || st.Refreshing || st.Err != nil || st.Kind != KindStatic || st.Region != "eu-west-1" || st.KeyID != "ASIA…MPLE" {
		t.Errorf("status = %+v", st)
	}
}

func TestSourceRefreshesInsideWindow(t *testing.T) {
	t.Parallel()
	fake, clk, env := srvEnv(t)
	rec := newStatusRecorder()
	src := newTestSource(t, SourceOptions{Env: env, Profile: "static", OnChange: rec.onChange})
	ctx := context.Background()
	first, err := src.Credentials(ctx)
	if err != nil {
		t.Fatal(err)
	}

	clk.Add(44 * time.Minute) // 16 min left: not yet due
	if c, _ := src.Credentials(ctx); c.AccessKeyID != first.AccessKeyID {
		t.Fatalf("key changed before the refresh window")
	}
	time.Sleep(20 * time.Millisecond)
	if n := fake.Count(""); n != 1 {
		t.Fatalf("STS calls = %d before the window, want 1", n)
	}

	clk.Add(2 * time.Minute) // 14 min left: due
	c, err := src.Credentials(ctx)
	if err != nil || c.AccessKeyID != first.AccessKeyID {
		t.Fatalf("inside the window the old credentials are served while refreshing: %v %v", MaskKey(c.AccessKeyID), err)
	}
	st := rec.waitFor(t, "new key", func(s Status) bool { return !s.Refreshing && s.KeyID == "ASIA…MPLE" && s.Updated.Equal(clk.Now()) })
	if st.Err != nil || !st.Expires.Equal(clk.Now().Add(time.Hour)) {
		t.Errorf("after refresh: %+v", st)
	}
	c, _ = src.Credentials(ctx)
	if c.AccessKeyID != "ASIAFAKE0002EXAMPLE" {
		t.Errorf("key after refresh = %s, want the second one", c.AccessKeyID)
	}
	if n := fake.Count("GetSessionToken"); n != 2 {
		t.Errorf("GetSessionToken calls = %d, want 2", n)
	}
}

func TestSourceRefreshFailureKeepsServingUntilExpiry(t *testing.T) {
	t.Parallel()
	fake, clk, env := srvEnv(t)
	rec := newStatusRecorder()
	src := newTestSource(t, SourceOptions{Env: env, Profile: "static", OnChange: rec.onChange})
	ctx := context.Background()
	first, err := src.Credentials(ctx)
	if err != nil {
		t.Fatal(err)
	}

	fake.Fail("AccessDenied")
	clk.Add(50 * time.Minute)
	if c, err := src.Credentials(ctx); err != nil || c.AccessKeyID != first.AccessKeyID {
		t.Fatalf("got %v, %v; want the valid credentials", MaskKey(c.AccessKeyID), err)
	}
	st := rec.waitFor(t, "refresh failure", func(s Status) bool { return s.Err != nil })
	if !st.Valid || !errors.Is(st.Err, ErrResolve) {
		t.Errorf("status after failure = %+v, want valid with ErrResolve", st)
	}
	// Still served, with no new STS call per request.
	calls := fake.Count("")
	for range 5 {
		if c, err := src.Credentials(ctx); err != nil || c.AccessKeyID != first.AccessKeyID {
			t.Fatalf("got %v, %v; want the still valid credentials", MaskKey(c.AccessKeyID), err)
		}
	}
	if n := fake.Count(""); n != calls {
		t.Errorf("requests made %d STS calls while valid credentials were in hand", n-calls)
	}

	clk.Add(11 * time.Minute) // past expiry
	c, err := src.Credentials(ctx)
	if err == nil || c.AccessKeyID != "" {
		t.Fatalf("after expiry got %v, %v; want an error and no credentials", MaskKey(c.AccessKeyID), err)
	}
	if !errors.Is(err, ErrResolve) {
		t.Errorf("err = %v, want ErrResolve", err)
	}
	if st := src.Status(); st.Valid {
		t.Errorf("status valid after expiry: %+v", st)
	}

	// STS back: the next request fetches again (after the cool-down).
	fake.Fail("")
	clk.Add(failCooldown)
	if c, err := src.Credentials(ctx); err != nil || c.AccessKeyID == first.AccessKeyID {
		t.Fatalf("after recovery got %v, %v", MaskKey(c.AccessKeyID), err)
	}
}

func TestSourceMFANeverAsksOnRequestPath(t *testing.T) {
	t.Parallel()
	fake, clk, env := srvEnv(t)
	var asked atomic.Int32
	mfa := func() (string, error) { asked.Add(1); return "123456", nil }
	src := newTestSource(t, SourceOptions{Env: env, Profile: "mfa", MFA: mfa})
	ctx := context.Background()

	start := time.Now()
	_, err := src.Credentials(ctx)
	if !errors.Is(err, ErrMFARequired) {
		t.Fatalf("err = %v, want ErrMFARequired", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("failing took %v, want fast", d)
	}
	if asked.Load() != 0 || fake.Count("") != 0 {
		t.Fatalf("request path asked for MFA %d times, made %d STS calls", asked.Load(), fake.Count(""))
	}

	if err := src.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if asked.Load() != 1 {
		t.Fatalf("Refresh asked for MFA %d times, want 1", asked.Load())
	}
	if f := fake.Calls()[0].Form; f.Get("TokenCode") != "123456" {
		t.Errorf("GetSessionToken form %v, want the code", f)
	}
	for range 3 {
		if _, err := src.Credentials(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// A background refresh cannot ask: it fails with ErrMFARequired and
	// the valid credentials stay.
	clk.Add(50 * time.Minute)
	src.Credentials(ctx)
	waitUntil(t, "failed refresh", func() bool { st := src.Status(); return !st.Refreshing && st.Err != nil })
	if st := src.Status(); !errors.Is(st.Err, ErrMFARequired) || !st.Valid {
		t.Errorf("status = %+v, want valid with ErrMFARequired", st)
	}
	if asked.Load() != 1 {
		t.Errorf("background refresh asked for MFA")
	}
}

func TestSourceAssumeRoleMFAViaSDK(t *testing.T) {
	t.Parallel()
	// A role profile with mfa_serial: the SDK's AssumeRole asks the token
	// provider, which must refuse outside Refresh.
	fake, _, env := srvEnv(t)
	cfg := srvConfig + "[profile rolemfa]\nrole_arn = arn:aws:iam::210987654321:role/Admin\nsource_profile = static\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\n"
	if err := os.WriteFile(env.ConfigFile, []byte(fakeaws.WithEndpoint(cfg, fake.URL)), 0o600); err != nil {
		t.Fatal(err)
	}
	var asked atomic.Int32
	src := newTestSource(t, SourceOptions{Env: env, Profile: "rolemfa",
		MFA: func() (string, error) { asked.Add(1); return "654321", nil }})
	if _, err := src.Credentials(context.Background()); !errors.Is(err, ErrMFARequired) {
		t.Fatalf("err = %v, want ErrMFARequired", err)
	}
	if err := src.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	c, err := src.Credentials(context.Background())
	if err != nil || asked.Load() != 1 {
		t.Fatalf("err %v, asked %d", err, asked.Load())
	}
	if c.AccountID != "210987654321" || src.Status().AccountID != "210987654321" {
		t.Errorf("account = %q", c.AccountID)
	}
}

func TestSourceSessionProfileFixedExpiry(t *testing.T) {
	t.Parallel()
	fake, clk, env := srvEnv(t)
	src := newTestSource(t, SourceOptions{Env: env, Profile: "session"})
	ctx := context.Background()
	c1, err := src.Credentials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := clk.Now().Add(SessionExpiry)
	if c1.AccessKeyID != "ASIASESSIONEXAMPLE01" || !c1.Expires.Equal(want) {
		t.Fatalf("got %s expiring %v, want the profile's key expiring %v", c1.AccessKeyID, c1.Expires, want)
	}
	clk.Add(10 * time.Minute)
	c2, _ := src.Credentials(ctx)
	if !c2.Expires.Equal(c1.Expires) {
		t.Errorf("expiry slid from %v to %v", c1.Expires, c2.Expires)
	}
	if fake.Count("") != 0 {
		t.Errorf("a session profile made %d STS calls", fake.Count(""))
	}
	// Due for refresh: the profile is read again (picking up a new
	// session written meanwhile) and a new fixed expiry set.
	creds := strings.Replace(srvCreds, "ASIASESSIONEXAMPLE01", "ASIASESSIONEXAMPLE02", 1)
	if err := os.WriteFile(env.CredentialsFile, []byte(creds), 0o600); err != nil {
		t.Fatal(err)
	}
	clk.Add(40 * time.Minute)
	src.Credentials(ctx)
	waitUntil(t, "re-read", func() bool { st := src.Status(); return st.Expires.Equal(clk.Now().Add(SessionExpiry)) })
	if c, _ := src.Credentials(ctx); c.AccessKeyID != "ASIASESSIONEXAMPLE02" {
		t.Errorf("after refresh key = %s, want the one now in the file", c.AccessKeyID)
	}
}

func TestSourceCloseDoesNotWaitOnAHuman(t *testing.T) {
	_, _, env := srvEnv(t)
	defer func(d time.Duration) { closeWait = d }(closeWait)
	closeWait = 200 * time.Millisecond
	block := make(chan struct{})
	defer close(block)
	asked := make(chan struct{})
	src, err := NewSource(context.Background(), SourceOptions{Env: env, Profile: "mfa",
		MFA: func() (string, error) { close(asked); <-block; return "", errors.New("no") }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-asked; cancel() }()
	if err := src.Refresh(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Refresh = %v, want context.Canceled", err)
	}
	start := time.Now()
	src.Close()
	if d := time.Since(start); d > closeWait+time.Second {
		t.Errorf("Close took %v", d)
	}
}

func TestSourceRequestsDoNotWaitOnForcedRefresh(t *testing.T) {
	t.Parallel()
	fake, _, env := srvEnv(t)
	src := newTestSource(t, SourceOptions{Env: env, Profile: "static"})
	ctx := context.Background()
	if err := src.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	fake.SetDelay(500 * time.Millisecond)
	done := make(chan error, 1)
	go func() { done <- src.Refresh(ctx) }()
	waitUntil(t, "refreshing", func() bool { return src.Status().Refreshing })
	start := time.Now()
	c, err := src.Credentials(ctx)
	if err != nil || c.AccessKeyID != "ASIAFAKE0001EXAMPLE" {
		t.Fatalf("got %v, %v", MaskKey(c.AccessKeyID), err)
	}
	if d := time.Since(start); d > 200*time.Millisecond {
		t.Errorf("request waited %v on a refresh", d)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if c, _ := src.Credentials(ctx); c.AccessKeyID != "ASIAFAKE0002EXAMPLE" {
		t.Errorf("after Refresh key = %s", c.AccessKeyID)
	}
}

func TestSourceClose(t *testing.T) {
	t.Parallel()
	_, _, env := srvEnv(t)
	src, err := NewSource(context.Background(), SourceOptions{Env: env, Profile: "static"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Credentials(context.Background()); err != nil {
		t.Fatal(err)
	}
	src.Close()
	src.Close()
	if _, err := src.Credentials(context.Background()); !errors.Is(err, ErrSourceClosed) {
		t.Errorf("after Close err = %v, want ErrSourceClosed", err)
	}
	if err := src.Refresh(context.Background()); !errors.Is(err, ErrSourceClosed) {
		t.Errorf("Refresh after Close err = %v", err)
	}
}

func TestSourceUnknownProfile(t *testing.T) {
	t.Parallel()
	_, _, env := srvEnv(t)
	if _, err := NewSource(context.Background(), SourceOptions{Env: env, Profile: "nope"}); !errors.Is(err, ErrProfileNotFound) {
		t.Errorf("err = %v, want ErrProfileNotFound", err)
	}
}

func TestRoleName(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, profile, arn, want string
	}{
		{"profile_name", "dev", "", "dev"},
		{"role_arn", "dev", "arn:aws:iam::123456789012:role/Deploy", "Deploy"},
		{"role_with_path", "dev", "arn:aws:iam::123456789012:role/ops/Admin", "Admin"},
		{"unsafe_chars", "my profile/../x?y", "", "my-profile-..-x-y"},
		{"dots_only", "..", "", "awsxc"},
		{"unicode", "prød", "", "pr--d"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := roleName(&Profile{Name: tc.profile, RoleARN: tc.arn}); got != tc.want {
				t.Errorf("roleName = %q, want %q", got, tc.want)
			}
		})
	}
}

func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestSourceSessionDuration(t *testing.T) {
	t.Parallel()
	fake, clk, env := srvEnv(t)
	src := newTestSource(t, SourceOptions{Env: env, Profile: "static", SessionDuration: 2 * time.Hour})
	c, err := src.Credentials(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := fake.Calls()[0].Form.Get("DurationSeconds"); got != "7200" || !c.Expires.Equal(clk.Now().Add(2*time.Hour)) {
		t.Errorf("DurationSeconds = %q, expires %v; want 7200 and 2h", got, c.Expires)
	}
}

// TestSourceExpiredFromSource: a source that hands out credentials that
// have already expired is a failure (with back-off), never a success.
func TestSourceExpiredFromSource(t *testing.T) {
	t.Parallel()
	_, env := awsEnv(t, `[profile old]
credential_process = printf '{"Version":1,"AccessKeyId":"ASIAOLD","SecretAccessKey":"s","SessionToken":"t","Expiration":"2000-01-01T00:00:00Z"}'
`, "")
	src, err := NewSource(context.Background(), SourceOptions{Env: env, Profile: "old"})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	_, err = src.Credentials(context.Background())
	if !errors.Is(err, ErrResolve) || !strings.Contains(err.Error(), "expired at 2000-01-01T00:00:00Z") {
		t.Errorf("Credentials() error = %v, want ErrResolve saying when they expired", err)
	}
	if st := src.Status(); st.Valid || st.Err == nil {
		t.Errorf("status = %+v, want not valid, with the error", st)
	}
}
