package handoff

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

const secret = "https://signin.aws.amazon.com/federation?Action=login&SigninToken=SECRET"

var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func get(t *testing.T, method, u string, host string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// TestRedirect: one GET of the exact URL gets the secret; nothing else
// does, and nothing uses the answer up but that GET.
func TestRedirect(t *testing.T) {
	t.Parallel()
	r, err := New(secret)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	u, _ := url.Parse(r.URL())
	if u.Scheme != "http" || u.Hostname() != "127.0.0.1" || len(u.Path) < 30 || strings.Contains(r.URL(), "SECRET") {
		t.Fatalf("URL %q", r.URL())
	}
	for _, tc := range []struct {
		name, method, url, host string
		want                    int
	}{
		{"other_path", "GET", "http://" + u.Host + "/x", "", http.StatusNotFound},
		{"path_prefix", "GET", r.URL() + "x", "", http.StatusNotFound},
		{"query", "GET", r.URL() + "?a=b", "", http.StatusNotFound},
		{"rebinding_host", "GET", r.URL(), "evil.example:" + u.Port(), http.StatusMisdirectedRequest},
		{"localhost_host", "GET", r.URL(), "localhost:" + u.Port(), http.StatusMisdirectedRequest},
		{"head", "HEAD", r.URL(), "", http.StatusMethodNotAllowed},
		{"post", "POST", r.URL(), "", http.StatusMethodNotAllowed},
	} {
		resp, body := get(t, tc.method, tc.url, tc.host)
		if resp.StatusCode != tc.want || resp.Header.Get("Location") != "" || strings.Contains(body, "SECRET") {
			t.Errorf("%s: %d %q %q, want %d and no secret", tc.name, resp.StatusCode, resp.Header.Get("Location"), body, tc.want)
		}
	}
	select {
	case <-r.Done():
		t.Fatal("done before the browser came")
	default:
	}
	resp, body := get(t, "GET", r.URL(), "")
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != secret || strings.Contains(body, "SECRET") {
		t.Errorf("first GET: %d %q %q", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	if resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("headers %v", resp.Header)
	}
	<-r.Done()
	resp, body = get(t, "GET", r.URL(), "")
	if resp.StatusCode != http.StatusGone || resp.Header.Get("Location") != "" || strings.Contains(body, "SECRET") {
		t.Errorf("second GET: %d %q %q", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	if err := r.Close(); err != nil {
		t.Error(err)
	}
	r.Close()
	if _, err := http.Get(r.URL()); err == nil {
		t.Error("still listening after Close")
	}
	if _, err := New(""); err == nil {
		t.Error("New with no target")
	}
}

// FuzzServeHTTP: no request but the one GET of the exact path and host
// gets the secret, in a header or a body.
func FuzzServeHTTP(f *testing.F) {
	r, err := New(secret)
	if err != nil {
		f.Fatal(err)
	}
	defer r.Close()
	f.Add("GET", r.path, r.host)
	f.Add("GET", r.path+"/", r.host)
	f.Add("HEAD", r.path, r.host)
	f.Add("GET", "/", "127.0.0.1")
	f.Fuzz(func(t *testing.T, method, path, host string) {
		req := httptest.NewRequest(http.MethodGet, "http://x/", nil)
		req.Method, req.URL.Path, req.Host = method, path, host
		// A fresh redirect each time, sharing the path and host, so
		// the one answer is there to be won.
		fresh := &Redirect{host: r.host, path: r.path, target: secret, done: make(chan struct{})}
		w := httptest.NewRecorder()
		fresh.ServeHTTP(w, req)
		won := method == "GET" && path == r.path && host == r.host
		got := w.Header().Get("Location") == secret
		if got != won || strings.Contains(w.Body.String(), "SECRET") {
			t.Fatalf("%q %q %q: %d %v %q", method, path, host, w.Code, w.Header(), w.Body.String())
		}
	})
}

// TestOpen: Open returns once the browser has followed the link, says so
// when it does not in time, and passes an opener's failure on; the
// redirect is gone afterwards.
func TestOpen(t *testing.T) {
	t.Parallel()
	var given string
	follow := func(_ context.Context, u string) error {
		given = u
		go func() {
			if resp, err := noFollow.Get(u); err == nil {
				resp.Body.Close()
			}
		}()
		return nil
	}
	if err := Open(context.Background(), secret, follow, time.Minute); err != nil {
		t.Fatalf("followed: %v", err)
	}
	if strings.Contains(given, "SECRET") {
		t.Errorf("the opener got %q", given)
	}
	if _, err := http.Get(given); err == nil {
		t.Error("the redirect outlived Open")
	}
	ignore := func(context.Context, string) error { return nil }
	if err := Open(context.Background(), secret, ignore, 50*time.Millisecond); !errors.Is(err, ErrNotFollowed) || strings.Contains(err.Error(), "127.0.0.1") {
		t.Errorf("not followed: %v", err)
	}
	fail := errors.New("no browser")
	if err := Open(context.Background(), secret, func(context.Context, string) error { return fail }, time.Minute); !errors.Is(err, fail) {
		t.Errorf("opener fails: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Open(ctx, secret, ignore, time.Minute); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}
