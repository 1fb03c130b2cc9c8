package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/processcreds"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/sso/types"

	"github.com/awsxc/awsxc/internal/fsutil"
)

// DefaultProfile is the profile used when none is named anywhere.
const DefaultProfile = "default"

// Kind says where a profile's credentials come from.
type Kind string

// The kinds of credential source a profile can have.
const (
	KindStatic      Kind = "static"       // long-term access keys
	KindSession     Kind = "session"      // keys with aws_session_token
	KindAssumeRole  Kind = "assume-role"  // role_arn with source_profile or credential_source
	KindSSO         Kind = "sso"          // IAM Identity Center, legacy or sso-session
	KindLogin       Kind = "login"        // login_session (aws login)
	KindProcess     Kind = "process"      // credential_process
	KindWebIdentity Kind = "web-identity" // web_identity_token_file
	KindContainer   Kind = "container"    // ECS/EKS container endpoint from the environment
	KindNone        Kind = "none"         // nothing that yields credentials
)

// ProfileName picks the profile the way the AWS CLI documents it: the
// explicit name, else AWS_PROFILE, else AWS_DEFAULT_PROFILE, else
// "default". getenv is usually os.Getenv.
func ProfileName(explicit string, getenv func(string) string) string {
	if explicit != "" {
		return explicit
	}
	for _, k := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE"} {
		if v := getenv(k); v != "" {
			return v
		}
	}
	return DefaultProfile
}

// TokenProvider returns an MFA code. It is called only when a profile
// with mfa_serial needs one, and may block on a human.
type TokenProvider func() (string, error)

// Options says how to load a profile.
type Options struct {
	// Env holds the AWS files, the region and the clock to use.
	Env Env
	// Profile is the profile name; it must not be empty (see [ProfileName]).
	Profile string
	// MFA supplies codes for profiles with mfa_serial. Nil means such
	// profiles fail with [ErrMFARequired].
	MFA TokenProvider
	// Logger receives debug records; nil discards them. Secrets are never
	// logged.
	Logger *slog.Logger
	// Timeout bounds each fetch of the profile's credentials, less the
	// time a human takes to give an MFA code; 0 is [FetchTimeout].
	Timeout time.Duration
}

// Profile is a loaded profile: its settings and the SDK's credential
// provider for it, ready to retrieve (and later refresh) credentials.
// Loading touches no network; [Profile.Retrieve] may.
type Profile struct {
	Name      string
	Kind      Kind
	Region    string // Env.Region, else the profile's; empty when neither is set
	RoleARN   string // the role assumed last in the chain, if any
	MFASerial string // mfa_serial of the profile, if any
	// Fingerprint identifies the profile's configuration: the settings
	// that decide whose credentials it yields, through its whole
	// source_profile chain. It changes when any of them changes (a new
	// key, another role, another SSO account), so caches keyed by it never
	// serve another identity's credentials. It reveals no secret.
	Fingerprint string
	// Chain describes where the credentials come from, the profile
	// first, then each source_profile it assumes from, as they are
	// resolved: "dev (assume-role arn:aws:iam::1:role/x)", "base (static
	// key AKIA…WXYZ)".
	Chain []string
	// Warnings are about the AWS files: what makes the AWS CLI refuse a
	// file that awsxc still reads (a section twice, for another profile),
	// a folder where a file should be.
	Warnings []FileWarning
	// SSOStartURL, SSORegion, SSOAccountID and SSORoleName are the
	// profile's own IAM Identity Center settings (the start URL and the
	// region of its sso-session, else its legacy sso_* keys), for a front
	// end that links to the access portal; empty when it has none.
	SSOStartURL, SSORegion, SSOAccountID, SSORoleName string
	// DirectRole says the profile assumes its role with an IAM user's
	// long-term keys, those of its source profile (which has no role of
	// its own), and no web identity or credential_source: the one kind of
	// role session the console federation endpoint gives a
	// SessionDuration to (IAM User Guide).
	DirectRole bool

	env      Env
	loadOpts []func(*config.LoadOptions) error
	log      *slog.Logger
	timeout  time.Duration // bounds each fetch
	hop      *hopPlan      // how the role chain is signed; nil when the SDK's own way
	process  string        // the credential_process command line run, if any

	mu     sync.Mutex              // protects creds, cfg and loaded
	creds  aws.CredentialsProvider // the SDK's provider for the profile
	cfg    aws.Config              // the SDK's full config, loaded by sdkConfig
	loaded bool

	boundMu sync.Mutex  // protects bound
	bound   *fetchBound // the running fetch's deadline, stopped during MFA prompts
}

