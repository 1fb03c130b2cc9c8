package daemon

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/engine/activity"
	"github.com/awsxc/awsxc/engine/daemon/wire"
	"github.com/awsxc/awsxc/engine/server"
	"github.com/awsxc/awsxc/engine/settings"
)

// Timeouts of the local API's HTTP server and of a request's wait. A
// client gives up much sooner (see [Client]); a fetch it started goes on
// in the daemon for the next caller.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 10 * time.Second
	writeTimeout      = 30 * time.Second
	idleTimeout       = 30 * time.Second
	maxHeaderBytes    = wire.MaxHeaderBytes
	shutdownTimeout   = 2 * time.Second
	// requestWait bounds how long a request waits for STS (with an MFA
	// code a client gave, a first fetch, a refresh asked for).
	requestWait = 15 * time.Second
	// defaultReload is how often the settings file and the active
	// profile's configuration are looked at again.
	defaultReload = 30 * time.Second
)

// The names of the servers a Daemon runs, in [ServerStatus] and
// [server.State].
const (
	ServerIMDS = "imds"
	ServerECS  = "ecs"
)

// Prompter asks the user of a front end for what the daemon cannot get
// by itself: an MFA code today, sign-ins later. The tray's dialogs are
// one; the headless daemon has none.
type Prompter interface {
	// MFACode asks for an MFA code for profile. It may block on the
	// human, and must return once ctx is done (the daemon ends a prompt
	// a client answered meanwhile, or when it stops).
	MFACode(ctx context.Context, profile string) (string, error)
}

// Options configures a [Daemon].
type Options struct {
	// Env is the daemon's configuration (its AWS files, folders,
	// region, clock): the one every profile is resolved with. Requests
	// from a client with another are answered "resolve it yourself".
	Env engine.Env
	// Environ is the daemon's process environment (os.Environ), for the
	// AWS_* variables the SDK reads by itself (see [ConfigOf]).
	Environ []string
	// SettingsPath is settings.json, shared with the tray; empty runs
	// no servers and keeps no settings.
	SettingsPath string
	// DefaultProfile is the active profile when the settings name none
	// (the front end's AWS_PROFILE, else default).
	DefaultProfile string
	// Logger receives debug records (one per request, never a secret)
	// and warnings; nil discards them.
	Logger *slog.Logger
	// Prompter asks the user for MFA codes; nil for none (headless).
	Prompter Prompter
	// Hints words the engine's actions in the servers' error bodies and
	// in [Daemon.Status] for the front end that runs the daemon; nil
	// keeps the neutral words. (Answers to the local API keep the
	// neutral words: each client words them for its own controls.)
	Hints engine.Hints
	// FrontEnd and Version name the program that runs the daemon, for
	// [StatusResponse].
	FrontEnd, Version string
	// OnChange, if set, is called (from any goroutine, never with a lock
	// held; it must not block) whenever what [Daemon.Status] or
	// [Daemon.ServerList] shows changes: a source fetched or failed, the
	// settings or the servers changed, a server or consumer was added,
	// removed or revoked, and after credentials requests to the servers
	// (at most once a second: a server's LastFetch; the records
	// themselves come from [Daemon.SubscribeActivity]).
	OnChange func()
	// ECSTokenFile, if set, is where the ECS server's token is written
	// (0600) whenever it starts, for containers that mount it (the
	// tray's: ecs-token in the run-time folder).
	ECSTokenFile string
	// TokenDir is the folder of the consumers' token files, NAME.token
	// (0600, no final newline): the run-time folder's tokens, made 0700
	// if it is not there. Empty keeps tokens in memory only (they change
	// on every start).
	TokenDir string
	// ReloadInterval is how often the settings file is read again when
	// it changed, and the active profile loaded again when its
	// configuration changed; zero is 30 s.
	ReloadInterval time.Duration
}

// Daemon is the per-user credential daemon: a registry of sources that
// every caller shares, the local servers the settings switch on, and
// the local API handler that awsxc-cli asks. A Daemon is safe for
// concurrent use.
type Daemon struct {
	opts   Options
	log    *slog.Logger
	cfg    Config // the daemon's own configuration, compared with each request's
	reg    *engine.Registry
	group  *server.Group
	file   *settings.File // nil without SettingsPath
	ctx    context.Context
	cancel context.CancelFunc
	bg     sync.WaitGroup // the settings watcher, prompts, warm-ups
	loaded loads          // profiles loaded, by the AWS files' content

	mfaMu sync.Mutex // protects mfa
	mfa   map[string]*mfaState

	mu        sync.Mutex // protects the fields below; serialises apply
	set       settings.Settings
	setErr    error  // the settings file's error, nil when none
	active    string // the profile the servers serve
	held      *engine.Source
	release   func() // of held
	activeErr error  // why active has no source
	states    []server.State
	servers   []*http.Server // the local API servers of Serve
	closed    bool
	pins      map[string]heldSource // the pinned servers' sources, by profile
	pinErr    map[string]error      // why a pinned profile has no source, by profile
	tokens    map[string]string     // the consumers' tokens, by name
	tokenErr  map[string]error      // a consumer's token file could not be written, by name
	ecsUsed   bool                  // the ECS listener served consumers: it keeps running, so a revoked token is refused and recorded
	consumers map[string]bool       // the consumers of the settings last applied, by name
	unsaved   []string              // the servers and consumers removed while the settings could not be saved

	act *activity.Log // the servers' recent requests
	rec *recorder     // what the servers record to

	handler http.Handler // Handler's, for answerNow
}

