package localsock

import (
	"net"
	"time"
)

// DirectOptions says how [Listener.Direct] answers a connection itself.
type DirectOptions struct {
	// Complete reports whether the bytes read so far are enough to
	// answer or hand on: a whole request, or a head that says the rest
	// is not for the thread (a body of unknown length, say). Required.
	Complete func(request []byte) bool
	// Limit bounds what is read of one request; a connection that sends
	// more before it is complete is handed on. Required.
	Limit int
	// ReadTimeout bounds the wait for a complete request (zero is
	// [DefaultDirectRead]); a slower client is handed on with what it
	// sent. WriteTimeout bounds the write of an answer (zero is
	// [DefaultDirectWrite]).
	ReadTimeout, WriteTimeout time.Duration
	// Answer returns the whole answer to a complete request, which the
	// thread writes before it closes the connection; ok false hands the
	// connection on. It runs on the thread, one connection at a time, so
	// it must not wait: no network, no human, no lock held across
	// either. A panic in it hands the connection on. Required.
	Answer func(request []byte) (answer []byte, ok bool)
}

// The default bounds of [DirectOptions]. A local client writes its
// request right after it connects: a tenth of a second is long for it,
// and short for the clients waiting behind it.
const (
	DefaultDirectRead  = 100 * time.Millisecond
	DefaultDirectWrite = time.Second
)

// Direct serves l's connections from one operating-system thread that
// waits in accept(2) itself, on Linux. It reads each connection's
// request, answers it when opts.Answer can at once, and hands every
// other connection on, its request's bytes read again first, to the
// listener it returns (for an http.Server). A request answered there
// costs no goroutine and no wake-up of another thread: the round trip
// of a fresh client to an idle daemon is about a third of net/http's
// (see BENCHMARKS.md). Connections of another user are refused as
// [Listener.Accept] refuses them.
//
// Closing the returned listener stops the thread and closes l. Call
// Direct once, before anything accepts on l. Elsewhere, and when the
// thread cannot take the socket, it returns l itself: every connection
// is handed on.
func (l *Listener) Direct(opts DirectOptions) net.Listener {
	if opts.ReadTimeout <= 0 {
		opts.ReadTimeout = DefaultDirectRead
	}
	if opts.WriteTimeout <= 0 {
		opts.WriteTimeout = DefaultDirectWrite
	}
	return l.direct(opts)
}
