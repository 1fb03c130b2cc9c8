package engine

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"
)

// DefaultMaxSources is how many sources a [Registry] keeps when
// [RegistryOptions] Max is zero. A Source costs a goroutine and one set of
// credentials; 64 profiles is more than anyone serves at once, and each
// new name beyond it replaces the least recently used source nothing
// holds.
const DefaultMaxSources = 64

// DefaultIdleTimeout is how long a [Registry] keeps a source that no one
// holds and no one has asked for when [RegistryOptions] IdleTimeout is
// zero. A kept source refreshes ahead of expiry for ever (an AssumeRole
// call, a CloudTrail event, a credential_process run per lifetime), so
// one request for a profile must not keep it refreshing for the days a
// daemon runs; an hour is longer than a build, and the next request after
// it just fetches again.
const DefaultIdleTimeout = time.Hour

// idleCheck is how often a registry looks for idle sources between
// Acquires (each Acquire looks too).
const idleCheck = time.Minute

// ErrTooManySources is what [Registry.Acquire] returns for a profile it
// has no source for when every source it keeps is held.
var ErrTooManySources = errors.New("too many credential sources held")

// RegistryOptions configures a [Registry].
type RegistryOptions struct {
	// Source is what every source of the registry is made with (logger,
	// clock, session duration, refresh window, ...). Its Profile and
	// OnChange are set per source.
	Source SourceOptions
	// MFA, if set, returns the MFA token provider for one profile's
	// source (nil for none), overriding Source.MFA: a front end that asks
	// a human names the profile in its prompt.
	MFA func(profile string) TokenProvider
	// Max bounds how many sources the registry keeps; zero is
	// [DefaultMaxSources].
	Max int
	// OnChange, if set, is called as [SourceOptions] OnChange is, for the
	// status changes of every source the registry keeps; Status.Profile
	// names the source. It is not called for a source once it has been
	// evicted or the registry closed.
	OnChange func(Status)
	// IdleTimeout: a source that no one holds and that no one has asked
	// for (Acquire) for this long, on Source.Env's clock, is closed (it
	// stops refreshing) and dropped; the next Acquire makes a new one.
	// Zero is [DefaultIdleTimeout]; negative keeps sources until they are
	// evicted or the registry is closed.
	IdleTimeout time.Duration

	// checkEvery is how often the registry looks for idle sources between
	// Acquires; zero is idleCheck (tests shorten it).
	checkEvery time.Duration
}

// Registry keeps one [Source] per profile, made on first use and shared
// by every caller, for a front end that serves many profiles (the ECS
// server's /profiles/NAME, a tray, a daemon). It keeps at most Max
// sources: when a new profile is asked for with the registry full, the
// least recently used source that no one holds is closed and dropped; a
// source someone holds is never dropped. A source no one holds or asks
// for within IdleTimeout is closed and dropped too. Close closes them
// all.
//
// A Registry is safe for concurrent use.
type Registry struct {
	ctx  context.Context // parent of every source
	opts RegistryOptions
	max  int
	idle time.Duration  // IdleTimeout; <= 0 never
	bg   sync.WaitGroup // sources being made, or closed after eviction
	stop chan struct{}  // closed by Close: ends the idle watch

	mu      sync.Mutex // protects the fields below
	entries map[string]*regEntry
	// dropped are entries Discard took out of entries while someone
	// held them: each is closed on its last release, or by Close.
	dropped map[*regEntry]bool
	clock   uint64 // counts uses, for least-recently-used order
	closed  bool
}

// regEntry is one profile's source, or the making of it.
type regEntry struct {
	ready  chan struct{} // closed once src or err is set
	src    *Source
	err    error
	refs   int       // holders: callers of Acquire that have not released
	used   uint64    // Registry.clock at the last Acquire or release
	usedAt time.Time // Source.Env's time at the last Acquire or release
}