// heldSource is a source held from the registry, with its release.
type heldSource struct {
	src     *engine.Source
	release func()
}

// New starts a daemon: it reads the settings and starts the servers
// they switch on (a server that cannot start is reported in
// [Daemon.Status], never an error here). A settings file with an error
// is reported the same way, and its usable values are used. The daemon
// runs until Close or ctx is done; it answers the local API once given
// a listener ([Daemon.Serve]) or through [Daemon.Handler].
func New(ctx context.Context, opts Options) (*Daemon, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d := &Daemon{opts: opts, log: log, cfg: ConfigOf(opts.Env, opts.Environ), mfa: map[string]*mfaState{}}
	d.ctx, d.cancel = context.WithCancel(ctx)
	d.reg = engine.NewRegistry(d.ctx, engine.RegistryOptions{
		Source:   engine.SourceOptions{Env: opts.Env, Logger: log},
		MFA:      d.tokenProvider,
		OnChange: func(engine.Status) { d.changed() },
	})
	d.group = server.NewGroup(d.ctx)
	d.pins, d.pinErr, d.tokens, d.tokenErr = map[string]heldSource{}, map[string]error{}, map[string]string{}, map[string]error{}
	d.act, _ = activity.New(activity.Options{}) // no file: cannot fail
	d.rec = newRecorder(d)
	d.handler = d.Handler()
	d.mu.Lock()
	if opts.SettingsPath != "" {
		f, s, err := settings.Open(opts.SettingsPath)
		d.file, d.set, d.setErr = f, s, f.Err()
		if err != nil {
			log.Warn("settings", "err", err)
		}
	} else {
		d.set = settings.Default()
	}
	d.applyLocked()
	d.mu.Unlock()
	if d.file != nil {
		interval := cmpOr(opts.ReloadInterval, defaultReload)
		d.bg.Go(func() { d.watch(interval) })
	}
	return d, nil
}

func cmpOr(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// Registry returns the daemon's registry of sources, which its servers
// and every request share: a front end that shows or copies a profile's
// credentials takes them from here, never from a registry of its own.
func (d *Daemon) Registry() *engine.Registry { return d.reg }

// Active returns the active profile, the source the servers serve for it
// (nil when it cannot be loaded, with the error why; nil and no error
// when no profile is active). The source stays the daemon's: a front end
// reads it (Status, Current, Credentials) and must not close it.
func (d *Daemon) Active() (profile string, src *engine.Source, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.active, d.held, d.activeErr
}

// Servers returns the states of the servers the settings switch on, as
// the last change left them: a running server's IMDS or ECS field gives
// its client settings (the tray's "Copy settings for Docker").
func (d *Daemon) Servers() []server.State {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.states)
}

// Settings returns the settings in use, and the settings file's error
// (nil when it has none).
func (d *Daemon) Settings() (settings.Settings, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.set, d.setErr
}

// UpdateSettings takes in edits to the settings file first, then lets
// change modify the settings, saves them and applies them (a server
// switched, the active profile changed), all under one lock: a reload
// or another change comes wholly before or after, so none is lost. The
// settings are applied even when they cannot be saved (the file has an
// error the user must fix): the error says so, and wraps [ErrNotSaved].
// change must only edit what it means to change: a copy of the whole
// settings taken earlier would undo what changed since.
//
// A change that changes nothing writes nothing (unless the file is
// missing): a front end may ask for what the settings hold already (the
// profile its click saved) without writing the file again, which would
// put back what it held a moment ago over an edit made meanwhile.
func (d *Daemon) UpdateSettings(change func(*settings.Settings)) error {
	d.mu.Lock()
	d.reloadLocked()
	before, berr := d.set.Encode()
	change(&d.set)
	after, aerr := d.set.Encode()
	missing := false
	if d.file != nil {
		_, lerr := os.Lstat(d.file.Path())
		missing = errors.Is(lerr, fs.ErrNotExist)
	}
	var err error
	if berr != nil || aerr != nil || !bytes.Equal(before, after) || missing {
		err = d.saveLocked()
	}
	d.applyLocked()
	d.mu.Unlock()
	d.changed()
	return err
}

