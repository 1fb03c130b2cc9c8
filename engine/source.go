package engine

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultRefreshWindow is how long before expiry a [Source] fetches new
// credentials when [SourceOptions.RefreshWindow] is zero. 15 minutes
// matches botocore's advisory refresh, so clients of the local servers
// never see credentials they would consider stale.
const DefaultRefreshWindow = 15 * time.Minute

// SessionExpiry is the fixed lifetime a [Source] gives credentials that
// carry a session token but no expiry (a profile with aws_session_token).
// It is chosen once per fetch, never sliding: when it comes due the
// profile is read again.
const SessionExpiry = time.Hour

const (
	// fetchTimeout bounds a fetch no human takes part in.
	fetchTimeout = time.Minute
	// failCooldown: after a failed fetch with no valid credentials in
	// hand, requests get the recorded error for this long instead of
	// starting another fetch, so a burst of SDK retries makes one STS call.
	failCooldown = 2 * time.Second
	// minRefreshGap keeps short-lived credentials from being refetched in
	// a tight loop.
	minRefreshGap = 10 * time.Second
	// retryMin and retryMax bound the back-off after a failed refresh.
	retryMin = 30 * time.Second
	retryMax = 5 * time.Minute
	// maxSleep caps how long the refresh loop sleeps before looking at
	// the clock again, so a suspended laptop (whose monotonic timers
	// stop) notices the wall clock moved on.
	maxSleep = time.Minute
)

// closeWait bounds how long Close waits for a running fetch (a variable
// so a test can shorten it).
var closeWait = 5 * time.Second

// ErrSourceClosed is returned by a [Source] after [Source.Close].
var ErrSourceClosed = errors.New("credential source closed")

// errMFANotNow is what the MFA token provider answers outside a user
// action, so no request ever waits on a human. classify turns it into
// ErrMFARequired (the message says MFA) with ActionMFACode.
var errMFANotNow = errors.New("MFA code needed; one is asked for only when a refresh is started by hand")

// errMFAPending is what a caller that does not wait on a human gets
// while a fetch started by hand waits for an MFA code.
var errMFAPending = errors.New("waiting for an MFA code to be entered")

// SourceOptions says how a [Source] obtains and refreshes credentials.
type SourceOptions struct {
	// Env holds the AWS files, the region and the clock used for every
	// expiry decision.
	Env Env
	// Profile is the profile name; it must not be empty.
	Profile string
	// MFA supplies MFA codes. It may block on a human, so the Source
	// calls it only from [Source.Refresh], never from [Source.Credentials]
	// or a background refresh: those fail with [ErrMFARequired] instead.
	MFA TokenProvider
	// SessionDuration is the lifetime asked of STS GetSessionToken for
	// long-term keys; 0 leaves it to STS (12 h for IAM users).
	SessionDuration time.Duration
	// MFASerial overrides the profile's mfa_serial for GetSessionToken.
	MFASerial string
	// Logger receives debug and warning records; nil discards them.
	// Secrets are never logged (see [MaskKey]).
	Logger *slog.Logger
	// RefreshWindow: credentials are refreshed in the background when
	// they come within this of expiry. Zero is [DefaultRefreshWindow].
	RefreshWindow time.Duration
	// OnChange, if set, is called (from any goroutine, never with a lock
	// held) when the status changes: a fetch starts or ends, or the
	// credentials expire.
	OnChange func(Status)
	// Timeout bounds each step of a fetch, the first one included, less
	// the time a human takes to give an MFA code; 0 is [FetchTimeout].
	Timeout time.Duration
}

// Status is a snapshot of a [Source], for a menu or a log line. It holds
// no secret.
type Status struct {
	Profile string
	Kind    Kind
	Region  string
	RoleARN string
	// RoleName is the role name an instance metadata server lists for the
	// profile: the name in RoleARN, else the profile name, reduced to the
	// characters IAM allows in a role name (a safe URL path segment).
	RoleName   string
	AccountID  string
	KeyID      string    // masked access key id of the current credentials
	Expires    time.Time // expiry of the current credentials; zero if none
	Valid      bool      // credentials are in hand and not expired
	Refreshing bool      // a fetch is running
	Err        error     // the last fetch's error, nil after a success
	Updated    time.Time // when the current credentials were obtained
	// LongTerm says the profile's own credentials are long-term keys
	// (no session token), which the Source exchanges through STS
	// GetSessionToken: known from the profile's kind at load (static
	// keys) and from what each fetch retrieved, whether or not the
	// exchange then worked.
	LongTerm bool
	// Final says the credentials in hand are the last the profile gives:
	// a refresh got credentials that expire no later (a session token with
	// aws_credential_expiration, a credential_process that returns the
	// same set), so they cannot be renewed until the profile's source
	// changes. The Source then refetches with back-off, not in a loop;
	// [Source.Reload] tries again at once.
	Final bool
}

