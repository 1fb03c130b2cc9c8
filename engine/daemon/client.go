package daemon

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/awsxc/awsxc/internal/localsock"
)

// DefaultTimeout bounds one exchange of a [Client] when its Timeout is
// zero: a daemon that accepts and never answers costs its client this
// much before it resolves by itself.
const DefaultTimeout = 2 * time.Second

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
// and decodes a 200 answer into out. It dials first, before anything is
// encoded: a missing daemon costs a failed dial (microseconds). The
// request is written by hand, in one write; the answer is read with
// net/http's parser, bounded in header and body.
func (c *Client) do(ctx context.Context, path string, req *CredentialsRequest, out any) error {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := localsock.Dial(ctx, localsock.Options{Path: c.Path})
	if err != nil {
		return fallback("%w", err)
	}
	defer conn.Close()
	// The deadline bounds every read and write; a cancelled ctx ends them
	// at once.
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()

	// The host names nothing: the endpoint is the socket.
	msg := make([]byte, 0, 1024)
	if req == nil {
		msg = append(msg, "GET "+path+" HTTP/1.1\r\nHost: awsxc\r\n"+Header+": "+versionText+"\r\nConnection: close\r\n\r\n"...)
	} else {
		body := appendRequest(make([]byte, 0, 512), req)
		msg = append(msg, "POST "+path+" HTTP/1.1\r\nHost: awsxc\r\n"+Header+": "+versionText+
			"\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "...)
		msg = strconv.AppendInt(msg, int64(len(body)), 10)
		msg = append(msg, "\r\n\r\n"...)
		msg = append(msg, body...)
	}
	if _, err := conn.Write(msg); err != nil {
		return fallback("sending to the daemon: %v", timedOut(err, timeout))
	}
	// Everything read is bounded: a daemon cannot make its client hold
	// more than the header limit plus MaxResponseBytes.
	br := bufio.NewReader(io.LimitReader(conn, maxHeaderBytes+MaxResponseBytes+1))
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return fallback("reading the daemon's answer: %v", timedOut(err, timeout))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
	if err != nil && len(data) <= MaxResponseBytes {
		return fallback("reading the daemon's answer: %v", timedOut(err, timeout))
	}
	return decodeAnswer(resp.StatusCode, resp.Header.Get(Header), data, out)
}

// timedOut words a deadline error as the bound it is.
func timedOut(err error, timeout time.Duration) error {
	if errors.Is(err, os.ErrDeadlineExceeded) {
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
	if err := json.Unmarshal(data, out); err != nil {
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