// Load reads the profile through the AWS SDK for Go v2's own config
// loader (config.LoadDefaultConfig), from the files of opts.Env only. It
// does not retrieve credentials and makes no network call.
//
// Before the SDK sees the files, Load checks them (a file that is not a
// regular file, or is larger than [MaxAWSFileSize], is an error; a
// folder is read as empty, with a warning) and refuses, with
// [ErrInvalidConfig], what the AWS CLI refuses and the SDK would resolve
// to another identity: a profile that appears twice in a file, a
// role_arn with no source. Where the SDK alone would give another answer
// than the AWS CLI for a profile both accept, Load gives the CLI's (see
// the package documentation, "Profiles").
//
// Credentials in the AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY environment
// variables are never what a profile resolves to: the profile is always
// named explicitly, so the SDK ignores them, except as the source of a
// role with credential_source = Environment.
func Load(ctx context.Context, opts Options) (*Profile, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	name := opts.Profile
	if name == "" {
		return nil, &Error{Profile: name, Kind: ErrProfileNotFound, Err: errors.New("empty profile name")}
	}
	env := opts.Env
	files, err := readAWSFiles(env)
	if err != nil {
		return nil, &Error{Profile: name, Kind: ErrInvalidConfig, Err: err}
	}
	if err := files.checkChain(name); err != nil {
		return nil, err
	}
	sc, err := config.LoadSharedConfigProfile(ctx, name, files.sdkFiles)
	if err != nil {
		return nil, classifyLoadError(name, err)
	}
	ls := levels(&sc)
	bottom := ls[len(ls)-1]
	var sdkToken string
	if bottom.Credentials.HasKeys() {
		// aws_security_token, which the SDK does not read.
		sdkToken = bottom.Credentials.SessionToken
		if bottom.Credentials.SessionToken, err = files.sessionToken(name, bottom.Profile, sdkToken); err != nil {
			return nil, err
		}
		if err := tokenless(name, bottom); err != nil {
			return nil, err
		}
	} else if bottom.CredentialProcess != "" {
		bottom.CredentialProcess = files.processCommand(bottom.Profile, bottom.CredentialProcess)
	}
	kind := kindOf(&sc)
	if kind == KindNone && env.ContainerRelativeURI == "" && env.ContainerFullURI == "" {
		return nil, &Error{Profile: name, Kind: ErrNoCredentials,
			Hint: "add keys, sso_session, role_arn or credential_process to the profile"}
	}

	// The region as the SDK resolves it (AWS_REGION, AWS_DEFAULT_REGION,
	// then the profile), and given to it so that it never takes the
	// process's own.
	region := firstNonEmpty(env.Region, sc.Region)
	p := &Profile{
		Name:         name,
		Kind:         kind,
		Region:       region,
		RoleARN:      sc.RoleARN,
		MFASerial:    sc.MFASerial,
		Fingerprint:  fingerprint(&sc),
		Chain:        chain(&sc),
		Warnings:     files.warnings,
		SSOAccountID: sc.SSOAccountID,
		SSORoleName:  sc.SSORoleName,
		SSOStartURL:  sc.SSOStartURL,
		SSORegion:    sc.SSORegion,
		DirectRole:   directRole(&sc),
		env:          env,
		log:          log,
		timeout:      opts.Timeout,
	}
	if ss := sc.SSOSession; ss != nil {
		p.SSOStartURL = firstNonEmpty(ss.SSOStartURL, p.SSOStartURL)
		p.SSORegion = firstNonEmpty(ss.SSORegion, p.SSORegion)
	}
	if p.timeout <= 0 {
		p.timeout = FetchTimeout
	}
	p.loadOpts = []func(*config.LoadOptions) error{
		config.WithSharedConfigProfile(name),
		config.WithSharedConfigFiles(files.config.list()),
		config.WithSharedCredentialsFiles(files.creds.list()),
		config.WithProcessCredentialOptions(func(o *processcreds.Options) {
			// Every credential_process awsxc runs is its own (see
			// newProcessProvider); should the SDK run one, it is held to
			// the same bound.
			o.Timeout = p.timeout
		}),
		config.WithAssumeRoleCredentialOptions(func(o *stscreds.AssumeRoleOptions) {
			// The Go SDK asks for 15-minute role sessions unless the
			// profile sets duration_seconds; the AWS CLI (and STS itself)
			// default to an hour. An hour spares MFA users a code every
			// 15 minutes and lets exported credentials outlive a build.
			if o.Duration == 0 || o.Duration == stscreds.DefaultDuration {
				o.Duration = time.Hour
			}
			if opts.MFA != nil {
				o.TokenProvider = func() (string, error) {
					defer p.human()()
					code, err := opts.MFA()
					if err != nil {
						return "", newError(name, ErrMFARequired, err, ActionMFACode)
					}
					return code, nil
				}
			}
			p.hop.sign(o)
		}),
	}
	if region != "" {
		p.loadOpts = append(p.loadOpts, config.WithRegion(region))
	}
	if kindOf(bottom) == KindSSO {
		p.loadOpts = append(p.loadOpts, ssoCacheOptions(env, bottom, log)...)
	}
	switch {
	case len(ls) == 1 && (kind == KindStatic || kind == KindSession):
		// Keys in the files need none of the rest of the SDK's config,
		// whose loading can cost more than the whole run (it parses
		// AWS_CA_BUNDLE, for one). The SDK has read the keys; its static
		// provider hands them out, as its own chain would.
		v := sc.Credentials
		if kind == KindSession {
			// The SDK does not read aws_credential_expiration, which
			// awsxc-cli -c (and aws-export-credentials) write next to a
			// session token: without it the token would pass for one
			// that never expires.
			if exp, ok := files.sessionExpiration(name, log); ok {
				v.CanExpire, v.Expires = true, exp
			}
		}
		p.creds = credentials.StaticCredentialsProvider{Value: v}
	case len(ls) == 1 && kind == KindProcess:
		p.process = sc.CredentialProcess
		p.creds = newProcessProvider(p.process, env.Terminal, p.timeout)
	case len(ls) > 1:
		p.hop = p.planHops(ls, sdkToken)
	}
	// Every other source takes its provider from the SDK's full config,
	// loaded when credentials are first asked for (sdkConfig): a cache hit
	// never pays for it.
	log.Debug("loaded profile", "profile", name, "kind", kind, "region", p.Region)
	return p, nil
}

