package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/awsxc/awsxc/internal/fsutil"
	"github.com/awsxc/awsxc/internal/localsock"
	"github.com/awsxc/awsxc/internal/rundir"
)

// Hosting a daemon. A front end that runs one (the tray, awsxc-cli
// daemon) claims the user's endpoint with [Claim] before it makes its
// [Daemon], serves the daemon on it ([Endpoint.Serve]), and closes the
// daemon and then the endpoint when it stops. Whichever front end holds
// the endpoint is the user's daemon; the other one is refused with a
// [*RunningError] that names it.

// LockName is the single-instance lock that a front end hosting the
// daemon holds for its life, in [rundir.Dir]: a folder every session of
// the user finds in the same place (the endpoint's own folder may
// differ between sessions).
const LockName = "awsxc.lock"

// holderTimeout bounds the status request that names the front end
// holding the endpoint, for [RunningError].
const holderTimeout = time.Second

// HostOptions says which endpoint and lock [Claim] takes.
type HostOptions struct {
	// Getenv reads the front end's environment, which names the
	// endpoint (localsock.DefaultPath) and the lock's folder
	// (rundir.Dir). Required unless Path and LockPath are both set.
	Getenv func(string) string
	// Path is the endpoint; "" is the user's (localsock.DefaultPath).
	Path string
	// LockPath is the single-instance lock file; "" is [LockName] in
	// rundir.Dir.
	LockPath string
	// Refused is called for each connection the listener refuses (see
	// localsock.Options.Refused).
	Refused func(error)
	// Logger receives a warning when the lock cannot be taken for
	// another reason than another holder (a symlink at its path, a
	// read-only folder): the front end then runs without it. Nil
	// discards it.
	Logger *slog.Logger
}

// RunningError is [Claim]'s error when another front end hosts the
// user's daemon. It wraps localsock.ErrRunning.
type RunningError struct {
	// FrontEnd and PID are the running daemon's, from its status
	// answer: "awsxc-cli daemon", "awsxc tray"; FrontEnd is "" when it
	// did not answer (it is starting, or not listening).
	FrontEnd string
	PID      int
	// Path is the endpoint.
	Path string
}

func (e *RunningError) Error() string {
	if e.FrontEnd == "" {
		return "another awsxc credential daemon is already running for this user"
	}
	return fmt.Sprintf("%s (pid %d) is already running for this user as its credential daemon", e.FrontEnd, e.PID)
}

// Unwrap returns localsock.ErrRunning.
func (e *RunningError) Unwrap() error { return localsock.ErrRunning }

// Endpoint is the user's endpoint, claimed: the single-instance lock and
// the listener. Close releases both.
type Endpoint struct {
	// Path is the endpoint listened on.
	Path   string
	ln     *localsock.Listener
	lock   *fsutil.FileLock
	served chan error
}

// Claim takes the single-instance lock and listens on the user's
// endpoint. When another front end holds either, it returns a
// [*RunningError] naming it (asked over the endpoint, for up to a
// second) and holds nothing. When the endpoint cannot be listened on
// for another reason (an insecure folder, say), it returns that error
// AND an Endpoint that holds the lock only: a front end that goes on
// without the local API (the tray does) keeps it, so that a second
// front end is still refused, and closes it when it stops; [Endpoint.Serve]
// on it serves nothing. A lock that cannot be taken for another reason
// than a holder is logged and Claim goes on without it.
func Claim(ctx context.Context, o HostOptions) (*Endpoint, error) {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	path := o.Path
	if path == "" {
		p, err := localsock.DefaultPath(o.Getenv)
		if err != nil {
			return nil, err
		}
		path = p
	}
	lockPath := o.LockPath
	if lockPath == "" {
		if dir, err := rundir.Dir(o.Getenv); err != nil {
			log.Warn("no single-instance lock", "err", err)
		} else {
			lockPath = filepath.Join(dir, LockName)
		}
	}
	var lock *fsutil.FileLock
	if lockPath != "" {
		l, err := fsutil.TryLock(lockPath)
		switch {
		case errors.Is(err, fsutil.ErrLocked):
			return nil, holder(ctx, path)
		case err != nil:
			log.Warn("no single-instance lock", "err", err)
		default:
			lock = l
		}
	}
	ln, err := localsock.Listen(localsock.Options{Path: path, Refused: o.Refused})
	if err != nil {
		if errors.Is(err, localsock.ErrRunning) {
			lock.Unlock()
			return nil, holder(ctx, path)
		}
		return &Endpoint{Path: path, lock: lock, served: make(chan error, 1)}, err
	}
	return &Endpoint{Path: path, ln: ln, lock: lock, served: make(chan error, 1)}, nil
}

// holder asks the daemon on path who it is, for the error that refuses
// a second one.
func holder(ctx context.Context, path string) error {
	ctx, cancel := context.WithTimeout(ctx, holderTimeout)
	defer cancel()
	st, err := (&Client{Path: path, Timeout: holderTimeout}).Status(ctx)
	if err != nil {
		return &RunningError{Path: path}
	}
	return &RunningError{FrontEnd: st.FrontEnd, PID: st.PID, Path: path}
}

// Serve answers d's local API on the endpoint, in the background, until
// d is closed; [Endpoint.Done] then delivers [Daemon.Serve]'s result.
// Call it once.
func (e *Endpoint) Serve(d *Daemon) {
	if e.ln == nil {
		return // the lock only (see Claim)
	}
	go func() { e.served <- d.Serve(e.ln) }()
}

// Done delivers the result of the [Endpoint.Serve] once it returns: nil
// after the daemon closed, else the listener's error.
func (e *Endpoint) Done() <-chan error { return e.served }

// Close stops listening and drops the lock. Close the daemon first: a
// request in flight is answered before the listener goes.
func (e *Endpoint) Close() error {
	var err error
	if e.ln != nil {
		err = e.ln.Close()
	}
	e.lock.Unlock()
	return err
}

// Reload takes in edits to the settings file now, as the daemon does
// every [Options].ReloadInterval, and applies them: a front end that
// watches the file itself (the tray, on each tick and click) calls it
// once it saw a change, so that the servers follow at once. It saves
// nothing.
func (d *Daemon) Reload() { d.reload() }

// Forget drops what the daemon holds for profile, for a front end that
// ended the profile's session (a sign-out): the registry's Source is
// discarded (closed once its holders let go), and when it is the one
// the servers serve they get a new one, which fetches anew, so that
// nothing hands out the credentials it held.
func (d *Daemon) Forget(profile string) {
	for _, src := range d.reg.Sources() {
		if src.Profile().Name == profile {
			d.reg.Discard(src)
		}
	}
	d.mu.Lock()
	again := false
	if d.held != nil && d.active == profile {
		d.reg.Discard(d.held)
		d.release()
		d.held, d.release, again = nil, nil, true
	}
	if h, ok := d.pins[profile]; ok { // the servers pinned to it
		h.release()
		delete(d.pins, profile)
		again = true
	}
	if again {
		d.applyLocked()
	}
	d.mu.Unlock()
	d.changed()
}
