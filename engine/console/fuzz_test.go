package console

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/awsxc/awsxc/engine"
)

// Fuzz tests for the answers and settings the console link is made of
// (review 1, L5).

// answer is an http.Client whose every request gets status and body,
// without a network.
func answer(status int, body []byte) *http.Client {
	return &http.Client{Transport: roundTrip(func(*http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: status, Body: io.NopCloser(strings.NewReader(string(body))), Header: http.Header{}}, nil
	})}
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// FuzzSigninTokenAnswer: whatever the federation endpoint answers,
// getSigninToken never panics, returns a token only from a 200 with a
// SigninToken, and never quotes the answer in its error.
func FuzzSigninTokenAnswer(f *testing.F) {
	for _, s := range []string{`{"SigninToken":"tok"}`, `{"SigninToken":""}`, `{}`, `not json`, `{"SigninToken":1}`, ``} {
		f.Add(200, []byte(s))
	}
	f.Add(400, []byte(`<html>bad request SECRETBODY</html>`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 100 || status > 999 {
			return
		}
		for _, partition := range []string{"aws", "aws-us-gov"} {
			tok, err := getSigninToken(context.Background(), httpClient(answer(status, body)), signinRequest{
				endpoint: "https://signin.example/federation", partition: partition,
				creds: engine.Credentials{AccessKeyID: "ASIAX", SecretAccessKey: "s", SessionToken: "t"}})
			if err == nil && (status != 200 || tok == "") {
				t.Fatalf("status %d: token %q with no error", status, tok)
			}
			if err != nil && len(body) >= 8 && strings.Contains(err.Error(), string(body)) {
				t.Fatalf("the error quotes the answer: %v", err)
			}
		}
	})
}

// FuzzPortalBase: a start URL that passes is an https URL with a host,
// no user, query, fragment or trailing slash, and passes again as it is.
func FuzzPortalBase(f *testing.F) {
	for _, s := range []string{"https://d-1234567890.awsapps.com/start/#/", "https://x.awsapps.com/start?a=b", "http://x", "https://user@x/", " https://x/start ", "https://x/a b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, start string) {
		base, err := portalBase(start)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("error on more than one line: %q", err)
			}
			return
		}
		u, perr := url.Parse(base)
		if perr != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" ||
			strings.HasSuffix(base, "/") || strings.ContainsAny(base, "#? \t\r\n\\") {
			t.Fatalf("portalBase(%q) = %q", start, base)
		}
		if again, err := portalBase(base); err != nil || again != base {
			t.Fatalf("portalBase(%q) = %q, %v; want it unchanged", base, again, err)
		}
	})
}

// FuzzForeignEndpoint: the host warned of is the endpoint's own, and an
// endpoint CheckEndpoint refuses is never warned of (it is not used).
func FuzzForeignEndpoint(f *testing.F) {
	for _, s := range []string{"https://signin.aws.amazon.com/federation", "https://evil.example/f", "http://127.0.0.1:1/f", "https://x.signin.amazonaws.cn/f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, endpoint string) {
		host := ForeignEndpoint(endpoint)
		if host == "" {
			return
		}
		if CheckEndpoint(endpoint) != nil {
			t.Fatalf("warned of %q, an endpoint that is refused", endpoint)
		}
		if u, _ := url.Parse(endpoint); u == nil || u.Hostname() != host {
			t.Fatalf("ForeignEndpoint(%q) = %q, not its host", endpoint, host)
		}
	})
}
