package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// processProfile writes a profile "proc" whose credential_process prints
// out (the file at the returned path, which a test may rewrite) and
// counts its runs in another file; runs returns that count.
func processProfile(t *testing.T, env *Env, out string) (outFile string, runs func() int) {
	t.Helper()
	dir := t.TempDir()
	outFile = filepath.Join(dir, "out.json")
	count := filepath.Join(dir, "runs")
	if err := os.WriteFile(outFile, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := os.ReadFile(env.ConfigFile)
	if err != nil {
		t.Fatal(err)
	}
	cfg = append(cfg, fmt.Sprintf("[profile proc]\nregion = eu-west-1\nservices = fakeaws\ncredential_process = sh -c 'echo >> %s; cat %s'\n", count, outFile)...)
	if err := os.WriteFile(env.ConfigFile, cfg, 0o600); err != nil {
		t.Fatal(err)
	}
	return outFile, func() int {
		b, _ := os.ReadFile(count)
		return strings.Count(string(b), "\n")
	}
}

func procOutput(key string, exp time.Time) string {
	return fmt.Sprintf(`{"Version":1,"AccessKeyId":%q,"SecretAccessKey":"s","SessionToken":"t","Expiration":%q}`, key, FormatTime(exp))
}

// TestSourceFinalCredentials is issue 10 item 28 (engine side): a refresh
// that gets credentials expiring no later than those in hand says so
// (Status.Final) and backs off instead of fetching again every few
// seconds; a Reload after the source was fixed picks the new ones up at
// once.
func TestSourceFinalCredentials(t *testing.T) {
	t.Parallel()
	_, clk, env := srvEnv(t)
	exp := clk.Now().Add(20 * time.Minute)
	outFile, runs := processProfile(t, &env, procOutput("ASIAPROCEXAMPLE00001", exp))
	src := newTestSource(t, SourceOptions{Env: env, Profile: "proc"})
	ctx := context.Background()
	if _, err := src.Credentials(ctx); err != nil {
		t.Fatal(err)
	}
	if st := src.Status(); st.Final || runs() != 1 {
		t.Fatalf("after the first fetch: final %v, %d runs", st.Final, runs())
	}

	// Half-way through their life (they are shorter than two refresh
	// windows) they are due: the same credentials come back.
	clk.Add(11 * time.Minute)
	src.Current()
	waitUntil(t, "the refresh", func() bool { st := src.Status(); return runs() == 2 && !st.Refreshing })
	st := src.Status()
	if !st.Final || !st.Valid || st.Err != nil || !st.Expires.Equal(exp) {
		t.Fatalf("after a refresh that did not extend them: %+v; want final, valid, no error", st)
	}

	// No tight loop: nothing is fetched before the back-off is over,
	// however often they are asked for.
	for range 5 {
		clk.Add(5 * time.Second)
		src.Current()
	}
	time.Sleep(50 * time.Millisecond)
	if n := runs(); n != 2 {
		t.Errorf("%d runs within the back-off; want 2", n)
	}
	clk.Add(10 * time.Second) // 35 s after the refresh
	src.Current()
	waitUntil(t, "the refresh after the back-off", func() bool { return runs() == 3 && !src.Status().Refreshing })
	if st := src.Status(); !st.Final {
		t.Errorf("status %+v; want final still", st)
	}

	// The source is fixed: a Reload fetches at once.
	later := clk.Now().Add(time.Hour)
	if err := os.WriteFile(outFile, []byte(procOutput("ASIAPROCEXAMPLE00002", later)), 0o600); err != nil {
		t.Fatal(err)
	}
	src.Reload()
	waitUntil(t, "the reload", func() bool { st := src.Status(); return runs() == 4 && !st.Refreshing })
	if st := src.Status(); st.Final || !st.Expires.Equal(later) || st.KeyID != "ASIA…0002" {
		t.Errorf("after the reload: %+v; want the new credentials, not final", st)
	}
}

// At expiry, credentials that could not be renewed are refused with a
// hint for that kind of profile, not one about the clock.
func TestSourceFinalCredentialsExpire(t *testing.T) {
	t.Parallel()
	_, clk, env := srvEnv(t)
	exp := clk.Now().Add(20 * time.Minute)
	creds := srvCreds + "[sessexp]\naws_access_key_id = ASIASESSEXPEXAMPLE01\naws_secret_access_key = s\naws_session_token = t\n" +
		"aws_credential_expiration = " + FormatTime(exp) + "\n"
	if err := os.WriteFile(env.CredentialsFile, []byte(creds), 0o600); err != nil {
		t.Fatal(err)
	}
	src := newTestSource(t, SourceOptions{Env: env, Profile: "sessexp"})
	ctx := context.Background()
	if _, err := src.Credentials(ctx); err != nil {
		t.Fatal(err)
	}
	clk.Add(11 * time.Minute)
	src.Current()
	waitUntil(t, "final", func() bool { return src.Status().Final })
	clk.Add(10 * time.Minute) // past expiry
	_, err := src.Credentials(ctx)
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrResolve) || !strings.Contains(e.Hint, "replace its keys") || strings.Contains(e.Hint, "clock") {
		t.Fatalf("err = %v; want ErrResolve saying to replace the keys", err)
	}
	if st := src.Status(); st.Valid || !st.Final {
		t.Errorf("status %+v; want expired and final", st)
	}
}

