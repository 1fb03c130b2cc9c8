package daemon

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
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
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	var resp CredentialsResponse
	if err := c.do(ctx, http.MethodPost, PathCredentials, body, &resp); err != nil {
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
	if err := c.do(ctx, http.MethodGet, PathStatus, nil, &st); err != nil {
		return nil, err
	}
	return &st, nil
}

// do runs one exchange and decodes a 200 answer into out.
func (c *Client) do(ctx context.Context, method, path string, body []byte, out any) error {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	dial := localsock.Options{Path: c.Path}
	hc := &http.Client{
		Transport: &http.Transport{
			DialContext:            dial.DialContext,
			DisableKeepAlives:      true, // one exchange, then the process ends
			DisableCompression:     true,
			MaxResponseHeaderBytes: 16 << 10,
		},
		Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	defer hc.CloseIdleConnections()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	// The host names nothing: the endpoint is the socket.
	hreq, err := http.NewRequestWithContext(ctx, method, "http://awsxc"+path, rd)
	if err != nil {
		return err
	}
	hreq.Header.Set(Header, strconv.Itoa(Version))
	if body != nil {
		hreq.Header.Set("Content-Type", "application/json")
	}
	hresp, err := hc.Do(hreq)
	if err != nil {
		var ue interface{ Unwrap() error }
		if errors.As(err, &ue) {
			err = ue.Unwrap() // the url.Error's cause: localsock's own words
		}
		return fallback("%w", err)
	}
	defer hresp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(hresp.Body, MaxResponseBytes+1))
	if err != nil && len(data) <= MaxResponseBytes {
		return fallback("reading the daemon's answer: %v", err)
	}
	return decodeAnswer(hresp.StatusCode, hresp.Header.Get(Header), data, out)
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
