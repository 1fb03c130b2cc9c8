package localsock

// The named pipe is our own code on golang.org/x/sys/windows rather than
// github.com/Microsoft/go-winio: since Go 1.25 os.NewFile makes an
// overlapped handle pollable, with deadlines, which is most of what
// go-winio adds; and go-winio's listener keeps its first pipe instance
// in a state that Wine (our Windows test bed) does not emulate, so the
// first client hangs there (wireguard-go's fork works around the same
// behaviour of Windows 7 and 8 with a throwaway connection).

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// pipePrefix starts every local pipe name.
const pipePrefix = `\\.\pipe\`

// pipeBuffer is the pipe's in and out buffer size, a hint to the system.
const pipeBuffer = 64 << 10

// busyWait bounds each wait of Dial for a free instance when every
// instance of the pipe is busy (the listener makes a new one right after
// each client connects, so this is rare and short), so that Dial notices
// a canceled context soon.
const busyWait = 50 * time.Millisecond

// procWaitNamedPipeW is WaitNamedPipeW, which golang.org/x/sys/windows
// does not wrap: it returns as soon as an instance is free, where a sleep
// would wait out its whole length.
var procWaitNamedPipeW = windows.NewLazySystemDLL("kernel32.dll").NewProc("WaitNamedPipeW")

// sysListener is the Windows part of a [Listener].
type sysListener struct {
	name    *uint16                     // the pipe's name
	sa      *windows.SecurityAttributes // the user-only security descriptor
	sid     *windows.SID                // the user whose clients are accepted
	closeEv windows.Handle              // set by close, wakes a waiting Accept

	mu     sync.Mutex     // guards next and closed
	next   windows.Handle // the instance waiting for the next client; 0 while Accept uses it
	closed bool
	wg     sync.WaitGroup // Accepts in progress, which close waits for
}

func defaultPath(func(string) string) (string, error) {
	sid, err := userSID()
	if err != nil {
		return "", fmt.Errorf("pipe name: %w", err)
	}
	return pipePrefix + "awsxc-" + sid.String(), nil
}

// userSID returns the user of the process's token, which does not change
// (awsxc impersonates no one).
var userSID = sync.OnceValues(tokenUser)

// tokenUser returns the user of the process's token.
func tokenUser() (*windows.SID, error) {
	tu, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return nil, fmt.Errorf("the process's user: %w", err)
	}
	return tu.User.Sid.Copy()
}

func checkPipeName(path string) error {
	if len(path) <= len(pipePrefix) || !strings.EqualFold(path[:len(pipePrefix)], pipePrefix) {
		return fmt.Errorf("pipe name %q does not start with %s", path, pipePrefix)
	}
	return nil
}

func listen(opts Options) (*Listener, error) {
	if err := checkPipeName(opts.Path); err != nil {
		return nil, err
	}
	name, err := windows.UTF16PtrFromString(opts.Path)
	if err != nil {
		return nil, err
	}
	sid, err := userSID()
	if err != nil {
		return nil, err
	}
	// Owner: the user, named because an elevated token would otherwise
	// make Administrators the owner, which clients refuse. A protected
	// DACL (P, nothing inherited) with one ACE: full access for the user.
	u := sid.String()
	sd, err := windows.SecurityDescriptorFromString("O:" + u + "D:P(A;;GA;;;" + u + ")")
	if err != nil {
		return nil, fmt.Errorf("pipe security descriptor: %w", err)
	}
	sa := &windows.SecurityAttributes{SecurityDescriptor: sd}
	sa.Length = uint32(unsafe.Sizeof(*sa))
	l := &Listener{path: opts.Path, refused: opts.Refused, sys: sysListener{name: name, sa: sa, sid: sid}}
	h, err := l.sys.create(true)
	if errors.Is(err, windows.ERROR_ACCESS_DENIED) || errors.Is(err, windows.ERROR_PIPE_BUSY) {
		return nil, fmt.Errorf("%w on %s, or another program holds the name", ErrRunning, opts.Path)
	}
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", opts.Path, err)
	}
	l.sys.closeEv, err = windows.CreateEvent(nil, 1, 0, nil)
	if err != nil {
		windows.CloseHandle(h)
		return nil, err
	}
	l.sys.next = h
	return l, nil
}

// create makes a new instance of the pipe; the first one must be the
// first of its name on the system.
func (s *sysListener) create(first bool) (windows.Handle, error) {
	flags := uint32(windows.PIPE_ACCESS_DUPLEX | windows.FILE_FLAG_OVERLAPPED)
	if first {
		flags |= windows.FILE_FLAG_FIRST_PIPE_INSTANCE
	}
	mode := uint32(windows.PIPE_TYPE_BYTE | windows.PIPE_READMODE_BYTE | windows.PIPE_WAIT | windows.PIPE_REJECT_REMOTE_CLIENTS)
	return windows.CreateNamedPipe(s.name, flags, mode, windows.PIPE_UNLIMITED_INSTANCES, pipeBuffer, pipeBuffer, 0, s.sa)
}

func (l *Listener) accept() (net.Conn, error) {
	s := &l.sys
	for {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return nil, l.closedErr()
		}
		h := s.next
		s.next = 0
		s.wg.Add(1)
		s.mu.Unlock()

		c, err := l.acceptOn(h)
		s.wg.Done()
		if err != nil {
			return nil, err
		}
		if c != nil {
			return c, nil
		}
	}
}

// acceptOn waits for a client on instance h (a new one when h is 0),
// makes the next instance, and checks the client. It returns nil, nil for
// a refused client.
func (l *Listener) acceptOn(h windows.Handle) (net.Conn, error) {
	s := &l.sys
	if h == 0 {
		var err error
		if h, err = s.create(false); err != nil {
			return nil, &net.OpError{Op: "accept", Net: "pipe", Addr: l.addr(), Err: err}
		}
	}
	if err := s.connect(h); err != nil {
		windows.CloseHandle(h)
		if errors.Is(err, net.ErrClosed) {
			return nil, l.closedErr()
		}
		return nil, &net.OpError{Op: "accept", Net: "pipe", Addr: l.addr(), Err: err}
	}
	// The next instance before anything else: while one waits, clients
	// find the pipe (busy at worst), never "not found".
	next, err := s.create(false)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		if err == nil {
			windows.CloseHandle(next)
		}
		windows.CloseHandle(h)
		return nil, l.closedErr()
	}
	if err == nil {
		s.next = next
	}
	s.mu.Unlock()

	sid, pid, err := clientUser(h)
	switch {
	case err != nil:
		l.refuse(handleCloser(h), fmt.Errorf("%w: cannot tell the user of a client on %s (pid %d): %w", ErrPeer, l.path, pid, err))
		return nil, nil
	case !sid.Equals(s.sid):
		l.refuse(handleCloser(h), fmt.Errorf("%w: refused a connection on %s from %s (pid %d), not %s", ErrPeer, l.path, sid, pid, s.sid))
		return nil, nil
	}
	return newPipeConn(h, l.path), nil
}

// connect waits for a client to open instance h, or for close.
func (s *sysListener) connect(h windows.Handle) error {
	ev, err := windows.CreateEvent(nil, 1, 0, nil)
	if err != nil {
		return err
	}
	defer windows.CloseHandle(ev)
	for {
		windows.ResetEvent(ev)
		ov := &windows.Overlapped{HEvent: ev}
		err := windows.ConnectNamedPipe(h, ov)
		switch {
		case err == nil, errors.Is(err, windows.ERROR_PIPE_CONNECTED):
			return nil
		case clientGone(err):
			// The client came and went before we looked: ready the
			// instance for the next one.
			windows.DisconnectNamedPipe(h)
			continue
		case !errors.Is(err, windows.ERROR_IO_PENDING):
			return err
		}
		r, err := windows.WaitForMultipleObjects([]windows.Handle{ev, s.closeEv}, false, windows.INFINITE)
		if err != nil {
			windows.CancelIoEx(h, ov)
			var n uint32
			windows.GetOverlappedResult(h, ov, &n, true)
			return err
		}
		if r == windows.WAIT_OBJECT_0+1 {
			windows.CancelIoEx(h, ov)
			var n uint32
			windows.GetOverlappedResult(h, ov, &n, true)
			return net.ErrClosed
		}
		var n uint32
		err = windows.GetOverlappedResult(h, ov, &n, false)
		if clientGone(err) {
			windows.DisconnectNamedPipe(h)
			continue
		}
		return err
	}
}

// clientGone says whether a connect failed only because its client left
// already; the instance can wait for the next one.
func clientGone(err error) bool {
	return errors.Is(err, windows.ERROR_NO_DATA) || errors.Is(err, windows.ERROR_BROKEN_PIPE)
}

// clientUser returns the user and process id of the client connected to
// instance h, from the client process's token. (Impersonating the client
// instead works only once data has been read from the pipe:
// ERROR_CANNOT_IMPERSONATE.)
func clientUser(h windows.Handle) (*windows.SID, uint32, error) {
	var pid uint32
	if err := windows.GetNamedPipeClientProcessId(h, &pid); err != nil {
		return nil, 0, err
	}
	return processUser(pid)
}

// processUser returns the user of process pid's token.
func processUser(pid uint32) (*windows.SID, uint32, error) {
	p, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, pid)
	if err != nil {
		return nil, pid, err
	}
	defer windows.CloseHandle(p)
	var tok windows.Token
	if err := windows.OpenProcessToken(p, windows.TOKEN_QUERY, &tok); err != nil {
		return nil, pid, err
	}
	defer tok.Close()
	tu, err := tok.GetTokenUser()
	if err != nil {
		return nil, pid, err
	}
	sid, err := tu.User.Sid.Copy()
	return sid, pid, err
}

func (l *Listener) close() error {
	s := &l.sys
	s.mu.Lock()
	s.closed = true
	h := s.next
	s.next = 0
	s.mu.Unlock()
	windows.SetEvent(s.closeEv)
	s.wg.Wait()
	if h != 0 {
		windows.CloseHandle(h)
	}
	return windows.CloseHandle(s.closeEv)
}

func (l *Listener) closedErr() error {
	return &net.OpError{Op: "accept", Net: "pipe", Addr: l.addr(), Err: net.ErrClosed}
}

func (l *Listener) addr() net.Addr { return pipeAddr(l.path) }

func dial(ctx context.Context, path string) (net.Conn, error) {
	if err := checkPipeName(path); err != nil {
		return nil, err
	}
	name, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return nil, err
	}
	var h windows.Handle
	for {
		// SECURITY_IDENTIFICATION: the daemon may learn who we are but
		// not act as us.
		h, err = windows.CreateFile(name, windows.GENERIC_READ|windows.GENERIC_WRITE, 0, nil, windows.OPEN_EXISTING,
			windows.FILE_FLAG_OVERLAPPED|windows.SECURITY_SQOS_PRESENT|windows.SECURITY_IDENTIFICATION, 0)
		if err == nil {
			break
		}
		switch {
		case errors.Is(err, windows.ERROR_FILE_NOT_FOUND), errors.Is(err, windows.ERROR_PATH_NOT_FOUND):
			return nil, fmt.Errorf("%w on %s (%w)", ErrNoDaemon, path, err)
		case errors.Is(err, windows.ERROR_ACCESS_DENIED):
			return nil, fmt.Errorf("%w: pipe %s does not let this user in (%w)", ErrPeer, path, err)
		case !errors.Is(err, windows.ERROR_PIPE_BUSY):
			return nil, fmt.Errorf("dial %s: %w", path, err)
		}
		if err := waitPipe(ctx, name); err != nil {
			return nil, fmt.Errorf("dial %s: every pipe instance busy: %w", path, err)
		}
	}
	if err := checkOwner(h, path); err != nil {
		windows.CloseHandle(h)
		return nil, err
	}
	return newPipeConn(h, path), nil
}

// waitPipe waits until an instance of the pipe may be free, at most
// busyWait or until ctx's deadline; it returns ctx's error once ctx is
// done. Whether an instance is free, the next CreateFile tells (another
// client may have taken it meanwhile).
func waitPipe(ctx context.Context, name *uint16) error {
	wait := busyWait
	if d, ok := ctx.Deadline(); ok {
		wait = min(wait, max(time.Until(d), time.Millisecond))
	}
	// A timeout (ERROR_SEM_TIMEOUT) or a pipe gone (ERROR_FILE_NOT_FOUND)
	// is for the next CreateFile to find.
	procWaitNamedPipeW.Call(uintptr(unsafe.Pointer(name)), uintptr(wait.Milliseconds()))
	return ctx.Err()
}

// checkOwner requires the pipe's owner to be the process's user: a pipe
// of that name made by another user is theirs.
func checkOwner(h windows.Handle, path string) error {
	me, err := userSID()
	if err != nil {
		return err
	}
	sd, err := windows.GetSecurityInfo(h, windows.SE_KERNEL_OBJECT, windows.OWNER_SECURITY_INFORMATION)
	if err != nil {
		return fmt.Errorf("%w: cannot tell the owner of pipe %s: %w", ErrPeer, path, err)
	}
	owner, _, err := sd.Owner()
	if err != nil {
		return fmt.Errorf("%w: cannot tell the owner of pipe %s: %w", ErrPeer, path, err)
	}
	if !owner.Equals(me) {
		return fmt.Errorf("%w: pipe %s belongs to %s, not %s", ErrPeer, path, owner, me)
	}
	return nil
}

// handleCloser closes a pipe instance that never became a connection.
type handleCloser windows.Handle

func (h handleCloser) Close() error { return windows.CloseHandle(windows.Handle(h)) }

// pipeAddr is a pipe's name as a net.Addr.
type pipeAddr string

func (a pipeAddr) Network() string { return "pipe" }
func (a pipeAddr) String() string  { return string(a) }

// pipeConn is one end of a connected pipe instance. Its I/O goes through
// an os.File on the overlapped handle, which the runtime polls, so reads
// and writes honour deadlines.
type pipeConn struct {
	f    *os.File
	addr pipeAddr
}

func newPipeConn(h windows.Handle, path string) *pipeConn {
	return &pipeConn{f: os.NewFile(uintptr(h), path), addr: pipeAddr(path)}
}

func (c *pipeConn) Read(b []byte) (int, error)         { return c.f.Read(b) }
func (c *pipeConn) Write(b []byte) (int, error)        { return c.f.Write(b) }
func (c *pipeConn) Close() error                       { return c.f.Close() }
func (c *pipeConn) LocalAddr() net.Addr                { return c.addr }
func (c *pipeConn) RemoteAddr() net.Addr               { return c.addr }
func (c *pipeConn) SetDeadline(t time.Time) error      { return c.f.SetDeadline(t) }
func (c *pipeConn) SetReadDeadline(t time.Time) error  { return c.f.SetReadDeadline(t) }
func (c *pipeConn) SetWriteDeadline(t time.Time) error { return c.f.SetWriteDeadline(t) }

// exchange is [Exchange] on a pipe connection: the pipe's overlapped
// I/O has no poller set-up to save.
func exchange(ctx context.Context, path string, req Request) ([]byte, error) {
	if req.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, req.Timeout)
		defer cancel()
	}
	c, err := dial(ctx, path)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if d, ok := ctx.Deadline(); ok {
		c.SetDeadline(d)
	}
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Now()) })
	defer stop()
	if _, err := c.Write(req.Data); err != nil {
		return nil, exchangeError(ctx, "send", err)
	}
	buf := make([]byte, 0, 4096)
	for len(buf) <= req.Limit {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, min(cap(buf), req.Limit+1-len(buf)))
		}
		n, err := c.Read(buf[len(buf):min(cap(buf), req.Limit+1)])
		buf = buf[:len(buf)+n]
		if req.Complete != nil && req.Complete(buf) {
			break
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, exchangeError(ctx, "read", err)
		}
	}
	return buf, nil
}

// exchangeError words a failed step of an exchange: ctx's own error when
// ctx was cancelled (which is what ended the step), else err.
func exchangeError(ctx context.Context, op string, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(cerr, context.DeadlineExceeded) {
		err = cerr
	}
	return &ExchangeError{Op: op, Err: err}
}