// Reload does nothing for a Source nobody asked for credentials yet, and
// a Reload during a fetch is followed by another fetch.
func TestSourceReload(t *testing.T) {
	t.Parallel()
	_, clk, env := srvEnv(t)
	_, runs := processProfile(t, &env, procOutput("ASIAPROCEXAMPLE00001", clk.Now().Add(time.Hour)))
	src := newTestSource(t, SourceOptions{Env: env, Profile: "proc"})
	src.Reload()
	time.Sleep(50 * time.Millisecond)
	if n := runs(); n != 0 {
		t.Fatalf("Reload before any fetch ran the process %d times", n)
	}
	if _, err := src.Credentials(context.Background()); err != nil {
		t.Fatal(err)
	}
	src.Reload()
	src.Reload() // during the fetch: one more follows it
	waitUntil(t, "the reloads", func() bool { return runs() == 3 && !src.Status().Refreshing })
	time.Sleep(50 * time.Millisecond)
	if n := runs(); n != 3 {
		t.Errorf("%d runs; want 3", n)
	}
}

// Status.LongTerm: known from a static profile before any fetch, and
// from what a credential_process gave even when STS then refuses.
func TestSourceLongTerm(t *testing.T) {
	t.Parallel()
	fake, _, env := srvEnv(t)
	processProfile(t, &env, `{"Version":1,"AccessKeyId":"AKIAPROCEXAMPLE00001","SecretAccessKey":"s"}`)
	for _, tc := range []struct {
		profile string
		want    bool
	}{{"static", true}, {"session", false}, {"role", false}} {
		src := newTestSource(t, SourceOptions{Env: env, Profile: tc.profile})
		if got := src.Status().LongTerm; got != tc.want {
			t.Errorf("%s: LongTerm = %v, want %v", tc.profile, got, tc.want)
		}
	}
	fake.Fail("Unavailable")
	src := newTestSource(t, SourceOptions{Env: env, Profile: "proc"})
	if src.Status().LongTerm {
		t.Errorf("proc: LongTerm before a fetch")
	}
	if _, err := src.Credentials(context.Background()); err == nil {
		t.Fatal("STS is down, yet credentials came")
	}
	if st := src.Status(); !st.LongTerm {
		t.Errorf("proc after a fetch: %+v; want LongTerm", st)
	}
}

// TestSourceRequestsDoNotWaitOnMFA is issue 10 item 30 (engine side):
// while a fetch started by hand waits for an MFA code, Credentials fails
// at once with ErrMFARequired instead of joining it; once the code is
// given, the credentials come.
func TestSourceRequestsDoNotWaitOnMFA(t *testing.T) {
	t.Parallel()
	_, _, env := srvEnv(t)
	asked := make(chan struct{})
	code := make(chan string)
	src := newTestSource(t, SourceOptions{Env: env, Profile: "mfa",
		MFA: func() (string, error) { close(asked); return <-code, nil }})
	ctx := context.Background()
	done := make(chan error, 1)
	go func() { done <- src.Refresh(ctx) }()
	<-asked
	start := time.Now()
	rctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	_, err := src.Credentials(rctx)
	var e *Error
	if !errors.Is(err, ErrMFARequired) || !errors.As(err, &e) || !errors.Is(e.Err, errMFAPending) {
		t.Fatalf("Credentials while the code is asked for: %v; want ErrMFARequired at once", err)
	}
	// A generous bound: the request was not held for the human.
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Credentials waited %v while the code was asked for", d)
	}
	code <- "123456"
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := src.Credentials(ctx); err != nil {
		t.Errorf("after the code: %v", err)
	}
}

// The hint for credentials that came expired fits the kind of profile.
func TestNotExpiredHints(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	old := Credentials{AccessKeyID: "ASIA", Expires: now.Add(-time.Minute)}
	for _, tc := range []struct {
		kind   Kind
		action Action
		hint   string
	}{
		{KindSession, ActionNone, "its session token has expired: replace its keys, session token and aws_credential_expiration with a new session"},
		{KindProcess, ActionNone, "check what its credential_process returns, and this machine's clock"},
		{KindSSO, ActionSSOLogin, "run aws sso login --profile p"},
		{KindLogin, ActionAWSLogin, "run aws login --profile p"},
		{KindAssumeRole, ActionNone, "check what the source returns, and this machine's clock"},
	} {
		var e *Error
		if err := notExpired("p", tc.kind, old, now); !errors.As(err, &e) || !errors.Is(err, ErrResolve) {
			t.Fatalf("%s: err = %v", tc.kind, err)
		}
		if e.Action != tc.action || e.Hint != tc.hint {
			t.Errorf("%s: action %v, hint %q; want %v, %q", tc.kind, e.Action, e.Hint, tc.action, tc.hint)
		}
	}
	if err := notExpired("p", KindSession, Credentials{Expires: now.Add(time.Second)}, now); err != nil {
		t.Errorf("valid credentials: %v", err)
	}
}