// planHops decides how the SDK's role chain ls is signed (see hopPlan),
// where the SDK's own way would not give the AWS CLI's answer; nil when
// it does. sdkToken is the session token the SDK read for the keys at
// the bottom of the chain, if it has keys.
func (p *Profile) planHops(ls []*config.SharedConfig, sdkToken string) *hopPlan {
	bottom := ls[len(ls)-1]
	h := &hopPlan{hops: roleHops(ls), index: -1}
	switch {
	case bottom.Credentials.HasKeys() && bottom.RoleARN != "":
		// The SDK would assume the source profile's own role first;
		// every other tool signs the next role with its keys.
		h.index = 1
		h.signer = credentials.StaticCredentialsProvider{Value: bottom.Credentials}
		h.why = fmt.Sprintf("%s's keys sign the AssumeRole, not its own role_arn", bottom.Profile)
	case bottom.Credentials.HasKeys() && bottom.Credentials.SessionToken != sdkToken:
		h.index = 0
		h.signer = credentials.StaticCredentialsProvider{Value: bottom.Credentials}
		h.why = fmt.Sprintf("%s's keys sign the AssumeRole with its aws_security_token", bottom.Profile)
	case kindOf(bottom) == KindProcess:
		p.process = bottom.CredentialProcess
		h.index = 0
		h.signer = newProcessProvider(p.process, p.env.Terminal, p.timeout)
		h.why = fmt.Sprintf("%s's credential_process signs the AssumeRole", bottom.Profile)
	default:
		return nil
	}
	if h.index >= len(h.hops) {
		// Not a chain the SDK builds with AssumeRole at that level (a web
		// identity, say): leave it as the SDK builds it, which expect
		// then reports rather than give another identity.
		h.hops = nil
	}
	return h
}

