package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/engine/activity"
	"github.com/google/go-cmp/cmp"
)

// Tokens of the consumer tests: 16 characters at least.
const (
	devToken  = "dev-token-0123456789abcdef"
	prodToken = "prod-token-0123456789abcdef"
)

// get sends GET path to base with tok (none when empty) and returns the
// status, the body and the Content-Type.
func fetchAuth(t testing.TB, base, path, tok string, hdr ...string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, strings.TrimSuffix(base, "/")+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", tok)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "Host" {
			req.Host = hdr[i+1]
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), resp.Header.Get("Content-Type")
}

func keyOf(t testing.TB, body string) string {
	t.Helper()
	var doc struct{ AccessKeyId string }
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return doc.AccessKeyId
}

func newLog(t testing.TB) *activity.Log {
	t.Helper()
	l, err := activity.New(activity.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// pinnedECS is an ECS listener without a default source whose
// consumers "dev" and "prod" read profiles static and other.
func pinnedECS(t testing.TB, log *activity.Log) (*ECS, map[string]*engine.Source) {
	t.Helper()
	_, _, env := srvEnv(t)
	srcs := map[string]*engine.Source{}
	for _, p := range []string{"static", "other", "role"} {
		srcs[p] = newTestSource(t, engine.SourceOptions{Env: env, Profile: p})
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	opts := ECSOptions{Options: Options{Name: "ecs-test"}, Consumers: []Consumer{
		{Name: "dev", Token: devToken, Source: srcs["static"]},
		{Name: "prod", Token: prodToken, Source: srcs["other"]},
	}}
	if log != nil {
		opts.Activity = log
	}
	e, err := NewECS(ctx, nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e, srcs
}

// TestConsumersPinned: each consumer's token reads its own profile on
// every path, and never another's.
func TestConsumersPinned(t *testing.T) {
	e, srcs := pinnedECS(t, nil)
	if e.Token() != "" || e.Source() != nil {
		t.Fatalf("a consumers-only server has token %q, source %v", e.Token(), e.Source())
	}
	ctx := context.Background()
	want := map[string]string{}
	for p, src := range srcs {
		c, err := src.Credentials(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want[p] = c.AccessKeyID
	}
	for _, tc := range []struct {
		name, path, tok string
		status          int
		key             string
	}{
		{"dev_root", "/", devToken, 200, want["static"]},
		{"dev_creds", "/creds", devToken, 200, want["static"]},
		{"dev_eks", "/v1/credentials", devToken, 200, want["static"]},
		{"dev_own_profile", "/profiles/static", devToken, 200, want["static"]},
		{"prod_root", "/", prodToken, 200, want["other"]},
		{"prod_eks", "/v1/credentials", prodToken, 200, want["other"]},
		{"dev_reads_prod", "/profiles/other", devToken, 403, ""},
		{"prod_reads_dev", "/profiles/static", prodToken, 403, ""},
		{"dev_reads_unserved", "/profiles/role", devToken, 403, ""},
		{"no_token", "/", "", 401, ""},
		{"unknown_token", "/", "x" + devToken, 403, ""},
		{"prefix_of_token", "/", devToken[:20], 403, ""},
		{"too_long_token", "/", strings.Repeat("a", 300), 403, ""},
		{"eks_no_token", "/v1/credentials", "", 400, ""},
		{"eks_unknown_token", "/v1/credentials", "nope-nope-nope-nope", 403, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body, _ := fetchAuth(t, e.URL(), tc.path, tc.tok)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, body)
			}
			if tc.key != "" {
				if got := keyOf(t, body); got != tc.key {
					t.Errorf("key %s, want %s", got, tc.key)
				}
			}
			if status != 200 {
				for _, s := range append(srvSecrets, devToken, prodToken) {
					if strings.Contains(body, s) {
						t.Errorf("error body carries a secret: %s", body)
					}
				}
			}
		})
	}
}

// TestEKSShape: /v1/credentials answers as the EKS Pod Identity agent:
// compact JSON in its field order with AccountId, errors as plain text.
func TestEKSShape(t *testing.T) {
	e, srcs := pinnedECS(t, nil)
	if _, err := e.AddConsumer(Consumer{Name: "deploy", Token: "deploy-token-0123456789", Source: srcs["role"]}); err != nil {
		t.Fatal(err)
	}
	status, body, ctype := fetchAuth(t, e.URL(), "/v1/credentials", "deploy-token-0123456789", "Host", "169.254.170.23")
	if status != 200 || ctype != "application/json" {
		t.Fatalf("status %d, type %s: %s", status, ctype, body)
	}
	shape := regexp.MustCompile(`^\{"AccessKeyId":"ASIA[A-Z0-9]+","SecretAccessKey":"[^"]+","Token":"[^"]+","AccountId":"210987654321","Expiration":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"\}$`)
	if !shape.MatchString(body) {
		t.Errorf("body is not the agent's shape: %s", body)
	}
	for _, host := range []string{"169.254.170.23", "[fd00:ec2::23]:80", "169.254.170.2", "host.k3d.internal:9", "host.minikube.internal"} {
		if status, body, _ := fetchAuth(t, e.URL(), "/v1/credentials", "deploy-token-0123456789", "Host", host); status != 200 {
			t.Errorf("Host %s: %d %s", host, status, body)
		}
	}
	status, body, ctype = fetchAuth(t, e.URL(), "/v1/credentials", "")
	if status != 400 || ctype != "text/plain; charset=utf-8" || body != "Service account token cannot be empty\n" {
		t.Errorf("no token: %d %s %q", status, ctype, body)
	}
	status, body, ctype = fetchAuth(t, e.URL(), "/v1/credentials", "wrong-wrong-wrong-wrong")
	if status != 403 || ctype != "text/plain; charset=utf-8" || !strings.HasSuffix(body, "\n") {
		t.Errorf("wrong token: %d %s %q", status, ctype, body)
	}
}

// TestRevokeConsumer: a revoked consumer's next fetch fails at once, so
// does one waiting for credentials when it is revoked, and both failures
// are recorded under its name.
func TestRevokeConsumer(t *testing.T) {
	log := newLog(t)
	fake, _, env := srvEnv(t)
	dev := newTestSource(t, engine.SourceOptions{Env: env, Profile: "static"})
	slow := newTestSource(t, engine.SourceOptions{Env: env, Profile: "other"})
	ctx := context.Background()
	e, err := NewECS(ctx, nil, ECSOptions{Options: Options{Name: "ecs", Activity: log}, Consumers: []Consumer{
		{Name: "dev", Token: devToken, Source: dev},
		{Name: "slow", Token: prodToken, Source: slow},
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if status, body, _ := fetchAuth(t, e.URL(), "/", devToken); status != 200 {
		t.Fatalf("before revoking: %d %s", status, body)
	}
	if !e.Revoke("dev") || e.Revoke("dev") {
		t.Fatal("Revoke did not report the consumer once")
	}
	if status, _, _ := fetchAuth(t, e.URL(), "/", devToken); status != 403 {
		t.Errorf("after revoking: %d", status)
	}

	// In flight: slow has no credentials yet and STS takes a while.
	fake.SetDelay(time.Second)
	done := make(chan int)
	go func() {
		status, _, _ := fetchAuth(t, e.URL(), "/v1/credentials", prodToken)
		done <- status
	}()
	waitUntil(t, "the fetch to start", func() bool { return slow.Status().Refreshing })
	e.Revoke("slow")
	if status := <-done; status != 403 {
		t.Errorf("in-flight fetch after revoking: %d", status)
	}

	var got []string
	for _, r := range log.Recent() {
		got = append(got, r.Consumer+" "+string(r.Outcome)+" "+r.Path)
	}
	want := []string{"dev served /", "dev revoked /", "slow revoked /v1/credentials"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	if c := e.Consumers(); len(c) != 0 {
		t.Errorf("consumers left: %v", c)
	}
	// AddConsumer replaces one of the same name: the old token stops.
	if _, err := e.AddConsumer(Consumer{Name: "dev2", Token: "first-token-0123456789", Source: dev}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.AddConsumer(Consumer{Name: "dev2", Token: "second-token-0123456789", Source: dev}); err != nil {
		t.Fatal(err)
	}
	if s1, _, _ := fetchAuth(t, e.URL(), "/", "first-token-0123456789"); s1 != 403 {
		t.Errorf("replaced token: %d", s1)
	}
	if s2, _, _ := fetchAuth(t, e.URL(), "/", "second-token-0123456789"); s2 != 200 {
		t.Errorf("replacing token: %d", s2)
	}
	e.Revoke("dev2")
	// Given again, the token works again.
	if _, err := e.AddConsumer(Consumer{Name: "dev", Token: devToken, Source: dev}); err != nil {
		t.Fatal(err)
	}
	if status, _, _ := fetchAuth(t, e.URL(), "/", devToken); status != 200 {
		t.Errorf("re-added: %d", status)
	}
}

// TestSetConsumers: replacing the set keeps unchanged consumers, revokes
// the ones left out, generates missing tokens and keeps them, and
// rejects bad sets whole.
func TestSetConsumers(t *testing.T) {
	e, srcs := pinnedECS(t, nil)
	got, err := e.SetConsumers([]Consumer{
		{Name: "dev", Source: srcs["static"]}, // token kept
		{Name: "new", Source: srcs["role"]},   // token generated
	})
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Token != devToken || len(got[1].Token) < 43 {
		t.Fatalf("tokens %q %q", got[0].Token, got[1].Token)
	}
	if status, _, _ := fetchAuth(t, e.URL(), "/", prodToken); status != 403 {
		t.Errorf("left-out consumer: %d", status)
	}
	if status, _, _ := fetchAuth(t, e.URL(), "/", got[1].Token); status != 200 {
		t.Errorf("new consumer: %d", status)
	}
	again, _ := e.SetConsumers([]Consumer{{Name: "new", Source: srcs["role"]}, {Name: "dev", Source: srcs["static"]}})
	if again[0].Token != got[1].Token {
		t.Errorf("generated token not kept: %q, then %q", got[1].Token, again[0].Token)
	}
	for _, tc := range []struct {
		name string
		list []Consumer
	}{
		{"short_token", []Consumer{{Name: "a", Token: "short", Source: srcs["static"]}}},
		{"space_in_token", []Consumer{{Name: "a", Token: "0123456789 abcdef", Source: srcs["static"]}}},
		{"bad_name", []Consumer{{Name: "a/b", Source: srcs["static"]}}},
		{"dot_name", []Consumer{{Name: ".a", Source: srcs["static"]}}},
		{"no_source", []Consumer{{Name: "a"}}},
		{"same_name", []Consumer{{Name: "a", Source: srcs["static"]}, {Name: "a", Source: srcs["role"]}}},
		{"same_token", []Consumer{{Name: "a", Token: devToken, Source: srcs["static"]}, {Name: "b", Token: devToken, Source: srcs["role"]}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := e.SetConsumers(tc.list); err == nil {
				t.Error("accepted")
			}
		})
	}
	if status, _, _ := fetchAuth(t, e.URL(), "/", devToken); status != 200 {
		t.Errorf("a rejected set changed the consumers: %d", status)
	}
}

// TestActivityRecords: every credentials request is recorded with the
// User-Agent the Go SDK sent, the consumer, the profile and the masked
// key; no record holds a token or a whole key id.
func TestActivityRecords(t *testing.T) {
	fake, _, env := srvEnv(t)
	env.Clock = nil // the SDK checks expiry against the real clock
	fake.SetNow(time.Now)
	log := newLog(t)
	sub := log.Subscribe(16)
	ctx := context.Background()
	src := newTestSource(t, engine.SourceOptions{Env: env, Profile: "static"})
	g := NewGroup(ctx)
	defer g.Close()
	states := g.Apply([]Want{{Name: "api-ecs", ECS: &ECSOptions{Options: Options{Activity: log},
		Consumers: []Consumer{{Name: "api", Source: src}}}}})
	st := states[0]
	if st.Err != nil || len(st.Consumers) != 1 {
		t.Fatalf("state %+v", st)
	}
	tokenFile := filepath.Join(t.TempDir(), "api.token")
	if err := WriteTokenFile(tokenFile, st.Consumers[0].Token); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", st.URL+"v1/credentials")
	t.Setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", tokenFile)
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r := <-sub.C()
	if r.Server != "api-ecs" || r.Kind != "ecs" || r.Consumer != "api" || r.Profile != "static" || r.Status != 200 ||
		r.Outcome != activity.Served || r.Path != "/v1/credentials" || r.Key != engine.MaskKey(creds.AccessKeyID) {
		t.Errorf("record %+v", r)
	}
	// The Go SDK's container provider sends Go's own User-Agent.
	if r.UserAgent != "Go-http-client/1.1" || !strings.HasPrefix(r.Client, "127.0.0.1:") || r.Time.IsZero() {
		t.Errorf("record user agent %q, client %q, time %v", r.UserAgent, r.Client, r.Time)
	}
	line := string(r.AppendJSON(nil)) + r.String()
	if strings.Contains(line, st.Consumers[0].Token) || strings.Contains(line, creds.AccessKeyID) || strings.Contains(line, creds.SecretAccessKey) {
		t.Errorf("a secret in the record: %s", line)
	}
	fetchAuth(t, st.URL, "/", "not-a-token-at-all")
	if r := <-sub.C(); r.Outcome != activity.BadToken || r.Consumer != "" || r.Status != 403 {
		t.Errorf("bad token record %+v", r)
	}

	// IMDS: the SDK's IMDS client sends its own User-Agent.
	st = g.Apply([]Want{{Name: "imds-dev", Source: src, IMDS: &IMDSOptions{Options: Options{Activity: log}}}})[0]
	t.Setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "")
	t.Setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "")
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", st.URL)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "")
	cfg, err = config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		t.Fatal(err)
	}
	r = <-sub.C()
	if r.Server != "imds-dev" || r.Kind != "imds" || r.Profile != "static" || r.Outcome != activity.Served ||
		!strings.HasPrefix(r.UserAgent, "aws-sdk-go-v2/") {
		t.Errorf("IMDS record %+v", r)
	}
}

// TestGoSDKConsumerTokenFile: the Go SDK's default chain reads a
// consumer's credentials through a token file on / and on
// /v1/credentials (with the account id, which the SDK keeps), re-reading
// the file on every fetch: a rewritten file switches consumers.
func TestGoSDKConsumerTokenFile(t *testing.T) {
	fake, _, env := srvEnv(t)
	env.Clock = nil
	fake.SetNow(time.Now)
	ctx := context.Background()
	dev := newTestSource(t, engine.SourceOptions{Env: env, Profile: "role"})
	prod := newTestSource(t, engine.SourceOptions{Env: env, Profile: "other"})
	e, err := NewECS(ctx, nil, ECSOptions{Consumers: []Consumer{
		{Name: "dev", Token: devToken, Source: dev}, {Name: "prod", Token: prodToken, Source: prod}}})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	wantDev, _ := dev.Credentials(ctx)
	wantProd, _ := prod.Credentials(ctx)
	file := filepath.Join(t.TempDir(), "token")
	for _, path := range []string{"", "v1/credentials"} {
		t.Run("path_"+strings.ReplaceAll(path, "/", "_"), func(t *testing.T) {
			t.Setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", e.URL()+path)
			t.Setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", file)
			for _, step := range []struct {
				tok  string
				want aws.Credentials
			}{{devToken, aws.Credentials{AccessKeyID: wantDev.AccessKeyID, AccountID: "210987654321"}},
				{prodToken, aws.Credentials{AccessKeyID: wantProd.AccessKeyID}}} {
				if err := WriteTokenFile(file, step.tok); err != nil {
					t.Fatal(err)
				}
				cfg, err := config.LoadDefaultConfig(ctx)
				if err != nil {
					t.Fatal(err)
				}
				// One provider, two fetches: the file is read each time.
				for range 2 {
					got, err := cfg.Credentials.Retrieve(ctx)
					if err != nil {
						t.Fatal(err)
					}
					if got.AccessKeyID != step.want.AccessKeyID || got.AccountID != step.want.AccountID {
						t.Errorf("key %s account %q, want %s %q", got.AccessKeyID, got.AccountID, step.want.AccessKeyID, step.want.AccountID)
					}
				}
			}
		})
	}
}

// TestGroupPinnedIMDS: two IMDS servers of one group serve two profiles
// side by side, each its own; swapping one leaves the other alone.
func TestGroupPinnedIMDS(t *testing.T) {
	_, _, env := srvEnv(t)
	ctx := context.Background()
	static := newTestSource(t, engine.SourceOptions{Env: env, Profile: "static"})
	other := newTestSource(t, engine.SourceOptions{Env: env, Profile: "other"})
	role := newTestSource(t, engine.SourceOptions{Env: env, Profile: "role"})
	log := newLog(t)
	g := NewGroup(ctx)
	defer g.Close()
	want := []Want{
		{Name: "imds-dev", Source: static, IMDS: &IMDSOptions{Options: Options{Activity: log}}},
		{Name: "imds-prod", Source: other, IMDS: &IMDSOptions{Options: Options{Activity: log}}, Follow: true},
	}
	states := g.Apply(want)
	keys := func() []string {
		var out []string
		for _, st := range states {
			if st.Err != nil {
				t.Fatal(st.Err)
			}
			out = append(out, imdsFetchKey(t, st.URL))
		}
		return out
	}
	k := keys()
	cs, _ := static.Credentials(ctx)
	co, _ := other.Credentials(ctx)
	if diff := cmp.Diff([]string{cs.AccessKeyID, co.AccessKeyID}, k); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if !states[1].Follow || states[0].Follow {
		t.Errorf("Follow not reported: %v %v", states[0].Follow, states[1].Follow)
	}
	want[1].Source = role // the active profile changed: only the follower moves
	states = g.Apply(want)
	cr, _ := role.Credentials(ctx)
	if diff := cmp.Diff([]string{cs.AccessKeyID, cr.AccessKeyID}, keys()); diff != "" {
		t.Errorf("after the swap (-want +got):\n%s", diff)
	}
	var got []string
	for _, r := range log.Recent() {
		got = append(got, r.Server+" "+r.Profile)
	}
	if diff := cmp.Diff([]string{"imds-dev static", "imds-prod other", "imds-dev static", "imds-prod role"}, got); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
}

// imdsFetchKey fetches the credentials' key id from an IMDS server as an SDK
// does (IMDSv2).
func imdsFetchKey(t testing.TB, base string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, base+"latest/api/token", nil)
	req.Header.Set(imdsTTLHeader, "60")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fetch := func(path string) string {
		req, _ := http.NewRequest(http.MethodGet, base+strings.TrimPrefix(path, "/"), nil)
		req.Header.Set(imdsTokenHeader, string(tok))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, b)
		}
		return string(b)
	}
	role := fetch(imdsCredsDir)
	return keyOf(t, fetch(imdsCredsDir+role))
}

// TestGroupConsumers: Apply swaps an ECS listener's consumers without a
// restart; one left out is revoked.
func TestGroupConsumers(t *testing.T) {
	_, _, env := srvEnv(t)
	static := newTestSource(t, engine.SourceOptions{Env: env, Profile: "static"})
	g := newTestGroup(t)
	w := Want{Name: "ecs", ECS: &ECSOptions{Consumers: []Consumer{{Name: "a", Token: devToken, Source: static}}}}
	st := mustRun(t, g.Apply([]Want{w})[0], true)
	if status, _, _ := fetchAuth(t, st.URL, "/", devToken); status != 200 {
		t.Fatalf("a: %d", status)
	}
	w.ECS = &ECSOptions{Consumers: []Consumer{{Name: "b", Token: prodToken, Source: static}}}
	st2 := mustRun(t, g.Apply([]Want{w})[0], false)
	if st2.ECS != st.ECS {
		t.Fatal("changing consumers restarted the server")
	}
	if status, _, _ := fetchAuth(t, st.URL, "/", devToken); status != 403 {
		t.Errorf("a after it was left out: %d", status)
	}
	if status, _, _ := fetchAuth(t, st.URL, "/", prodToken); status != 200 {
		t.Errorf("b: %d", status)
	}
	w.ECS = &ECSOptions{Consumers: []Consumer{{Name: "b", Token: "bad"}}}
	if st3 := g.Apply([]Want{w})[0]; st3.Err == nil {
		t.Error("a bad consumer accepted")
	}
	// A server with a token of its own but no source is refused.
	if st4 := g.Apply([]Want{{Name: "x", ECS: &ECSOptions{Token: devToken}}})[0]; st4.Err == nil {
		t.Error("ECS with a token but no source accepted")
	}
}

// TestExtraAddrs: one server listens on two addresses at one port, with
// both addresses allowed as Host.
func TestExtraAddrs(t *testing.T) {
	_, _, env := srvEnv(t)
	src := newTestSource(t, engine.SourceOptions{Env: env, Profile: "static"})
	g := newTestGroup(t)
	st := mustRun(t, g.Apply([]Want{{Name: "imds", Source: src,
		IMDS: &IMDSOptions{Options: Options{Addr: "127.0.0.1:0", ExtraAddrs: []string{"127.0.0.2:0"}}}}})[0], true)
	if len(st.Addrs) != 2 || !strings.HasPrefix(st.Addrs[1], "127.0.0.2:") || !strings.HasSuffix(st.Addrs[1], ":"+strconv.Itoa(st.Port)) {
		t.Fatalf("addresses %v (port %d)", st.Addrs, st.Port)
	}
	a := imdsFetchKey(t, st.URL)
	b := imdsFetchKey(t, "http://"+st.Addrs[1]+"/")
	if a == "" || a != b {
		t.Errorf("keys %q and %q", a, b)
	}
	// Same addresses again: no restart; another: a restart.
	mustRun(t, g.Apply([]Want{{Name: "imds", Source: src,
		IMDS: &IMDSOptions{Options: Options{Addr: st.Addr, ExtraAddrs: []string{"127.0.0.2:0"}}}}})[0], false)
	mustRun(t, g.Apply([]Want{{Name: "imds", Source: src,
		IMDS: &IMDSOptions{Options: Options{Addr: st.Addr}}}})[0], true)
}

// TestConsumerSettings: a consumer's settings name its token file, never
// its token, and mount the file for a container on this machine's
// network.
func TestConsumerSettings(t *testing.T) {
	e, _ := pinnedECS(t, nil)
	st := e.Settings(SettingsOptions{Consumer: "dev", TokenFile: "/tmp/t/dev.token", EKS: true})
	want := Settings{
		Env:     []string{"AWS_CONTAINER_CREDENTIALS_FULL_URI=" + e.URL() + "v1/credentials", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=/tmp/t/dev.token"},
		Docker:  []string{"AWS_CONTAINER_CREDENTIALS_FULL_URI=" + e.URL() + "v1/credentials", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=" + TokenTarget},
		Network: "host",
		Mounts:  []string{"/tmp/t/dev.token:" + TokenTarget + ":ro"},
	}
	st.Note = ""
	if diff := cmp.Diff(want, st); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	text := e.Settings(SettingsOptions{Consumer: "dev", TokenFile: "/tmp/t/dev.token"}).String()
	if strings.Contains(text, devToken) || !strings.Contains(text, "docker run --network=host -v /tmp/t/dev.token:/run/secrets/awsxc/token:ro -e ") {
		t.Errorf("settings text:\n%s", text)
	}
	if env := e.Settings(SettingsOptions{Consumer: "dev"}).Env; env[1] != "AWS_CONTAINER_AUTHORIZATION_TOKEN="+devToken {
		t.Errorf("settings without a file: %v", env)
	}
}

// FuzzECSConsumers: any token, path and Host against a server with
// consumers: no panic, never an empty reply, never a secret outside a
// 200, and a 200 only for a consumer's token.
func FuzzECSConsumers(f *testing.F) {
	log, _ := activity.New(activity.Options{Size: 8})
	e, _ := pinnedECS(f, log)
	f.Add("/", devToken, "localhost")
	f.Add("/v1/credentials", prodToken, "169.254.170.23")
	f.Add("/profiles/other", devToken, "[fd00:ec2::23]:80")
	f.Add("/profiles/static", devToken, "host.orb.internal")
	f.Add("/v1/credentials", "", "localhost")
	f.Add("/profiles/%00", "\x00", "")
	var mu sync.Mutex // the fuzz function runs in parallel workers
	f.Fuzz(func(t *testing.T, path, tok, host string) {
		r := &http.Request{Method: "GET", URL: &url.URL{Path: path}, Header: http.Header{},
			Host: host, RemoteAddr: "127.0.0.1:9", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}
		r = r.WithContext(context.Background())
		if tok != "" {
			r.Header.Set("Authorization", tok)
		}
		w := httptest.NewRecorder()
		e.srv.ServeHTTP(w, r)
		checkFuzzReply(t, w)
		mu.Lock()
		defer mu.Unlock()
		if w.Code == 200 && tok != devToken && tok != prodToken {
			t.Fatalf("200 for token %q", tok)
		}
		if w.Code != 200 && (strings.Contains(w.Body.String(), devToken) || strings.Contains(w.Body.String(), prodToken)) {
			t.Fatalf("a token in %s", w.Body)
		}
	})
}

// TestConsumerServerToken: a consumer whose token is the server's own
// would read the default source and every profile, so it is refused by
// NewECS, SetConsumers, AddConsumer and a Group, and nothing changes
// (review 2, L3).
func TestConsumerServerToken(t *testing.T) {
	_, _, env := srvEnv(t)
	def := newTestSource(t, engine.SourceOptions{Env: env, Profile: "role"})
	src := newTestSource(t, engine.SourceOptions{Env: env, Profile: "static"})
	ctx := context.Background()
	const want = `consumer "app": its token is the server's own`
	if _, err := NewECS(ctx, def, ECSOptions{Options: Options{Addr: "127.0.0.1:0"}, Token: devToken,
		Consumers: []Consumer{{Name: "app", Token: devToken, Source: src}}}); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("NewECS: %v, want %q", err, want)
	}
	e, err := NewECS(ctx, def, ECSOptions{Options: Options{Addr: "127.0.0.1:0"}, Token: devToken,
		Consumers: []Consumer{{Name: "app", Token: prodToken, Source: src}}})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if _, err := e.SetConsumers([]Consumer{{Name: "app", Token: devToken, Source: src}}); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("SetConsumers: %v, want %q", err, want)
	}
	if _, err := e.AddConsumer(Consumer{Name: "app", Token: devToken, Source: src}); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("AddConsumer: %v, want %q", err, want)
	}
	if got := e.Consumers(); len(got) != 1 || got[0].Token != prodToken {
		t.Errorf("consumers after the refusals: %v", got)
	}
	g := newTestGroup(t)
	if st := g.Apply([]Want{{Name: "ecs", Source: def, ECS: &ECSOptions{Token: devToken,
		Consumers: []Consumer{{Name: "app", Token: devToken, Source: src}}}}})[0]; st.Err == nil || !strings.Contains(st.Err.Error(), want) {
		t.Errorf("Group: %v, want %q", st.Err, want)
	}
}