// Source keeps temporary credentials for one profile: it fetches them
// once, hands the same ones to every caller and refreshes them in the
// background before they expire. Long-term keys are exchanged through STS
// GetSessionToken once per credential lifetime, never per request.
//
// A Source is safe for concurrent use. Close stops its goroutine.
type Source struct {
	prof     *Profile
	mfa      TokenProvider
	loadOpts Options             // to read the profile again on refresh
	stsOpts  sessionTokenOptions // for long-term keys, without MFA
	log      *slog.Logger
	now      func() time.Time
	window   time.Duration
	onChange func(Status)
	notifyMu sync.Mutex // serialises OnChange calls, see notify
	role     string     // IMDS role name, a safe path segment

	allowMFA atomic.Bool // set while a user-initiated fetch runs

	ctx    context.Context // cancelled by Close; parent of every fetch
	cancel context.CancelFunc
	wg     sync.WaitGroup // the refresh loop and running fetches
	wake   chan struct{}  // tells the refresh loop to look again

	mu        sync.Mutex // protects the fields below
	creds     Credentials
	have      bool      // creds holds credentials (maybe expired)
	updated   time.Time // when creds were obtained
	refreshAt time.Time // when the next background fetch is due
	err       error     // last fetch's error
	failedAt  time.Time // when the last fetch failed
	failures  int       // consecutive failed fetches, for back-off
	expiredOK bool      // OnChange already told that creds expired
	longTerm  bool      // see Status.LongTerm
	final     bool      // see Status.Final
	stale     int       // consecutive refreshes that did not extend the expiry, for back-off
	reload    bool      // Reload came during a fetch: fetch again once it ends
	inflight  *fetchCall
	closed    bool
}

// fetchCall is one fetch that concurrent callers share.
type fetchCall struct {
	done        chan struct{} // closed when creds/err are set
	interactive bool          // may ask for an MFA code
	// human is closed when the fetch asks a human for an MFA code:
	// callers that must not wait on one stop waiting then.
	human     chan struct{}
	humanOnce sync.Once
	creds     Credentials
	err       error
}

// NewSource loads the profile (no network: see [Load]) and starts the
// refresh loop, which runs until ctx is done or Close is called. No
// credentials are fetched until the first [Source.Credentials] or
// [Source.Refresh].
func NewSource(ctx context.Context, opts SourceOptions) (*Source, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Source{
		mfa:      opts.MFA,
		stsOpts:  sessionTokenOptions{Duration: opts.SessionDuration, MFASerial: opts.MFASerial},
		log:      log,
		now:      opts.Env.Now,
		window:   opts.RefreshWindow,
		onChange: opts.OnChange,
		wake:     make(chan struct{}, 1),
	}
	if s.window <= 0 {
		s.window = DefaultRefreshWindow
	}
	lo := Options{Env: opts.Env, Profile: opts.Profile, Logger: log, Timeout: opts.Timeout}
	if opts.MFA != nil {
		// The SDK calls this during AssumeRole; it only reaches the human
		// while Refresh runs.
		lo.MFA = func() (string, error) {
			if !s.allowMFA.Load() {
				return "", errMFANotNow
			}
			return s.askHuman()
		}
	}
	p, err := Load(ctx, lo)
	if err != nil {
		return nil, err
	}
	// A server fails before it listens when the SDK cannot load the
	// profile's config.
	if _, err := p.sdkConfig(ctx); err != nil {
		return nil, err
	}
	s.loadOpts = lo
	s.prof = p
	s.role = roleName(p)
	s.longTerm = p.Kind == KindStatic
	s.ctx, s.cancel = context.WithCancel(ctx)
	s.wg.Add(1)
	go s.loop()
	return s, nil
}

// Profile returns the loaded profile.
func (s *Source) Profile() *Profile { return s.prof }

