//go:build !darwin || cgo

package tray

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/internal/porttest"
	"github.com/google/go-cmp/cmp"
)

// testClock is a clock a test moves by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock { return &testClock{t: time.Now().UTC().Truncate(time.Second)} }

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *testClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// imdsGet fetches the IMDS server's credentials as an SDK does (token,
// role, credentials) and returns the status and body of the last step.
// A server that does not answer gives status 0.
func imdsGet(t *testing.T, url string) (int, string) {
	t.Helper()
	c := &http.Client{Timeout: 30 * time.Second}
	req, _ := http.NewRequest("PUT", url+"latest/api/token", nil)
	req.Header.Set("X-aws-ec2-metadata-token-ttl-seconds", "60")
	resp, err := c.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	tok, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	get := func(path string) (int, string) {
		req, _ := http.NewRequest("GET", url+path, nil)
		req.Header.Set("X-aws-ec2-metadata-token", string(tok))
		resp, err := c.Do(req)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, role := get("latest/meta-data/iam/security-credentials/")
	if status != http.StatusOK {
		return status, role
	}
	return get("latest/meta-data/iam/security-credentials/" + role)
}

// imdsKey is the access key id in an IMDS credentials body.
func imdsKey(t *testing.T, body string) string {
	t.Helper()
	var v struct{ AccessKeyId, Token string }
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("IMDS body %q: %v", body, err)
	}
	return v.AccessKeyId
}

func (h *harness) label(t *testing.T, id string) string { t.Helper(); return h.item(t, id).Label }

func (h *harness) noteBodies() map[string]string {
	h.mu.Lock()
	defer h.mu.Unlock()
	m := map[string]string{}
	for i, s := range h.notes {
		m[s] = h.bodies[i]
	}
	return m
}

