//go:build unix

package localsock

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"time"
)

// exchange is [Exchange] on a blocking Unix socket, driven by plain
// system calls in the calling goroutine. The connect is non-blocking, as
// net's is, so that a full queue is EAGAIN at once rather than a wait;
// then the socket blocks, each write and read bounded by the time left
// (SO_SNDTIMEO, SO_RCVTIMEO). A cancellation of ctx shuts the socket
// down, which ends a blocked read (the read sees the end of the stream,
// and ctx says why).
func exchange(ctx context.Context, path string, req Request) ([]byte, error) {
	var deadline time.Time
	if req.Timeout > 0 {
		deadline = time.Now().Add(req.Timeout)
	}
	if d, ok := ctx.Deadline(); ok && (deadline.IsZero() || d.Before(deadline)) {
		deadline = d
	}
	uid, err := checkEndpoint(path)
	if err != nil {
		return nil, err
	}
	s, err := newBlockingSocket()
	if err != nil {
		return nil, err
	}
	defer s.close()
	if err := s.connect(path); err != nil {
		return nil, err
	}
	switch puid, pid, err := peerCredFD(s.fd); {
	case err != nil:
		return nil, fmt.Errorf("%w: cannot tell the user of the daemon on %s: %w", ErrPeer, path, err)
	case puid != uid:
		return nil, fmt.Errorf("%w: the daemon on %s runs as uid %d (pid %d), not uid %d", ErrPeer, path, puid, pid, uid)
	}
	if ctx.Done() != nil {
		stop := context.AfterFunc(ctx, s.shutdown)
		defer stop()
	}
	// ended words a step's failure: once ctx is done, that is why.
	ended := func(op string, err error) error {
		switch cerr := ctx.Err(); {
		case errors.Is(cerr, context.DeadlineExceeded):
			err = os.ErrDeadlineExceeded
		case cerr != nil:
			err = cerr
		}
		return &ExchangeError{Op: op, Err: err}
	}
	for p := req.Data; len(p) > 0; {
		n, err := s.io(syscall.SO_SNDTIMEO, deadline, func() (int, error) { return syscall.Write(s.fd, p) })
		if err != nil {
			return nil, ended("send", err)
		}
		p = p[n:]
	}
	buf := make([]byte, 0, 4096)
	for len(buf) <= req.Limit {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, min(cap(buf), req.Limit+1-len(buf)))
		}
		n, err := s.io(syscall.SO_RCVTIMEO, deadline, func() (int, error) {
			return syscall.Read(s.fd, buf[len(buf):min(cap(buf), req.Limit+1)])
		})
		if ctx.Err() != nil {
			return nil, ended("read", os.ErrClosed)
		}
		if err != nil {
			return nil, ended("read", err)
		}
		buf = buf[:len(buf)+n]
		if n == 0 || req.Complete != nil && req.Complete(buf) {
			break
		}
	}
	return buf, nil
}

// io runs a blocking write or read (call) with the socket's timeout opt
// set to the time left before deadline (none when deadline is zero),
// again while a signal interrupts it. A timeout is os.ErrDeadlineExceeded.
func (s *blockingSocket) io(opt int, deadline time.Time, call func() (int, error)) (int, error) {
	for {
		if !deadline.IsZero() {
			left := time.Until(deadline)
			if left <= 0 {
				return 0, os.ErrDeadlineExceeded
			}
			// A zero timeval is no timeout: round up to a microsecond.
			tv := syscall.NsecToTimeval(max(left, time.Microsecond).Nanoseconds() + 999)
			if err := syscall.SetsockoptTimeval(s.fd, syscall.SOL_SOCKET, opt, &tv); err != nil {
				return 0, os.NewSyscallError("setsockopt", err)
			}
		}
		n, err := call()
		switch {
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EAGAIN), errors.Is(err, syscall.EWOULDBLOCK):
			return 0, os.ErrDeadlineExceeded
		}
		return n, err
	}
}

// checkEndpoint runs the checks of a dial on path and returns the user
// the daemon must run as.
func checkEndpoint(path string) (uid int, err error) {
	if err := checkPath(path); err != nil {
		return -1, err
	}
	uid = os.Geteuid()
	if err := checkDir(filepath.Dir(path), uid); err != nil {
		return -1, err
	}
	if err := checkSocket(path, uid); err != nil {
		return -1, err
	}
	return uid, nil
}

// blockingSocket is a Unix stream socket's descriptor, closed once;
// shutdown may race with close from another goroutine.
type blockingSocket struct {
	mu     sync.Mutex
	fd     int
	closed bool
}

// newBlockingSocket opens a Unix stream socket, close-on-exec (under
// ForkLock, as net does where SOCK_CLOEXEC is missing) and non-blocking
// until it is connected.
func newBlockingSocket() (*blockingSocket, error) {
	syscall.ForkLock.RLock()
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err == nil {
		syscall.CloseOnExec(fd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return nil, os.NewSyscallError("socket", err)
	}
	if err := syscall.SetNonblock(fd, true); err != nil {
		syscall.Close(fd)
		return nil, os.NewSyscallError("fcntl", err)
	}
	return &blockingSocket{fd: fd}, nil
}

// connect connects to path, then makes the socket blocking. A Unix
// socket connects at once or not at all: ENOENT, ECONNREFUSED and EAGAIN
// (the daemon's queue is full) are [ErrNoDaemon], as for Dial.
func (s *blockingSocket) connect(path string) error {
	if err := syscall.Connect(s.fd, &syscall.SockaddrUnix{Name: path}); err != nil {
		for _, errno := range []syscall.Errno{syscall.ENOENT, syscall.ECONNREFUSED, syscall.EAGAIN} {
			if errors.Is(err, errno) {
				return fmt.Errorf("%w on %s (%w)", ErrNoDaemon, path, errno)
			}
		}
		return fmt.Errorf("dial %s: %w", path, os.NewSyscallError("connect", err))
	}
	if err := syscall.SetNonblock(s.fd, false); err != nil {
		return os.NewSyscallError("fcntl", err)
	}
	return nil
}

// shutdown ends the socket's traffic both ways, waking a blocked read.
func (s *blockingSocket) shutdown() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		syscall.Shutdown(s.fd, syscall.SHUT_RDWR)
	}
}

// Close is close, for [Listener.refuse].
func (s *blockingSocket) Close() error {
	s.close()
	return nil
}

func (s *blockingSocket) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		syscall.Close(s.fd)
	}
}
