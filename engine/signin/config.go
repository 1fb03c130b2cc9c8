package signin

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/signin"
	signintypes "github.com/aws/aws-sdk-go-v2/service/signin/types"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/awsxc/awsxc/engine"
)

// Config is what every call of this package takes from its front end.
type Config struct {
	// Env holds the AWS files, the home folder (under which the token
	// caches live) and the clock.
	Env engine.Env
	// LoginCacheDir is AWS_LOGIN_CACHE_DIRECTORY, where aws login
	// sessions are cached; empty is ~/.aws/login/cache. (The Go SDK and
	// botocore read that variable themselves; the engine reads none.)
	LoginCacheDir string
	// Profile names the profile whose [services] section gives the
	// clients their endpoints when the session was not found through a
	// profile ([NamedSession], [SignOutAll]); the AWS CLI takes the
	// current profile's. Empty, or a profile the files lack, means none.
	Profile string
	// Logger receives debug records; nil discards them. Tokens, secrets,
	// codes and keys are never logged.
	Logger *slog.Logger
	// Getenv looks up the endpoint variables (AWS_ENDPOINT_URL_SSO_OIDC,
	// AWS_ENDPOINT_URL_SSO, AWS_ENDPOINT_URL_SIGNIN, AWS_ENDPOINT_URL,
	// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS) for the clients of a session
	// reached through no profile of the files (a [NamedSession] or
	// [SignOutAll] whose Profile is empty or missing). Those clients are
	// made without the SDK's config loader, which would take AWS_PROFILE
	// from the process and fail when it names a missing profile. Nil
	// reads none. The clients of a profile's session take the variables
	// as the SDK's loader reads them.
	Getenv func(string) string
}

func (c Config) log() *slog.Logger {
	if c.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Logger
}

// awsConfig loads the SDK's config for calls about s in region to
// service (its endpoint variable's suffix: "SSO_OIDC", "SSO",
// "SIGNIN"): the files of c.Env, the profile s was found through (or
// c.Profile) for its service endpoints, and no credentials (the OIDC,
// portal and sign-in operations this package calls are anonymous).
// Endpoints come as the SDK resolves them for every client:
// AWS_ENDPOINT_URL_SSO_OIDC, _SSO, _SIGNIN (read by the SDK itself) or
// the profile's services section. With no such profile the SDK's loader
// is not used at all (it would take AWS_PROFILE from the process):
// see [Config.Getenv].
func (c Config) awsConfig(ctx context.Context, s Session, region, service string) (aws.Config, error) {
	cf, crf, err := engine.SDKFiles(c.Env)
	if err != nil {
		return aws.Config{}, &Error{Session: s.Name, Profile: s.Profile, Kind: ErrConfig, Err: err}
	}
	p := c.endpointProfile(s)
	if p == "" {
		return c.bareConfig(region, service), nil
	}
	cfg, err := config.LoadDefaultConfig(ctx,
		config.WithSharedConfigFiles(cf),
		config.WithSharedCredentialsFiles(crf),
		config.WithCredentialsProvider(aws.AnonymousCredentials{}),
		config.WithRegion(region),
		// Always named, so that the SDK never takes AWS_PROFILE from the
		// process.
		config.WithSharedConfigProfile(p))
	if err != nil {
		return aws.Config{}, &Error{Session: s.Name, Profile: s.Profile, Kind: ErrConfig, Err: err}
	}
	return cfg, nil
}

// bareConfig is the config of a client reached through no profile: the
// region, no credentials, and the endpoint the variables name for
// service, as the SDKs read them (AWS_ENDPOINT_URL_<SERVICE>, else
// AWS_ENDPOINT_URL, none with AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true).
func (c Config) bareConfig(region, service string) aws.Config {
	cfg := aws.Config{Region: region, Credentials: aws.AnonymousCredentials{}}
	if c.Getenv == nil || strings.EqualFold(c.Getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true") {
		return cfg
	}
	if ep := cmp.Or(c.Getenv("AWS_ENDPOINT_URL_"+service), c.Getenv("AWS_ENDPOINT_URL")); ep != "" {
		cfg.BaseEndpoint = aws.String(ep)
	}
	return cfg
}

// endpointProfile is the profile whose settings the clients take: the
// one s was found through, else c.Profile when the files have it, else
// none.
func (c Config) endpointProfile(s Session) string {
	if s.Profile != "" {
		return s.Profile
	}
	if c.Profile == "" {
		return ""
	}
	if names, err := engine.ListProfileNames(c.Env); err == nil && slices.Contains(names, c.Profile) {
		return c.Profile
	}
	return ""
}

func (c Config) oidcClient(ctx context.Context, s Session) (*ssooidc.Client, error) {
	cfg, err := c.awsConfig(ctx, s, s.Region, "SSO_OIDC")
	if err != nil {
		return nil, err
	}
	return ssooidc.NewFromConfig(cfg), nil
}

func (c Config) portalClient(ctx context.Context, s Session, region string) (*sso.Client, error) {
	cfg, err := c.awsConfig(ctx, s, region, "SSO")
	if err != nil {
		return nil, err
	}
	return sso.NewFromConfig(cfg), nil
}

func (c Config) signinClient(ctx context.Context, s Session) (*signin.Client, error) {
	cfg, err := c.awsConfig(ctx, s, s.Region, "SIGNIN")
	if err != nil {
		return nil, err
	}
	return signin.NewFromConfig(cfg), nil
}

// errProbe stops a probe request before it is sent.
var errProbe = errors.New("endpoint probe")

// probeMiddleware records the URL a request would go to and stops it
// there, after the endpoint is resolved. The AWS CLI finds the base of
// the authorize URLs, which the SDKs do not model, the same way
// (botocore utils.py _get_base_authorization_uri, get_base_sign_in_uri):
// the endpoint a client resolves (the regional one, or an
// AWS_ENDPOINT_URL_* or services override), scheme and host only.
func probeMiddleware(base *string) func(*middleware.Stack) error {
	return func(st *middleware.Stack) error {
		return st.Finalize.Add(middleware.FinalizeMiddlewareFunc("awsxcEndpointProbe",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				if req, ok := in.Request.(*smithyhttp.Request); ok {
					*base = (&url.URL{Scheme: req.URL.Scheme, Host: req.URL.Host}).String()
				}
				return middleware.FinalizeOutput{}, middleware.Metadata{}, errProbe
			}), middleware.After)
	}
}

// oidcBase returns the base URL of the OIDC service's browser pages.
func oidcBase(ctx context.Context, client *ssooidc.Client) (string, error) {
	var base string
	_, err := client.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("probe"), ClientType: aws.String("public")},
		func(o *ssooidc.Options) { o.APIOptions = append(o.APIOptions, probeMiddleware(&base)) })
	if base == "" {
		return "", fmt.Errorf("resolve the OIDC endpoint: %w", err)
	}
	return base, nil
}

// signinBase returns the base URL of AWS Sign-In.
func signinBase(ctx context.Context, client *signin.Client) (string, error) {
	var base string
	_, err := client.CreateOAuth2Token(ctx, &signin.CreateOAuth2TokenInput{
		TokenInput: &signintypes.CreateOAuth2TokenRequestBody{ClientId: aws.String("probe"), GrantType: aws.String("probe")}},
		func(o *signin.Options) { o.APIOptions = append(o.APIOptions, probeMiddleware(&base)) })
	if base == "" {
		return "", fmt.Errorf("resolve the sign-in endpoint: %w", err)
	}
	return base, nil
}