// TestStaticKeysWithoutSTS is issue 10 item 25: a profile with long-term
// keys is copied and written as it is, with STS unreachable and no STS
// call at all; the menu says so; the servers serve temporary credentials
// only, and ensure_temporary makes copies temporary too.
func TestStaticKeysWithoutSTS(t *testing.T) {
	h := newHarness(t, harnessOptions{config: twoProfiles, creds: twoProfilesCreds})
	h.sts.Fail("Unavailable")
	h.waitFor(t, "dev", valid("dev"))
	if got := h.label(t, idHeader); got != "dev · static keys · no expiry" {
		t.Errorf("header %q; want dev · static keys · no expiry", got)
	}
	for _, id := range []string{idCopy, copyPrefix + string(engine.FormatEnv), idWrite} {
		if h.item(t, id).Disabled {
			t.Errorf("%s disabled with the keys on disk", id)
		}
	}
	if it := h.item(t, idHint); !it.Hidden {
		t.Errorf("hint %q shown", it.Label)
	}

	h.do(t, func(a *app) { a.onClick(copyPrefix + string(engine.FormatEnv)) })
	deadline := time.Now().Add(patience)
	for !strings.Contains(h.clip.get(), "AWS_ACCESS_KEY_ID") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if clip := h.clip.get(); !strings.Contains(clip, "export AWS_ACCESS_KEY_ID=AKIADEVEXAMPLE000001\n") || strings.Contains(clip, "export AWS_SESSION_TOKEN") {
		t.Errorf("clipboard %q; want dev's own keys, no session token", clip)
	}

	// Written, and written again: the export profile then holds a copy of
	// dev's keys, which the next write may replace (with prod's too).
	for i, p := range []string{"dev", "dev", "prod"} {
		if p != "dev" {
			h.do(t, func(a *app) { a.onClick(profilePrefix + p) })
			h.waitFor(t, p, valid(p))
		}
		h.do(t, func(a *app) { a.state.Written = time.Time{}; a.onClick(idWrite) })
		h.waitFor(t, "the write", func(a *app) bool { return !a.state.Written.IsZero() || a.state.WriteErr != nil })
		h.do(t, func(a *app) {
			if a.state.WriteErr != nil {
				t.Fatalf("write %d: %v", i+1, a.state.WriteErr)
			}
		})
		want := map[string]string{"dev": "AKIADEVEXAMPLE000001", "prod": "AKIAPRODEXAMPLE00001"}[p]
		if got := exportedKey(t); got != want {
			t.Errorf("write %d: profile awsxc holds %q; want %s's key %q", i+1, got, p, want)
		}
	}
	if n := h.sts.Count(""); n != 0 {
		t.Errorf("%d STS calls; want none", n)
	}

	// A server needs temporary credentials: STS down, it has none, which
	// the menu says, and copies still work.
	h.do(t, func(a *app) { a.onClick(idIMDSToggle) })
	h.waitFor(t, "the failed exchange", func(a *app) bool { return a.imds != nil && a.state.Status.Err != nil })
	if got := h.label(t, idHeader); got != "prod · static keys · no expiry · servers: cannot get credentials" {
		t.Errorf("header %q; want the servers' failure after the keys", got)
	}
	if h.item(t, idCopy).Disabled {
		t.Errorf("Copy as disabled because the servers have no credentials")
	}
	// STS back: the server serves temporary credentials, never the keys.
	h.sts.Fail("")
	var url string
	h.do(t, func(a *app) { url = a.imds.URL() })
	time.Sleep(2100 * time.Millisecond) // the Source's cool-down after a failure
	status, body := imdsGet(t, url)
	if status != http.StatusOK || !strings.HasPrefix(imdsKey(t, body), "ASIA") {
		t.Fatalf("IMDS: %d %q; want temporary credentials", status, body)
	}
	h.waitFor(t, "the servers' credentials", func(a *app) bool { return a.state.Status.Valid })
	h.do(t, func(a *app) {
		if m := BuildMenu(a.state, a.now()); !strings.Contains(m.Tooltip, "Servers: temporary credentials, expire in 59 min") {
			t.Errorf("tooltip %q; want the servers' countdown", m.Tooltip)
		}
	})
	if got := h.label(t, idHeader); got != "prod · static keys · no expiry" {
		t.Errorf("header %q", got)
	}

	// ensure_temporary: copies are the temporary credentials too.
	editSettingsFile(t, h.settings, func(m map[string]any) { m["ensure_temporary"] = true })
	h.do(t, func(a *app) { a.reloadSettings() })
	if got := h.label(t, idHeader); !strings.HasPrefix(got, "prod · expires in ") {
		t.Errorf("header with ensure_temporary %q; want the countdown", got)
	}
	h.do(t, func(a *app) { a.onClick(copyPrefix + string(engine.FormatEnv)) })
	deadline = time.Now().Add(patience)
	for !strings.Contains(h.clip.get(), "export AWS_SESSION_TOKEN=") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if clip := h.clip.get(); !strings.Contains(clip, "export AWS_ACCESS_KEY_ID=ASIA") {
		t.Errorf("clipboard %q; want temporary credentials", clip)
	}
}

