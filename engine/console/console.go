package console

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/awsxc/awsxc/engine"
)

// Options says which console link [NewURL] makes.
type Options struct {
	// Env holds the AWS files, the region and the clock.
	Env engine.Env
	// Profile is the profile name; it must not be empty (see
	// engine.ProfileName).
	Profile string
	// MFA supplies MFA codes for a role's mfa_serial; it may block on a
	// human. Nil means such profiles fail with engine.ErrMFARequired:
	// NewURL never waits on a human unless given a provider that does.
	MFA engine.TokenProvider
	// Logger receives debug records; nil discards them. The link, the
	// credentials and the sign-in token are never logged.
	Logger *slog.Logger

	// Service is a console service to land on (s3, ec2, iam, ...; see
	// [ServiceNames]); Destination a console URL of the credentials'
	// partition. At most one of them; with neither the link lands on
	// the console home (of the region, when there is one).
	Service     string
	Destination string
	// Region is the console's region; empty is the profile's (Env.Region,
	// else the profile's region setting).
	Region string
	// Federate makes an IAM Identity Center profile sign in through the
	// federation endpoint with its role credentials, instead of the
	// access portal's console shortcut.
	Federate bool
	// Duration asks for a console session of this length (15 minutes to
	// 12 hours, whole seconds) where one can be asked for: of
	// GetFederationToken for an IAM user's keys, and of the federation
	// endpoint (SessionDuration) for a role assumed with an IAM user's
	// keys. Elsewhere the endpoint refuses it, and the session lasts as
	// long as the credentials ([URL.SessionDuration] is then zero). Zero
	// asks for nothing.
	Duration time.Duration
	// Endpoint replaces the partition's federation endpoint (the front
	// end's AWSXC_SIGNIN_URL): the endpoint's full URL, as
	// https://signin.aws.amazon.com/federation, used for getSigninToken
	// and for the login link (see [CheckEndpoint]). For tests, and for
	// partitions awsxc does not know yet.
	Endpoint string
	// HTTPClient calls the federation endpoint; nil is a client with the
	// transport of the profile's own SDK configuration (its ca_bundle or
	// AWS_CA_BUNDLE, the proxy settings), as its STS calls have, and a
	// 30-second timeout. Redirects are never followed.
	HTTPClient *http.Client
}

// Durations the console takes (IAM User Guide: SessionDuration is 900 to
// 43200 seconds).
const (
	MinDuration = 15 * time.Minute
	MaxDuration = 12 * time.Hour
)

// NewURL makes a console sign-in link for a profile, the way its
// credentials allow:
//
//   - an IAM Identity Center profile (sso_session or legacy sso_*
//     settings): the access portal's console shortcut,
//     <start URL>/#/console?account_id=…&role_name=…&destination=…,
//     from the profile's settings alone: nothing is fetched and no
//     credential leaves the machine. With Federate, as a role session
//     below;
//   - temporary role credentials (assume-role, web identity, SSO role
//     credentials, aws login, and a session token from the files, a
//     credential_process or a container endpoint that STS says is a role
//     or federated session): the federation endpoint's getSigninToken,
//     then its login link;
//   - an IAM user's long-term keys: STS GetFederationToken first (Name
//     awsxc-<user name>, AdministratorAccess as the session's upper
//     bound), then the same;
//   - a GetSessionToken session (a session token that STS
//     GetCallerIdentity says is an IAM user's): refused with
//     [ErrSessionCredentials] before any link is made, since the console
//     refuses it.
//
// The partition (and with it the federation endpoint and the console's
// domain) follows the credentials: the role's or caller's ARN, else the
// region. SessionDuration is sent only where the endpoint takes it (see
// Options.Duration). NewURL never logs the browser out of other console
// sessions: the console keeps several at once.
//
// NewURL reads the AWS files once ([engine.Load]) and obtains the
// credentials from that profile ([engine.Profile.Obtain], no cache); a
// front end that holds credentials for the profile already (a Source's)
// calls [Sign] instead. Errors are *engine.Error values (see the package
// documentation); a link is returned only whole.
func NewURL(ctx context.Context, opts Options) (*URL, error) {
	log := logger(opts)
	name := opts.Profile
	if kind, err := checkOptions(opts); err != nil {
		return nil, &engine.Error{Profile: name, Kind: kind, Err: err}
	}
	p, err := engine.Load(ctx, engine.Options{Env: opts.Env, Profile: name, MFA: opts.MFA, Logger: log})
	if err != nil {
		return nil, err
	}
	if p.Kind == engine.KindSSO && !opts.Federate {
		return portalURL(p, opts, log)
	}
	r, err := p.Obtain(ctx, engine.ObtainOptions{Logger: log})
	if err != nil {
		return nil, err
	}
	return sign(ctx, p, r.Credentials, opts, log)
}

