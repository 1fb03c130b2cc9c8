package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/processcreds"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
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
	// first, then each source_profile it assumes from, as the SDK read
	// them: "dev (assume-role arn:aws:iam::1:role/x)", "base (static)".
	Chain []string

	env      Env
	loadOpts []func(*config.LoadOptions) error
	log      *slog.Logger

	mu     sync.Mutex              // protects creds, cfg and loaded
	creds  aws.CredentialsProvider // the SDK's provider for the profile
	cfg    aws.Config              // the SDK's full config, loaded by sdkConfig
	loaded bool
}

// Load reads the profile through the AWS SDK for Go v2's own config
// loader (config.LoadDefaultConfig), from the files of opts.Env only. It
// does not retrieve credentials.
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
	sc, err := config.LoadSharedConfigProfile(ctx, name, env.sharedFiles)
	if err != nil {
		return nil, classifyLoadError(name, err)
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
	loadOpts := []func(*config.LoadOptions) error{
		config.WithSharedConfigProfile(name),
		config.WithSharedConfigFiles(fileList(env.ConfigFile)),
		config.WithSharedCredentialsFiles(fileList(env.CredentialsFile)),
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
					code, err := opts.MFA()
					if err != nil {
						return "", newError(name, ErrMFARequired, err, ActionMFACode)
					}
					return code, nil
				}
			}
		}),
	}
	if region != "" {
		loadOpts = append(loadOpts, config.WithRegion(region))
	}
	p := &Profile{
		Name:        name,
		Kind:        kind,
		Region:      region,
		RoleARN:     sc.RoleARN,
		MFASerial:   sc.MFASerial,
		Fingerprint: fingerprint(&sc),
		Chain:       chain(&sc),
		env:         env,
		loadOpts:    loadOpts,
		log:         log,
	}
	if kind == KindStatic || kind == KindSession {
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
			if exp, ok := sessionExpiration(env, name, log); ok {
				v.CanExpire, v.Expires = true, exp
			}
		}
		p.creds = credentials.StaticCredentialsProvider{Value: v}
	}
	// Every other source takes its provider from the SDK's full config,
	// loaded when credentials are first asked for (sdkConfig): a cache hit
	// never pays for it.
	log.Debug("loaded profile", "profile", name, "kind", kind, "region", p.Region)
	return p, nil
}

// sessionExpiration reads aws_credential_expiration from the profile's
// section, in the credentials file first (where the SDK looks for keys
// first), then the config file.
func sessionExpiration(env Env, name string, log *slog.Logger) (time.Time, bool) {
	for _, f := range []struct {
		path   string
		config bool
	}{{env.CredentialsFile, false}, {env.ConfigFile, true}} {
		if f.path == "" {
			continue
		}
		data, err := os.ReadFile(f.path)
		if err != nil {
			continue
		}
		v, ok := profileValue(data, f.config, name, "aws_credential_expiration")
		if !ok || v == "" {
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
		cfg, err := config.LoadDefaultConfig(ctx, p.loadOpts...)
		if err != nil {
			return aws.Config{}, classify(p.Name, p.Kind, err)
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
func (p *Profile) Retrieve(ctx context.Context, fresh bool) (Credentials, error) {
	prov, err := p.provider(ctx)
	if err != nil {
		return Credentials{}, err
	}
	if c, ok := prov.(*aws.CredentialsCache); ok && fresh {
		c.Invalidate()
	}
	v, err := prov.Retrieve(ctx)
	if err != nil {
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
// profile gave have already expired at now (a credential_process or a
// clock gone wrong), so that expired credentials are never handed out as
// a success.
func notExpired(profile string, c Credentials, now time.Time) error {
	if !c.Expired(now) {
		return nil
	}
	return &Error{Profile: profile, Kind: ErrResolve,
		Err:  fmt.Errorf("the credentials it gave expired at %s", FormatTime(c.Expires)),
		Hint: "check what the source returns, and this machine's clock"}
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

// sharedFiles makes LoadSharedConfigProfile read e's files, the ones
// Load gives LoadDefaultConfig, and no others.
func (e Env) sharedFiles(o *config.LoadSharedConfigOptions) {
	o.ConfigFiles, o.CredentialsFiles = fileList(e.ConfigFile), fileList(e.CredentialsFile)
}

// fileList is the SDK's list for one file path: an empty path is an
// empty (non-nil) list, which the SDK reads as "no files", never as "the
// defaults".
func fileList(path string) []string {
	if path == "" {
		return []string{}
	}
	return []string{path}
}

// chain describes a profile and its source profiles, for people.
func chain(sc *config.SharedConfig) []string {
	var out []string
	for depth := 0; sc != nil && depth < 16; depth++ {
		d := sc.Profile + " (" + string(kindOf(sc))
		switch {
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
			d += ": " + strings.Fields(sc.CredentialProcess)[0] + " …"
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
	for depth := 0; sc != nil && depth < 16; depth++ {
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
	return &Error{Profile: name, Kind: ErrInvalidConfig, Err: err}
}

// classify turns an SDK error into an [*Error] with a sentinel and a hint.
func classify(name string, kind Kind, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
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
	switch {
	case errors.As(err, &ssoErr) || (kind == KindSSO && (strings.Contains(msg, "SSO session has expired") || strings.Contains(msg, "SSO token"))):
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