// TestActiveProfileDeleted is issue 10 item 27: when the active profile
// is gone from the AWS files, its Source is closed, the servers pause (a
// request gets no credentials) and Copy and Write are disabled; when it
// comes back, all of it resumes on the same port.
func TestActiveProfileDeleted(t *testing.T) {
	const prod = "[prod]\naws_access_key_id = AKIAPRODEXAMPLE00001\naws_secret_access_key = s\n"
	withDefault := "[default]\nregion = eu-west-1\n" + twoProfiles
	withDefaultCreds := "[default]\naws_access_key_id = AKIADEFAULTEXAMPLE01\naws_secret_access_key = s\n" + twoProfilesCreds
	tests := []struct {
		name        string
		profile     string
		config      string // the files before the deletion; "" for twoProfiles
		creds       string
		afterConfig string // the files after the deletion
		afterCreds  string
		wantHeader  string
	}{
		{"config_deleted", "dev", "", "", "", "", "No AWS profiles found"},
		{"profile_deleted", "dev", "", "", "[profile prod]\nregion = us-east-2\n", prod, "dev · profile not found"},
		// The engine says "no credentials" for a missing default profile.
		{"default_deleted", "default", withDefault, withDefaultCreds, "[profile prod]\nregion = us-east-2\n", prod,
			"default · no credentials configured"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			config, creds := tt.config, tt.creds
			if config == "" {
				config, creds = twoProfiles, twoProfilesCreds
			}
			// The server pauses and resumes on its port: one picked from
			// the ephemeral range could be taken meanwhile.
			h := newHarness(t, harnessOptions{config: config, creds: creds, tick: 20 * time.Millisecond,
				settings: `{"profile": "` + tt.profile + `", "imds": {"enabled": true, "addr": "` + porttest.Addr(t) + `"}}`})
			h.waitFor(t, "the IMDS server", func(a *app) bool { return valid(tt.profile)(a) && a.imds != nil })
			var url string
			var src *engine.Source
			h.do(t, func(a *app) { url, src = a.imds.URL(), a.src })
			if status, body := imdsGet(t, url); status != http.StatusOK {
				t.Fatalf("IMDS before: %d %q", status, body)
			}

			cf, kf := os.Getenv("AWS_CONFIG_FILE"), os.Getenv("AWS_SHARED_CREDENTIALS_FILE")
			if tt.afterConfig == "" {
				os.Remove(cf)
				os.Remove(kf)
			} else {
				os.WriteFile(cf, []byte(tt.afterConfig), 0o600)
				os.WriteFile(kf, []byte(tt.afterCreds), 0o600)
			}
			// The header says why once the listing caught up too.
			h.waitFor(t, "the pause, and the header "+tt.wantHeader, func(a *app) bool {
				header, _ := menuItem(BuildMenu(a.state, a.now()).Items, idHeader)
				return a.src == nil && a.state.LoadErr != nil && header.Label == tt.wantHeader
			})
			for _, id := range []string{idCopy, idWrite, idIMDSDocker} {
				if !h.item(t, id).Disabled {
					t.Errorf("%s enabled for a deleted profile", id)
				}
			}
			if got := h.label(t, idIMDS); got != "IMDS server: paused (no credentials)" {
				t.Errorf("IMDS item %q; want it paused", got)
			}
			if status, body := imdsGet(t, url); status == http.StatusOK {
				t.Errorf("IMDS after the deletion: %d %q; want no credentials", status, body)
			}
			for deadline := time.Now().Add(patience); !closed(src); time.Sleep(10 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("the deleted profile's Source still hands out credentials")
				}
			}

			os.WriteFile(cf, []byte(config), 0o600)
			os.WriteFile(kf, []byte(creds), 0o600)
			h.waitFor(t, "the resume", func(a *app) bool { return valid(tt.profile)(a) && a.imds != nil })
			h.do(t, func(a *app) {
				if a.imds.URL() != url {
					t.Errorf("IMDS back at %s; want %s", a.imds.URL(), url)
				}
			})
			if status, body := imdsGet(t, url); status != http.StatusOK {
				t.Errorf("IMDS after the profile came back: %d %q", status, body)
			}
		})
	}
}