// Sign makes the console sign-in link of [NewURL] for a profile p that
// the caller has loaded, with creds, credentials it holds for p (a
// Source's): nothing is resolved again, no MFA code is asked for, and the
// AWS files are not read. An IAM Identity Center profile's portal
// shortcut needs no credentials (creds is not used); IAM user keys are
// still exchanged through GetFederationToken, and a session token of
// unknown making still checked with GetCallerIdentity, with creds.
// opts.Profile, Env's files and MFA are not used: Env gives the clock.
func Sign(ctx context.Context, p *engine.Profile, creds engine.Credentials, opts Options) (*URL, error) {
	log := logger(opts)
	if kind, err := checkOptions(opts); err != nil {
		return nil, &engine.Error{Profile: p.Name, Kind: kind, Err: err}
	}
	if p.Kind == engine.KindSSO && !opts.Federate {
		return portalURL(p, opts, log)
	}
	return sign(ctx, p, creds, opts, log)
}

func logger(opts Options) *slog.Logger {
	if opts.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return opts.Logger
}

// sign makes a federation link for p with creds.
func sign(ctx context.Context, p *engine.Profile, creds engine.Credentials, opts Options, log *slog.Logger) (*URL, error) {
	name := p.Name
	s, err := newSession(ctx, p, creds, opts, log)
	if err != nil {
		return nil, err
	}
	pl, kind, err := place(s.arn, opts, p.Region, p.SSORegion, log)
	if err != nil {
		return nil, &engine.Error{Profile: name, Kind: kind, Err: err}
	}
	endpoint := opts.Endpoint
	if endpoint == "" {
		endpoint = pl.endpoint
	}
	dest, err := destination(pl, opts)
	if err != nil {
		return nil, &engine.Error{Profile: name, Kind: ErrDestination, Err: err}
	}
	hc, err := federationClient(ctx, p, s.creds, opts.HTTPClient)
	if err != nil {
		return nil, err
	}

	log.Debug("asking the federation endpoint for a sign-in token", "profile", name, "endpoint", endpoint,
		"key", engine.MaskKey(s.creds.AccessKeyID), "session_duration", int(s.duration/time.Second))
	tok, err := getSigninToken(ctx, hc, signinRequest{endpoint: endpoint, partition: pl.id, creds: s.creds, duration: s.duration})
	if err != nil {
		return nil, &engine.Error{Profile: name, Kind: ErrSigninRefused, Err: err, Hint: s.refusedHint}
	}
	link := loginURL(endpoint, dest, tok)
	now := opts.Env.Now()
	u := &URL{
		link:            &link,
		masked:          maskedLogin(endpoint, dest),
		Profile:         name,
		Method:          Federation,
		Partition:       pl.id,
		Destination:     dest,
		Expires:         now.Add(SigninTokenLifetime),
		SessionDuration: s.applied,
		SessionEnds:     s.creds.Expires,
	}
	if s.duration > 0 {
		u.SessionEnds = now.Add(s.duration)
	}
	log.Debug("made a console sign-in link", "profile", name, "link", u, "expires", engine.FormatTime(u.Expires))
	return u, nil
}

// checkOptions checks what needs no profile, and returns the sentinel
// of what is wrong. A destination that is no console URL of any
// partition is refused here, before any credential is fetched or any MFA
// code asked for.
func checkOptions(opts Options) (kind, err error) {
	switch {
	case opts.Service != "" && opts.Destination != "":
		return ErrOptions, errors.New("give a service or a destination, not both")
	case opts.Duration != 0 && (opts.Duration < MinDuration || opts.Duration > MaxDuration || opts.Duration%time.Second != 0):
		return ErrOptions, fmt.Errorf("session duration %s: the console takes whole seconds from 15m to 12h", opts.Duration)
	case opts.Region != "" && !ValidRegion(opts.Region):
		return ErrDestination, fmt.Errorf("region %q is not a region name", opts.Region)
	}
	if opts.Endpoint != "" {
		if err := CheckEndpoint(opts.Endpoint); err != nil {
			return ErrOptions, err
		}
	}
	if opts.Service != "" {
		if _, err := serviceURL(AWS.Domain, "", opts.Service); err != nil {
			return ErrDestination, err
		}
	}
	if opts.Destination != "" {
		var domains []string
		for _, p := range Partitions {
			domains = append(domains, p.Domain)
		}
		if d := endpointDomain(opts.Endpoint); d != "" {
			domains = append(domains, d)
		}
		if _, err := checkDestination(opts.Destination, domains); err != nil {
			return ErrDestination, err
		}
	}
	return nil, nil
}

// session is what getSigninToken is sent, and what it asks.
type session struct {
	creds    engine.Credentials
	arn      string        // the role's or the caller's ARN, for the partition; may be empty
	duration time.Duration // SessionDuration to send; 0 for none
	applied  time.Duration // the console session length asked for, of the endpoint or of GetFederationToken
	// refusedHint says what to try when the endpoint refuses.
	refusedHint string
}

