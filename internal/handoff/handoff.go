// Package handoff gives a browser a secret URL without putting it on a
// command line. A browser is opened with its URL as an argument, and a
// process's arguments are visible to every user of the machine (ps,
// /proc/PID/cmdline) while the opener or the browser runs. So the
// browser gets the URL of a one-shot redirect instead: a loopback port
// and a random path, which answers the first GET with a 302 to the
// secret and everything after it with 410 Gone. What the process list
// shows is then useless once the browser has followed it, typically
// within a second.
//
// The redirect binds 127.0.0.1 on a random port, answers only the exact
// path with the exact Host header (no DNS rebinding), and sends
// Cache-Control: no-store and Referrer-Policy: no-referrer. The secret
// is never in a response body or a log.
package handoff

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// Redirect is a one-shot loopback redirect to a secret URL.
type Redirect struct {
	srv    *http.Server
	url    string // http://127.0.0.1:PORT/PATH, what the browser is given
	host   string // 127.0.0.1:PORT, the Host header it must send
	path   string // /PATH, random
	target string // the secret

	mu     sync.Mutex // protects served
	served bool
	done   chan struct{} // closed once the redirect has been answered
	closed sync.Once
}

// New starts a redirect to target on a loopback port.
func New(target string) (*Redirect, error) {
	if target == "" {
		return nil, errors.New("handoff: no target")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	var b [24]byte
	rand.Read(b[:])
	r := &Redirect{
		host:   ln.Addr().String(),
		path:   "/" + base64.RawURLEncoding.EncodeToString(b[:]),
		target: target,
		done:   make(chan struct{}),
	}
	r.url = "http://" + r.host + r.path
	r.srv = &http.Server{Handler: r, ReadHeaderTimeout: 10 * time.Second}
	go r.srv.Serve(ln)
	return r, nil
}

// URL is what to give the browser: it names no secret.
func (r *Redirect) URL() string { return r.url }

// Done is closed once the browser has been redirected.
func (r *Redirect) Done() <-chan struct{} { return r.done }

// Close stops the redirect, letting an answer being sent finish (up to
// two seconds). It may be called more than once.
func (r *Redirect) Close() error {
	var err error
	r.closed.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		err = r.srv.Shutdown(ctx)
	})
	return err
}

// ErrNotFollowed is returned by [Open] when the browser did not follow
// the link in time.
var ErrNotFollowed = errors.New("the browser did not open the link")

// Open hands target to a browser through a one-shot [Redirect]: it calls
// open with the redirect's URL (a browser opener, as internal/browser's
// Open), then waits until the browser has followed it, at most wait
// ([ErrNotFollowed]), or until ctx ends. Errors never hold target or
// the redirect's URL. A front end that must not block runs it in a
// goroutine of its own.
func Open(ctx context.Context, target string, open func(ctx context.Context, url string) error, wait time.Duration) error {
	r, err := New(target)
	if err != nil {
		return err
	}
	defer r.Close()
	if err := open(ctx, r.URL()); err != nil {
		return err
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-r.Done():
		return nil
	case <-t.C:
		return fmt.Errorf("%w within %s", ErrNotFollowed, wait)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ServeHTTP answers the browser.
func (r *Redirect) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Type", "text/plain; charset=utf-8")
	switch {
	case req.Host != r.host:
		http.Error(w, "wrong host", http.StatusMisdirectedRequest)
		return
	case subtle.ConstantTimeCompare([]byte(req.URL.Path), []byte(r.path)) != 1 || req.URL.RawQuery != "":
		http.Error(w, "not found", http.StatusNotFound)
		return
	case req.Method != http.MethodGet:
		// A HEAD or a probe must not use the one answer up.
		h.Set("Allow", http.MethodGet)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	r.mu.Lock()
	first := !r.served
	r.served = true
	r.mu.Unlock()
	if !first {
		http.Error(w, "this sign-in link has been used: ask for a new one", http.StatusGone)
		return
	}
	h.Del("Content-Type")
	h.Set("Location", r.target)
	w.WriteHeader(http.StatusFound)
	close(r.done)
}