// TestCredentialsThatCannotRenew is issue 10 item 28: credentials a
// refresh cannot renew (a session token with aws_credential_expiration)
// are warned of ten minutes ahead; once expired the hint says to replace
// the session, not to check the clock; and replacing it in the files is
// picked up at the next tick, without a click.
func TestCredentialsThatCannotRenew(t *testing.T) {
	clk := newTestClock()
	session := func(key string, exp time.Time) string {
		return "[sess]\naws_access_key_id = " + key + "\naws_secret_access_key = s\naws_session_token = t\naws_credential_expiration = " + engine.FormatTime(exp) + "\n"
	}
	exp := clk.Now().Add(20 * time.Minute)
	h := newHarness(t, harnessOptions{config: "[profile sess]\nregion = eu-west-1\n", creds: session("ASIASESSEXAMPLE00001", exp),
		clock: clk, tick: 20 * time.Millisecond})
	h.waitFor(t, "sess", valid("sess"))
	due := func(a *app) { a.src.Current() } // the refresh loop sleeps in real time
	clk.Add(11 * time.Minute)
	h.do(t, due)
	h.waitFor(t, "the refresh that does not renew them", func(a *app) bool { return a.state.Status.Final && !a.state.Status.Refreshing })
	if got := h.label(t, idHeader); got != "sess · expires in 9 min · cannot be renewed" {
		t.Errorf("header %q", got)
	}
	h.do(t, func(a *app) {
		if IconFor(a.state, a.now()) != IconExpiring {
			t.Errorf("icon %v; want the expiring one", IconFor(a.state, a.now()))
		}
	})
	settle(func() int { return len(h.notesShown()) }, 1)
	wantBody := "They cannot be renewed: replace the session in the AWS files (its keys, aws_session_token and aws_credential_expiration)"
	if got := h.noteBodies()["sess: credentials expire in 9 min"]; got != wantBody {
		t.Errorf("notifications %q; want the warning with %q", h.noteBodies(), wantBody)
	}

	clk.Add(10 * time.Minute) // expired
	var src *engine.Source
	h.do(t, func(a *app) { src = a.src })
	src.Credentials(context.Background())
	h.waitFor(t, "the failed refresh", func(a *app) bool { return a.state.Status.Err != nil && !a.state.Status.Refreshing })
	if got := h.label(t, idHeader); got != "sess · expired, cannot get credentials" {
		t.Errorf("header %q", got)
	}
	if hint := h.item(t, idHint).Tooltip; !strings.Contains(hint, "replace its keys") || strings.Contains(hint, "clock") {
		t.Errorf("hint %q; want it to say to replace the session", hint)
	}

	// A new session in the files: a tick sees the change and fetches.
	if err := os.WriteFile(os.Getenv("AWS_SHARED_CREDENTIALS_FILE"), []byte(session("ASIASESSEXAMPLE00002", clk.Now().Add(time.Hour))), 0o600); err != nil {
		t.Fatal(err)
	}
	h.waitFor(t, "the new session", func(a *app) bool {
		return a.state.Status.Valid && a.state.Status.KeyID == "ASIA…0002" && !a.state.Status.Final
	})
	if got := h.label(t, idHeader); got != "sess · expires in 59 min" && got != "sess · expires in 1 h" {
		t.Errorf("header %q", got)
	}
}

// TestIMDSRequestDuringMFADialog is issue 10 item 30: while the MFA
// dialog is open, a credentials request is answered at once with 503;
// after the code is entered, a request gets the credentials.
func TestIMDSRequestDuringMFADialog(t *testing.T) {
	h := newHarness(t, harnessOptions{config: mfaConfig, creds: mfaCreds,
		settings: `{"imds": {"enabled": true, "addr": "127.0.0.1:0"}}`})
	opened := make(chan struct{}, 1)
	code := make(chan string)
	h.do(t, func(a *app) {
		a.prompt = func(ctx context.Context, _, _ string) (string, error) {
			opened <- struct{}{}
			select {
			case c := <-code:
				return c, nil
			case <-ctx.Done():
				return "", ctx.Err()
			}
		}
	})
	h.waitFor(t, "MFA code needed", func(a *app) bool { return a.imds != nil && needsMFA(a.state) && !a.state.Status.Refreshing })
	var url string
	h.do(t, func(a *app) { url = a.imds.URL(); a.onClick(idEnterMFA) })
	select {
	case <-opened:
	case <-time.After(patience):
		t.Fatal("no MFA dialog")
	}
	start := time.Now()
	status, body := imdsGet(t, url)
	if took := time.Since(start); took > 5*time.Second { // well under the 10 s it used to wait
		t.Errorf("the request was answered after %v", took)
	}
	if status != http.StatusServiceUnavailable || !strings.Contains(body, "MFA code needed") {
		t.Errorf("IMDS with the dialog open: %d %q; want 503", status, body)
	}
	code <- "123456"
	h.waitFor(t, "the credentials", func(a *app) bool { return a.state.Status.Valid })
	if status, body := imdsGet(t, url); status != http.StatusOK || !strings.HasPrefix(imdsKey(t, body), "ASIA") {
		t.Errorf("IMDS after the code: %d %q", status, body)
	}
}

