package signin

import (
	"context"
	"crypto/subtle"
	"fmt"
	"html"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// callbackPath is the redirect URI's path, the AWS CLI's.
const callbackPath = "/oauth/callback"

// callback is the loopback redirect listener of the authorization code
// flows (RFC 8252 §7.3, the AWS CLI's AuthCodeFetcher): it is bound on
// 127.0.0.1 before anything is shown or opened, and takes the first
// redirect that carries a state and an error or a code. The AWS CLI
// binds every interface; this one binds loopback only, with the same
// redirect URI.
type callback struct {
	srv   *http.Server
	ln    net.Listener
	uri   string // http://127.0.0.1:PORT/oauth/callback
	host  string // 127.0.0.1:PORT, the only Host accepted
	state string // the state sent in the authorize URL

	once sync.Once           // guards the one result
	done chan callbackResult // receives the result, once (buffered)
}

// callbackResult is what the redirect brought: a code whose state
// matched, or why there is none.
type callbackResult struct {
	code   string
	kind   error  // nil, or ErrDenied, ErrStateMismatch, ErrFailed
	detail string // what the browser said, for the error; never the code
}

// listenCallback binds the listener and starts serving.
func listenCallback(state string) (*callback, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen on 127.0.0.1 for the browser's redirect: %w", err)
	}
	cb := newCallback(ln.Addr().String(), state)
	cb.ln = ln
	cb.srv = &http.Server{Handler: cb, ReadHeaderTimeout: 10 * time.Second,
		// The engine never logs on its own; the server would, to the
		// standard logger.
		ErrorLog: log.New(io.Discard, "", 0)}
	go cb.srv.Serve(ln)
	return cb, nil
}

func newCallback(host, state string) *callback {
	return &callback{uri: "http://" + host + callbackPath, host: host, state: state, done: make(chan callbackResult, 1)}
}

// close stops the listener: the port is free when it returns. A handler
// still writing its page gets a moment to finish.
func (cb *callback) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if cb.srv.Shutdown(ctx) != nil {
		cb.srv.Close()
	}
}

// ServeHTTP handles one request to the listener. Requests that are not
// the redirect (another Host, as a DNS-rebinding page would send; another
// path, as a favicon; another method; no code, or no state) are
// answered and ignored. The first redirect with a state and an error or
// a code decides: a state that does not match is refused, and its code
// is never handed on; an error counts only with the state sent.
func (cb *callback) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'")
	switch {
	case r.Host != cb.host:
		page(w, http.StatusMisdirectedRequest, "Wrong address", "This is not the address awsxc is waiting on.")
		return
	case r.URL.Path != callbackPath:
		page(w, http.StatusNotFound, "Not found", "awsxc is waiting for the sign-in to come back to "+callbackPath+".")
		return
	case r.Method != http.MethodGet:
		h.Set("Allow", http.MethodGet)
		page(w, http.StatusMethodNotAllowed, "Method not allowed", "The sign-in comes back with a GET request.")
		return
	}
	q := r.URL.Query()
	var res callbackResult
	status := http.StatusOK
	// An error decides only with the state sent, as a code does (RFC
	// 6749 §4.1.2.1 returns the state with errors): any local process can
	// find the port and send ?error=access_denied, which must not pass
	// for the user's refusal.
	stateOK := subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(cb.state)) == 1
	switch {
	case (q.Has("error") || q.Get("code") != "") && q.Has("state") && !stateOK:
		res.kind, res.detail = ErrStateMismatch, "its code was not redeemed"
		if q.Has("error") {
			res.detail = "it came back with error " + oauthCode(q.Get("error"))
		}
		status = http.StatusBadRequest
	case q.Has("error") && q.Has("state"):
		code := oauthCode(q.Get("error"))
		res.kind, res.detail = ErrFailed, "the browser came back with error "+code
		if code == "access_denied" {
			res.kind, res.detail = ErrDenied, "the browser came back with access_denied"
		}
	case q.Get("code") != "" && q.Has("state"):
		res.code = q.Get("code")
	default:
		page(w, http.StatusBadRequest, "No sign-in here", "This request carries no sign-in result; awsxc keeps waiting.")
		return
	}
	first := false
	cb.once.Do(func() { first = true; cb.done <- res })
	switch {
	case !first:
		page(w, http.StatusConflict, "Already done", "This sign-in has already come back; you can close this window.")
	case res.kind == nil:
		page(w, status, "Signed in", "You are signed in. You can close this window and go back to awsxc.")
	case res.kind == ErrStateMismatch:
		page(w, status, "Sign-in refused", "This answer does not belong to the sign-in awsxc started, so it was refused. Start the sign-in again.")
	default:
		page(w, status, "Sign-in not completed", "The sign-in did not complete. You can close this window.")
	}
}

// oauthCode keeps an OAuth error code printable and short: it arrives
// from whatever reached the listener.
func oauthCode(s string) string {
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= 40 {
			break
		}
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "(none)"
	}
	return b.String()
}

func page(w http.ResponseWriter, status int, title, text string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!doctype html>\n<html lang=en><meta charset=utf-8><title>awsxc: %s</title>\n"+
		"<body style=\"font-family:sans-serif;margin:3em\"><h1>%s</h1><p>%s</p></body></html>\n",
		html.EscapeString(title), html.EscapeString(title), html.EscapeString(text))
}
