package daemon

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/awsxc/awsxc/engine/activity"
	"github.com/awsxc/awsxc/engine/daemon/wire"
	"github.com/awsxc/awsxc/internal/localsock"
)

// DefaultTimeout bounds one exchange of a [Client] when its Timeout is
// zero (wire.DefaultTimeout).
const DefaultTimeout = wire.DefaultTimeout

// ErrFallback is wrapped by every error of a [Client] that means "no
// daemon answers this; resolve it yourself": no daemon listens (the
// error wraps localsock.ErrNoDaemon too, and costs no wait), the
// endpoint or the daemon is not the user's (localsock.ErrInsecure,
// ErrPeer), the daemon did not answer in time, answered another
// protocol version, something too big or malformed, or declined (another
// configuration, a profile it leaves to its callers). The message says
// which.
var ErrFallback = errors.New("no answer from the daemon")

// Client asks a daemon over the local API. The zero Client is not
// usable: Path is required.
type Client struct {
	// Path is the daemon's endpoint (localsock.DefaultPath).
	Path string
	// Timeout bounds each exchange (connecting, sending, the daemon's
	// work, reading the answer); zero is [DefaultTimeout].
	Timeout time.Duration
	// Prefetched, when set, is an exchange this process had already
	// made: the first request that is the same (path and bytes) takes
	// its outcome instead of asking again, and clears Prefetched; a
	// Client with it set is not for concurrent use.
	Prefetched *wire.Exchange
}

// fallback wraps err (or a message) as a reason to resolve locally.
func fallback(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrFallback}, args...)...)
}

// Credentials asks the daemon for a profile's credentials. It returns
// the answer; or the [*engine.Error] the daemon's resolution failed with
// (printed, it reads exactly as the daemon's; a front end words its
// Action as it would its own); or an error wrapping [ErrFallback]. An
// answer is checked before it is returned: keys present, expiration
// readable.
func (c *Client) Credentials(ctx context.Context, req CredentialsRequest) (*CredentialsResponse, error) {
	var resp CredentialsResponse
	if err := c.do(ctx, PathCredentials, &req, &resp); err != nil {
		return nil, err
	}
	if _, err := resp.Credentials.Engine(); err != nil {
		return nil, fallback("the daemon's answer: %v", err)
	}
	return &resp, nil
}

// Status asks the daemon what it holds. Errors wrap [ErrFallback] (no
// daemon, or no usable answer).
func (c *Client) Status(ctx context.Context) (*StatusResponse, error) {
	var st StatusResponse
	if err := c.do(ctx, PathStatus, nil, &st); err != nil {
		return nil, err
	}
	return &st, nil
}