// TestCopyDockerSettings is issue 10 item 33: Copy settings for Docker
// copies the recipe of the engine the docker CLI reports, for the running
// server's port, or says why none works and what to change.
func TestCopyDockerSettings(t *testing.T) {
	// Docker Engine whose bridge's gateway is 127.0.0.2, an address this
	// machine has (all of 127/8 is loopback on Linux), so that a test
	// server can listen there.
	engineAt := func(t testing.TB) map[string]string {
		m := DockerEngine(t)
		m[DockerBridge] = strings.NewReplacer("172.17.0.1", "127.0.0.2", "172.17.0.0/16", "127.0.0.0/8").Replace(m[DockerBridge])
		return m
	}
	tests := []struct {
		name     string
		docker   func(testing.TB) map[string]string // nil: no docker at all
		imds     bool
		addr     string
		bridge   string // docker_bridge
		wantClip string // {PORT} stands for the server's port, {TOKENFILE} for the token file
		wantNote string // the notification's summary
		wantBody string // in its body
	}{
		{name: "desktop_imds", docker: DockerDesktop, imds: true, addr: "127.0.0.1:0",
			wantClip: "-e AWS_EC2_METADATA_SERVICE_ENDPOINT=http://host.docker.internal:{PORT}/",
			wantNote: "Copied the IMDS server settings for Docker Desktop"},
		{name: "engine_imds_loopback", docker: DockerEngine, imds: true, addr: "127.0.0.1:0",
			wantNote: "The IMDS server cannot be reached from Docker Engine containers",
			wantBody: "Docker Engine containers reach this machine at 172.17.0.1, but the server listens on 127.0.0.1:{PORT}. To serve them, set imds.docker_bridge to 172.17.0.1 in the settings: the server then also listens there"},
		{name: "engine_imds_docker_bridge", docker: engineAt, imds: true, addr: "127.0.0.1:0", bridge: "127.0.0.2",
			wantClip: "--add-host=host.docker.internal:host-gateway -e AWS_EC2_METADATA_SERVICE_ENDPOINT=http://host.docker.internal:{PORT}/",
			wantNote: "Copied the IMDS server settings for Docker Engine"},
		{name: "engine_imds_all_interfaces", docker: DockerEngine, imds: true, addr: "0.0.0.0:0",
			wantClip: "--add-host=host.docker.internal:host-gateway -e AWS_EC2_METADATA_SERVICE_ENDPOINT=http://host.docker.internal:{PORT}/",
			wantNote: "Copied the IMDS server settings for Docker Engine"},
		{name: "engine_ecs", docker: DockerEngine, addr: "127.0.0.1:0",
			wantClip: "--network=host --mount type=bind,src={TOKENFILE},dst=/run/secrets/awsxc/token,readonly -e AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:{PORT}/ -e AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=/run/secrets/awsxc/token",
			wantNote: "Copied the ECS server settings for Docker Engine", wantBody: "ignore the token file"},
		{name: "desktop_ecs", docker: DockerDesktop, addr: "127.0.0.1:0",
			wantNote: "No Docker settings for the ECS server", wantBody: "use the IMDS server"},
		{name: "no_engine", imds: true, addr: "127.0.0.1:0",
			wantNote: "No Docker settings for the IMDS server", wantBody: "docker: not installed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bin := t.TempDir()
			if tt.docker != nil {
				StandInDocker(t, bin, tt.docker(t))
			}
			t.Setenv("PATH", bin)
			server, id := "ecs", idECSDocker
			if tt.imds {
				server, id = "imds", idIMDSDocker
			}
			h := newHarness(t, harnessOptions{config: twoProfiles, creds: twoProfilesCreds,
				// An address beyond loopback needs allow_remote (issue 10 item 4).
				settings: `{"profile": "dev", "` + server + `": {"enabled": true, "addr": "` + tt.addr + `", "docker_bridge": "` + tt.bridge +
					`", "allow_remote": ` + strconv.FormatBool(strings.HasPrefix(tt.addr, "0.0.0.0")) + `}}`})
			var port, token string
			h.waitFor(t, "the server", func(a *app) bool { return a.imds != nil || a.ecs != nil })
			h.do(t, func(a *app) {
				if a.imds != nil {
					port = strconv.Itoa(a.imds.Port())
				} else {
					port, token = strconv.Itoa(a.ecs.Port()), a.ecs.Token()
				}
			})
			// The click's notification, shown once the engine is detected;
			// counted by its summary, since a server open to the network
			// is warned of too, at start.
			copied := func() int {
				n := 0
				for _, s := range h.notesShown() {
					if s == tt.wantNote {
						n++
					}
				}
				return n
			}
			h.do(t, func(a *app) { a.onClick(id) })
			settle(copied, 1)
			probed := DockerCalls(t, bin)
			// Again: the engine detected is remembered.
			h.do(t, func(a *app) { a.onClick(id) })
			settle(copied, 2)
			if calls := DockerCalls(t, bin); len(calls) != len(probed) || (tt.docker != nil && len(calls) == 0) {
				t.Errorf("docker ran %q, then %q; want the engine detected once", probed, calls)
			}
			body, ok := h.noteBodies()[tt.wantNote]
			if !ok {
				t.Fatalf("notifications %q; want %q", h.notesShown(), tt.wantNote)
			}
			repl := strings.NewReplacer("{PORT}", port, "{TOKENFILE}", ecsTokenFile())
			if !strings.Contains(body, repl.Replace(tt.wantBody)) {
				t.Errorf("notification body %q; want %q in it", body, repl.Replace(tt.wantBody))
			}
			if diff := cmp.Diff(repl.Replace(tt.wantClip), h.clip.get()); diff != "" {
				t.Errorf("clipboard mismatch (-want +got):\n%s", diff)
			}
			if tt.wantClip != "" && token != "" {
				b, err := os.ReadFile(ecsTokenFile())
				if fi, _ := os.Stat(ecsTokenFile()); err != nil || string(b) != token || fi.Mode().Perm() != 0o600 {
					t.Errorf("token file: %v, mode %v; want the token, 0600", err, fi.Mode())
				}
			}
		})
	}
}