// Credentials returns temporary credentials with an expiry. While valid
// credentials are in hand it returns them at once (starting a background
// refresh when one is due); otherwise it waits for a fetch, shared with
// every concurrent caller, or for ctx. It never returns expired
// credentials and never waits on a human: a profile that needs an MFA code
// fails with [ErrMFARequired] until [Source.Refresh] is called, and while
// a Refresh waits for the code it fails with [ErrMFARequired] at once.
func (s *Source) Credentials(ctx context.Context) (Credentials, error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return Credentials{}, ErrSourceClosed
	}
	if c, ok := s.currentLocked(); ok {
		return c, nil
	}
	now := s.now()
	call := s.inflight
	if call == nil {
		if s.err != nil && now.Sub(s.failedAt) < failCooldown && now.Sub(s.failedAt) >= 0 {
			err := s.err
			s.mu.Unlock()
			return Credentials{}, err
		}
		call = s.startFetchLocked(false)
		s.mu.Unlock()
		s.notify()
	} else {
		s.mu.Unlock()
	}
	return s.waitNoHuman(ctx, call)
}

// Current returns the credentials in hand if they are valid, at once and
// without waiting on a fetch (starting a background refresh when one is
// due); ok is false when there are none. It neither blocks nor allocates:
// it is the local servers' fast path.
func (s *Source) Current() (creds Credentials, ok bool) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return Credentials{}, false
	}
	if c, ok := s.currentLocked(); ok {
		return c, true
	}
	s.mu.Unlock()
	return Credentials{}, false
}

// currentLocked is Current with s.mu held; it unlocks s.mu when it returns
// true.
func (s *Source) currentLocked() (Credentials, bool) {
	now := s.now()
	if !s.have || s.creds.Expired(now) {
		return Credentials{}, false
	}
	c := s.creds
	if !now.Before(s.refreshAt) && s.inflight == nil {
		s.startFetchLocked(false)
		s.mu.Unlock()
		s.notify()
		return c, true
	}
	s.mu.Unlock()
	return c, true
}

// Refresh fetches new credentials now, even if the current ones are
// valid, and may ask for an MFA code. It is meant for a user action (a
// menu click, a command starting); a fetch already running without MFA
// is waited for first.
func (s *Source) Refresh(ctx context.Context) error {
	for {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return ErrSourceClosed
		}
		call := s.inflight
		if call != nil && !call.interactive {
			s.mu.Unlock()
			select {
			case <-call.done:
				continue
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		started := call == nil
		if started {
			call = s.startFetchLocked(true)
		}
		s.mu.Unlock()
		if started {
			s.notify()
		}
		_, err := s.wait(ctx, call)
		return err
	}
}

// Status returns a snapshot of the source.
func (s *Source) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.statusLocked(s.now())
}

func (s *Source) statusLocked(now time.Time) Status {
	st := Status{
		Profile:    s.prof.Name,
		Kind:       s.prof.Kind,
		Region:     s.prof.Region,
		RoleARN:    s.prof.RoleARN,
		RoleName:   s.role,
		Refreshing: s.inflight != nil,
		Err:        s.err,
		LongTerm:   s.longTerm,
		Final:      s.final,
	}
	if s.have {
		st.AccountID = s.creds.AccountID
		st.KeyID = MaskKey(s.creds.AccessKeyID)
		st.Expires = s.creds.Expires
		st.Valid = !s.creds.Expired(now)
		st.Updated = s.updated
	}
	if st.AccountID == "" {
		st.AccountID = arnAccount(s.prof.RoleARN)
	}
	return st
}

// Close stops the refresh loop and waits for a running fetch to end, at
// most closeWait: a fetch blocked in an MFA prompt, which no context
// reaches, is left to finish on its own. It is safe to call more than
// once.
func (s *Source) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	t := time.NewTimer(closeWait)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		s.log.Warn("closing the credential source: a fetch is still running", "profile", s.prof.Name)
	}
}

// wait waits for call to end, or for ctx.
func (s *Source) wait(ctx context.Context, call *fetchCall) (Credentials, error) {
	select {
	case <-call.done:
		return s.result(call)
	case <-ctx.Done():
		return Credentials{}, ctx.Err()
	}
}

// waitNoHuman is wait for a caller that no human stands behind (a
// request): it stops waiting, with [ErrMFARequired], once call asks a
// human for an MFA code, which may take minutes.
func (s *Source) waitNoHuman(ctx context.Context, call *fetchCall) (Credentials, error) {
	select {
	case <-call.done:
		return s.result(call)
	case <-call.human:
		select {
		case <-call.done: // ended meanwhile: its result wins
			return s.result(call)
		default:
		}
		return Credentials{}, &Error{Profile: s.prof.Name, Kind: ErrMFARequired, Err: errMFAPending}
	case <-ctx.Done():
		return Credentials{}, ctx.Err()
	}
}

