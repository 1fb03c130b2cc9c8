package server

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/awsxc/awsxc/engine"
	"github.com/google/go-cmp/cmp"
)

// srvCase is one request to a local server and what it must answer.
type srvCase struct {
	name       string
	method     string
	path       string
	header     map[string]string // "Host" sets the Host header
	token      bool              // IMDS: send a valid session token
	wantStatus int
	wantBody   string            // exact body, if set
	golden     string            // file under testdata/, if set
	wantHeader map[string]string // headers that must have these values
}

// secrets are strings no error body may contain.
var srvSecrets = []string{"fakeSecret", "FAKETOKEN", "staticsecret", "sessionsecret", "sessiontoken", "othersecret", "mfasecret"}

// runSrvCases sends each case to base and checks the answers.
func runSrvCases(t *testing.T, base string, cases []srvCase, prep func(*http.Request, srvCase)) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, strings.TrimSuffix(base, "/")+tc.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tc.header {
				if k == "Host" {
					req.Host = v
					continue
				}
				req.Header[http.CanonicalHeaderKey(k)] = []string{v}
			}
			if prep != nil {
				prep(req, tc)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			got := struct {
				Status int
				Body   string
			}{resp.StatusCode, string(body)}
			want := got
			want.Status = tc.wantStatus
			if tc.wantBody != "" {
				want.Body = tc.wantBody
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s %s mismatch (-want +got):\n%s", tc.method, tc.path, diff)
			}
			if tc.golden != "" {
				golden(t, tc.golden, body)
			}
			for k, v := range tc.wantHeader {
				if g := resp.Header.Get(k); g != v {
					t.Errorf("header %s = %q, want %q", k, g, v)
				}
			}
			if tc.method != http.MethodHead && len(body) == 0 {
				t.Errorf("empty body")
			}
			if resp.StatusCode != http.StatusOK {
				for _, s := range srvSecrets {
					if strings.Contains(string(body), s) {
						t.Errorf("error body carries a secret: %q", body)
					}
				}
			}
		})
	}
}

