package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/internal/fakeaws"
)

// newTestECS serves profile (and /profiles/NAME) on a loopback port.
func newTestECS(t testing.TB, profile string, opts ECSOptions) (*ECS, *fakeaws.Server, *testClock, engine.Env) {
	t.Helper()
	fake, clk, env := srvEnv(t)
	ctx := context.Background()
	src, err := engine.NewSource(ctx, engine.SourceOptions{Env: env, Profile: profile})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(src.Close)
	if opts.Profiles == nil {
		opts.Profiles = FromRegistry(newTestRegistry(t, env, 0))
	}
	e, err := NewECS(ctx, src, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e, fake, clk, env
}

func TestECSRequests(t *testing.T) {
	const tok = "test-token-0123456789"
	e, fake, _, _ := newTestECS(t, "role", ECSOptions{Token: tok})
	auth := map[string]string{"Authorization": tok}
	with := func(k, v string) map[string]string { return map[string]string{"Authorization": tok, k: v} }
	cases := []srvCase{
		{name: "root", method: "GET", path: "/", header: auth, wantStatus: 200, golden: "ecs-credentials-role.json",
			wantHeader: map[string]string{"Content-Type": "application/json"}},
		{name: "creds", method: "GET", path: "/creds", header: auth, wantStatus: 200, golden: "ecs-credentials-role.json"},
		{name: "creds_query", method: "GET", path: "/creds?x=1", header: auth, wantStatus: 200, golden: "ecs-credentials-role.json"},
		{name: "head", method: "HEAD", path: "/", header: auth, wantStatus: 200},
		{name: "profile", method: "GET", path: "/profiles/other", header: auth, wantStatus: 200, golden: "ecs-credentials-other.json"},
		{name: "profile_session", method: "GET", path: "/profiles/session", header: auth, wantStatus: 200, golden: "ecs-credentials-session.json"},
		{name: "profile_unknown", method: "GET", path: "/profiles/nope", header: auth, wantStatus: 404,
			wantBody: `{"Code":"ProfileNotFound","Message":"profile \"nope\": profile not found; check the name against the list of profiles"}`},
		{name: "profile_empty", method: "GET", path: "/profiles/", header: auth, wantStatus: 404},
		{name: "profile_slash", method: "GET", path: "/profiles/a%2Fb", header: auth, wantStatus: 404},
		{name: "profile_nested", method: "GET", path: "/profiles/other/x", header: auth, wantStatus: 404},
		{name: "no_auth", method: "GET", path: "/", wantStatus: 401,
			wantBody: `{"Code":"NoAuthorizationHeader","Message":"Authorization header not provided"}`},
		{name: "empty_auth", method: "GET", path: "/", header: map[string]string{"Authorization": ""}, wantStatus: 401},
		{name: "wrong_token", method: "GET", path: "/", header: map[string]string{"Authorization": "nope"}, wantStatus: 403,
			wantBody: `{"Code":"InvalidToken","Message":"the authorization token is not valid"}`},
		{name: "bearer_prefix", method: "GET", path: "/", header: map[string]string{"Authorization": "Bearer " + tok}, wantStatus: 403},
		{name: "token_prefix", method: "GET", path: "/", header: map[string]string{"Authorization": tok[:5]}, wantStatus: 403},
		{name: "no_auth_unknown_path", method: "GET", path: "/role/x", wantStatus: 401},
		{name: "unknown_path", method: "GET", path: "/role/x", header: auth, wantStatus: 404,
			wantBody: `{"Code":"InvalidPath","Message":"not found; use /, /v1/credentials or /profiles/NAME"}`},
		{name: "creds_slash", method: "GET", path: "/creds/", header: auth, wantStatus: 404},
		{name: "post", method: "POST", path: "/", header: auth, wantStatus: 405, wantHeader: map[string]string{"Allow": "GET, HEAD"}},
		{name: "put", method: "PUT", path: "/creds", wantStatus: 405},
		{name: "origin_refused", method: "GET", path: "/", header: with("Origin", "http://evil.example"), wantStatus: 403,
			wantBody: `{"Code":"BrowserRequest","Message":"requests from web pages are refused"}`},
		{name: "referer_refused", method: "GET", path: "/", header: with("Referer", "http://evil.example/"), wantStatus: 403},
		{name: "host_rebinding_refused", method: "GET", path: "/", header: with("Host", "evil.example"), wantStatus: 403},
		{name: "host_allowed_extra", method: "GET", path: "/", header: with("Host", "Box.Lan:8080"), wantStatus: 200},
		{name: "host_localhost", method: "GET", path: "/", header: with("Host", "localhost"), wantStatus: 200},
	}
	_ = fake
	e.srv.hosts = append(e.srv.hosts, "box.lan") // as AllowHosts would
	runSrvCases(t, e.URL(), cases, nil)
	// One AssumeRole for role (signed by static), none for the others
	// beyond other's GetSessionToken.
	if n := fake.Count("AssumeRole"); n != 1 {
		t.Errorf("AssumeRole calls = %d, want 1", n)
	}
	if n := fake.Count("GetSessionToken"); n != 1 {
		t.Errorf("GetSessionToken calls = %d, want 1", n)
	}
}

func TestECSAllowHosts(t *testing.T) {
	e, _, _, _ := newTestECS(t, "static", ECSOptions{Options: Options{AllowHosts: []string{"Box.Lan", " [fd00::1] "}}, Token: testToken})
	runSrvCases(t, e.URL(), []srvCase{
		{name: "allowed", method: "GET", path: "/", header: map[string]string{"Authorization": testToken, "Host": "box.lan:1"}, wantStatus: 200},
		{name: "allowed_v6", method: "GET", path: "/", header: map[string]string{"Authorization": testToken, "Host": "[fd00::1]:1"}, wantStatus: 200},
		{name: "other", method: "GET", path: "/", header: map[string]string{"Authorization": testToken, "Host": "box.lan.evil"}, wantStatus: 403},
	}, nil)
}

func TestECSGeneratedToken(t *testing.T) {
	e, _, _, _ := newTestECS(t, "static", ECSOptions{})
	if len(e.Token()) != 43 || strings.ContainsAny(e.Token(), "+/=\n") {
		t.Errorf("token %q: want 43 base64url characters", e.Token())
	}
	e2, _, _, _ := newTestECS(t, "static", ECSOptions{})
	if e2.Token() == e.Token() {
		t.Errorf("two servers got the same token")
	}
	if _, err := NewECS(context.Background(), e.Source(), ECSOptions{Token: "a\nb"}); err == nil {
		t.Errorf("token with newline accepted")
	}
}

func TestECSUnavailable(t *testing.T) {
	e, fake, _, _ := newTestECS(t, "static", ECSOptions{Token: testToken})
	fake.Fail("AccessDenied")
	runSrvCases(t, e.URL(), []srvCase{
		{name: "creds_503", method: "GET", path: "/", header: map[string]string{"Authorization": testToken}, wantStatus: 503,
			wantBody: `{"Code":"CredentialsUnavailable","Message":"profile \"static\": cannot get credentials"}`},
	}, nil)
}

func TestECSSetSource(t *testing.T) {
	e, _, _, env := newTestECS(t, "static", ECSOptions{Token: testToken})
	other, err := engine.NewSource(context.Background(), engine.SourceOptions{Env: env, Profile: "session"})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	e.SetSource(other)
	runSrvCases(t, e.URL(), []srvCase{
		{name: "new_source", method: "GET", path: "/", header: map[string]string{"Authorization": testToken}, wantStatus: 200,
			golden: "ecs-credentials-session.json"},
	}, nil)
}

// TestECSGoSDK: the AWS SDK for Go v2's default chain gets credentials
// from the server with the token in the environment and in a file, and
// through /profiles/NAME, for one STS call per profile.
func TestECSGoSDK(t *testing.T) {
	fake, _, env := srvEnv(t)
	env.Clock = nil // the SDK checks expiry against the real clock
	fake.SetNow(time.Now)
	ctx := context.Background()
	src := newTestSource(t, engine.SourceOptions{Env: env, Profile: "static"})
	reg := engine.NewRegistry(ctx, engine.RegistryOptions{Source: engine.SourceOptions{Env: env}})
	defer reg.Close()
	e, err := NewECS(ctx, src, ECSOptions{Profiles: FromRegistry(reg)})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := WriteTokenFile(tokenFile, e.Token()); err != nil {
		t.Fatal(err)
	}
	want, err := src.Credentials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, uri, token, file, wantKey string
	}{
		{"token", e.URL(), e.Token(), "", want.AccessKeyID},
		{"token_file", e.URL() + "creds", "", tokenFile, want.AccessKeyID},
		{"token_file_wins", e.URL(), "wrong", tokenFile, want.AccessKeyID},
		{"profile", e.ProfileURL("other"), e.Token(), "", "ASIAFAKE0002EXAMPLE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", tc.uri)
			t.Setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", tc.token)
			t.Setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", tc.file)
			for i := range 5 {
				cfg, err := config.LoadDefaultConfig(ctx)
				if err != nil {
					t.Fatal(err)
				}
				got, err := cfg.Credentials.Retrieve(ctx)
				if err != nil {
					t.Fatalf("fetch %d: %v", i, err)
				}
				if got.AccessKeyID != tc.wantKey || got.Source != "CredentialsEndpointProvider" {
					t.Fatalf("fetch %d: key %s from %s, want %s", i, got.AccessKeyID, got.Source, tc.wantKey)
				}
			}
		})
	}
	if n := fake.Count("GetSessionToken"); n != 2 {
		t.Errorf("GetSessionToken calls = %d, want 2 (one per profile) for 20 SDK fetches", n)
	}
	// A wrong token: the SDK fails (403 is not retried), no secret leaks.
	t.Setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", e.URL())
	t.Setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "wrong")
	t.Setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "")
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err == nil || !strings.Contains(err.Error(), "InvalidToken") {
		t.Errorf("wrong token: err = %v", err)
	}
	_ = os.Remove(tokenFile)
}

