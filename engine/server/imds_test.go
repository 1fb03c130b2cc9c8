package server

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/internal/fakeaws"
)

// newTestIMDS serves profile on a loopback port with the test clock.
func newTestIMDS(t testing.TB, profile string, opts IMDSOptions) (*IMDS, *fakeaws.Server, *testClock, engine.Env) {
	t.Helper()
	fake, clk, env := srvEnv(t)
	src, err := engine.NewSource(context.Background(), engine.SourceOptions{Env: env, Profile: profile})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(src.Close)
	opts.Clock = clk
	m, err := NewIMDS(context.Background(), src, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m, fake, clk, env
}

func TestIMDSRequests(t *testing.T) {
	m, fake, clk, _ := newTestIMDS(t, "static", IMDSOptions{})
	const creds = "/latest/meta-data/iam/security-credentials/"
	ttl := func(v string) map[string]string { return map[string]string{"X-aws-ec2-metadata-token-ttl-seconds": v} }
	cases := []srvCase{
		{name: "put_token", method: "PUT", path: "/latest/api/token", header: ttl("21600"), wantStatus: 200,
			wantHeader: map[string]string{"X-Aws-Ec2-Metadata-Token-Ttl-Seconds": "21600", "Content-Type": "text/plain; charset=utf-8"}},
		{name: "put_token_ttl_1", method: "PUT", path: "/latest/api/token", header: ttl("1"), wantStatus: 200,
			wantHeader: map[string]string{"X-Aws-Ec2-Metadata-Token-Ttl-Seconds": "1"}},
		{name: "put_token_go_sdk_ttl", method: "PUT", path: "/latest/api/token", header: ttl("300"), wantStatus: 200},
		{name: "put_token_double_slash", method: "PUT", path: "//latest/api/token", header: ttl("60"), wantStatus: 200},
		{name: "put_token_query", method: "PUT", path: "/latest/api/token?x=1", header: ttl("60"), wantStatus: 200},
		{name: "put_token_no_ttl", method: "PUT", path: "/latest/api/token", wantStatus: 400},
		{name: "put_token_ttl_empty", method: "PUT", path: "/latest/api/token", header: ttl(""), wantStatus: 400},
		{name: "put_token_ttl_0", method: "PUT", path: "/latest/api/token", header: ttl("0"), wantStatus: 400},
		{name: "put_token_ttl_too_big", method: "PUT", path: "/latest/api/token", header: ttl("21601"), wantStatus: 400},
		{name: "put_token_ttl_nan", method: "PUT", path: "/latest/api/token", header: ttl("banana"), wantStatus: 400},
		{name: "put_token_ttl_plus", method: "PUT", path: "/latest/api/token", header: ttl("+60"), wantStatus: 400},
		{name: "put_token_ttl_huge", method: "PUT", path: "/latest/api/token", header: ttl("99999999999999999999"), wantStatus: 400},
		{name: "put_token_xff", method: "PUT", path: "/latest/api/token",
			header: map[string]string{"X-aws-ec2-metadata-token-ttl-seconds": "60", "X-Forwarded-For": "10.0.0.1"}, wantStatus: 403},
		{name: "put_token_trailing_slash", method: "PUT", path: "/latest/api/token/", header: ttl("60"), wantStatus: 403},
		{name: "put_versioned_path", method: "PUT", path: "/2021-03-23/api/token", header: ttl("60"), wantStatus: 403},
		{name: "put_other_path", method: "PUT", path: creds, header: ttl("60"), wantStatus: 403},
		{name: "get_token_path", method: "GET", path: "/latest/api/token", wantStatus: 405,
			wantHeader: map[string]string{"Allow": "PUT"}},

		{name: "list_no_token", method: "GET", path: creds, wantStatus: 401},
		{name: "list_bad_token", method: "GET", path: creds, header: map[string]string{"X-aws-ec2-metadata-token": "x"}, wantStatus: 401},
		{name: "list_forged_token", method: "GET", path: creds,
			header: map[string]string{"X-aws-ec2-metadata-token": strings.Repeat("0", imdsTokenLen)}, wantStatus: 401},
		{name: "unknown_path_no_token", method: "GET", path: "/nope", wantStatus: 401},
		{name: "creds_no_token", method: "GET", path: creds + "static", wantStatus: 401},

		{name: "list", method: "GET", path: creds, token: true, wantStatus: 200, wantBody: "static"},
		{name: "list_no_slash", method: "GET", path: creds[:len(creds)-1], token: true, wantStatus: 200, wantBody: "static"},
		{name: "list_double_slash", method: "GET", path: "/" + creds, token: true, wantStatus: 200, wantBody: "static"},
		{name: "creds", method: "GET", path: creds + "static", token: true, wantStatus: 200, golden: "imds-credentials.json"},
		{name: "creds_double_slash", method: "GET", path: "/" + creds + "static", token: true, wantStatus: 200, golden: "imds-credentials.json"},
		{name: "creds_query", method: "GET", path: creds + "static?x=1", token: true, wantStatus: 200, golden: "imds-credentials.json"},
		{name: "creds_head", method: "HEAD", path: creds + "static", token: true, wantStatus: 200},
		{name: "creds_lowercase_header", method: "GET", path: creds + "static", wantStatus: 200,
			header: map[string]string{"x-aws-ec2-metadata-token": newIMDSToken(clk.Now().Add(time.Minute))}},
		{name: "creds_wrong_role", method: "GET", path: creds + "admin", token: true, wantStatus: 404},
		{name: "creds_trailing_slash", method: "GET", path: creds + "static/", token: true, wantStatus: 404},
		{name: "creds_extra_segment", method: "GET", path: creds + "x/static", token: true, wantStatus: 404},
		{name: "extended_list", method: "GET", path: "/latest/meta-data/iam/security-credentials-extended/", token: true, wantStatus: 200, wantBody: "static"},
		{name: "extended_creds", method: "GET", path: "/latest/meta-data/iam/security-credentials-extended/static", token: true, wantStatus: 200, golden: "imds-credentials.json"},
		{name: "iam_info", method: "GET", path: "/latest/meta-data/iam/info", token: true, wantStatus: 200, golden: "imds-iam-info.json"},
		{name: "region", method: "GET", path: "/latest/meta-data/placement/region", token: true, wantStatus: 200, wantBody: "eu-west-1"},
		{name: "region_slash", method: "GET", path: "/latest/meta-data/placement/region/", token: true, wantStatus: 200, wantBody: "eu-west-1"},
		{name: "az", method: "GET", path: "/latest/meta-data/placement/availability-zone", token: true, wantStatus: 200, wantBody: "eu-west-1a"},
		{name: "az_slash", method: "GET", path: "/latest/meta-data/placement/availability-zone/", token: true, wantStatus: 200, wantBody: "eu-west-1a"},
		{name: "identity_document", method: "GET", path: "/latest/dynamic/instance-identity/document", token: true, wantStatus: 200, golden: "imds-identity-document.json"},
		{name: "unknown_path", method: "GET", path: "/latest/meta-data/", token: true, wantStatus: 404},
		{name: "root", method: "GET", path: "/", token: true, wantStatus: 404},

		{name: "post", method: "POST", path: creds, token: true, wantStatus: 405, wantHeader: map[string]string{"Allow": "GET, HEAD, PUT"}},
		{name: "delete", method: "DELETE", path: "/latest/api/token", wantStatus: 405},
		{name: "options", method: "OPTIONS", path: creds, wantStatus: 405},

		{name: "origin_refused", method: "GET", path: creds + "static", token: true, header: map[string]string{"Origin": "http://evil.example"}, wantStatus: 403},
		{name: "referer_refused", method: "PUT", path: "/latest/api/token", header: map[string]string{"Referer": "http://evil.example/", "X-aws-ec2-metadata-token-ttl-seconds": "60"}, wantStatus: 403},
		{name: "sec_fetch_refused", method: "GET", path: creds, token: true, header: map[string]string{"Sec-Fetch-Site": "cross-site"}, wantStatus: 403},
		{name: "host_rebinding_refused", method: "GET", path: creds + "static", token: true, header: map[string]string{"Host": "evil.example:1234"}, wantStatus: 403},
		{name: "host_localhost", method: "GET", path: creds, token: true, header: map[string]string{"Host": "LocalHost:1"}, wantStatus: 200},
		{name: "host_docker", method: "GET", path: creds, token: true, header: map[string]string{"Host": "host.docker.internal"}, wantStatus: 200},
		{name: "host_ipv6", method: "GET", path: creds, token: true, header: map[string]string{"Host": "[::1]:80"}, wantStatus: 200},
	}
	runSrvCases(t, m.URL(), cases, func(r *http.Request, tc srvCase) {
		if tc.token {
			r.Header.Set("X-aws-ec2-metadata-token", newIMDSToken(clk.Now().Add(time.Minute)))
		}
	})
	if n := fake.Count("GetSessionToken"); n != 1 {
		t.Errorf("GetSessionToken calls = %d, want 1", n)
	}
}

func TestIMDSTokenExpires(t *testing.T) {
	m, _, clk, _ := newTestIMDS(t, "static", IMDSOptions{})
	tok := imdsPut(t, m.URL(), "2")
	get := func() int {
		req, _ := http.NewRequest("GET", m.URL()+"latest/meta-data/iam/security-credentials/", nil)
		req.Header.Set("X-aws-ec2-metadata-token", tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := get(); s != 200 {
		t.Fatalf("fresh token: %d", s)
	}
	clk.Add(time.Second)
	if s := get(); s != 200 {
		t.Fatalf("token at 1s of 2s: %d", s)
	}
	clk.Add(time.Second)
	if s := get(); s != 401 {
		t.Fatalf("expired token: %d, want 401", s)
	}
}

func imdsPut(t *testing.T, base, ttl string) string {
	t.Helper()
	req, _ := http.NewRequest("PUT", base+"latest/api/token", nil)
	req.Header.Set("X-aws-ec2-metadata-token-ttl-seconds", ttl)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("PUT token: %d %s", resp.StatusCode, b)
	}
	return string(b)
}

func TestIMDSv1(t *testing.T) {
	m, _, _, _ := newTestIMDS(t, "static", IMDSOptions{AllowV1: true})
	runSrvCases(t, m.URL(), []srvCase{
		{name: "list_no_token", method: "GET", path: "/latest/meta-data/iam/security-credentials/", wantStatus: 200, wantBody: "static"},
		{name: "creds_no_token", method: "GET", path: "/latest/meta-data/iam/security-credentials/static", wantStatus: 200, golden: "imds-credentials.json"},
		{name: "bad_token_still_401", method: "GET", path: "/latest/meta-data/iam/security-credentials/",
			header: map[string]string{"X-aws-ec2-metadata-token": "bad"}, wantStatus: 401},
	}, nil)
}

func TestIMDSNoRegion(t *testing.T) {
	m, _, _, _ := newTestIMDS(t, "noregion", IMDSOptions{AllowV1: true})
	runSrvCases(t, m.URL(), []srvCase{
		{name: "region", method: "GET", path: "/latest/meta-data/placement/region", wantStatus: 404},
		{name: "az", method: "GET", path: "/latest/meta-data/placement/availability-zone/", wantStatus: 404},
		{name: "document", method: "GET", path: "/latest/dynamic/instance-identity/document", wantStatus: 404},
		{name: "creds_still_served", method: "GET", path: "/latest/meta-data/iam/security-credentials/noregion", wantStatus: 200},
	}, nil)
}

func TestIMDSRoleProfile(t *testing.T) {
	m, _, _, _ := newTestIMDS(t, "role", IMDSOptions{AllowV1: true})
	runSrvCases(t, m.URL(), []srvCase{
		{name: "list", method: "GET", path: "/latest/meta-data/iam/security-credentials/", wantStatus: 200, wantBody: "Deploy"},
		{name: "profile_name_is_not_the_role", method: "GET", path: "/latest/meta-data/iam/security-credentials/role", wantStatus: 404},
		{name: "extended_creds", method: "GET", path: "/latest/meta-data/iam/security-credentials-extended/Deploy", wantStatus: 200, golden: "imds-extended-role.json"},
		{name: "iam_info", method: "GET", path: "/latest/meta-data/iam/info", wantStatus: 200, golden: "imds-iam-info-role.json"},
	}, nil)
}

func TestIMDSUnavailable(t *testing.T) {
	m, fake, _, _ := newTestIMDS(t, "static", IMDSOptions{AllowV1: true})
	fake.Fail("AccessDenied")
	runSrvCases(t, m.URL(), []srvCase{
		{name: "creds_503", method: "GET", path: "/latest/meta-data/iam/security-credentials/static", wantStatus: 503,
			wantBody: "503 - Service Unavailable: profile \"static\": cannot get credentials\n"},
	}, nil)
}

func TestIMDSSetSource(t *testing.T) {
	m, _, _, env := newTestIMDS(t, "static", IMDSOptions{AllowV1: true})
	other, err := engine.NewSource(context.Background(), engine.SourceOptions{Env: env, Profile: "role"})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	m.SetSource(other)
	if m.Source() != other {
		t.Fatal("Source() is not the new source")
	}
	runSrvCases(t, m.URL(), []srvCase{
		{name: "new_role", method: "GET", path: "/latest/meta-data/iam/security-credentials/", wantStatus: 200, wantBody: "Deploy"},
		{name: "old_role_gone", method: "GET", path: "/latest/meta-data/iam/security-credentials/static", wantStatus: 404},
		{name: "new_region", method: "GET", path: "/latest/meta-data/placement/region", wantStatus: 200, wantBody: "eu-central-1"},
	}, nil)
}

// TestIMDSGoSDK: the AWS SDK for Go v2's default chain gets credentials
// from the server, many times, for one GetSessionToken.
func TestIMDSGoSDK(t *testing.T) {
	fake, _, env := srvEnv(t)
	env.Clock = nil       // the SDK checks expiry against the real clock
	fake.SetNow(time.Now) // the SDK checks expiry against the real clock
	src := newTestSource(t, engine.SourceOptions{Env: env, Profile: "static"})
	m, err := NewIMDS(context.Background(), src, IMDSOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	t.Setenv("AWS_EC2_METADATA_DISABLED", "false")
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", m.URL())
	ctx := context.Background()
	want, err := src.Credentials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		cfg, err := config.LoadDefaultConfig(ctx, config.WithEC2IMDSRegion())
		if err != nil {
			t.Fatal(err)
		}
		got, err := cfg.Credentials.Retrieve(ctx)
		if err != nil {
			t.Fatalf("fetch %d: %v", i, err)
		}
		if got.AccessKeyID != want.AccessKeyID || got.SecretAccessKey != want.SecretAccessKey || got.SessionToken != want.SessionToken {
			t.Fatalf("fetch %d: key %s, want %s", i, engine.MaskKey(got.AccessKeyID), engine.MaskKey(want.AccessKeyID))
		}
		if got.Source != "EC2RoleProvider" || !got.CanExpire {
			t.Errorf("source %q, can expire %v", got.Source, got.CanExpire)
		}
		if cfg.Region != "eu-west-1" {
			t.Errorf("region from IMDS = %q, want eu-west-1", cfg.Region)
		}
	}
	if n := fake.Count("GetSessionToken"); n != 1 {
		t.Errorf("GetSessionToken calls = %d, want 1 for 10 SDK fetches", n)
	}
}

// FuzzIMDSHandler: any method, path and header: no panic, never an empty
// reply, never a secret outside a 200.
func FuzzIMDSHandler(f *testing.F) {
	m, _, clk, _ := newTestIMDS(f, "static", IMDSOptions{})
	tok := newIMDSToken(clk.Now().Add(time.Hour))
	f.Add("GET", "/latest/meta-data/iam/security-credentials/static", "X-Aws-Ec2-Metadata-Token", "", true)
	f.Add("PUT", "/latest/api/token", "X-Aws-Ec2-Metadata-Token-Ttl-Seconds", "21600", false)
	f.Add("PUT", "//latest/api/token", "X-Forwarded-For", "1.2.3.4", false)
	f.Add("HEAD", "//latest//meta-data", "Origin", "x", true)
	f.Add("BREW", "\x00/%zz", "Host", "evil", false)
	f.Add("GET", "/latest/meta-data/iam/security-credentials/", "X-Aws-Ec2-Metadata-Token", "deadbeef", false)
	f.Fuzz(func(t *testing.T, method, path, hk, hv string, withToken bool) {
		r := &http.Request{Method: method, URL: &url.URL{Path: path}, Header: http.Header{},
			Host: "127.0.0.1", RemoteAddr: "127.0.0.1:9", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}
		r = r.WithContext(context.Background())
		if hk != "" {
			if strings.EqualFold(hk, "Host") {
				r.Host = hv
			} else {
				r.Header[http.CanonicalHeaderKey(hk)] = []string{hv}
			}
		}
		if withToken {
			r.Header.Set("X-Aws-Ec2-Metadata-Token", tok)
		}
		w := httptest.NewRecorder()
		m.srv.ServeHTTP(w, r)
		checkFuzzReply(t, w)
	})
}

func checkFuzzReply(t *testing.T, w *httptest.ResponseRecorder) {
	t.Helper()
	if w.Code < 200 || w.Code > 599 {
		t.Fatalf("status %d", w.Code)
	}
	if w.Body.Len() == 0 {
		t.Fatalf("empty reply, status %d", w.Code)
	}
	if w.Code != http.StatusOK {
		for _, s := range srvSecrets {
			if strings.Contains(w.Body.String(), s) {
				t.Fatalf("status %d body carries a secret: %q", w.Code, w.Body)
			}
		}
	}
}

// discardWriter is the cheapest ResponseWriter, so benchmarks measure
// the handler.
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(int)             {}

func BenchmarkIMDSCredentials(b *testing.B) {
	m, _, clk, _ := newTestIMDS(b, "static", IMDSOptions{})
	r := httptest.NewRequest("GET", "/latest/meta-data/iam/security-credentials/static", nil)
	r.Host = "127.0.0.1:1234"
	r.Header.Set("X-Aws-Ec2-Metadata-Token", newIMDSToken(clk.Now().Add(time.Hour)))
	w := &discardWriter{h: http.Header{}}
	m.srv.ServeHTTP(w, r) // first fetch
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		m.srv.ServeHTTP(w, r)
	}
}

func BenchmarkIMDSTokenCheck(b *testing.B) {
	now := time.Now()
	tok := newIMDSToken(now.Add(time.Hour))
	b.ReportAllocs()
	for b.Loop() {
		if !validIMDSToken(tok, now) {
			b.Fatal("invalid")
		}
	}
}

// BenchmarkIMDSLoopback and BenchmarkBareLoopback compare the IMDS
// credentials path over real HTTP with a bare net/http handler writing a
// body of the same size: the target is ≥ 70% of the bare req/s.
func BenchmarkIMDSLoopback(b *testing.B) {
	m, _, clk, _ := newTestIMDS(b, "static", IMDSOptions{})
	tok := newIMDSToken(clk.Now().Add(time.Hour))
	benchLoopback(b, m.URL()+"latest/meta-data/iam/security-credentials/static", tok)
}

func BenchmarkBareLoopback(b *testing.B) {
	body := []byte(strings.Repeat("x", 300))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write(body)
	})}
	go srv.Serve(ln)
	defer srv.Close()
	benchLoopback(b, "http://"+ln.Addr().String()+"/", "")
}