// do runs one exchange: a POST of req to path, or a GET when req is nil,
// and decodes a 200 answer into out. A missing daemon costs the
// request's encoding and a failed stat (microseconds). The request is
// encoded by hand and sent in one write, and the exchange is
// [wire.Ask]'s (or the [Client.Prefetched] one's), which saves a fresh
// process the network poller; the answer is read with net/http's
// parser, bounded in header and body.
func (c *Client) do(ctx context.Context, path string, req *CredentialsRequest, out any) error {
	timeout := c.timeout()
	var msg []byte
	if req == nil {
		// The host names nothing: the endpoint is the socket.
		msg = []byte("GET " + path + " HTTP/1.1\r\nHost: awsxc\r\n" + Header + ": " + versionText + "\r\nConnection: close\r\n\r\n")
	} else {
		msg = wire.CredentialsMessage(req)
	}
	var answer []byte
	var err error
	if p := c.Prefetched; p.Answers(c.Path, msg) {
		c.Prefetched = nil
		answer, err = p.Answer, p.Err
	} else {
		answer, err = wire.Ask(ctx, c.Path, msg, timeout)
	}
	var xerr *localsock.ExchangeError
	switch {
	case errors.As(err, &xerr) && xerr.Op == "send":
		return fallback("sending to the daemon: %v", timedOut(xerr.Err, timeout))
	case xerr != nil:
		return fallback("reading the daemon's answer: %v", timedOut(xerr.Err, timeout))
	case err != nil:
		return fallback("%w", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(answer)), nil)
	if err != nil {
		return fallback("reading the daemon's answer: %v", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
	if err != nil && len(data) <= MaxResponseBytes {
		return fallback("reading the daemon's answer: %v", err)
	}
	return decodeAnswer(resp.StatusCode, resp.Header.Get(Header), data, out)
}

// timedOut words a deadline error as the bound it is.
func timedOut(err error, timeout time.Duration) error {
	if errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("no answer within %v (timeout)", timeout)
	}
	return err
}

// decodeAnswer reads an answer of the given HTTP status, protocol
// header and body (read up to one byte past MaxResponseBytes) into out.
func decodeAnswer(status int, version string, data []byte, out any) error {
	if version != strconv.Itoa(Version) {
		return fallback("the daemon speaks protocol version %q, not %d", version, Version)
	}
	if len(data) > MaxResponseBytes {
		return fallback("the daemon's answer is bigger than %d bytes", MaxResponseBytes)
	}
	if status != http.StatusOK {
		var er ErrorResponse
		if err := json.Unmarshal(data, &er); err != nil {
			return fallback("the daemon answered %d", status)
		}
		if status == http.StatusUnprocessableEntity {
			if e, ok := er.Error.EngineError(); ok {
				return e
			}
			return fallback("the daemon answered an error this client does not know (%q)", er.Error.Kind)
		}
		return fallback("%s", oneLine(cmpString(er.Error.Message, http.StatusText(status))))
	}
	var err error
	if cr, ok := out.(*CredentialsResponse); ok {
		err = wire.DecodeCredentialsResponse(data, cr)
	} else {
		err = json.Unmarshal(data, out)
	}
	if err != nil {
		return fallback("the daemon's answer: %v", err)
	}
	return nil
}

func cmpString(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// The bounds of the streamed answers (review 3, M2): each record, or
// each server of a list, is bounded on its own, as a whole answer is
// elsewhere ([MaxResponseBytes]); their number is bounded too, so that a
// daemon cannot make its client hold more than a few megabytes.
const (
	// maxListServers bounds the servers of one list answer.
	maxListServers = 4096
	// maxListBytes bounds a list answer (about 800 bytes a server).
	maxListBytes = 16 << 20
	// maxActivityRecords bounds the records of one activity answer
	// without follow: the daemon keeps [activity.DefaultSize].
	maxActivityRecords = 4 * activity.DefaultSize
	// readAhead is what the readers may have read past a record when the
	// next one's bound starts.
	readAhead = 16 << 10
)

// ErrStopped is returned by [Client.Activity] with follow when the
// daemon ends the stream (it stopped) before ctx is done.
var ErrStopped = errors.New("the daemon stopped")

// errTooBig ends a read past a bound.
var errTooBig = errors.New("too big")

// budget reads r up to n bytes, and up to total over its life: reset
// starts a new n for the next record.
type budget struct {
	r        io.Reader
	n, total int64
}

func (b *budget) Read(p []byte) (int, error) {
	left := min(b.n, b.total)
	if left <= 0 {
		return 0, errTooBig
	}
	if int64(len(p)) > left {
		p = p[:left]
	}
	n, err := b.r.Read(p)
	b.n -= int64(n)
	b.total -= int64(n)
	return n, err
}

func (b *budget) reset(n int64) { b.n = n }

// readError words an error reading a streamed answer.
func readError(err error, limit int, timeout time.Duration) error {
	if errors.Is(err, errTooBig) || errors.Is(err, bufio.ErrTooLong) {
		return fallback("the daemon's answer is bigger than %d bytes a record, or too long", limit)
	}
	return fallback("reading the daemon's answer: %v", timedOut(err, timeout))
}

// Servers asks the daemon for its servers and consumers. The answer is
// read one server at a time, each bounded by [MaxResponseBytes], at
// most a few thousand. Errors wrap [ErrFallback] when no daemon answers,
// or its answer cannot be used.
func (c *Client) Servers(ctx context.Context) ([]ServerInfo, error) {
	resp, b, cancel, err := c.open(ctx, http.MethodGet, PathServers, nil, false)
	if err != nil {
		return nil, err
	}
	defer cancel()
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get(Header) != versionText {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
		return nil, decodeAnswer(resp.StatusCode, resp.Header.Get(Header), data, &struct{}{})
	}
	b.total = maxListBytes
	var out []ServerInfo
	dec := json.NewDecoder(resp.Body)
	delim := func(want json.Delim) error {
		t, err := dec.Token()
		if err == nil && t != want {
			err = fmt.Errorf("want %v, got %v", want, t)
		}
		return err
	}
	read := func() error {
		if err := delim('{'); err != nil {
			return err
		}
		for dec.More() {
			b.reset(MaxResponseBytes + readAhead)
			key, err := dec.Token()
			if err != nil {
				return err
			}
			if key != "servers" {
				var skip json.RawMessage
				if err := dec.Decode(&skip); err != nil {
					return err
				}
				continue
			}
			if err := delim('['); err != nil {
				return err
			}
			for dec.More() {
				if len(out) == maxListServers {
					return fmt.Errorf("more than %d servers", maxListServers)
				}
				b.reset(MaxResponseBytes + readAhead)
				var w ServerWire
				if err := dec.Decode(&w); err != nil {
					return err
				}
				info, err := w.Info()
				if err != nil {
					return err
				}
				out = append(out, info)
			}
			if err := delim(']'); err != nil {
				return err
			}
		}
		return delim('}')
	}
	if err := read(); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		if errors.As(err, &se) || errors.As(err, &te) || !errors.Is(err, errTooBig) && !isReadError(err) {
			return nil, fallback("the daemon's answer: %v", err)
		}
		return nil, readError(err, MaxResponseBytes, c.timeout())
	}
	if out == nil {
		out = []ServerInfo{}
	}
	return out, nil
}

// isReadError reports whether err came from reading, not decoding.
func isReadError(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, os.ErrDeadlineExceeded)
}