// TestResumeWhenTheDaemonPausedFirst: the daemon may notice a deleted
// profile before the tray does (its reload runs on its own tick) and
// pause it; files put back exactly as they were then look unchanged to
// the tray's tick, so the tray follows the daemon, which loads the
// profile again by itself (TestActiveProfileDeleted failed that way
// about once in 200 runs under load).
func TestResumeWhenTheDaemonPausedFirst(t *testing.T) {
	h := newHarness(t, harnessOptions{config: twoProfiles, creds: twoProfilesCreds, tick: 20 * time.Millisecond,
		settings: `{"profile": "dev"}`})
	h.waitFor(t, "dev", valid("dev"))
	cf, kf := os.Getenv("AWS_CONFIG_FILE"), os.Getenv("AWS_SHARED_CREDENTIALS_FILE")
	h.do(t, func(a *app) {
		// In one turn of the loop, so the tray's tick cannot look
		// between: the files go, the daemon notices, the tray hears it
		// from the daemon, and the files come back as they were.
		os.Remove(cf)
		os.Remove(kf)
		a.d.Reload()
		a.onDaemon()
		if a.src != nil || a.state.LoadErr == nil {
			t.Errorf("not paused by the daemon's news: %+v", a.state)
		}
		os.WriteFile(cf, []byte(twoProfiles), 0o600)
		os.WriteFile(kf, []byte(twoProfilesCreds), 0o600)
	})
	h.waitFor(t, "the resume", valid("dev"))
}
