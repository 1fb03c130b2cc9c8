package localsock

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"
)

// Errors. Every error of [Listen], [Dial] and [Listener.Accept]'s refusals
// that has one of these causes wraps it, so callers can tell them apart
// with errors.Is; the message names the path and says what is wrong, on
// one line.
var (
	// ErrNoDaemon: nothing listens on the endpoint, or it cannot take a
	// connection now: the folder, the socket or the pipe is missing, the
	// socket is stale (ECONNREFUSED), or the daemon's queue is full
	// (EAGAIN). Dial returns it at once, without a timeout; the system's
	// error is wrapped too.
	ErrNoDaemon = errors.New("no daemon listening")
	// ErrInsecure: the endpoint's folder or socket file is not safely the
	// user's: owned by another user, open to group or others, a symlink,
	// or not a folder or socket at all. Nothing is changed or removed.
	ErrInsecure = errors.New("insecure local endpoint")
	// ErrPeer: the process at the other end runs as another user (for a
	// listener: the client; for a client: the daemon). On Windows, where
	// a pipe has no folder, a pipe owned by another user, or one that
	// does not let the user in, is this error too.
	ErrPeer = errors.New("peer is another user")
	// ErrRunning: [Listen] found another listener holding the endpoint (a
	// daemon is already running, or on Windows another program took the
	// pipe's name first).
	ErrRunning = errors.New("a daemon is already running")
	// ErrPathTooLong: the socket path does not fit the system's limit for
	// a Unix socket address.
	ErrPathTooLong = errors.New("socket path too long")
)

// Options says which endpoint to listen on or dial.
type Options struct {
	// Path is the endpoint: an absolute socket path on Unix, a pipe name
	// (\\.\pipe\...) on Windows. Required; [DefaultPath] gives the
	// user's own.
	Path string
	// Refused, when set, is called by [Listener.Accept] for each
	// connection it closes because the peer is another user (or its user
	// cannot be known), with an error wrapping [ErrPeer] that names the
	// peer's user id and process id. It runs on Accept's goroutine, so it
	// must be quick. [Dial] ignores it.
	Refused func(error)
}

// DefaultPath returns the user's endpoint, from the environment getenv
// reads: on Unix daemon.sock in
// [github.com/awsxc/awsxc/internal/rundir.SocketDir], on Windows
// \\.\pipe\awsxc-<user SID> (getenv is not used there).
func DefaultPath(getenv func(string) string) (string, error) { return defaultPath(getenv) }

// Listen listens on the endpoint opts.Path names, after the checks the
// package documentation describes. The returned [Listener] holds the
// endpoint until it is closed: a second Listen on the same endpoint fails
// with an error wrapping [ErrRunning] meanwhile, in this process or any
// other. Other failures wrap [ErrInsecure], [ErrPathTooLong] or the
// system's error.
func Listen(opts Options) (*Listener, error) {
	if opts.Path == "" {
		return nil, errors.New("listen: no endpoint path")
	}
	return listen(opts)
}

// Dial connects to the daemon on the endpoint opts.Path names and returns
// the connection once both the endpoint and the daemon's user are checked.
// Errors wrap [ErrNoDaemon] (returned at once), [ErrInsecure], [ErrPeer],
// [ErrPathTooLong], or ctx's error. The connection has no deadline: set
// one before reading, since a daemon that accepts and never answers would
// block the read for ever.
func Dial(ctx context.Context, opts Options) (net.Conn, error) {
	if opts.Path == "" {
		return nil, errors.New("dial: no endpoint path")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return dial(ctx, opts.Path)
}

// Request is what [Exchange] sends and how it reads the answer.
type Request struct {
	// Data is sent in one go.
	Data []byte
	// Limit bounds the answer: Exchange reads at most Limit+1 bytes, so
	// a caller can tell an answer longer than Limit (that is not an
	// error here).
	Limit int
	// Timeout bounds the whole exchange, connecting included; zero is
	// no bound but ctx's. (A timeout rather than ctx's deadline: the
	// first timer of a process starts the runtime's timer machinery,
	// about 60 µs of a fresh client's exchange.)
	Timeout time.Duration
	// Complete, when set, reports that what has been read is a whole
	// answer, so Exchange stops reading before the daemon hangs up.
	Complete func(answer []byte) bool
}

// Exchange is one request and its answer on a connection of its own, the
// shape of a client that asks once and exits: it dials as [Dial] does
// (the same checks, the same errors), sends req.Data, and reads the answer
// until the daemon closes the connection or req.Complete reports it
// whole. Past req.Timeout or ctx's deadline the error wraps
// os.ErrDeadlineExceeded; once ctx is cancelled it wraps ctx's error.
// Errors after the dial are [*ExchangeError]s.
//
// On Unix the exchange runs on a blocking socket in the calling
// goroutine, without the runtime's network poller or a timer (the
// socket's own send and receive timeouts bound it): in a fresh process
// that saves the poller's and the timers' set-up and a hand-off between
// threads, about a third of the exchange (measured with fresh processes,
// as BENCHMARKS.md tells). Long-lived and streamed connections use Dial.
func Exchange(ctx context.Context, opts Options, req Request) ([]byte, error) {
	if opts.Path == "" {
		return nil, errors.New("exchange: no endpoint path")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return exchange(ctx, opts.Path, req)
}

// ExchangeError is an [Exchange] failure after the connection was made.
type ExchangeError struct {
	Op  string // "send" or "read"
	Err error
}

func (e *ExchangeError) Error() string { return e.Op + ": " + e.Err.Error() }
func (e *ExchangeError) Unwrap() error { return e.Err }

// DialContext is [Dial] with the signature of http.Transport.DialContext:
// network and address are ignored (an http.Client's URL names no real
// host here), so
//
//	client := &http.Client{
//		Transport: &http.Transport{DialContext: opts.DialContext},
//		Timeout:   2 * time.Second,
//	}
//
// talks HTTP to the daemon at opts.Path, with http://awsxc/... URLs.
func (o Options) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	return Dial(ctx, o)
}

// Listener is a listening endpoint; it is a net.Listener, so an
// http.Server can Serve it. Its methods may be called from any goroutine.
type Listener struct {
	path    string      // Options.Path
	refused func(error) // Options.Refused, may be nil

	closeOnce sync.Once // guards the one close
	closeErr  error     // what the one close returned

	sys sysListener // the per-OS part
}

// Accept waits for the next connection from a process of the listener's
// user and returns it. Connections from other users are closed and
// reported to [Options].Refused; Accept goes on waiting. After
// [Listener.Close] it returns an error wrapping net.ErrClosed.
func (l *Listener) Accept() (net.Conn, error) { return l.accept() }

// Close stops listening, removes the socket file and drops the lock, in
// that order. Connections already accepted stay open. Closing again
// returns the first close's result.
func (l *Listener) Close() error {
	l.closeOnce.Do(func() { l.closeErr = l.close() })
	return l.closeErr
}

// Addr returns the endpoint's address: network "unix" or "pipe", and the
// path.
func (l *Listener) Addr() net.Addr { return l.addr() }

// Path returns the endpoint's path, as given to [Listen].
func (l *Listener) Path() string { return l.path }

// refuse closes a connection of another user and tells Options.Refused.
func (l *Listener) refuse(c interface{ Close() error }, err error) {
	c.Close()
	if l.refused != nil {
		l.refused(err)
	}
}