// saveLocked saves the settings (nothing without a settings file). A
// failure wraps [ErrNotSaved]; a success saves the removals held for
// the file (see [Daemon.Revoke]) too.
func (d *Daemon) saveLocked() error {
	if d.file == nil {
		return nil
	}
	if err := d.file.Save(d.set); err != nil {
		return notSavedError{err}
	}
	d.unsaved = nil
	return nil
}

// ErrNotSaved is wrapped by the error of a change the daemon could not
// save in the settings file (it has an error the user must fix, which
// [settings.ErrNotSaved] is then wrapped for, or it could not be
// written). [Daemon.AddServer] then changed nothing;
// [Daemon.RemoveServer], [Daemon.Revoke] and [Daemon.UpdateSettings]
// made the change, which holds until the daemon stops (a removal is
// saved as soon as the file can be, when the user fixed it). The local
// API answers it with [CodeNotSaved], and a [Client]'s error for that
// answer wraps it too.
var ErrNotSaved = errors.New("settings not saved")

// notSavedError is a save's error, wrapping ErrNotSaved too; it reads
// as the cause alone.
type notSavedError struct{ err error }

func (e notSavedError) Error() string   { return e.err.Error() }
func (e notSavedError) Unwrap() []error { return []error{ErrNotSaved, e.err} }

// SetActive makes profile the active one (saved in the settings): the
// servers serve it from now on.
func (d *Daemon) SetActive(profile string) error {
	return d.UpdateSettings(func(s *settings.Settings) { s.Profile = profile })
}

// Refresh fetches new credentials for profile now, for a user's action
// (a menu click): it may ask the [Prompter] for an MFA code, and waits
// for the user.
func (d *Daemon) Refresh(ctx context.Context, profile string) error {
	src, release, err := d.reg.Acquire(ctx, profile)
	if err != nil {
		return err
	}
	defer release()
	return d.prompted(ctx, profile, src.Refresh)
}

// activeLocked is the profile the servers serve: the settings', else the
// default; never the export profile, which is awsxc's own output.
func (d *Daemon) activeLocked() string {
	p := d.set.Profile
	if p == "" {
		p = d.opts.DefaultProfile
	}
	if p == d.set.ExportName {
		return ""
	}
	return p
}

// watch reads the settings file again every interval.
func (d *Daemon) watch(interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-d.ctx.Done():
			return
		case <-t.C:
			d.reload()
		}
	}
}

// reload takes in edits to the settings file, and replaces the active
// profile's source when its configuration changed (or it could not be
// loaded before).
func (d *Daemon) reload() {
	d.mu.Lock()
	changed := d.reloadLocked()
	d.mu.Unlock()
	if changed {
		d.changed()
	}
}

// reloadLocked is reload under d.mu, which every change of the settings
// holds from its own reload to its save: the file is read, compared and
// taken in under the same lock (d.mu, then the File's) as the saves, so
// a version the daemon wrote itself is never taken for the user's edit,
// and a change never overwrites one. It reports whether anything
// changed (the caller fires OnChange once it let go of d.mu).
func (d *Daemon) reloadLocked() bool {
	if d.closed {
		return false
	}
	changed := false
	if d.file != nil {
		s, fileChanged, err := d.file.Reload()
		switch {
		case err != nil:
			d.log.Warn("settings not reloaded; keeping those in use", "err", err)
			d.setErr, changed = err, true
		case fileChanged:
			d.log.Info("settings changed on disk; reloaded")
			d.set, d.setErr, changed = s, nil, true
			d.redoUnsavedLocked()
		case d.setErr != nil && d.file.Err() == nil:
			d.setErr, changed = nil, true
		}
	}
	if d.held != nil && d.stale(d.held) {
		d.log.Info("the active profile's configuration changed; loading it again", "profile", d.active)
		d.reg.Discard(d.held)
		d.release()
		d.held, d.release = nil, nil
		changed = true
	}
	for profile, h := range d.pins {
		if d.stale(h.src) {
			d.log.Info("a pinned profile's configuration changed; loading it again", "profile", profile)
			d.reg.Discard(h.src)
			h.release()
			delete(d.pins, profile)
			changed = true
		}
	}
	if changed || (d.held == nil && d.activeLocked() != "") || len(d.pinErr) > 0 {
		failed, pinsFailed := d.held == nil, len(d.pinErr)
		d.applyLocked()
		// A profile that failed to load and loads now is news: its
		// front end (the tray showing it paused) follows.
		if failed && d.held != nil || len(d.pinErr) < pinsFailed {
			changed = true
		}
	}
	return changed
}