// AddServer asks the daemon to add a server or consumer, and returns it
// with the daemon's warning, if any. A server that cannot be added is
// an error that does not wrap [ErrFallback]: an [*engine.Error] when its
// profile cannot be resolved; one the daemon's settings cannot be saved
// with (nothing was added) wraps [ErrNotSaved].
func (c *Client) AddServer(ctx context.Context, spec ServerSpec) (ServerInfo, string, error) {
	var resp ServerResponse
	if err := c.exchange(ctx, http.MethodPost, PathServers, spec, &resp); err != nil {
		return ServerInfo{}, "", err
	}
	info, err := resp.Server.Info()
	if err != nil {
		return ServerInfo{}, "", fallback("the daemon's answer: %v", err)
	}
	return info, resp.Warning, nil
}

// RemoveServer asks the daemon to remove a server or consumer. An
// unknown name is an error wrapping [ErrNoServer]. A removal the
// daemon made but could not save in its settings (it holds until the
// daemon stops) is an error wrapping [ErrNotSaved], which says so.
func (c *Client) RemoveServer(ctx context.Context, name string) error {
	return c.exchange(ctx, http.MethodPost, PathRemove, NameRequest{Name: name}, nil)
}

// Revoke asks the daemon to revoke a consumer. An unknown name is an
// error wrapping [ErrNoServer], a server's [ErrNotConsumer]. A
// revocation the daemon made but could not save in its settings (the
// token no longer works; the consumer comes back when the daemon
// restarts) is an error wrapping [ErrNotSaved], which says so.
func (c *Client) Revoke(ctx context.Context, name string) error {
	return c.exchange(ctx, http.MethodPost, PathRevoke, NameRequest{Name: name}, nil)
}

// exchange runs one request of the management endpoints: body (JSON)
// for a POST, out for a 200 answer. An answer of CodeNotFound,
// CodeInvalid or CodeNotSaved is an error of its own (wrapping
// ErrNoServer, ErrNotConsumer or ErrNotSaved when it says so), one of
// CodeResolve the engine error it carries; anything else that fails
// wraps ErrFallback.
func (c *Client) exchange(ctx context.Context, method, path string, body, out any) error {
	var data []byte
	if body != nil {
		var err error
		if data, err = json.Marshal(body); err != nil {
			return err
		}
	}
	resp, _, cancel, err := c.open(ctx, method, path, data, false)
	if err != nil {
		return err
	}
	defer cancel()
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
	if err != nil && len(b) <= MaxResponseBytes {
		return readError(err, MaxResponseBytes, c.timeout())
	}
	if resp.StatusCode == http.StatusConflict && resp.Header.Get(Header) == versionText {
		var er ErrorResponse
		if json.Unmarshal(b, &er) == nil && er.Error.Code == CodeNotSaved {
			return notSavedError{errors.New(oneLine(er.Error.Message))}
		}
	}
	if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusUnprocessableEntity {
		var er ErrorResponse
		if json.Unmarshal(b, &er) == nil {
			switch er.Error.Code {
			case CodeNotFound:
				return fmt.Errorf("%w: %s", ErrNoServer, er.Error.Message)
			case CodeInvalid:
				if bytes.Contains(b, []byte(ErrNotConsumer.Error())) {
					return fmt.Errorf("%w: %s", ErrNotConsumer, er.Error.Message)
				}
				return errors.New(er.Error.Message)
			}
		}
	}
	if out == nil {
		out = &struct{}{}
	}
	return decodeAnswer(resp.StatusCode, resp.Header.Get(Header), b, out)
}