func benchLoopback(b *testing.B, u, tok string) {
	tr := &http.Transport{MaxIdleConnsPerHost: 256}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		req, _ := http.NewRequest("GET", u, nil)
		if tok != "" {
			req.Header.Set("X-aws-ec2-metadata-token", tok)
		}
		for pb.Next() {
			resp, err := c.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
}

// TestIssue10TokenSubSecond: a token keeps its expiry to the
// nanosecond. One with a TTL of 1 s asked for at .999 of a second is
// good a few milliseconds later (it was refused once the second turned,
// its expiry having been cut to whole seconds) and refused from the
// moment its second is up, through the server's own clock.
func TestIssue10TokenSubSecond(t *testing.T) {
	m, _, clk, _ := newTestIMDS(t, "static", IMDSOptions{})
	clk.Add(999 * time.Millisecond) // 10:00:00.999
	put := httptest.NewRequest("PUT", "/latest/api/token", nil)
	put.Host = "127.0.0.1"
	put.Header.Set("X-Aws-Ec2-Metadata-Token-Ttl-Seconds", "1")
	w := httptest.NewRecorder()
	m.srv.ServeHTTP(w, put)
	if w.Code != 200 {
		t.Fatalf("PUT token: %d %s", w.Code, w.Body)
	}
	tok := w.Body.String()
	get := func() int {
		r := httptest.NewRequest("GET", "/latest/meta-data/iam/security-credentials/", nil)
		r.Host = "127.0.0.1"
		r.Header.Set("X-Aws-Ec2-Metadata-Token", tok)
		w := httptest.NewRecorder()
		m.srv.ServeHTTP(w, r)
		return w.Code
	}
	for _, step := range []struct {
		after time.Duration // since the PUT
		want  int
	}{
		{5 * time.Millisecond, 200},   // 10:00:01.004: the second turned
		{994 * time.Millisecond, 200}, // 10:00:01.993
		{time.Second, 401},            // 10:00:01.999: expired
	} {
		clk.mu.Lock()
		clk.t = time.Date(2026, 11, 26, 10, 0, 0, 999_000_000, time.UTC).Add(step.after)
		clk.mu.Unlock()
		if got := get(); got != step.want {
			t.Errorf("%v after the PUT (%s): status %d, want %d", step.after, clk.Now().Format("15:04:05.000"), got, step.want)
		}
	}
	// And the check itself, to the nanosecond.
	exp := time.Date(2026, 11, 26, 10, 0, 1, 999_999_999, time.UTC)
	tok = newIMDSToken(exp)
	if !validIMDSToken(tok, exp.Add(-time.Nanosecond)) || validIMDSToken(tok, exp) {
		t.Errorf("token for %v: valid 1 ns before %v, at it %v; want true, false",
			exp, validIMDSToken(tok, exp.Add(-time.Nanosecond)), validIMDSToken(tok, exp))
	}
}