// redoUnsavedLocked makes the removals that could not be saved (the
// file had an error) again on the settings just read, the file's fixed
// version, and saves them: a revoked consumer does not come back when
// the user fixes the file.
func (d *Daemon) redoUnsavedLocked() {
	if len(d.unsaved) == 0 {
		return
	}
	for _, name := range d.unsaved {
		removeFrom(&d.set, name)
	}
	if err := d.saveLocked(); err != nil {
		d.log.Warn("settings not saved", "err", err)
		return
	}
	d.log.Info("removals held for the settings file saved")
}

// stale reports whether src was made from another configuration of its
// profile than the files hold now.
func (d *Daemon) stale(src *engine.Source) bool {
	p, err := engine.Load(d.ctx, engine.Options{Env: d.opts.Env, Profile: src.Profile().Name})
	return err != nil || p.Fingerprint != src.Profile().Fingerprint
}

func (d *Daemon) changed() {
	if d.opts.OnChange != nil {
		d.opts.OnChange()
	}
}

// Status returns what the daemon holds, as the local API's status answer
// does: every profile with credentials in the registry, the servers and
// the settings.
func (d *Daemon) Status() StatusResponse {
	d.mu.Lock()
	st := StatusResponse{
		FrontEnd: d.opts.FrontEnd, Version: d.opts.Version, PID: pid(),
		Active: d.active, Profiles: []ProfileStatus{}, Servers: []ServerStatus{},
	}
	if d.file != nil {
		st.Settings = d.file.Path()
	}
	if d.setErr != nil {
		st.SettingsError = d.setErr.Error()
	}
	if d.activeErr != nil {
		st.ActiveError = d.opts.Hints.Reword(d.activeErr).Error()
	}
	serving := map[string][]string{}
	for _, info := range d.listLocked() {
		ss := ServerStatus{Name: info.Name, Kind: info.Kind, Profile: info.Profile, FollowsActive: info.FollowsActive,
			Addr: info.Addr, URL: info.URL, Running: info.Running, Reach: info.Reach, Error: info.Error}
		if !info.Running || info.Kind == KindECS && !info.FollowsActive {
			ss.Profile = ""
		}
		if ss.Profile != "" {
			serving[ss.Profile] = append(serving[ss.Profile], info.Name)
		}
		st.Servers = append(st.Servers, ss)
	}
	if err := d.rec.err(); err != nil {
		st.AuditError = err.Error()
	}
	d.mu.Unlock()
	for _, src := range d.reg.Sources() {
		s := src.Status()
		ps := ProfileStatus{
			Profile: s.Profile, Kind: string(s.Kind), Region: s.Region, Key: s.KeyID,
			Valid: s.Valid, Refreshing: s.Refreshing,
			Renews:  src.Profile().MFASerial == "",
			Servers: serving[s.Profile],
		}
		if !s.Expires.IsZero() {
			ps.Expiration = engine.FormatTime(s.Expires)
		}
		if s.Err != nil {
			ps.Error = d.opts.Hints.Reword(s.Err).Error()
		}
		st.Profiles = append(st.Profiles, ps)
	}
	return st
}

// Serve answers the local API on ln until Close (or the daemon's
// context) ends, then returns nil; any other return is the listener's
// error. It may be called for more than one listener.
func (d *Daemon) Serve(ln net.Listener) error {
	srv := &http.Server{
		Handler:           d.Handler(),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(d.log.Handler(), slog.LevelDebug),
		BaseContext:       func(net.Listener) context.Context { return d.ctx },
	}
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		ln.Close()
		return nil
	}
	d.servers = append(d.servers, srv)
	d.mu.Unlock()
	err := srv.Serve(d.direct(ln))
	if errors.Is(err, http.ErrServerClosed) || d.ctx.Err() != nil {
		return nil
	}
	return err
}

// Close stops the local API (requests in flight get a moment to
// finish), the servers and every source, and waits for them. It is safe
// to call more than once; it returns the servers' errors in stopping.
func (d *Daemon) Close() error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil
	}
	d.closed = true
	servers := slices.Clone(d.servers)
	d.mu.Unlock()
	// Requests in flight see the daemon stop (their context ends) and
	// answer at once; their clients resolve by themselves.
	d.cancel()
	var wg sync.WaitGroup
	for _, srv := range servers {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
			defer cancel()
			if srv.Shutdown(ctx) != nil {
				srv.Close()
			}
		})
	}
	wg.Wait()
	err := d.group.Close()
	d.mu.Lock()
	if d.release != nil {
		d.release()
		d.held, d.release = nil, nil
	}
	for p, h := range d.pins {
		h.release()
		delete(d.pins, p)
	}
	d.mu.Unlock()
	d.rec.close()
	d.act.Close()
	d.reg.Close()
	d.bg.Wait()
	return err
}