// newSession decides how the credentials sign in.
func newSession(ctx context.Context, p *engine.Profile, creds engine.Credentials, opts Options, log *slog.Logger) (session, error) {
	if !creds.Temporary() {
		// The endpoint refuses long-term keys (aws-vault#104); a
		// federation token made from them signs in (aws-vault PR #106).
		log.Debug("asking STS GetCallerIdentity for the IAM user name", "profile", p.Name, "key", engine.MaskKey(creds.AccessKeyID))
		arn, err := callerARN(ctx, p, creds)
		if err != nil {
			return session{}, err
		}
		pr := parsePrincipal(arn)
		if pr.kind != principalUser {
			return session{}, &engine.Error{Profile: p.Name, Kind: engine.ErrResolve,
				Err: fmt.Errorf("STS says its long-term keys are %s, not an IAM user's", arn)}
		}
		name := federatedName(pr.userName)
		log.Debug("calling STS GetFederationToken", "profile", p.Name, "key", engine.MaskKey(creds.AccessKeyID),
			"name", name, "duration", int(opts.Duration/time.Second))
		ft, err := federationToken(ctx, p, creds, name, cmp.Or(pr.partition, AWS.ID), opts.Duration)
		if err != nil {
			return session{}, err
		}
		// SessionDuration fails with GetFederationToken credentials (IAM
		// User Guide): the duration went to GetFederationToken.
		return session{creds: ft, arn: arn, applied: opts.Duration,
			refusedHint: "the user's policies may deny what the federated session needs"}, nil
	}
	switch p.Kind {
	case engine.KindAssumeRole, engine.KindWebIdentity, engine.KindSSO, engine.KindLogin:
		s := session{creds: creds, arn: p.RoleARN,
			refusedHint: "the endpoint takes role sessions that are still valid"}
		if p.Kind == engine.KindLogin {
			s.refusedHint = "an aws login session may not be one the federation endpoint takes: sign in to the console in the browser instead"
		}
		if opts.Duration > 0 {
			if p.DirectRole {
				s.duration, s.applied = opts.Duration, opts.Duration
			} else {
				// SessionDuration fails for chained, SSO and web identity
				// role sessions (aws-vault#77, gravitational/teleport#9792).
				log.Debug("not sending SessionDuration: the role was not assumed with an IAM user's keys", "profile", p.Name)
			}
		}
		return s, nil
	}
	// A session token of unknown making (the files, a credential_process,
	// a container endpoint): STS says whose it is. A GetSessionToken
	// session reports its IAM user, which the console refuses (the
	// browser shows "Only federation tokens or assume role tokens may be
	// used for federated login", aws-vault#1191): say so now.
	log.Debug("asking STS GetCallerIdentity whose session token this is", "profile", p.Name, "key", engine.MaskKey(creds.AccessKeyID))
	arn, err := callerARN(ctx, p, creds)
	if err != nil {
		return session{}, err
	}
	if parsePrincipal(arn).kind == principalUser {
		return session{}, &engine.Error{Profile: p.Name, Kind: ErrSessionCredentials,
			Err:  fmt.Errorf("STS says they are %s with a session token", arn),
			Hint: "sign in with a role profile (role_arn with the IAM user's keys as source_profile), or with the IAM user's long-term keys"}
	}
	log.Debug("the session token is a role or federated session", "profile", p.Name, "principal", arn)
	return session{creds: creds, arn: arn,
		refusedHint: "the endpoint takes role and federated sessions that are still valid"}, nil
}

// placement is where the link goes: the partition, its console domain,
// federation endpoint and the console's region.
type placement struct {
	id       string // partition id
	domain   string // console domain
	endpoint string // the partition's federation endpoint; "" when unknown
	region   string // console region; "" for none
}

// place decides the partition and the console region. The partition is
// the ARN's, else the profile region's, else sso_region's, else the
// asked region's, else aws. A region asked for that is not in it is an
// error; the profile's own region is then left out.
func place(principalARN string, opts Options, profileRegion, ssoRegion string, log *slog.Logger) (pl placement, kind, err error) {
	id := partitionID(principalARN, profileRegion, ssoRegion, opts.Region)
	pl = placement{id: id}
	if part, ok := partitionByID(id); ok {
		pl.domain, pl.endpoint = part.Domain, part.FederationEndpoint()
	}
	if d := endpointDomain(opts.Endpoint); d != "" {
		pl.domain = d
	}
	if pl.domain == "" {
		return pl, ErrNoConsole, errors.New(id)
	}
	switch {
	case opts.Region != "":
		if rid := PartitionIDOfRegion(opts.Region); rid != id {
			return pl, ErrDestination, fmt.Errorf("region %s is in partition %s, the credentials in %s", opts.Region, rid, id)
		}
		pl.region = opts.Region
	case profileRegion != "" && PartitionIDOfRegion(profileRegion) == id:
		pl.region = profileRegion
	case profileRegion != "":
		log.Debug("leaving the profile's region out of the console link: another partition", "region", profileRegion, "partition", id)
	}
	return pl, nil, nil
}

// destination is the console URL the link lands on.
func destination(pl placement, opts Options) (string, error) {
	switch {
	case opts.Destination != "":
		return checkDestination(opts.Destination, []string{pl.domain})
	case opts.Service != "":
		return serviceURL(pl.domain, pl.region, opts.Service)
	}
	return homeURL(pl.domain, pl.region), nil
}
