package daemon

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"maps"
	"net"
	"net/http"
	"slices"
	"strconv"

	"github.com/awsxc/awsxc/engine/daemon/wire"
	"github.com/awsxc/awsxc/internal/localsock"
)

// The direct answer. Most requests a daemon gets are a fresh
// awsxc-cli's (a credential_process) for credentials it holds already,
// and such a client waits for little else than the round trip. The
// local endpoint's thread (localsock.Listener.Direct) answers those
// itself, through the same Handler, in a mode where the answer must be
// at hand: nothing that would wait (STS, a sign-in, a code, another
// request's fetch) is started. A request that needs one is handed on to
// the http.Server, which answers it again from the start. So every
// request gets the same answer either way; only the wait differs.

// direct wraps ln for Serve: a local endpoint answers at once what it
// can on its own thread and hands the rest on; another listener is
// served as it is.
func (d *Daemon) direct(ln net.Listener) net.Listener {
	l, ok := ln.(*localsock.Listener)
	if !ok {
		return ln
	}
	return l.Direct(localsock.DirectOptions{
		Complete: wholeRequest,
		Limit:    maxHeaderBytes + MaxRequestBytes,
		Answer:   d.answerNow,
	})
}

// wholeRequest reports whether b holds enough of an HTTP request to
// decide: its head and as much body as it announces, or a head whose
// body's length is unknown (answered by the http.Server).
func wholeRequest(b []byte) bool {
	body, n, known := wire.ScanHead(b)
	return body >= 0 && (!known || len(b)-body >= max(n, 0))
}

// nowOnly marks a request's context: it must be answered at once, or
// not at all (errLater).
type nowOnly struct{}

// errLater is what a resolution returns in the nowOnly mode when its
// answer would have to wait.
var errLater = errors.New("the answer is not at hand")

// isNowOnly reports whether ctx is a request's in the nowOnly mode.
func isNowOnly(ctx context.Context) bool { return ctx.Value(nowOnly{}) != nil }

// answerNow answers a whole raw request when the answer is at hand: a
// credentials request whose profile the daemon holds fresh credentials
// for, keys in the files, or an answer that needs no wait (a profile
// left to its client, another configuration, a bad request). ok is
// false for anything else.
func (d *Daemon) answerNow(raw []byte) (answer []byte, ok bool) {
	// One request, its body whole: anything else is the http.Server's.
	if body, n, known := wire.ScanHead(raw); !known || len(raw)-body != max(n, 0) {
		return nil, false
	}
	r, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil || r.Method != http.MethodPost || r.URL.Path != PathCredentials || r.ContentLength < 0 {
		return nil, false
	}
	w := &heldAnswer{header: http.Header{}}
	d.handler.ServeHTTP(w, r.WithContext(context.WithValue(d.ctx, nowOnly{}, true)))
	if w.later || w.status == 0 {
		return nil, false
	}
	return w.bytes(), true
}

// heldAnswer is the http.ResponseWriter of answerNow: it keeps the
// answer, which the thread writes as net/http would (with the
// connection's close, which every client of the local API asks for).
type heldAnswer struct {
	header http.Header
	status int
	body   bytes.Buffer
	later  bool // the handler found the answer not at hand
}

func (w *heldAnswer) Header() http.Header { return w.header }

func (w *heldAnswer) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *heldAnswer) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.body.Write(p)
}

// bytes is the answer on the wire.
func (w *heldAnswer) bytes() []byte {
	b := make([]byte, 0, 256+w.body.Len())
	b = append(b, "HTTP/1.1 "...)
	b = strconv.AppendInt(b, int64(w.status), 10)
	b = append(b, ' ')
	b = append(b, http.StatusText(w.status)...)
	b = append(b, "\r\n"...)
	w.header.Set("Content-Length", strconv.Itoa(w.body.Len()))
	w.header.Set("Connection", "close")
	for _, k := range slices.Sorted(maps.Keys(w.header)) {
		for _, v := range w.header[k] {
			b = append(b, k...)
			b = append(b, ": "...)
			b = append(b, v...)
			b = append(b, "\r\n"...)
		}
	}
	b = append(b, "\r\n"...)
	return append(b, w.body.Bytes()...)
}
