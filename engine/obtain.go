package engine

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// ObtainOptions says what [Obtain] hands out and where it caches it.
type ObtainOptions struct {
	// Env holds the AWS files, the folders, the region and the clock.
	Env Env
	// Profile is the profile name; it must not be empty (see [ProfileName]).
	Profile string
	// MFA supplies MFA codes, for a role's mfa_serial and for
	// EnsureTemporary; it may block on a human. Nil means such profiles
	// fail with [ErrMFARequired].
	MFA TokenProvider
	// Logger receives debug records (cache hits and misses, what was
	// fetched); nil discards them. Secrets are never logged.
	Logger *slog.Logger
	// Timeout bounds the fetch (retrieving and exchanging the
	// credentials), less the time a human takes to give an MFA code; 0 is
	// [FetchTimeout].
	Timeout time.Duration

	// EnsureTemporary exchanges long-term keys for temporary ones
	// through STS GetSessionToken; credentials that carry a session
	// token are kept as they are.
	EnsureTemporary bool
	// SessionDuration is the lifetime asked of GetSessionToken (900 s to
	// 36 h, whole seconds); 0 leaves it to STS.
	SessionDuration time.Duration
	// MFASerial overrides the profile's mfa_serial for GetSessionToken.
	MFASerial string

	// Cache, when set, keeps expiring credentials in a file between
	// calls; nil caches nothing.
	Cache *CacheOptions
}

// CacheOptions says where [Obtain] caches credentials.
type CacheOptions struct {
	// File is the cache file, opened through [Env.ExpandPath]; empty is
	// the profile's own file in Env.CacheDir:
	// awsxc/credentials/NAME-HASH.json, safe for any profile name.
	File string
	// Buffer: cached credentials that expire within Buffer are not used
	// (a negative Buffer lets recently expired ones through, as
	// aws-export-credentials does).
	Buffer time.Duration
	// Refresh skips reading the cache; what is fetched is still saved.
	Refresh bool
}

// Obtain loads a profile and returns its credentials, the one pipeline
// behind every export (a command line, a daemon answering one):
//
//  1. [Load] the profile (no network);
//  2. with Cache, return the cached credentials when the cache file
//     holds ones for this very identity that are good for longer than
//     Buffer (unless Refresh);
//  3. else [Profile.Retrieve] them through the SDK;
//  4. with EnsureTemporary, exchange long-term keys through
//     STS GetSessionToken;
//  5. refuse credentials that have already expired ([ErrResolve]);
//     steps 3 and 4 are bounded together by Timeout;
//  6. with Cache, save them when they carry an expiry. A cache that
//     cannot be read or written is logged and never fails the call.
//
// The cache is keyed by identity: the profile name, its Fingerprint
// (every setting that decides whose credentials it yields, through its
// source_profile chain), and the options that shape the credentials
// (EnsureTemporary, SessionDuration, MFASerial). An entry written for any
// other profile, configuration or options is a miss, so a cache file,
// whoever names it, never hands out another identity's credentials.
//
// The result's Cached says whether the credentials came from the cache.
// Errors are [*Error] values (see [Load] and [Profile.Retrieve]; an MFA
// code that cannot be had is [ErrMFARequired] with [ActionMFACode], a
// refusing STS [ErrResolve]), except a cache path that cannot be worked
// out (a ~ with no home folder, no cache folder), which fails before
// anything is fetched.
func Obtain(ctx context.Context, opts ObtainOptions) (*Resolved, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p, err := Load(ctx, Options{Env: opts.Env, Profile: opts.Profile, MFA: opts.MFA, Logger: log, Timeout: opts.Timeout})
	if err != nil {
		return nil, err
	}
	return p.obtain(ctx, opts, log)
}

// Obtain is [Obtain] for a profile already loaded: steps 2 to 6, so
// that a front end that has loaded the profile for its own reasons does
// not read the AWS files again. The Env, Timeout and role MFA provider
// are those p was loaded with (opts' Env, Profile and Timeout are not
// used; opts.MFA serves EnsureTemporary only). Logger nil is p's logger.
func (p *Profile) Obtain(ctx context.Context, opts ObtainOptions) (*Resolved, error) {
	opts.Env, opts.Profile = p.env, p.Name
	log := opts.Logger
	if log == nil {
		log = p.log
	}
	return p.obtain(ctx, opts, log)
}

// obtain is steps 2 to 6 of [Obtain] for p; opts.Env is p's.
func (p *Profile) obtain(ctx context.Context, opts ObtainOptions, log *slog.Logger) (*Resolved, error) {
	path, key, err := cacheFor(opts, p)
	if err != nil {
		return nil, err
	}
	now := opts.Env.Now
	if path != "" && !opts.Cache.Refresh {
		creds, err := readCache(path, key, now(), opts.Cache.Buffer)
		if err == nil {
			log.Debug("cache hit", "path", path, "key", MaskKey(creds.AccessKeyID),
				"expires", FormatTime(creds.Expires))
			return &Resolved{Profile: p, Credentials: creds, Cached: true}, nil
		}
		log.Debug("cache miss", "path", path, "reason", err)
	}
	// One bound for the whole fetch: retrieving, then exchanging.
	ctx, done := p.bounded(ctx)
	defer done()
	creds, err := p.Retrieve(ctx, false)
	if err != nil {
		return nil, err
	}
	if opts.EnsureTemporary {
		creds, err = p.getSessionToken(ctx, creds, sessionTokenOptions{
			Duration:  opts.SessionDuration,
			MFASerial: opts.MFASerial,
			MFA:       opts.MFA,
		})
		if err != nil {
			return nil, err
		}
	}
	if err := notExpired(p.Name, p.Kind, creds, now()); err != nil {
		return nil, err
	}
	if path != "" {
		if !creds.CanExpire() {
			log.Debug("not caching credentials without an expiry", "path", path)
		} else if err := writeCache(path, key, creds); err != nil {
			// The cache is an optimisation: never fail the call for it.
			log.Debug("cache not saved", "path", path, "err", err)
		} else {
			log.Debug("cache saved", "path", path, "key", MaskKey(creds.AccessKeyID))
		}
	}
	return &Resolved{Profile: p, Credentials: creds}, nil
}

// cacheFor returns the cache file and the identity key for the call, or
// "" when caching is off.
func cacheFor(opts ObtainOptions, p *Profile) (path, key string, err error) {
	switch {
	case opts.Cache == nil:
		return "", "", nil
	case opts.Cache.File != "":
		path, err = opts.Env.ExpandPath(opts.Cache.File)
	default:
		path, err = defaultCachePath(opts.Env, p.Name)
	}
	if err != nil {
		return "", "", fmt.Errorf("cache: %w", err)
	}
	// The key names the identity and how the credentials were made, so a
	// cache written for another profile, another configuration or another
	// mode is a miss. Its form is the one awsxc-cli has always written, so
	// existing cache files stay valid.
	key = fmt.Sprintf("profile=%s;config=%s;temporary=%t;duration=%d;mfa=%s",
		p.Name, p.Fingerprint, opts.EnsureTemporary, int64(opts.SessionDuration/time.Second), opts.MFASerial)
	return path, key, nil
}
