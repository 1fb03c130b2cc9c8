package server

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/awsxc/awsxc/engine"
)

// TestNoRequestWaitsOnAHuman is issue 10 item 30: while an MFA code is
// being asked for (a refresh started by hand), a credentials request to
// either server is answered at once with 503, which SDKs retry, instead
// of waiting for the human (up to requestWait, then 503 all the same); a
// request after the code was given gets the credentials.
func TestNoRequestWaitsOnAHuman(t *testing.T) {
	_, _, env := srvEnv(t)
	asked := make(chan struct{})
	code := make(chan string)
	src := newTestSource(t, engine.SourceOptions{Env: env, Profile: "mfa",
		MFA: func() (string, error) { close(asked); return <-code, nil }})
	ctx := context.Background()
	imds, err := NewIMDS(ctx, src, IMDSOptions{Options: Options{Addr: "127.0.0.1:0"}, AllowV1: true})
	if err != nil {
		t.Fatal(err)
	}
	defer imds.Close()
	ecs, err := NewECS(ctx, src, ECSOptions{Options: Options{Addr: "127.0.0.1:0"}, Token: "a-token-of-sixteen-chars"})
	if err != nil {
		t.Fatal(err)
	}
	defer ecs.Close()

	done := make(chan error, 1)
	go func() { done <- src.Refresh(ctx) }()
	<-asked

	get := func(url, auth string) (int, string, time.Duration) {
		t.Helper()
		req, _ := http.NewRequest("GET", url, nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		start := time.Now()
		resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), time.Since(start)
	}
	imdsCreds := imds.URL() + "latest/meta-data/iam/security-credentials/mfa"
	for _, tc := range []struct{ name, url, auth string }{
		{"imds", imdsCreds, ""},
		{"ecs", ecs.URL(), "a-token-of-sixteen-chars"},
	} {
		status, body, took := get(tc.url, tc.auth)
		if status != http.StatusServiceUnavailable || !strings.Contains(body, "MFA code needed") {
			t.Errorf("%s while the code is asked for: %d %q; want 503 saying an MFA code is needed", tc.name, status, body)
		}
		// Generous: well under the 10 s a request used to wait.
		if took > 5*time.Second {
			t.Errorf("%s: answered after %v", tc.name, took)
		}
	}
	code <- "123456"
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if status, body, _ := get(imdsCreds, ""); status != http.StatusOK || !strings.Contains(body, `"AccessKeyId"`) {
		t.Errorf("after the code: %d %q; want the credentials", status, body)
	}
}
