package signin

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestCallbackHandler(t *testing.T) {
	t.Parallel()
	const host, state = "127.0.0.1:4711", "9f3b2c1e-0000-4000-8000-000000000000"
	for _, tc := range []struct {
		name, method, host, target string
		status                     int
		kind                       error // the result's kind; nil with decided for a code
		decided                    bool
	}{
		{"code", "GET", host, "/oauth/callback?code=c1&state=" + state, 200, nil, true},
		{"denied", "GET", host, "/oauth/callback?error=access_denied&state=" + state, 200, ErrDenied, true},
		{"other_error", "GET", host, "/oauth/callback?error=invalid_scope&state=" + state, 200, ErrFailed, true},
		// An error decides only with the state sent (review 2, L1).
		{"error_no_state", "GET", host, "/oauth/callback?error=access_denied", 400, nil, false},
		{"error_wrong_state", "GET", host, "/oauth/callback?error=access_denied&state=forged", 400, ErrStateMismatch, true},
		{"wrong_state", "GET", host, "/oauth/callback?code=c1&state=forged", 400, ErrStateMismatch, true},
		{"empty_state", "GET", host, "/oauth/callback?code=c1&state=", 400, ErrStateMismatch, true},
		{"no_state", "GET", host, "/oauth/callback?code=c1", 400, nil, false},
		{"no_code", "GET", host, "/oauth/callback?state=" + state, 400, nil, false},
		{"favicon", "GET", host, "/favicon.ico", 404, nil, false},
		{"other_host", "GET", "evil.example:4711", "/oauth/callback?code=c1&state=" + state, 421, nil, false},
		{"localhost_name", "GET", "localhost:4711", "/oauth/callback?code=c1&state=" + state, 421, nil, false},
		{"post", "POST", host, "/oauth/callback?code=c1&state=" + state, 405, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cb := newCallback(host, state)
			req := httptest.NewRequest(tc.method, "http://"+tc.host+tc.target, nil)
			rec := httptest.NewRecorder()
			cb.ServeHTTP(rec, req)
			if rec.Code != tc.status {
				t.Errorf("status %d, want %d", rec.Code, tc.status)
			}
			if h := rec.Header(); h.Get("Cache-Control") != "no-store" || h.Get("Referrer-Policy") != "no-referrer" {
				t.Errorf("headers %v", h)
			}
			select {
			case res := <-cb.done:
				if !tc.decided || res.kind != tc.kind || (res.kind == nil && res.code != "c1") || (res.kind != nil && res.code != "") {
					t.Errorf("result %+v", res)
				}
			default:
				if tc.decided {
					t.Error("no result")
				}
			}
			if strings.Contains(rec.Body.String(), "c1") {
				t.Error("the page shows the code")
			}
		})
	}

	// Only the first redirect decides.
	cb := newCallback(host, state)
	for _, q := range []string{"code=first&state=" + state, "code=second&state=" + state, "error=access_denied"} {
		cb.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "http://"+host+"/oauth/callback?"+q, nil))
	}
	if res := <-cb.done; res.code != "first" {
		t.Errorf("result %+v", res)
	}
}

func FuzzCallback(f *testing.F) {
	const host, state = "127.0.0.1:4711", "s-1"
	for _, s := range []string{"/oauth/callback?code=c&state=s-1", "/oauth/callback?error=access_denied", "/oauth/callback?error=access_denied&state=s-1", "/oauth/callback?code=c&state=x",
		"/oauth/callback?error=%ff%00<script>", "/?", "/oauth/callback?code=&state=s-1&code=d"} {
		f.Add("GET", host, s)
	}
	f.Fuzz(func(t *testing.T, method, h, target string) {
		u, err := url.ParseRequestURI(target)
		if err != nil || !validMethod(method) {
			return
		}
		cb := newCallback(host, state)
		req := &http.Request{Method: method, Host: h, URL: u, Header: http.Header{}, RequestURI: target}
		rec := httptest.NewRecorder()
		cb.ServeHTTP(rec, req.WithContext(context.Background()))
		if rec.Code >= 500 {
			t.Fatalf("%s %s: %d", method, target, rec.Code)
		}
		q := u.Query()
		select {
		case res := <-cb.done:
			// A decision needs the right host, path and method, and an
			// error or a code with a state; a code is handed on only with
			// the state sent.
			if h != host || u.Path != callbackPath || method != "GET" {
				t.Fatalf("decided on %s %s %s", method, h, target)
			}
			switch {
			case !q.Has("state"):
				t.Fatalf("decided without a state: %s", target)
			case (errors.Is(res.kind, ErrDenied) || errors.Is(res.kind, ErrFailed)) && q.Get("state") != state:
				t.Fatalf("an error with another state decided as %v: %s", res.kind, target)
			case res.kind == nil && (q.Get("state") != state || res.code == "" || q.Has("error")):
				t.Fatalf("handed on code %q for %s", res.code, target)
			case res.kind != nil && res.code != "":
				t.Fatalf("code with an error: %+v", res)
			case res.kind != nil && !errors.Is(res.kind, ErrDenied) && !errors.Is(res.kind, ErrFailed) && !errors.Is(res.kind, ErrStateMismatch):
				t.Fatalf("kind %v", res.kind)
			}
			if strings.ContainsAny(res.detail, "\n\r<>") {
				t.Fatalf("detail %q", res.detail)
			}
		default:
		}
	})
}

func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for _, r := range m {
		if r <= ' ' || r >= 0x7f || strings.ContainsRune("()<>@,;:\\\"/[]?={}", r) {
			return false
		}
	}
	return true
}

func TestParseVerificationCode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, code, state string }{
		{"c3RhdGU9czEmY29kZT1jMQ==", "c1", "s1"},
		{"  c3RhdGU9czEmY29kZT1jMQ==\n", "c1", "s1"},
	} {
		code, state, err := parseVerificationCode(tc.in)
		if err != nil || code != tc.code || state != tc.state {
			t.Errorf("%q: %q %q %v", tc.in, code, state, err)
		}
	}
	for _, bad := range []string{"", "not base64!", "c3RhdGU9czE=" /* no code */, "Y29kZT1jMQ==" /* no state */} {
		if _, _, err := parseVerificationCode(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func FuzzParseVerificationCode(f *testing.F) {
	f.Add("c3RhdGU9czEmY29kZT1jMQ==")
	f.Add("%%%")
	f.Fuzz(func(t *testing.T, s string) {
		code, _, err := parseVerificationCode(s)
		if err == nil && code == "" {
			t.Fatalf("%q: no code and no error", s)
		}
		if err != nil && len(s) >= 8 && strings.Contains(err.Error(), s) {
			t.Fatalf("the error quotes the input")
		}
	})
}

func FuzzIDTokenSubject(f *testing.F) {
	f.Add("eyJhbGciOiJFUzM4NCJ9.eyJzdWIiOiJhcm46YXdzOmlhbTo6MTIzNDU2Nzg5MDEyOnVzZXIvYWxpY2UifQ.c2ln")
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, tok string) {
		sub, err := idTokenSubject(tok)
		if err == nil && sub == "" {
			t.Fatal("empty sub without an error")
		}
		if err == nil {
			arnAccount(sub) // must not panic
		}
	})
}