func TestParseAddr(t *testing.T) {
	for _, tc := range []struct {
		in, want, err string
	}{
		{"9911", "127.0.0.1:9911", ""},
		{"0", "127.0.0.1:0", ""},
		{"65535", "127.0.0.1:65535", ""},
		{"127.0.0.1:80", "127.0.0.1:80", ""},
		{"[::1]:9911", "[::1]:9911", ""},
		{"0.0.0.0:9911", "0.0.0.0:9911", ""},
		{"localhost:9911", "localhost:9911", ""},
		{"65536", "", `invalid port "65536"`},
		{"-1", "", `invalid port "-1"`},
		{"abc", "", `invalid port "abc"`},
		{"0080", "", `invalid port "0080"`},
		{"::1:9911", "", "invalid address"},
		{":9911", "", "empty host"},
		{"host:", "", `invalid port ""`},
		{"", "", "empty address"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseAddr(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("ParseAddr(%q) = %q, %v; want error containing %q", tc.in, got, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseAddr(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestServerBindsWhatIsAsked(t *testing.T) {
	_, _, env := srvEnv(t)
	src := newTestSource(t, engine.SourceOptions{Env: env, Profile: "static"})
	ctx := context.Background()

	m, err := NewIMDS(ctx, src, IMDSOptions{Options: Options{Addr: "0"}})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if m.Port() == 0 || m.URL() != "http://127.0.0.1:"+strconv.Itoa(m.Port())+"/" {
		t.Errorf("URL = %q, port %d", m.URL(), m.Port())
	}

	if ln, err := net.Listen("tcp6", "[::1]:0"); err == nil {
		ln.Close()
		e, err := NewECS(ctx, src, ECSOptions{Options: Options{Addr: "[::1]:0"}})
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close()
		if !strings.HasPrefix(e.URL(), "http://[::1]:") {
			t.Errorf("URL = %q", e.URL())
		}
		req, _ := http.NewRequest("GET", e.URL(), nil)
		req.Header.Set("Authorization", e.Token())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("over [::1]: status %d", resp.StatusCode)
		}
	}

	// A port in use is an error from the constructor, before serving.
	if _, err := NewIMDS(ctx, src, IMDSOptions{Options: Options{Addr: "127.0.0.1:" + strconv.Itoa(m.Port())}}); err == nil {
		t.Errorf("second server on the same port: no error")
	}
	if _, err := NewIMDS(ctx, src, IMDSOptions{Options: Options{Addr: "99999"}}); err == nil {
		t.Errorf("port 99999: no error")
	}
}

func TestServerStopsWithContext(t *testing.T) {
	_, _, env := srvEnv(t)
	src := newTestSource(t, engine.SourceOptions{Env: env, Profile: "static"})
	ctx, cancel := context.WithCancel(context.Background())
	reg := newTestRegistry(t, env, 1)
	e, err := NewECS(ctx, src, ECSOptions{Profiles: FromRegistry(reg)})
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) error {
		req, _ := http.NewRequest("GET", e.URL()+path, nil)
		req.Header.Set("Authorization", e.Token())
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	if err := get("profiles/other"); err != nil {
		t.Fatal(err)
	}
	cancel()
	waitUntil(t, "server down", func() bool {
		c, err := net.Dial("tcp", strings.TrimSuffix(strings.TrimPrefix(e.URL(), "http://"), "/"))
		if err == nil {
			c.Close()
		}
		return err != nil
	})
	if err := e.Close(); err != nil {
		t.Errorf("Close after ctx: %v", err)
	}
	// The request released the source it took from the registry: with
	// room for one, another profile replaces it.
	src2, release, err := reg.Acquire(context.Background(), "session")
	if err != nil {
		t.Fatalf("the registry's only source is still held after the request: %v", err)
	}
	release()
	if src2.Status().Profile != "session" {
		t.Errorf("got the source of %q", src2.Status().Profile)
	}
}

func TestWriteTokenFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "token")
	if err := WriteTokenFile(path, "tok-1"); err != nil {
		t.Fatal(err)
	}
	if err := WriteTokenFile(path, "tok-2"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil || string(b) != "tok-2" {
		t.Fatalf("file = %q, %v; want the token, no newline", b, err)
	}
	fi, _ := os.Stat(path)
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600", fi.Mode().Perm())
	}
	if err := WriteTokenFile(path, "a\nb"); err == nil {
		t.Errorf("token with a newline accepted")
	}
	// An existing file readable by others (--container-token-file
	// pointed at one) is narrowed, not left so (review 1, M2).
	if runtime.GOOS != "windows" {
		os.Chmod(path, 0o644)
		if err := WriteTokenFile(path, "tok-3"); err != nil {
			t.Fatal(err)
		}
		if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
			t.Errorf("a 0644 token file is %v after the write, want 0600", fi.Mode().Perm())
		}
	}
	if runtime.GOOS == "windows" {
		return
	}
	// A folder another user can write, or a symlink planted where the
	// token goes, is refused: nothing is written (review 2, M8).
	shared := filepath.Join(t.TempDir(), "shared")
	os.Mkdir(shared, 0o700)
	os.Chmod(shared, 0o777)
	if err := WriteTokenFile(filepath.Join(shared, "api.token"), "tok-4"); err == nil || !strings.Contains(err.Error(), "writable by others") {
		t.Errorf("a world-writable folder: %v, want a refusal", err)
	}
	if _, err := os.Lstat(filepath.Join(shared, "api.token")); err == nil {
		t.Error("a token was written into a world-writable folder")
	}
	elsewhere := filepath.Join(t.TempDir(), "theirs")
	link := filepath.Join(filepath.Dir(path), "linked.token")
	os.Symlink(elsewhere, link)
	if err := WriteTokenFile(link, "tok-5"); err == nil || !strings.Contains(err.Error(), "a symlink") {
		t.Errorf("a symlink: %v, want a refusal", err)
	}
	if _, err := os.Lstat(elsewhere); err == nil {
		t.Error("the token was written through the symlink")
	}
}

func TestSettings(t *testing.T) {
	_, _, env := srvEnv(t)
	src := newTestSource(t, engine.SourceOptions{Env: env, Profile: "static"})
	m, err := NewIMDS(context.Background(), src, IMDSOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	e, err := NewECS(context.Background(), src, ECSOptions{Token: "tok$en-0123456789ab"})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	p, q := strconv.Itoa(m.Port()), strconv.Itoa(e.Port())

	st := m.Settings()
	if diff := cmp.Diff([]string{"AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:" + p + "/"}, st.Env); diff != "" {
		t.Errorf("IMDS env (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"-e", "AWS_EC2_METADATA_SERVICE_ENDPOINT=http://host.docker.internal:" + p + "/"}, st.DockerFlags()); diff != "" {
		t.Errorf("docker flags (-want +got):\n%s", diff)
	}
	if !strings.Contains(st.String(), "docker run -e AWS_EC2_METADATA_SERVICE_ENDPOINT=http://host.docker.internal:"+p+"/ IMAGE") {
		t.Errorf("text:\n%s", st)
	}

	for _, tc := range []struct {
		name string
		o    SettingsOptions
		want []string
	}{
		{"token", SettingsOptions{}, []string{"AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:" + q + "/", "AWS_CONTAINER_AUTHORIZATION_TOKEN=tok$en-0123456789ab"}},
		{"token_file", SettingsOptions{TokenFile: "/run/t"}, []string{"AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:" + q + "/", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=/run/t"}},
		{"profile", SettingsOptions{Profile: "my dev"}, []string{"AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:" + q + "/profiles/my%20dev", "AWS_CONTAINER_AUTHORIZATION_TOKEN=tok$en-0123456789ab"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, e.Settings(tc.o).Env); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if s := e.Settings(SettingsOptions{}).String(); !strings.Contains(s, "export AWS_CONTAINER_AUTHORIZATION_TOKEN='tok$en-0123456789ab'") {
		t.Errorf("text not shell-quoted:\n%s", s)
	}
}

// TestServerLoad runs 32 keep-alive clients against the IMDS credentials
// path for 2 s: no errors, and the heap stays roughly flat.
func TestServerLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	_, clk, env := srvEnv(t)
	src := newTestSource(t, engine.SourceOptions{Env: env, Profile: "static"})
	m, err := NewIMDS(context.Background(), src, IMDSOptions{Options: Options{Clock: clk}})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	tok := newIMDSToken(clk.Now().Add(time.Hour))
	url := m.URL() + "latest/meta-data/iam/security-credentials/static"
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	fetch := func() error {
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("X-aws-ec2-metadata-token", tok)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err == nil && resp.StatusCode != 200 {
			err = &net.AddrError{Err: "status " + strconv.Itoa(resp.StatusCode)}
		}
		return err
	}
	if err := fetch(); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)

	var n, errs atomic.Int64
	var firstErr atomic.Value
	deadline := time.Now().Add(2 * time.Second)
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				if err := fetch(); err != nil {
					errs.Add(1)
					firstErr.CompareAndSwap(nil, err)
					continue
				}
				n.Add(1)
			}
		})
	}
	wg.Wait()
	runtime.GC()
	runtime.ReadMemStats(&after)
	if errs.Load() != 0 {
		t.Errorf("%d errors (first: %v) in %d requests", errs.Load(), firstErr.Load(), n.Load())
	}
	growth := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("%d requests in 2s (%.0f/s); heap %d → %d bytes", n.Load(), float64(n.Load())/2, before.HeapAlloc, after.HeapAlloc)
	if growth > 8<<20 {
		t.Errorf("heap grew by %d bytes", growth)
	}
}

// TestServerHints: error bodies word the engine's actions in the words
// of the front end that runs the server, else neutrally.
func TestServerHints(t *testing.T) {
	_, _, env := srvEnv(t)
	src := newTestSource(t, engine.SourceOptions{Env: env, Profile: "static"})
	hints := engine.Hints(func(a engine.Action, profile string) string {
		switch a {
		case engine.ActionAllowHost:
			return "add it with --let-in"
		case engine.ActionCheckProfileName:
			return "list them with frontend profiles"
		}
		return ""
	})
	reg := newTestRegistry(t, env, 0)
	evil := map[string]string{"Host": "evil.example"}
	for _, tc := range []struct {
		name  string
		hints engine.Hints
		host  string // the InvalidHost message
		nope  string // the /profiles/nope message
	}{
		{"neutral", nil, "host not allowed; " + engine.ActionAllowHost.Hint(""),
			`profile \"nope\": profile not found; ` + engine.ActionCheckProfileName.Hint("nope")},
		{"front_end", hints, "host not allowed; add it with --let-in",
			`profile \"nope\": profile not found; list them with frontend profiles`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := Options{Hints: tc.hints}
			m, err := NewIMDS(context.Background(), src, IMDSOptions{Options: opts})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			e, err := NewECS(context.Background(), src, ECSOptions{Options: opts, Token: testToken, Profiles: FromRegistry(reg)})
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			runSrvCases(t, m.URL(), []srvCase{
				{name: "imds_host", method: "GET", path: "/latest/meta-data/iam/security-credentials/", header: evil,
					wantStatus: 403, wantBody: "403 - Forbidden: " + tc.host + "\n"},
			}, nil)
			runSrvCases(t, e.URL(), []srvCase{
				{name: "ecs_host", method: "GET", path: "/", header: map[string]string{"Host": "evil.example", "Authorization": testToken},
					wantStatus: 403, wantBody: `{"Code":"InvalidHost","Message":"` + tc.host + `"}`},
				{name: "ecs_profile_unknown", method: "GET", path: "/profiles/nope", header: map[string]string{"Authorization": testToken},
					wantStatus: 404, wantBody: `{"Code":"ProfileNotFound","Message":"` + tc.nope + `"}`},
			}, nil)
		})
	}
}