// Activity reads the daemon's recent activity records, oldest first,
// and with follow goes on with each new one until ctx is done (then it
// returns nil) or the daemon ends the stream ([ErrStopped]). fn is
// called for each record as it is read; missed, when not 0, is how many
// records the daemon dropped before this one because the reader fell
// behind. An error of fn ends the reading and is returned. Each record
// is bounded, and without follow their number (the daemon keeps
// [activity.DefaultSize]). Errors wrap [ErrFallback] when no daemon
// answers, or its answer cannot be used.
func (c *Client) Activity(ctx context.Context, follow bool, fn func(r activity.Record, missed uint64) error) error {
	path := PathActivity
	if follow {
		path += "?follow=1"
	}
	resp, b, cancel, err := c.open(ctx, http.MethodGet, path, nil, follow)
	if err != nil {
		return err
	}
	defer cancel()
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get(Header) != versionText {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
		return decodeAnswer(resp.StatusCode, resp.Header.Get(Header), data, &struct{}{})
	}
	// The scanner bounds each line; the budget the whole, without follow.
	b.n = math.MaxInt64
	if !follow {
		b.total = maxActivityRecords * (maxActivityLine + 1)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 4096), maxActivityLine)
	var missed uint64
	for n := 0; sc.Scan(); {
		line := sc.Bytes()
		var m struct {
			Missed *uint64 `json:"missed"`
		}
		if json.Unmarshal(line, &m) == nil && m.Missed != nil {
			missed += *m.Missed
			continue
		}
		if n++; !follow && n > maxActivityRecords {
			return fallback("the daemon's activity holds more than %d records", maxActivityRecords)
		}
		r, err := activity.ParseJSON(line)
		if err != nil {
			return fallback("the daemon's activity: %v", err)
		}
		if err := fn(r, missed); err != nil {
			return err
		}
		missed = 0
	}
	if ctx.Err() != nil {
		return nil
	}
	if err := sc.Err(); err != nil {
		if follow && isReadError(err) {
			return ErrStopped
		}
		return readError(err, maxActivityLine, c.timeout())
	}
	if follow {
		return ErrStopped
	}
	return nil
}

func (c *Client) timeout() time.Duration {
	if c.Timeout <= 0 {
		return DefaultTimeout
	}
	return c.Timeout
}

// open sends one request and returns the answer's head and the budget
// its reading is bounded by (set for a small answer: the header limit
// plus MaxResponseBytes; a streamed answer sets its own); the body is the
// caller's to read and close, then cancel. The client's Timeout bounds
// the whole exchange, except of a stream (follow), where it bounds only
// the connection and the answer's head.
func (c *Client) open(ctx context.Context, method, path string, body []byte, stream bool) (resp *http.Response, b *budget, cancel func(), err error) {
	timeout := c.timeout()
	dctx, dcancel := context.WithTimeout(ctx, timeout)
	conn, err := localsock.Dial(dctx, localsock.Options{Path: c.Path})
	dcancel()
	if err != nil {
		return nil, nil, nil, fallback("%w", err)
	}
	conn.SetDeadline(time.Now().Add(timeout))
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	cleanup := func() { stop(); conn.Close() }
	msg := []byte(method + " " + path + " HTTP/1.1\r\nHost: awsxc\r\n" + Header + ": " + versionText + "\r\nConnection: close\r\n")
	if body != nil {
		msg = append(msg, "Content-Type: application/json\r\nContent-Length: "+strconv.Itoa(len(body))+"\r\n"...)
	}
	msg = append(append(msg, "\r\n"...), body...)
	if _, err = conn.Write(msg); err != nil {
		cleanup()
		return nil, nil, nil, fallback("sending to the daemon: %v", timedOut(err, timeout))
	}
	b = &budget{r: conn, n: maxHeaderBytes + MaxResponseBytes + 1, total: maxHeaderBytes + MaxResponseBytes + 1}
	resp, err = http.ReadResponse(bufio.NewReader(b), nil)
	if err != nil {
		cleanup()
		return nil, nil, nil, fallback("reading the daemon's answer: %v", timedOut(err, timeout))
	}
	if stream {
		conn.SetDeadline(time.Time{}) // until ctx ends it
		b.total = math.MaxInt64
	}
	return resp, b, cleanup, nil
}