// result is what the ended call gives a caller.
func (s *Source) result(call *fetchCall) (Credentials, error) {
	if call.err != nil {
		return Credentials{}, call.err
	}
	// A fetch that took long may hand back credentials that expired
	// meanwhile; never serve those.
	if call.creds.Expired(s.now()) {
		return Credentials{}, &Error{Profile: s.prof.Name, Kind: ErrResolve, Err: errors.New("fetched credentials already expired")}
	}
	return call.creds, nil
}

// askHuman asks for an MFA code, first telling the callers waiting on
// the running fetch, which does the asking, to stop waiting.
func (s *Source) askHuman() (string, error) {
	s.mu.Lock()
	call := s.inflight
	s.mu.Unlock()
	if call != nil && call.human != nil {
		call.humanOnce.Do(func() { close(call.human) })
	}
	return s.mfa()
}

// Reload fetches again at once, in the background and without asking
// for an MFA code, reading the profile anew: for a front end that saw the
// AWS files change, so that a source fixed or rotated meanwhile is picked
// up without waiting for the next refresh. The credentials in hand are
// kept, and handed out, until the fetch succeeds. It does nothing for a
// Source that has not fetched yet; during a fetch, another follows it.
func (s *Source) Reload() {
	s.mu.Lock()
	switch {
	case s.closed, s.inflight == nil && !s.have && s.err == nil:
		s.mu.Unlock()
		return
	case s.inflight != nil:
		// It may have read the profile before the change.
		s.reload = true
		s.mu.Unlock()
		return
	}
	s.startFetchLocked(false)
	s.mu.Unlock()
	s.notify()
}

// startFetchLocked starts a fetch in a new goroutine; s.mu must be held
// and no fetch running.
func (s *Source) startFetchLocked(interactive bool) *fetchCall {
	call := &fetchCall{done: make(chan struct{}), interactive: interactive}
	if interactive {
		call.human = make(chan struct{})
	}
	s.inflight = call
	s.wg.Add(1)
	go s.runFetch(call)
	return call
}

func (s *Source) runFetch(call *fetchCall) {
	defer s.wg.Done()
	ctx := s.ctx
	if call.interactive {
		s.allowMFA.Store(true)
		defer s.allowMFA.Store(false)
	} else {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, fetchTimeout)
		defer cancel()
	}
	s.mu.Lock()
	// Every fetch but the very first reads the profile again.
	fresh := s.have || s.err != nil
	s.mu.Unlock()
	c, err := s.fetch(ctx, fresh, call.interactive)

	s.mu.Lock()
	now := s.now()
	call.creds, call.err = c, err
	if err == nil {
		// Credentials that expire no later than those in hand are the
		// last the profile gives (see Status.Final): fetching them again
		// soon gives the same, so back off, and look once more at expiry.
		extended := !s.have || !s.creds.CanExpire() || c.Expires.After(s.creds.Expires)
		s.creds, s.have, s.updated = c, true, now
		s.err, s.failures, s.expiredOK = nil, 0, false
		if extended {
			s.final, s.stale = false, 0
			s.refreshAt = s.nextRefresh(now, c.Expires)
		} else {
			s.final = true
			s.stale++
			s.refreshAt = now.Add(min(retryMin<<min(s.stale-1, 4), retryMax))
			if c.Expires.Before(s.refreshAt) {
				s.refreshAt = c.Expires
			}
		}
	} else {
		s.err, s.failedAt = err, now
		s.failures++
		backoff := retryMin << min(s.failures-1, 4)
		s.refreshAt = now.Add(min(backoff, retryMax))
	}
	s.inflight = nil
	close(call.done)
	if s.reload && !s.closed {
		s.reload = false
		s.startFetchLocked(false)
	}
	st := s.statusLocked(now)
	s.mu.Unlock()

	switch {
	case err != nil:
		lvl := slog.LevelWarn
		if errors.Is(err, context.Canceled) {
			lvl = slog.LevelDebug
		}
		s.log.Log(context.Background(), lvl, "credential refresh failed", "profile", s.prof.Name,
			"valid", st.Valid, "expires", expiresAttr(Credentials{Expires: st.Expires}), "err", err)
	case st.Final:
		s.log.Warn("credentials refreshed but not renewed: the profile gives no later expiry", "profile", s.prof.Name,
			"key", st.KeyID, "expires", FormatTime(c.Expires))
	default:
		s.log.Debug("credentials refreshed", "profile", s.prof.Name, "key", st.KeyID,
			"expires", FormatTime(c.Expires))
	}
	s.poke()
	s.notify()
}

