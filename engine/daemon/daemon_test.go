package daemon

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/engine/settings"
	"github.com/awsxc/awsxc/internal/fakeaws"
	"github.com/awsxc/awsxc/internal/localsock"
)

// TestMain keeps the machine's own AWS setup away from every test: the
// daemon takes its files from an Env, but the SDK still reads some
// settings from the process (see engine's package documentation).
func TestMain(m *testing.M) { os.Exit(fakeaws.RunIsolated(m, nil)) }

const testConfig = `[profile static]
region = eu-west-1
[profile session]
region = us-west-2
[profile role]
role_arn = arn:aws:iam::210987654321:role/Deploy
source_profile = static
region = eu-central-1
[profile mfarole]
role_arn = arn:aws:iam::210987654321:role/Admin
source_profile = static
mfa_serial = arn:aws:iam::123456789012:mfa/alice
[profile mfauser]
mfa_serial = arn:aws:iam::123456789012:mfa/alice
[profile proc]
credential_process = printf '{"Version":1,"AccessKeyId":"ASIAPROC","SecretAccessKey":"s","SessionToken":"t"}'
`

const testCreds = `[static]
aws_access_key_id = AKIASTATICEXAMPLE0001
aws_secret_access_key = staticsecret
[session]
aws_access_key_id = ASIASESSIONEXAMPLE01
aws_secret_access_key = sessionsecret
aws_session_token = sessiontoken
[mfauser]
aws_access_key_id = AKIAMFAUSEREXAMPLE01
aws_secret_access_key = mfausersecret
`

// world is one test's fake STS, AWS files, daemon and client.
type world struct {
	sts    *fakeaws.Server
	env    engine.Env
	d      *Daemon
	client *Client
	sock   string
}

// newWorld starts a daemon with opts (Env filled in when empty) on a
// real socket in a short folder of its own.
func newWorld(t *testing.T, opts Options) *world {
	t.Helper()
	w := &world{sts: fakeaws.New()}
	t.Cleanup(w.sts.Close)
	dir, cf, kf := w.sts.Files(t, testConfig, testCreds)
	w.env = engine.Env{ConfigFile: cf, CredentialsFile: kf, Home: dir, Dir: dir}
	if opts.Env == (engine.Env{}) {
		opts.Env = w.env
	}
	d, err := New(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	w.d = d
	t.Cleanup(func() { d.Close() })
	w.sock = shortSocket(t)
	ln, err := localsock.Listen(localsock.Options{Path: w.sock})
	if err != nil {
		t.Fatal(err)
	}
	go d.Serve(ln)
	w.client = &Client{Path: w.sock, Timeout: 10 * time.Second}
	return w
}

// shortSocket is a socket path in a folder of its own under /tmp:
// t.TempDir's can pass the 107-byte limit of a socket path.
func shortSocket(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "dmn")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return filepath.Join(dir, "awsxc", "daemon.sock")
}

// request is a request for profile from a client with the daemon's own
// configuration.
func (w *world) request(profile string) CredentialsRequest {
	return CredentialsRequest{Profile: profile, Config: ConfigOf(w.env, nil)}
}

func (w *world) ask(t *testing.T, req CredentialsRequest) (*CredentialsResponse, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return w.client.Credentials(ctx, req)
}

func mustAsk(t *testing.T, w *world, req CredentialsRequest) *CredentialsResponse {
	t.Helper()
	r, err := w.ask(t, req)
	if err != nil {
		t.Fatalf("%s: %v", req.Profile, err)
	}
	return r
}