// NewRegistry returns an empty registry. Its sources live until they are
// evicted or idle (see [RegistryOptions]), Close is called or ctx is
// done.
func NewRegistry(ctx context.Context, opts RegistryOptions) *Registry {
	r := &Registry{ctx: ctx, opts: opts, max: opts.Max, idle: opts.IdleTimeout,
		entries: map[string]*regEntry{}, dropped: map[*regEntry]bool{}, stop: make(chan struct{})}
	if r.max <= 0 {
		r.max = DefaultMaxSources
	}
	if r.idle == 0 {
		r.idle = DefaultIdleTimeout
	}
	if r.idle > 0 {
		every := opts.checkEvery
		if every <= 0 {
			every = idleCheck
		}
		r.bg.Add(1)
		go r.watchIdle(every)
	}
	return r
}

// watchIdle drops idle sources every so often, until Close or ctx.
func (r *Registry) watchIdle(every time.Duration) {
	defer r.bg.Done()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			r.mu.Lock()
			r.dropIdleLocked()
			r.mu.Unlock()
		case <-r.stop:
			return
		case <-r.ctx.Done():
			return
		}
	}
}

// dropIdleLocked closes, in the background, and drops every made source
// that no one holds and no one has used within r.idle; r.mu must be
// held.
func (r *Registry) dropIdleLocked() {
	if r.idle <= 0 || r.closed {
		return
	}
	now := r.opts.Source.Env.Now()
	for name, e := range r.entries {
		if e.refs == 0 && e.src != nil && now.Sub(e.usedAt) >= r.idle {
			delete(r.entries, name)
			r.closeLater(e.src)
		}
	}
}

// closeLater closes src in the background; Close waits for it.
func (r *Registry) closeLater(src *Source) {
	r.bg.Add(1)
	go func() {
		defer r.bg.Done()
		src.Close()
	}()
}

// Acquire returns the source for profile, making it on first use (which
// loads the profile: no network, see [NewSource]), and holds it until
// release is called: a held source is never evicted. Call release exactly
// once when done with the source; later calls do nothing. Concurrent
// callers asking for one profile share one source; ctx bounds only the
// wait for one that another caller is making.
//
// Errors are those of [NewSource] (a profile that does not load is not
// kept, so it is loaded again next time), [ErrTooManySources], or
// [ErrSourceClosed] after Close.
func (r *Registry) Acquire(ctx context.Context, profile string) (src *Source, release func(), err error) {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil, nil, ErrSourceClosed
	}
	r.dropIdleLocked()
	e := r.entries[profile]
	if e != nil {
		e.refs++
		r.touchLocked(e)
		r.mu.Unlock()
		if err := waitReady(ctx, e); err != nil {
			r.release(e)
			return nil, nil, err
		}
		if e.err != nil {
			r.release(e)
			return nil, nil, e.err
		}
		return e.src, r.releaser(e), nil
	}
	if len(r.entries) >= r.max && !r.evictLocked() {
		r.mu.Unlock()
		return nil, nil, ErrTooManySources
	}
	e = &regEntry{ready: make(chan struct{}), refs: 1}
	r.touchLocked(e)
	r.entries[profile] = e
	r.bg.Add(1) // Close waits for the making
	defer r.bg.Done()
	r.mu.Unlock()

	src, err = NewSource(r.ctx, r.sourceOptions(profile, e))

	r.mu.Lock()
	if err == nil && r.closed {
		err = ErrSourceClosed
	}
	e.src, e.err = src, err
	close(e.ready)
	if err != nil {
		if r.entries[profile] == e {
			delete(r.entries, profile)
		}
		r.mu.Unlock()
		if src != nil {
			src.Close() // the registry closed while it was made
		}
		return nil, nil, err
	}
	r.mu.Unlock()
	return src, r.releaser(e), nil
}