// FuzzECSHandler: any method, path and header: no panic, never an empty
// reply, never a secret outside a 200.
func FuzzECSHandler(f *testing.F) {
	const tok = "fuzz-token-0123456789"
	e, _, _, _ := newTestECS(f, "static", ECSOptions{Token: tok})
	f.Add("GET", "/", "Authorization", tok, true)
	f.Add("GET", "/profiles/session", "", "", true)
	f.Add("GET", "/profiles/nope", "Origin", "x", true)
	f.Add("POST", "/creds", "Authorization", "Bearer x", false)
	f.Add("GET", "/profiles/\x00", "Host", "evil", true)
	f.Fuzz(func(t *testing.T, method, path, hk, hv string, withToken bool) {
		r := &http.Request{Method: method, URL: &url.URL{Path: path}, Header: http.Header{},
			Host: "localhost:1", RemoteAddr: "127.0.0.1:9", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}
		r = r.WithContext(context.Background())
		if withToken {
			r.Header.Set("Authorization", tok)
		}
		if hk != "" {
			if strings.EqualFold(hk, "Host") {
				r.Host = hv
			} else {
				r.Header[http.CanonicalHeaderKey(hk)] = []string{hv}
			}
		}
		w := httptest.NewRecorder()
		e.srv.ServeHTTP(w, r)
		checkFuzzReply(t, w)
	})
}