// TestShared: many callers of a role profile, one after another and at
// once, share one AssumeRole; keys in the files are handed out as they
// are, with no STS call.
func TestShared(t *testing.T) {
	t.Parallel()
	w := newWorld(t, Options{})
	first := mustAsk(t, w, w.request("role"))
	var wg sync.WaitGroup
	errs := make(chan error, 70)
	for range 20 {
		wg.Go(func() {
			r, err := w.ask(t, w.request("role"))
			if err == nil && r.Credentials != first.Credentials {
				err = fmt.Errorf("another answer: %s", r.Credentials.AccessKeyID)
			}
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	for range 49 {
		if r := mustAsk(t, w, w.request("role")); r.Credentials != first.Credentials {
			t.Fatalf("another answer: %s", r.Credentials.AccessKeyID)
		}
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := w.sts.Count("AssumeRole"); n != 1 {
		t.Errorf("%d AssumeRole calls for 70 requests, want 1", n)
	}
	want := &CredentialsResponse{Profile: "role", Kind: "assume-role", Region: "eu-central-1", Credentials: first.Credentials}
	if diff := cmp.Diff(want, first); diff != "" || !strings.HasPrefix(first.Credentials.AccessKeyID, "ASIAFAKE") || first.Credentials.Expiration == "" {
		t.Errorf("role answer (-want +got):\n%s", diff)
	}

	r := mustAsk(t, w, w.request("static"))
	want = &CredentialsResponse{Profile: "static", Kind: "static", Region: "eu-west-1",
		Credentials: Credentials{AccessKeyID: "AKIASTATICEXAMPLE0001", SecretAccessKey: "staticsecret"}}
	if diff := cmp.Diff(want, r); diff != "" {
		t.Errorf("static answer (-want +got):\n%s", diff)
	}
	r = mustAsk(t, w, w.request("session"))
	if r.Credentials.SessionToken != "sessiontoken" || r.Credentials.Expiration != "" {
		t.Errorf("session answer %+v, want the file's token and no expiry", r.Credentials)
	}
	// --ensure-temporary: one GetSessionToken for the static keys, shared.
	req := w.request("static")
	req.EnsureTemporary = true
	a, b := mustAsk(t, w, req), mustAsk(t, w, req)
	if a.Credentials != b.Credentials || !strings.HasPrefix(a.Credentials.AccessKeyID, "ASIAFAKE") || w.sts.Count("GetSessionToken") != 1 {
		t.Errorf("ensure-temporary: %s, %s, %d GetSessionToken calls", a.Credentials.AccessKeyID, b.Credentials.AccessKeyID, w.sts.Count("GetSessionToken"))
	}
	// With a duration of its own: as the client would, once per call.
	req.DurationSeconds = 900
	mustAsk(t, w, req)
	if calls := w.sts.Calls(); calls[len(calls)-1].Form.Get("DurationSeconds") != "900" {
		t.Errorf("GetSessionToken with a duration: %v", calls[len(calls)-1].Form)
	}
}

// TestNotAnswered: a client of another configuration, or asking for a
// profile whose program runs in the caller's environment, is told to
// resolve by itself, and is told what differs (never a value).
func TestNotAnswered(t *testing.T) {
	t.Parallel()
	w := newWorld(t, Options{Environ: []string{"AWS_ENDPOINT_URL_STS=http://daemon.example", "AWS_PROFILE=x"}})
	other := w.env
	other.ConfigFile = "/elsewhere/config"
	for _, tc := range []struct {
		name string
		req  CredentialsRequest
		want string
	}{
		{"config_file", CredentialsRequest{Profile: "role", Config: ConfigOf(other, []string{"AWS_ENDPOINT_URL_STS=http://daemon.example"})},
			"config_file differ"},
		{"sdk_env", CredentialsRequest{Profile: "role", Config: ConfigOf(w.env, []string{"AWS_ENDPOINT_URL_STS=http://other.example"})},
			"AWS_ENDPOINT_URL_STS differ"},
		{"sdk_env_missing", CredentialsRequest{Profile: "role", Config: ConfigOf(w.env, nil)}, "AWS_ENDPOINT_URL_STS differ"},
		{"extra_sdk_env", CredentialsRequest{Profile: "role", Config: ConfigOf(w.env, []string{"AWS_ENDPOINT_URL_STS=http://daemon.example", "AWS_CA_BUNDLE=/x"})},
			"AWS_CA_BUNDLE differ"},
		{"process", CredentialsRequest{Profile: "proc", Config: ConfigOf(w.env, []string{"AWS_ENDPOINT_URL_STS=http://daemon.example"})},
			"credential_process profiles are resolved by their caller"},
	} {
		_, err := w.ask(t, tc.req)
		if !errors.Is(err, ErrFallback) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want ErrFallback saying %q", tc.name, err, tc.want)
		}
		if strings.Contains(fmt.Sprint(err), "example") {
			t.Errorf("%s: the error shows a value: %v", tc.name, err)
		}
	}
	// The profile variables choose nothing here: equal otherwise, answered.
	// The profile variables choose nothing here, nor change the AWS CLI's
	// own (AWS_DATA_PATH, which it sets for every credential_process)
	// what the SDK resolves: equal otherwise, answered.
	if _, err := w.ask(t, CredentialsRequest{Profile: "static", Config: ConfigOf(w.env,
		[]string{"AWS_ENDPOINT_URL_STS=http://daemon.example", "AWS_PROFILE=y", "AWS_DEFAULT_PROFILE=z", "AWS_PAGER=less",
			"AWS_DATA_PATH=/usr/lib/awscli/data", "AWS_CLI_FILE_ENCODING=utf-8", "AWS_CSM_ENABLED=true", "AWS_EXECUTION_ENV=x",
			"AWS_S3_USE_ARN_REGION=true", "AWS_RETRY_MODE=adaptive", "AWS_UNKNOWN="})}); err != nil {
		t.Errorf("only variables that change nothing differ: %v", err)
	}
	// An unknown one might change something.
	if _, err := w.ask(t, CredentialsRequest{Profile: "static", Config: ConfigOf(w.env,
		[]string{"AWS_ENDPOINT_URL_STS=http://daemon.example", "AWS_SOMETHING_NEW=1"})}); !errors.Is(err, ErrFallback) {
		t.Errorf("an unknown AWS_ variable: %v, want ErrFallback", err)
	}
	if w.sts.Count("") != 0 {
		t.Errorf("%d STS calls for requests not answered", w.sts.Count(""))
	}
}

// TestErrors: a failed resolution comes back as the engine error it was,
// and prints the same.
func TestErrors(t *testing.T) {
	t.Parallel()
	w := newWorld(t, Options{})
	_, err := w.ask(t, w.request("nope"))
	var e *engine.Error
	if !errors.As(err, &e) || !errors.Is(err, engine.ErrProfileNotFound) || e.Action != engine.ActionCheckProfileName {
		t.Fatalf("unknown profile: %#v", err)
	}
	_, local := engine.Load(context.Background(), engine.Options{Env: w.env, Profile: "nope"})
	if err.Error() != local.Error() {
		t.Errorf("through the daemon %q, in process %q", err, local)
	}
	w.sts.Fail("AccessDenied")
	_, err = w.ask(t, w.request("role"))
	if !errors.Is(err, engine.ErrResolve) || !strings.Contains(err.Error(), "AccessDenied") {
		t.Errorf("STS refuses: %v", err)
	}
}

// TestMFA: a profile that needs a code is answered at once without one;
// the first request with a code buys credentials that every later caller
// gets without one: one AssumeRole, with the code.
func TestMFA(t *testing.T) {
	t.Parallel()
	w := newWorld(t, Options{})
	start := time.Now()
	_, err := w.ask(t, w.request("mfarole"))
	if !errors.Is(err, engine.ErrMFARequired) {
		t.Fatalf("without a code: %v, want ErrMFARequired", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the answer without a code took %v", d)
	}
	req := w.request("mfarole")
	req.MFACode = "123456"
	first := mustAsk(t, w, req)
	for range 20 {
		if r := mustAsk(t, w, w.request("mfarole")); r.Credentials != first.Credentials {
			t.Fatalf("another answer after the code: %s", r.Credentials.AccessKeyID)
		}
	}
	calls := w.sts.Calls()
	if len(calls) != 1 || calls[0].Action != "AssumeRole" || calls[0].Form.Get("TokenCode") != "123456" ||
		calls[0].Form.Get("SerialNumber") != "arn:aws:iam::123456789012:mfa/alice" {
		t.Errorf("STS calls %+v, want one AssumeRole with the code", calls)
	}
	// --ensure-temporary on keys with mfa_serial: the same, by GetSessionToken.
	req = w.request("mfauser")
	req.EnsureTemporary = true
	if _, err := w.ask(t, req); !errors.Is(err, engine.ErrMFARequired) {
		t.Fatalf("mfauser without a code: %v", err)
	}
	req.MFACode = "654321"
	a := mustAsk(t, w, req)
	req.MFACode = ""
	if b := mustAsk(t, w, req); b.Credentials != a.Credentials || w.sts.Count("GetSessionToken") != 1 {
		t.Errorf("mfauser after the code: %s, %d GetSessionToken", b.Credentials.AccessKeyID, w.sts.Count("GetSessionToken"))
	}
}

// prompter is a front end's dialog: it answers with the code sent on
// codes, or ends when its context does.
type prompter struct {
	asked chan string // the profiles asked for
	codes chan string
	ended chan error // what each prompt returned
}

func newPrompter() *prompter {
	return &prompter{asked: make(chan string, 10), codes: make(chan string, 10), ended: make(chan error, 10)}
}

func (p *prompter) MFACode(ctx context.Context, profile string) (string, error) {
	p.asked <- profile
	select {
	case c := <-p.codes:
		p.ended <- nil
		return c, nil
	case <-ctx.Done():
		p.ended <- ctx.Err()
		return "", ctx.Err()
	}
}

func waitChan[T any](t *testing.T, what string, ch chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

// TestPrompter: with a front end that can ask its user, a request that
// needs a code is still answered at once, and the front end asks in the
// background; the code its user gives serves the next callers. A code a
// client brings while the prompt is open answers it, and the prompt is
// closed.
func TestPrompter(t *testing.T) {
	t.Parallel()
	p := newPrompter()
	changes := make(chan struct{}, 100)
	w := newWorld(t, Options{Prompter: p, OnChange: func() {
		select {
		case changes <- struct{}{}:
		default:
		}
	}})
	start := time.Now()
	if _, err := w.ask(t, w.request("mfarole")); !errors.Is(err, engine.ErrMFARequired) {
		t.Fatalf("first request: %v", err)
	}
	if got := waitChan(t, "the prompt", p.asked); got != "mfarole" {
		t.Errorf("prompt for %q", got)
	}
	// While the prompt is open, requests are not held up.
	if _, err := w.ask(t, w.request("mfarole")); !errors.Is(err, engine.ErrMFARequired) || !strings.Contains(err.Error(), "the daemon is asking") {
		t.Errorf("request during the prompt: %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("requests took %v with a prompt open", d)
	}
	p.codes <- "111111"
	waitChan(t, "the prompt's end", p.ended)
	deadline := time.Now().Add(10 * time.Second)
	for {
		r, err := w.ask(t, w.request("mfarole"))
		if err == nil {
			if !strings.HasPrefix(r.Credentials.AccessKeyID, "ASIAFAKE") {
				t.Errorf("after the prompt: %+v", r.Credentials)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no credentials after the prompt: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if calls := w.sts.Calls(); len(calls) != 1 || calls[0].Form.Get("TokenCode") != "111111" {
		t.Errorf("STS calls %+v, want one AssumeRole with the prompt's code", calls)
	}

	// A client's code answers an open prompt (for another profile).
	req := w.request("mfauser")
	req.EnsureTemporary = true
	if _, err := w.ask(t, req); !errors.Is(err, engine.ErrMFARequired) {
		t.Fatalf("mfauser: %v", err)
	}
	waitChan(t, "the second prompt", p.asked)
	req.MFACode = "222222"
	if r := mustAsk(t, w, req); !strings.HasPrefix(r.Credentials.AccessKeyID, "ASIAFAKE") {
		t.Errorf("with the client's code: %+v", r.Credentials)
	}
	if err := waitChan(t, "the second prompt's end", p.ended); !errors.Is(err, context.Canceled) {
		t.Errorf("the prompt ended with %v, want it closed", err)
	}
	if calls := w.sts.Calls(); calls[len(calls)-1].Form.Get("TokenCode") != "222222" {
		t.Errorf("GetSessionToken with %v", calls[len(calls)-1].Form)
	}
	if len(changes) == 0 {
		t.Error("OnChange was never called")
	}

	// A refresh by hand (a menu click) asks and waits.
	go func() { p.codes <- "333333" }()
	if err := w.d.Refresh(context.Background(), "mfarole"); err != nil {
		t.Fatal(err)
	}
	if calls := w.sts.Calls(); calls[len(calls)-1].Form.Get("TokenCode") != "333333" {
		t.Errorf("Refresh: %v", calls[len(calls)-1].Form)
	}
}

// TestConfigChanges: a profile whose configuration changes is loaded
// again, never answered with the credentials of its old configuration.
func TestConfigChanges(t *testing.T) {
	t.Parallel()
	w := newWorld(t, Options{})
	first := mustAsk(t, w, w.request("role"))
	data, _ := os.ReadFile(w.env.ConfigFile)
	os.WriteFile(w.env.ConfigFile, []byte(strings.Replace(string(data), "role/Deploy", "role/Other", 1)), 0o600)
	r := mustAsk(t, w, w.request("role"))
	calls := w.sts.Calls()
	if r.Credentials == first.Credentials || len(calls) != 2 || calls[1].Form.Get("RoleArn") != "arn:aws:iam::210987654321:role/Other" {
		t.Errorf("after the role changed: %s, calls %v", r.Credentials.AccessKeyID, calls)
	}
	if srcs := w.d.Registry().Sources(); len(srcs) != 1 || srcs[0].Profile().RoleARN != "arn:aws:iam::210987654321:role/Other" {
		t.Errorf("registry holds %v", srcs)
	}
}

// TestUpdateSettingsUnchanged: a change that changes nothing writes
// nothing, so an edit to settings.json made since the daemon last read it
// is not written over with what the file held before (the tray's switch
// asks for the profile its click saved already); a change is saved, and
// a missing file is written even for none.
func TestUpdateSettingsUnchanged(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "settings.json")
	w := newWorld(t, Options{SettingsPath: path, ReloadInterval: time.Hour})
	if err := w.d.SetActive("static"); err != nil {
		t.Fatal(err)
	}
	// Edited by hand, in a layout of its own: taken in, and left as it is.
	edited := `{"profile": "static", "export_name": "edited", "ecs_token": "edited-token-0123456789"}` + "\n"
	if err := os.WriteFile(path, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, change := range []func(*settings.Settings){
		func(*settings.Settings) {},
		func(s *settings.Settings) { s.Profile = "static" },
	} {
		if err := w.d.UpdateSettings(change); err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(path); string(got) != edited {
			t.Errorf("settings.json rewritten by a change that changes nothing:\n%s", got)
		}
	}
	if s, _ := w.d.Settings(); s.ExportName != "edited" || s.Profile != "static" {
		t.Errorf("settings in use: export_name %q, profile %q; want the edit taken in", s.ExportName, s.Profile)
	}
	if err := w.d.SetActive("session"); err != nil {
		t.Fatal(err)
	}
	s, err := settings.Load(path)
	if err != nil || s.Profile != "session" || s.ExportName != "edited" {
		t.Errorf("saved: profile %q, export_name %q (%v); want session, edited", s.Profile, s.ExportName, err)
	}
	os.Remove(path)
	if err := w.d.UpdateSettings(func(*settings.Settings) {}); err != nil {
		t.Fatal(err)
	}
	if s, err := settings.Load(path); err != nil || s.Profile != "session" {
		t.Errorf("a missing file: profile %q (%v); want it written again", s.Profile, err)
	}
}

// TestReloadWhileSaving: the daemon reads settings.json again (its
// watch, a front end's Reload) while changes are saved, and loses none
// of them, in the settings in use or in the file: a read made just
// before a save is never taken for an edit.
func TestReloadWhileSaving(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "settings.json")
	w := newWorld(t, Options{SettingsPath: path, ReloadInterval: time.Hour})
	stop := keepReloading(w.d)
	var want []string
	for i := range 100 {
		name := fmt.Sprintf("p%03d", i)
		want = append(want, name)
		if err := w.d.UpdateSettings(func(s *settings.Settings) { s.Favourites = append(slices.Clone(s.Favourites), name) }); err != nil {
			t.Fatal(err)
		}
	}
	stop()
	if s, _ := w.d.Settings(); !slices.Equal(s.Favourites, want) {
		t.Errorf("favourites in use: %d of %d, %q", len(s.Favourites), len(want), s.Favourites)
	}
	if s, err := settings.Load(path); err != nil || !slices.Equal(s.Favourites, want) {
		t.Errorf("favourites saved: %d of %d (%v)", len(s.Favourites), len(want), err)
	}
}

// TestStatus: what the daemon holds, masked.
func TestStatus(t *testing.T) {
	t.Parallel()
	w := newWorld(t, Options{FrontEnd: "test", Version: "v1"})
	mustAsk(t, w, w.request("role"))
	mustAsk(t, w, w.request("static")) // keys in the files: nothing held
	req := w.request("mfarole")
	req.MFACode = "123456"
	mustAsk(t, w, req)
	st, err := w.client.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.FrontEnd != "test" || st.Version != "v1" || st.PID != os.Getpid() || len(st.Profiles) != 2 {
		t.Fatalf("status %+v", st)
	}
	for i, want := range []struct {
		profile string
		renews  bool
	}{{"mfarole", false}, {"role", true}} {
		p := st.Profiles[i]
		if p.Profile != want.profile || p.Kind != "assume-role" || p.Renews != want.renews || !p.Valid ||
			!strings.HasPrefix(p.Key, "ASIA…") || p.Expiration == "" {
			t.Errorf("profile %d: %+v, want %s renews %v", i, p, want.profile, want.renews)
		}
	}
	if strings.Contains(fmt.Sprintf("%+v", st), "fakeSecret") {
		t.Error("status shows a secret")
	}
}

// TestClose: a closed daemon answers no more, and Close is idempotent.
func TestClose(t *testing.T) {
	t.Parallel()
	w := newWorld(t, Options{})
	mustAsk(t, w, w.request("role"))
	if err := w.d.Close(); err != nil {
		t.Fatal(err)
	}
	w.d.Close()
	if _, err := w.ask(t, w.request("role")); !errors.Is(err, ErrFallback) {
		t.Errorf("after Close: %v, want ErrFallback", err)
	}
}

// TestLoadKept: a profile is loaded again only when the AWS files
// change, and a profile that does not load is never kept.
func TestLoadKept(t *testing.T) {
	t.Parallel()
	w := newWorld(t, Options{})
	ctx := context.Background()
	a, err := w.d.load(ctx, "role")
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := w.d.load(ctx, "role"); b != a {
		t.Error("loaded again from the same files")
	}
	if b, _ := w.d.load(ctx, "static"); b == a || b.Name != "static" {
		t.Error("another profile from the same files got the first one")
	}
	data, _ := os.ReadFile(w.env.CredentialsFile)
	os.WriteFile(w.env.CredentialsFile, append(data, "\n# a comment\n"...), 0o600)
	if b, _ := w.d.load(ctx, "role"); b == a {
		t.Error("not loaded again after the credentials file changed")
	}
	if _, err := w.d.load(ctx, "nope"); !errors.Is(err, engine.ErrProfileNotFound) {
		t.Errorf("unknown profile: %v", err)
	}
	os.Remove(w.env.ConfigFile)
	if p, err := w.d.load(ctx, "static"); err != nil || p.Region != "" {
		t.Errorf("without the config file: %+v, %v", p, err)
	}
}

// TestFileSums: a file's content is read again only when its stamp
// moved, or when it was read too soon after a change to trust the stamp
// (the same size rewritten within one tick of the file system's clock
// keeps it).
func TestFileSums(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "credentials")
	var l loads
	sum := func() [sha256.Size]byte {
		t.Helper()
		s, exists, ok := l.fileSum(path)
		if !exists || !ok {
			t.Fatalf("fileSum: exists %v, ok %v", exists, ok)
		}
		return s
	}
	os.WriteFile(path, []byte("[a]\n"), 0o600)
	a := sum()
	if l.digests[path].settled {
		t.Error("a read just after the write is settled")
	}
	// In place, the same size, the time set back: only a read tells.
	fi, _ := os.Stat(path)
	os.WriteFile(path, []byte("[b]\n"), 0o600)
	os.Chtimes(path, fi.ModTime(), fi.ModTime())
	if b := sum(); b == a || b != sha256.Sum256([]byte("[b]\n")) {
		t.Error("an unsettled read was trusted")
	}
	// An hour later (the clock moved), the file is settled.
	later := time.Now().Add(time.Hour)
	l.now = func() time.Time { return later }
	c := sum()
	if !l.digests[path].settled || c != sha256.Sum256([]byte("[b]\n")) {
		t.Errorf("a file an hour old: %+v", l.digests[path])
	}
	// A settled digest stands for the content: the stamp is all that is
	// asked (seen here by a digest the content does not have).
	d := l.digests[path]
	l.digests[path] = fileDigest{stamp: d.stamp, sum: [sha256.Size]byte{1}, settled: true, readAt: d.readAt}
	if got := sum(); got != [sha256.Size]byte{1} {
		t.Error("a settled file was read again")
	}
	// ... for maxDigestAge at most.
	l.digests[path] = fileDigest{stamp: d.stamp, sum: [sha256.Size]byte{1}, settled: true, readAt: d.readAt.Add(-maxDigestAge)}
	if got := sum(); got != sha256.Sum256([]byte("[b]\n")) {
		t.Error("a digest older than maxDigestAge was trusted")
	}
	os.WriteFile(path, []byte("[c]\n[d]\n"), 0o600)
	if got := sum(); got != sha256.Sum256([]byte("[c]\n[d]\n")) {
		t.Error("a changed file was not read again")
	}
	if _, exists, ok := l.fileSum(filepath.Join(dir, "missing")); exists || !ok {
		t.Errorf("a missing file: exists %v, ok %v", exists, ok)
	}
}

// TestActiveLoadsAgainIsNews: an active profile that failed to load and
// loads at a later reload is told to OnChange, so that a front end that
// shows it paused follows (the tray's TestResumeWhenTheDaemonPausedFirst).
func TestActiveLoadsAgainIsNews(t *testing.T) {
	t.Parallel()
	changes := make(chan struct{}, 100)
	w := newWorld(t, Options{DefaultProfile: "static", ReloadInterval: time.Hour, OnChange: func() { changes <- struct{}{} }})
	if _, src, err := w.d.Active(); src == nil || err != nil {
		t.Fatalf("Active: %v, %v", src, err)
	}
	creds, _ := os.ReadFile(w.env.CredentialsFile)
	os.Remove(w.env.CredentialsFile)
	w.d.Reload()
	if _, src, err := w.d.Active(); src != nil || err == nil {
		t.Fatalf("Active without the credentials file: %v, %v", src, err)
	}
	for len(changes) > 0 {
		<-changes
	}
	os.WriteFile(w.env.CredentialsFile, creds, 0o600)
	w.d.Reload()
	if _, src, err := w.d.Active(); src == nil || err != nil {
		t.Fatalf("Active with the file back: %v, %v", src, err)
	}
	if len(changes) == 0 {
		t.Error("OnChange not told that the active profile loads again")
	}
	// A reload that finds nothing new tells nothing.
	for len(changes) > 0 {
		<-changes
	}
	w.d.Reload()
	if len(changes) != 0 {
		t.Errorf("%d changes told for a reload that changed nothing", len(changes))
	}
}

// keepReloading has d read its settings again and again, as fast as it
// can, until the returned stop is called (which returns once it ended).
func keepReloading(d *Daemon) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
				d.Reload()
			}
		}
	})
	return func() { close(done); wg.Wait() }
}
