// Package handoff gives a browser a secret URL without putting it on a
// command line. A browser is opened with its URL as an argument, and a
// process's arguments are visible to every user of the machine (ps,
// /proc/PID/cmdline) while the opener or the browser runs. So the
// browser gets the URL of a one-shot redirect instead: a loopback port
// and a random path, which answers the first GET with a 302 to the
// secret and everything after it with 410 Gone.
//
// What the process list shows is still worth the secret until the
// browser has followed it, and another user's process that reads it
// there can ask first. So the redirect checks who asks:
//
//   - On Linux it answers only a connection whose socket belongs to this
//     process's user: it looks the peer's port up in /proc/net/tcp and
//     /proc/net/tcp6 and compares the uid column. On Windows the owning
//     process of the connection (GetExtendedTcpTable) must run as this
//     process's user (its token's SID). Another user's process is
//     refused (403) and never gets the secret.
//   - Elsewhere (macOS, the BSDs) no system call says who is connecting,
//     so there is no prevention, only detection.
//   - Everywhere, [Open] keeps the redirect listening a while after the
//     answer: a second request for it (the browser's, when someone else
//     was first, or the other's) or a refused one means the secret may
//     have reached someone else, and Open says so ([ErrTaken],
//     [ErrForeignPeer]) rather than report success.
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
	"net/netip"
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
	// owned says whether the peer at remote, connected to local, runs as
	// this process's user; known is false where the system cannot say.
	owned func(remote, local netip.AddrPort) (ok, known bool)

	done   chan struct{} // closed once the redirect has been answered
	closed sync.Once

	mu      sync.Mutex // protects the fields below
	served  bool       // the one answer has been given
	again   bool       // asked again after the answer: ErrTaken
	foreign bool       // another user's process asked: ErrForeignPeer
}

// Errors [Open] and [Redirect.Err] return when the secret may have
// reached someone other than the browser.
var (
	// ErrTaken: the redirect was asked for again after its one answer.
	// Whoever asked first got the secret: the browser, or a process
	// that read the URL in the process list.
	ErrTaken = errors.New("the one-shot link was fetched twice: another program on this machine may have taken it")
	// ErrForeignPeer: a process of another user asked for the redirect
	// and was refused. It did not get the secret, but it read the URL in
	// the process list.
	ErrForeignPeer = errors.New("a process of another user asked for the one-shot link and was refused")
)

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
		owned:  peerOwned,
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

// Err reports whether the secret may have reached someone else so far:
// [ErrTaken] after a second request, [ErrForeignPeer] after a refused
// one; nil otherwise.
func (r *Redirect) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.again:
		return ErrTaken
	case r.foreign:
		return ErrForeignPeer
	}
	return nil
}

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

// Linger is how long [Open] keeps the redirect listening after its
// answer, to see whether anyone else asks: whoever read the URL in the
// process list did so while the browser was starting, and asks within
// milliseconds.
var Linger = 2 * time.Second

// Open hands target to a browser through a one-shot [Redirect]: it calls
// open with the redirect's URL (a browser opener, as internal/browser's
// Open) in a goroutine of its own, and waits until the browser has
// followed it (at most wait: [ErrNotFollowed]), open has failed, or ctx
// ends. Once followed it keeps the redirect listening for [Linger], then
// returns nil, or [ErrTaken] or [ErrForeignPeer] when the secret may
// have reached someone else, or someone else tried: the front end must
// then tell the user what to do about what the secret opens (sign out of
// that session). It does not wait for open to return: a
// browser started by it (firefox when none runs) keeps running, and is
// not stopped when Open returns. Errors never hold target or the
// redirect's URL.
func Open(ctx context.Context, target string, open func(ctx context.Context, url string) error, wait time.Duration) error {
	r, err := New(target)
	if err != nil {
		return err
	}
	defer r.Close()
	opened := make(chan error, 1)
	// Not ctx: returning must not kill a browser that is still running.
	go func() { opened <- open(context.WithoutCancel(ctx), r.URL()) }()
	t := time.NewTimer(wait)
	defer t.Stop()
	for done := false; !done; {
		select {
		case <-r.Done():
			done = true
		case err := <-opened:
			if err != nil {
				return err
			}
			opened = nil // the opener handed the URL over; wait for the browser
		case <-t.C:
			if err := r.Err(); err != nil {
				return err
			}
			return fmt.Errorf("%w within %s", ErrNotFollowed, wait)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	linger := time.NewTimer(Linger)
	defer linger.Stop()
	select {
	case <-linger.C:
	case <-ctx.Done():
	}
	return r.Err()
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
	if !r.ours(req) {
		r.mu.Lock()
		r.foreign = true
		r.mu.Unlock()
		http.Error(w, "this sign-in link belongs to another user of this machine", http.StatusForbidden)
		return
	}
	r.mu.Lock()
	first := !r.served
	r.served = true
	r.again = r.again || !first
	r.mu.Unlock()
	if !first {
		http.Error(w, "this sign-in link has been used: if it was not by you, another program has it; ask for a new one", http.StatusGone)
		return
	}
	h.Del("Content-Type")
	h.Set("Location", r.target)
	w.WriteHeader(http.StatusFound)
	close(r.done)
}

// ours says whether req comes from a process of this process's user, or
// the system cannot say. A peer whose addresses cannot be read is not.
func (r *Redirect) ours(req *http.Request) bool {
	if r.owned == nil {
		return true
	}
	remote, err := netip.ParseAddrPort(req.RemoteAddr)
	if err != nil {
		return false
	}
	local, err := netip.ParseAddrPort(r.host)
	if err != nil {
		return false
	}
	ok, known := r.owned(remote, local)
	return ok || !known
}