// waitReady waits until e is made or ctx is done; a made e wins over a
// done ctx.
func waitReady(ctx context.Context, e *regEntry) error {
	select {
	case <-e.ready:
		return nil
	default:
	}
	select {
	case <-e.ready:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// sourceOptions are the options of profile's source, entry e.
func (r *Registry) sourceOptions(profile string, e *regEntry) SourceOptions {
	o := r.opts.Source
	o.Profile = profile
	o.OnChange = nil
	if r.opts.MFA != nil {
		o.MFA = r.opts.MFA(profile)
	}
	if f := r.opts.OnChange; f != nil {
		o.OnChange = func(st Status) {
			r.mu.Lock()
			kept := !r.closed && r.entries[profile] == e
			r.mu.Unlock()
			if kept {
				f(st)
			}
		}
	}
	return o
}

// touchLocked marks e as just used; r.mu must be held.
func (r *Registry) touchLocked(e *regEntry) {
	r.clock++
	e.used = r.clock
	e.usedAt = r.opts.Source.Env.Now()
}

// evictLocked drops the least recently used source that nobody holds
// and closes it in the background; it reports false if every source is
// held (or still being made). r.mu must be held.
func (r *Registry) evictLocked() bool {
	var name string
	var lru *regEntry
	for n, e := range r.entries {
		if e.refs == 0 && e.src != nil && (lru == nil || e.used < lru.used) {
			name, lru = n, e
		}
	}
	if lru == nil {
		return false
	}
	delete(r.entries, name)
	r.closeLater(lru.src)
	return true
}

// releaser returns the release function of one hold on e.
func (r *Registry) releaser(e *regEntry) func() {
	var once sync.Once
	return func() { once.Do(func() { r.release(e) }) }
}

func (r *Registry) release(e *regEntry) {
	r.mu.Lock()
	e.refs--
	r.touchLocked(e)
	if e.refs == 0 && r.dropped[e] {
		delete(r.dropped, e)
		r.closeLater(e.src)
	}
	r.mu.Unlock()
}

// Discard drops src, if it is the source the registry keeps for its
// profile, so that the next Acquire of that profile makes a new one (a
// front end that finds the profile's configuration changed since src
// was made calls it). src is closed once every holder has released it;
// until then it goes on working for them. Discarding a source the
// registry no longer keeps does nothing.
func (r *Registry) Discard(src *Source) {
	if src == nil {
		return
	}
	r.mu.Lock()
	name := src.Profile().Name
	e := r.entries[name]
	if e == nil || e.src != src {
		r.mu.Unlock()
		return
	}
	delete(r.entries, name)
	if e.refs > 0 {
		r.dropped[e] = true
	} else {
		r.closeLater(src)
	}
	r.mu.Unlock()
}

// Sources returns the sources the registry keeps now, held or not, in
// the order of their profile names. A source being made is not among
// them, nor one Discard dropped.
func (r *Registry) Sources() []*Source {
	r.mu.Lock()
	srcs := make([]*Source, 0, len(r.entries))
	for _, e := range r.entries {
		if e.src != nil {
			srcs = append(srcs, e.src)
		}
	}
	r.mu.Unlock()
	slices.SortFunc(srcs, func(a, b *Source) int { return strings.Compare(a.Profile().Name, b.Profile().Name) })
	return srcs
}

// Close closes every source of the registry, held or not, and waits for
// them to stop (see [Source.Close]). Acquire then fails with
// [ErrSourceClosed]. It is safe to call more than once.
func (r *Registry) Close() {
	r.mu.Lock()
	if !r.closed {
		close(r.stop)
	}
	r.closed = true
	var srcs []*Source
	for _, e := range r.entries {
		if e.src != nil {
			srcs = append(srcs, e.src)
		}
	}
	for e := range r.dropped {
		srcs = append(srcs, e.src)
	}
	clear(r.entries)
	clear(r.dropped)
	r.mu.Unlock()
	var wg sync.WaitGroup
	for _, s := range srcs {
		wg.Go(s.Close)
	}
	wg.Wait()
	r.bg.Wait()
}
