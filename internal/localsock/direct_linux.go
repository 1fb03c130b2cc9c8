package localsock

import (
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"sync"
	"syscall"
	"time"
)

// directListener is [Listener.Direct]'s thread and the listener of the
// connections it hands on.
type directListener struct {
	l    *Listener
	opts DirectOptions
	file *os.File // a duplicate of the listening socket, in blocking mode
	fd   int      // file's descriptor

	handed chan net.Conn // connections handed on, for Accept
	done   chan struct{} // closed by Close
	exited chan struct{} // closed when the thread has returned
	once   sync.Once     // guards the one close
	err    error         // what the one close returned

	mu      sync.Mutex // protects serving
	serving int        // the connection the thread reads or answers, -1 for none
}

func (l *Listener) direct(opts DirectOptions) net.Listener {
	f, err := l.sys.ln.File()
	if err != nil {
		return l
	}
	// Fd puts the socket in blocking mode: accept(2) then waits in the
	// thread, not in the network poller. The listener l shares the mode,
	// and nothing else accepts on it now.
	fd := int(f.Fd())
	d := &directListener{l: l, opts: opts, file: f, fd: fd,
		handed: make(chan net.Conn, 16), done: make(chan struct{}), exited: make(chan struct{}), serving: -1}
	go d.run()
	return d
}

// run is the thread: it accepts, answers or hands on, until Close.
func (d *directListener) run() {
	// The goroutine keeps its thread to itself and never gives it back:
	// when run returns, the runtime ends the thread.
	runtime.LockOSThread()
	defer close(d.exited)
	var pause time.Duration // after a failed accept, as net/http pauses
	buf := make([]byte, 0, 4096)
	for {
		fd, _, err := syscall.Accept4(d.fd, syscall.SOCK_CLOEXEC)
		if err != nil {
			select {
			case <-d.done:
				return
			default:
			}
			if errors.Is(err, syscall.EINTR) || errors.Is(err, syscall.ECONNABORTED) {
				continue
			}
			pause = min(max(2*pause, 5*time.Millisecond), time.Second)
			select {
			case <-d.done:
				return
			case <-time.After(pause):
			}
			continue
		}
		pause = 0
		if !d.setServing(fd) {
			syscall.Close(fd)
			return
		}
		buf = d.serve(fd, buf[:0])
	}
}

// setServing records the connection the thread serves (-1: none), so
// that Close can shut it down; once Close has begun it refuses a new one.
// The thread clears it before the descriptor is closed or handed on, so
// Close never shuts down a descriptor the number was given to since.
func (d *directListener) setServing(fd int) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	select {
	case <-d.done:
		if fd >= 0 {
			return false
		}
	default:
	}
	d.serving = fd
	return true
}

// serve answers the connection fd or hands it on, and returns buf for
// the next one. The connection is closed or handed on when it returns.
func (d *directListener) serve(fd int, buf []byte) []byte {
	s := &blockingSocket{fd: fd}
	done := func() { // no longer Close's to shut down, then closed
		d.setServing(-1)
		s.close()
	}
	switch uid, pid, err := peerCredFD(fd); {
	case err != nil:
		d.setServing(-1)
		d.l.refuse(s, fmt.Errorf("%w: cannot tell the peer's user on %s: %w", ErrPeer, d.l.path, err))
		return buf
	case uid != d.l.sys.uid:
		d.setServing(-1)
		d.l.refuse(s, fmt.Errorf("%w: refused a connection on %s from uid %d (pid %d), not uid %d", ErrPeer, d.l.path, uid, pid, d.l.sys.uid))
		return buf
	}
	deadline := time.Now().Add(d.opts.ReadTimeout)
	complete, ended := false, false
	for !complete && !ended && len(buf) <= d.opts.Limit {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := s.io(syscall.SO_RCVTIMEO, deadline, func() (int, error) {
			return syscall.Read(fd, buf[len(buf):min(cap(buf), d.opts.Limit+1)])
		})
		if err != nil {
			break // too slow, or gone: handed on, net/http says what it is
		}
		buf = buf[:len(buf)+n]
		ended = n == 0
		complete = d.opts.Complete(buf)
	}
	select {
	case <-d.done: // shut down by Close
		done()
		return buf
	default:
	}
	if complete && len(buf) <= d.opts.Limit {
		if answer, ok := d.answer(buf); ok {
			deadline := time.Now().Add(d.opts.WriteTimeout)
			for p := answer; len(p) > 0; {
				n, err := s.io(syscall.SO_SNDTIMEO, deadline, func() (int, error) { return syscall.Write(fd, p) })
				if err != nil {
					break // the client is gone or stuck: it gives up on its own
				}
				p = p[n:]
			}
			done()
			return buf
		}
	}
	if ended && len(buf) == 0 {
		done() // connected and went: nothing to hand on
		return buf
	}
	d.setServing(-1)
	d.handOn(s, buf)
	return buf
}

// answer runs opts.Answer. A panic there does not end the daemon: the
// connection is handed on, to be answered in full (an http.Server
// recovers from a handler's panic in turn).
func (d *directListener) answer(request []byte) (answer []byte, ok bool) {
	defer func() {
		if recover() != nil {
			answer, ok = nil, false
		}
	}()
	return d.opts.Answer(request)
}

// handOn makes s a net.Conn that reads the bytes already read first, and
// gives it to Accept.
func (d *directListener) handOn(s *blockingSocket, read []byte) {
	f := os.NewFile(uintptr(s.fd), "") // f closes the descriptor now
	c, err := net.FileConn(f)          // a duplicate, in the network poller
	f.Close()
	if err != nil {
		return
	}
	pc := &prefixConn{Conn: c, pre: append([]byte(nil), read...)}
	select {
	case d.handed <- pc:
	case <-d.done:
		pc.Close()
	}
}

// Accept returns the next connection the thread hands on.
func (d *directListener) Accept() (net.Conn, error) {
	select {
	case c := <-d.handed:
		return c, nil
	case <-d.done:
		return nil, &net.OpError{Op: "accept", Net: "unix", Addr: d.l.Addr(), Err: net.ErrClosed}
	}
}

// Close stops the thread, closes the connections not yet accepted, and
// closes the Listener.
func (d *directListener) Close() error {
	d.once.Do(func() {
		d.mu.Lock()
		close(d.done)
		// A shut-down socket ends the accept(2) or read(2) the thread
		// waits in (EINVAL, or the end of the stream); closing it would
		// not.
		syscall.Shutdown(d.fd, syscall.SHUT_RDWR)
		if d.serving >= 0 {
			syscall.Shutdown(d.serving, syscall.SHUT_RDWR)
		}
		d.mu.Unlock()
		<-d.exited
		d.file.Close()
		for {
			select {
			case c := <-d.handed:
				c.Close()
				continue
			default:
			}
			break
		}
		d.err = d.l.Close()
	})
	return d.err
}

func (d *directListener) Addr() net.Addr { return d.l.Addr() }

// prefixConn is a connection whose first bytes were read already. It
// embeds the interface, not the *net.UnixConn, so that no method of the
// connection that reads (WriteTo, say) can skip them.
type prefixConn struct {
	net.Conn
	pre []byte
}

func (c *prefixConn) Read(p []byte) (int, error) {
	if len(c.pre) > 0 {
		n := copy(p, c.pre)
		c.pre = c.pre[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}

// CloseWrite is the connection's, for net/http's closing handshake.
func (c *prefixConn) CloseWrite() error { return c.Conn.(*net.UnixConn).CloseWrite() }