// human stops the running fetch's deadline while a human answers an MFA
// prompt; call the function it returns when they have.
func (p *Profile) human() (resume func()) {
	p.boundMu.Lock()
	b := p.bound
	p.boundMu.Unlock()
	return b.human()
}

// bounded bounds a fetch of the profile's credentials (see
// [FetchTimeout]), sharing the bound of an outer fetch in ctx.
func (p *Profile) bounded(ctx context.Context) (context.Context, func()) {
	ctx, b, done := bounded(ctx, p.timeout)
	p.boundMu.Lock()
	prev := p.bound
	p.bound = b
	p.boundMu.Unlock()
	return ctx, func() {
		p.boundMu.Lock()
		p.bound = prev
		p.boundMu.Unlock()
		done()
	}
}

// timeoutError is the error of a fetch that ran out of time: what did not
// answer, and (for a credential_process) its program, never its
// arguments.
func (p *Profile) timeoutError(step string) error {
	what, program := step, ""
	switch {
	case what != "":
	case p.process != "":
		program = processProgram(p.process)
		what = "credential_process " + program + " (stopped, with the programs it started)"
	case p.Kind == KindAssumeRole || p.Kind == KindWebIdentity:
		what = "STS"
	case p.Kind == KindSSO:
		what = "the SSO portal"
	case p.Kind == KindLogin:
		what = "the sign-in service"
	case p.Kind == KindContainer:
		what = "the container credentials endpoint"
	default:
		what = "the credentials source"
	}
	return &Error{Profile: p.Name, Kind: ErrResolve,
		Err:  fsutil.WithPaths(fmt.Errorf("%s did not answer within %s", what, shortDuration(p.timeout)), program),
		Hint: "check that it works on its own, then try again"}
}

// shortDuration writes d without zero units: "1m", "1m30s", "2s".
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// sessionExpiration reads aws_credential_expiration from the profile's
// section, in the credentials file first (where the SDK looks for keys
// first), then the config file.
func (af *awsFiles) sessionExpiration(name string, log *slog.Logger) (time.Time, bool) {
	for _, f := range []*awsFile{&af.creds, &af.config} {
		p := f.section(name)
		if p == nil {
			continue
		}
		v := sdkValue(p.keys["aws_credential_expiration"])
		if v == "" {
			continue
		}
		exp, err := time.Parse(time.RFC3339, v)
		if err != nil {
			log.Debug("ignoring an unreadable aws_credential_expiration", "profile", name, "file", f.path)
			return time.Time{}, false
		}
		return exp.UTC(), true
	}
	return time.Time{}, false
}