// nextRefresh picks when to refetch credentials obtained at now that
// expire at exp: RefreshWindow before expiry, or half-way through the
// lifetime of credentials shorter than two windows.
func (s *Source) nextRefresh(now, exp time.Time) time.Time {
	life := exp.Sub(now)
	at := exp.Add(-s.window)
	if life < 2*s.window {
		at = now.Add(life / 2)
	}
	if at.Before(now.Add(minRefreshGap)) {
		at = now.Add(minRefreshGap)
	}
	return at
}

// fetch obtains temporary credentials with an expiry from the profile.
// A refresh (fresh) reads the profile again first, so keys rotated in the
// files since are picked up; the first fetch uses the profile NewSource
// loaded. The profile's name, kind, region and role stay those loaded
// first.
func (s *Source) fetch(ctx context.Context, fresh, interactive bool) (Credentials, error) {
	p := s.prof
	if fresh {
		var err error
		if p, err = Load(ctx, s.loadOpts); err != nil {
			return Credentials{}, err
		}
	}
	c, err := p.Retrieve(ctx, false)
	if err != nil {
		return Credentials{}, err
	}
	s.mu.Lock()
	s.longTerm = !c.Temporary()
	s.mu.Unlock()
	if !c.Temporary() {
		so := s.stsOpts
		if interactive && s.mfa != nil {
			so.MFA = s.askHuman
		}
		c, err = p.getSessionToken(ctx, c, so)
		if err != nil {
			return Credentials{}, err
		}
	}
	if err := notExpired(p.Name, p.Kind, c, s.now()); err != nil {
		return Credentials{}, err
	}
	if !c.CanExpire() {
		// A session token with no known expiry: pick one now, once.
		c.Expires = s.now().Add(SessionExpiry).UTC().Truncate(time.Second)
	}
	if c.AccountID == "" {
		c.AccountID = arnAccount(s.prof.RoleARN)
	}
	return c, nil
}

// notify tells OnChange the current status. Calls come from several
// goroutines; taking the snapshot and delivering it under one lock means
// the last status delivered is always the latest, never a stale one that
// lost a race (a "refreshing" that arrives after the "refreshed").
func (s *Source) notify() {
	if s.onChange == nil {
		return
	}
	s.notifyMu.Lock()
	defer s.notifyMu.Unlock()
	s.onChange(s.Status())
}

// poke wakes the refresh loop without blocking.
func (s *Source) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// loop refreshes credentials in the background when they come due and
// tells OnChange when they expire. It sleeps on a timer between
// decisions, all of which use the injected clock.
func (s *Source) loop() {
	defer s.wg.Done()
	t := time.NewTimer(maxSleep)
	defer t.Stop()
	for {
		s.mu.Lock()
		now := s.now()
		var next time.Time
		started, expired := false, false
		if s.have && s.inflight == nil && !s.closed {
			if !now.Before(s.refreshAt) {
				s.startFetchLocked(false)
				started = true
			}
			next = s.refreshAt
			if s.creds.Expired(now) {
				if !s.expiredOK {
					s.expiredOK, expired = true, true
				}
			} else if s.creds.Expires.Before(next) {
				next = s.creds.Expires
			}
		}
		var st Status
		if expired {
			st = s.statusLocked(now)
		}
		s.mu.Unlock()
		if started {
			s.notify()
		}
		if expired {
			s.log.Warn("credentials expired", "profile", s.prof.Name, "err", st.Err)
			s.notify()
		}
		d := maxSleep
		if !next.IsZero() {
			d = min(max(next.Sub(now), time.Second), maxSleep)
		}
		t.Reset(d)
		select {
		case <-s.ctx.Done():
			return
		case <-s.wake:
		case <-t.C:
		}
	}
}

// roleName is the role name the IMDS server lists for the profile: the
// name of its role_arn, else the profile name, reduced to characters IAM
// allows in a role name so it is a safe path segment.
func roleName(p *Profile) string {
	name := p.Name
	if arn := p.RoleARN; arn != "" {
		if i := strings.LastIndexByte(arn, '/'); i >= 0 && i+1 < len(arn) {
			name = arn[i+1:]
		}
	}
	b := []byte(name)
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("+=,.@_-", c) >= 0:
		default:
			b[i] = '-'
		}
	}
	name = strings.Trim(string(b), ".")
	if len(name) > 64 {
		name = name[:64]
	}
	if name == "" {
		name = "awsxc"
	}
	return name
}

// arnAccount returns the account id field of an ARN, or "".
func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || len(parts[4]) != 12 {
		return ""
	}
	return parts[4]
}