// provider returns the SDK's credentials provider for the profile.
func (p *Profile) provider(ctx context.Context) (aws.CredentialsProvider, error) {
	p.mu.Lock()
	prov := p.creds
	p.mu.Unlock()
	if prov != nil {
		return prov, nil
	}
	cfg, err := p.sdkConfig(ctx)
	if err != nil {
		return nil, err
	}
	if cfg.Credentials == nil {
		return nil, &Error{Profile: p.Name, Kind: ErrNoCredentials}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.creds == nil {
		p.creds = cfg.Credentials
	}
	return p.creds, nil
}

// sdkConfig loads the SDK's full config for the profile, once.
func (p *Profile) sdkConfig(ctx context.Context) (aws.Config, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.loaded {
		p.hop.reset()
		cfg, err := config.LoadDefaultConfig(ctx, p.loadOpts...)
		if err != nil {
			return aws.Config{}, classify(p.Name, p.Kind, err)
		}
		if err := p.hop.expect(p.Name); err != nil {
			return aws.Config{}, err
		}
		p.cfg, p.loaded = cfg, true
	}
	return p.cfg, nil
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// Retrieve returns the profile's credentials. With fresh set it skips the
// SDK's in-memory cache and asks the source again (a new AssumeRole, a new
// credential_process run, ...).
//
// A fetch is bounded (see [Options.Timeout]): when it runs out of time,
// Retrieve returns an [ErrResolve] error saying what did not answer, and
// a credential_process is killed together with the programs it started.
func (p *Profile) Retrieve(ctx context.Context, fresh bool) (Credentials, error) {
	ctx, done := p.bounded(ctx)
	defer done()
	prov, err := p.provider(ctx)
	if err != nil {
		return Credentials{}, err
	}
	if c, ok := prov.(*aws.CredentialsCache); ok && fresh {
		c.Invalidate()
	}
	v, err := prov.Retrieve(ctx)
	if err != nil {
		var procErr *processcreds.ProviderError
		if timedOut(ctx) || (errors.As(err, &procErr) && strings.Contains(procErr.Err.Error(), "timed out")) {
			return Credentials{}, p.timeoutError("")
		}
		return Credentials{}, classify(p.Name, p.Kind, err)
	}
	if !v.HasKeys() {
		return Credentials{}, &Error{Profile: p.Name, Kind: ErrNoCredentials}
	}
	c := Credentials{
		AccessKeyID:     v.AccessKeyID,
		SecretAccessKey: v.SecretAccessKey,
		SessionToken:    v.SessionToken,
		AccountID:       v.AccountID,
	}
	if v.CanExpire {
		c.Expires = v.Expires.UTC()
	}
	p.log.Debug("retrieved credentials", "profile", p.Name, "source", v.Source,
		"key", MaskKey(c.AccessKeyID), "temporary", c.Temporary(), "expires", expiresAttr(c))
	return c, nil
}

// notExpired returns an [ErrResolve] error when the credentials the
// profile, of kind kind, gave have already expired at now, so that
// expired credentials are never handed out as a success. Its hint says
// what renews them for that kind of profile: a session token written into
// the files is replaced, a credential_process's output checked, an SSO or
// login session signed in again (the clock comes last: it is rarely the
// cause).
func notExpired(profile string, kind Kind, c Credentials, now time.Time) error {
	if !c.Expired(now) {
		return nil
	}
	err := fmt.Errorf("the credentials it gave expired at %s", FormatTime(c.Expires))
	switch kind {
	case KindSSO:
		return newError(profile, ErrResolve, err, ActionSSOLogin)
	case KindLogin:
		return newError(profile, ErrResolve, err, ActionAWSLogin)
	}
	e := &Error{Profile: profile, Kind: ErrResolve, Err: err}
	switch kind {
	case KindSession:
		e.Hint = "its session token has expired: replace its keys, session token and aws_credential_expiration with a new session"
	case KindProcess:
		e.Hint = "check what its credential_process returns, and this machine's clock"
	default:
		e.Hint = "check what the source returns, and this machine's clock"
	}
	return e
}

func expiresAttr(c Credentials) string {
	if !c.CanExpire() {
		return "never"
	}
	return FormatTime(c.Expires)
}

// Resolved is a profile together with the credentials it gave.
type Resolved struct {
	*Profile
	Credentials Credentials
	Cached      bool // the credentials came from the cache ([Obtain])
}

// chain describes a profile and its source profiles, for people, as
// Load resolves them.
func chain(sc *config.SharedConfig) []string {
	var out []string
	for depth := 0; sc != nil && depth < maxChain; depth++ {
		d := sc.Profile + " (" + string(kindOf(sc))
		switch {
		case depth > 0 && sc.Credentials.HasKeys() && sc.RoleARN != "":
			// planHops: the keys sign, as in the AWS CLI.
			d += " key " + MaskKey(sc.Credentials.AccessKeyID) + "; its own role_arn is not used, as in the AWS CLI"
		case sc.RoleARN != "":
			d += " " + sc.RoleARN
			if sc.CredentialSource != "" {
				d += " from credential_source " + sc.CredentialSource
			}
			if sc.MFASerial != "" {
				d += " with MFA " + sc.MFASerial
			}
		case sc.CredentialProcess != "":
			// The program only: its arguments sometimes carry tokens.
			d += ": " + processProgram(sc.CredentialProcess) + " …"
		case sc.SSOSession != nil:
			d += " session " + sc.SSOSession.Name + ", account " + sc.SSOAccountID + ", role " + sc.SSORoleName
		case sc.SSOStartURL != "":
			d += " " + sc.SSOStartURL + ", account " + sc.SSOAccountID + ", role " + sc.SSORoleName
		case sc.LoginSession != "":
			d += " " + sc.LoginSession
		case sc.Credentials.HasKeys():
			d += " key " + MaskKey(sc.Credentials.AccessKeyID)
		}
		out = append(out, d+")")
		sc = sc.Source
	}
	return out
}

// fingerprint hashes the identity-deciding settings of a profile and its
// source chain.
func fingerprint(sc *config.SharedConfig) string {
	h := sha256.New()
	for depth := 0; sc != nil && depth < maxChain; depth++ {
		fields := []string{sc.Profile, sc.Credentials.AccessKeyID, sc.Credentials.SecretAccessKey,
			sc.Credentials.SessionToken, sc.CredentialSource, sc.CredentialProcess,
			sc.WebIdentityTokenFile, sc.SSOSessionName, sc.SSORegion, sc.SSOStartURL,
			sc.SSOAccountID, sc.SSORoleName, sc.RoleARN, sc.ExternalID, sc.MFASerial,
			sc.RoleSessionName, sc.LoginSession, sc.Region}
		if sc.SSOSession != nil {
			fields = append(fields, sc.SSOSession.SSOStartURL, sc.SSOSession.SSORegion)
		}
		if sc.RoleDurationSeconds != nil {
			fields = append(fields, sc.RoleDurationSeconds.String())
		}
		for _, f := range fields {
			// Length-prefixed, so that no two field lists hash alike.
			fmt.Fprintf(h, "%d:%s;", len(f), f)
		}
		sc = sc.Source
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// kindOf says what kind of source a shared-config profile has, following
// the precedence of the SDK's resolveCredsFromProfile.
func kindOf(sc *config.SharedConfig) Kind {
	switch {
	case sc.RoleARN != "" && sc.WebIdentityTokenFile != "":
		return KindWebIdentity
	case sc.RoleARN != "" && (sc.Source != nil || sc.CredentialSource != ""):
		return KindAssumeRole
	case sc.Credentials.HasKeys() && sc.Credentials.SessionToken != "":
		return KindSession
	case sc.Credentials.HasKeys():
		return KindStatic
	case sc.SSOSession != nil || sc.SSOStartURL != "" || sc.SSOAccountID != "":
		return KindSSO
	case sc.LoginSession != "":
		return KindLogin
	case sc.CredentialProcess != "":
		return KindProcess
	case sc.RoleARN != "":
		// role_arn without a source: the SDK would go to IMDS for the
		// source credentials; report it as assume-role so the SDK's own
		// error explains.
		return KindAssumeRole
	}
	return KindNone
}

// directRole reports whether the role of sc is assumed with an IAM
// user's long-term keys from its source profile (see
// [Profile.DirectRole]). A source profile that has its own role_arn, a
// credential_source or web identity is not known to be one.
func directRole(sc *config.SharedConfig) bool {
	src := sc.Source
	return sc.RoleARN != "" && sc.WebIdentityTokenFile == "" && sc.CredentialSource == "" && src != nil &&
		src.RoleARN == "" && src.Credentials.HasKeys() && src.Credentials.SessionToken == ""
}

func classifyLoadError(name string, err error) error {
	var notExist config.SharedConfigProfileNotExistError
	if errors.As(err, &notExist) && notExist.Profile != "" && notExist.Profile != name {
		return &Error{Profile: name, Kind: ErrInvalidConfig,
			Err:  fmt.Errorf("its source profile %q does not exist", notExist.Profile),
			Hint: "fix source_profile in the config file"}
	}
	if errors.As(err, &notExist) {
		if name == DefaultProfile {
			// The implicit default profile missing is "no credentials",
			// as in the AWS CLI and aws-export-credentials.
			return newError(name, ErrNoCredentials, nil, ActionConfigure)
		}
		return newError(name, ErrProfileNotFound, nil, ActionCheckProfileName)
	}
	return &Error{Profile: name, Kind: ErrInvalidConfig, Err: fromUpstream(err)}
}

// classify turns an SDK error into an [*Error] with a sentinel and a hint.
// The SDK's text is kept, with what looks like a secret masked
// ([Redact]): a service may echo the request in its message.
func classify(name string, kind Kind, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	err = fromUpstream(err)
	var procErr *processcreds.ProviderError
	if errors.As(err, &procErr) && strings.Contains(procErr.Err.Error(), "process output") {
		// The SDK quotes the process's whole output when it cannot parse
		// it, secret key included: never pass that on.
		return &Error{Profile: name, Kind: ErrResolve,
			Err:  errors.New("credential_process printed something that is not valid credentials JSON (not shown: it may hold secrets)"),
			Hint: "run the credential_process command by hand to see its output"}
	}
	msg := err.Error()
	var ssoErr *ssocreds.InvalidTokenError
	// The portal refuses a token it no longer knows (the session was
	// ended at the service, or signed out elsewhere) with 401
	// UnauthorizedException, whatever the cache says of its expiry: only
	// a sign-in helps.
	var refused *ssotypes.UnauthorizedException
	switch {
	case errors.As(err, &ssoErr) || errors.As(err, &refused) ||
		(kind == KindSSO && (strings.Contains(msg, "SSO session has expired") || strings.Contains(msg, "SSO token"))):
		return newError(name, ErrSSOLoginRequired, err, ActionSSOLogin)
	case strings.Contains(msg, "AssumeRoleTokenProvider") || strings.Contains(msg, "MFA"):
		return newError(name, ErrMFARequired, err, ActionMFACode)
	case kind == KindLogin && (strings.Contains(msg, "reauthenticate") || strings.Contains(msg, "load login token")):
		return newError(name, ErrLoginRequired, err, ActionAWSLogin)
	case errors.Is(err, ErrRecursion):
		return &Error{Profile: name, Kind: ErrRecursion, Err: err}
	}
	var notExist config.SharedConfigProfileNotExistError
	var assumeErr config.SharedConfigAssumeRoleError
	var loadErr config.SharedConfigLoadError
	if errors.As(err, &notExist) || errors.As(err, &assumeErr) || errors.As(err, &loadErr) {
		return &Error{Profile: name, Kind: ErrInvalidConfig, Err: err}
	}
	return &Error{Profile: name, Kind: ErrResolve, Err: err}
}

// String returns the kind's name.
func (k Kind) String() string { return string(k) }
