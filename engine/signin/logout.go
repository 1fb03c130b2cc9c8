package signin

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/sso/types"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	oidctypes "github.com/aws/aws-sdk-go-v2/service/ssooidc/types"

	"github.com/awsxc/awsxc/engine"
)

// logoutTimeout bounds each portal Logout call: signing out must not
// hang on an unreachable portal.
const logoutTimeout = 15 * time.Second

// SignOutResult says what a sign-out removed.
type SignOutResult struct {
	// Files are the token cache files removed.
	Files []string
	// Profiles are the profiles whose cached credentials (awsxc's own,
	// and the AWS CLI's role credentials) were looked for and removed.
	Profiles []string
	// CachedCredentials are the cached credential files removed.
	CachedCredentials []string
	// LogoutFailed holds the portal Logout calls that failed. Logout is
	// best effort, as in aws sso logout: the token file is removed anyway.
	LogoutFailed []error
}

// SignOut signs the session out, as aws sso logout and aws logout do,
// for one session only: for IAM Identity Center it calls the portal's
// Logout with the cached access token, refreshed first when it has
// expired (ending that sign-in on the service's side; best effort), then
// removes the token file; an aws login
// session's file is removed (aws logout calls nothing either; its
// credentials stay valid for up to 15 minutes). For every profile on the
// session it also removes awsxc's cached credentials and the AWS CLI's
// cached role credentials (~/.aws/cli/cache), so that nothing goes on
// handing them out. Client registrations stay. Errors are [*Error] values
// with [ErrCache] when a file could not be removed.
func SignOut(ctx context.Context, s Session, c Config) (*SignOutResult, error) {
	res := &SignOutResult{}
	path, err := c.tokenPath(s)
	if err != nil {
		return nil, &Error{Session: s.Name, Profile: s.Profile, Kind: ErrConfig, Err: err}
	}
	if err := c.signOutFile(ctx, res, path, s); err != nil {
		return res, err
	}
	entries, err := listSessions(c.Env)
	if err != nil {
		return res, &Error{Session: s.Name, Kind: ErrConfig, Err: err}
	}
	var profiles []engine.ProfileInfo
	for _, e := range entries {
		if (e.ok && e.s.Key() == s.Key()) || (s.Profile != "" && e.info.Name == s.Profile) {
			profiles = append(profiles, e.info)
		}
	}
	return res, c.removeProfileCaches(res, profiles, false)
}

// SignOutAll signs out of every session, as aws sso logout and aws
// logout --all do: every IAM Identity Center token in ~/.aws/sso/cache
// (after a best-effort portal Logout each), every aws login session in
// its cache, the AWS CLI's cached SSO role credentials, and awsxc's
// cached credentials of every profile that signs in to a session.
func SignOutAll(ctx context.Context, c Config) (*SignOutResult, error) {
	res := &SignOutResult{}
	if dir, err := c.ssoCacheDir(); err == nil {
		for _, path := range jsonFiles(dir) {
			if o, err := readObject(path); err == nil {
				if _, ok := o.get("accessToken"); ok {
					if err := c.signOutFile(ctx, res, path, Session{Kind: KindSSOSession, Region: o.str("region")}); err != nil {
						return res, err
					}
				}
			}
		}
	}
	if dir, err := c.loginCacheDir(); err == nil {
		for _, path := range jsonFiles(dir) {
			if o, err := readObject(path); err == nil {
				if at, ok := o.obj("accessToken"); ok && at.str("accessKeyId") != "" {
					if err := c.signOutFile(ctx, res, path, Session{Kind: KindLogin}); err != nil {
						return res, err
					}
				}
			}
		}
	}
	var profiles []engine.ProfileInfo
	entries, _ := listSessions(c.Env)
	for _, e := range entries {
		if e.ok {
			profiles = append(profiles, e.info)
		}
	}
	return res, c.removeProfileCaches(res, profiles, true)
}

// signOutFile calls the portal's Logout for an IAM Identity Center token
// file (when it names a region), then removes it.
func (c Config) signOutFile(ctx context.Context, res *SignOutResult, path string, s Session) error {
	if s.Kind != KindLogin {
		if t, err := readSSOToken(path); err == nil {
			region := cmp.Or(t.obj.str("region"), s.Region)
			if s.Name == "" {
				s.Name = t.obj.str("startUrl") // for messages
			}
			if region != "" {
				if err := c.endAtPortal(ctx, s, region, t); err != nil {
					res.LogoutFailed = append(res.LogoutFailed, err)
					c.log().Debug("portal Logout failed; removing the token anyway", "path", path, "err", err)
				}
			}
		}
	}
	removed, err := removeFile(path)
	if err != nil {
		return &Error{Session: s.Name, Profile: s.Profile, Kind: ErrCache, Err: fmt.Errorf("remove %s: %w", path, err)}
	}
	if removed {
		res.Files = append(res.Files, path)
		c.log().Debug("removed the token", "path", path)
	}
	if s.Kind != KindLogin {
		// engine's copy of a token whose times end in UTC, for the Go SDK
		// (engine/ssocache.go): it holds the token too.
		if removed, err := engine.RemoveSSOTokenCopy(c.Env, path); err != nil {
			return &Error{Session: s.Name, Profile: s.Profile, Kind: ErrCache, Err: fmt.Errorf("remove engine's copy of %s: %w", path, err)}
		} else if removed {
			c.log().Debug("removed engine's copy of the token", "path", path)
		}
	}
	return nil
}

// endAtPortal ends the sign-in of token t at the portal (its Logout).
// An access token that has expired is refreshed first, when it can be:
// its refresh token may keep the session alive at the service for hours
// yet, and the portal's Logout takes an access token. A refresh the
// service refuses (the session has ended already) leaves nothing to end.
func (c Config) endAtPortal(ctx context.Context, s Session, region string, t *ssoToken) error {
	token := t.AccessToken
	if !c.Env.Now().Before(t.ExpiresAt) {
		if t.RefreshToken == "" || t.ClientID == "" || t.ClientSecret == "" {
			return nil // nothing left to end
		}
		ctx, cancel := context.WithTimeout(ctx, logoutTimeout)
		defer cancel()
		rs := s
		rs.Region = region
		client, err := c.oidcClient(ctx, rs)
		if err != nil {
			return err
		}
		out, err := client.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: aws.String(t.ClientID),
			ClientSecret: aws.String(t.ClientSecret), GrantType: aws.String(grantRefresh), RefreshToken: aws.String(t.RefreshToken)})
		var grant *oidctypes.InvalidGrantException
		var refused *oidctypes.InvalidClientException
		switch {
		case errors.As(err, &grant), errors.As(err, &refused):
			return nil // the session, or the client, has ended already
		case err != nil:
			return unreachableOr(s, "CreateToken", err)
		}
		token = aws.ToString(out.AccessToken)
	}
	return c.portalLogout(ctx, s, region, token)
}

// portalLogout is the SSO portal's Logout (POST /logout), which ends the
// sign-in the access token belongs to.
func (c Config) portalLogout(ctx context.Context, s Session, region, token string) error {
	ctx, cancel := context.WithTimeout(ctx, logoutTimeout)
	defer cancel()
	client, err := c.portalClient(ctx, s, region)
	if err != nil {
		return err
	}
	_, err = client.Logout(ctx, &sso.LogoutInput{AccessToken: aws.String(token)})
	var gone *ssotypes.UnauthorizedException
	if errors.As(err, &gone) {
		return nil // the portal no longer knows the token: already signed out
	}
	if err != nil {
		return unreachableOr(s, "Logout", err)
	}
	return nil
}

// portalAccepts asks the IAM Identity Center portal whether it still
// accepts the token cached in path (ListAccounts, one result): false
// when it answers 401 Unauthorized (the session was ended at the
// service, or signed out by another tool). An unreachable portal is an
// [ErrUnreachable] error; any other answer counts as accepted.
func (c Config) portalAccepts(ctx context.Context, s Session, path string) (bool, error) {
	t, err := readSSOToken(path)
	if err != nil {
		return false, nil // no token to ask about
	}
	ctx, cancel := context.WithTimeout(ctx, logoutTimeout)
	defer cancel()
	client, err := c.portalClient(ctx, s, cmp.Or(t.obj.str("region"), s.Region))
	if err != nil {
		return false, err
	}
	_, err = client.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: aws.String(t.AccessToken), MaxResults: aws.Int32(1)})
	var gone *ssotypes.UnauthorizedException
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &gone):
		return false, nil
	case ctx.Err() != nil && errors.Is(err, context.Canceled):
		return false, &Error{Session: s.Name, Profile: s.Profile, Kind: ErrCancelled, Err: ctx.Err()}
	}
	if e := unreachableOr(s, "ListAccounts", err); errors.Is(e, ErrUnreachable) {
		return false, e
	}
	c.log().Debug("the portal's answer does not say the token is refused", "err", err)
	return true, nil
}

// removeProfileCaches removes awsxc's cached credentials of profiles and
// the AWS CLI's cached SSO role credentials for them (or, with all, every
// one of the AWS CLI's: aws sso logout's SSOCredentialSweeper).
func (c Config) removeProfileCaches(res *SignOutResult, profiles []engine.ProfileInfo, all bool) error {
	res.Profiles = nil
	for _, p := range profiles {
		res.Profiles = append(res.Profiles, p.Name)
	}
	var cliFiles []string
	if c.Env.Home != "" {
		dir := filepath.Join(c.Env.Home, ".aws", "cli", "cache")
		if all {
			cliFiles = jsonFiles(dir)
		} else {
			for _, p := range profiles {
				if key, ok := cliRoleCacheKey(p); ok {
					cliFiles = append(cliFiles, filepath.Join(dir, key+".json"))
				}
			}
		}
	}
	for _, path := range cliFiles {
		if o, err := readObject(path); err != nil || o.str("ProviderType") != "sso" {
			continue
		}
		if removed, err := removeFile(path); err != nil {
			return &Error{Kind: ErrCache, Err: fmt.Errorf("remove %s: %w", path, err)}
		} else if removed {
			res.CachedCredentials = append(res.CachedCredentials, path)
		}
	}
	if c.Env.CacheDir == "" {
		return nil // awsxc caches nothing without a cache folder
	}
	for _, p := range res.Profiles {
		path, err := engine.RemoveCachedCredentials(c.Env, p)
		if err != nil {
			return &Error{Profile: p, Kind: ErrCache, Err: err}
		}
		if path != "" {
			res.CachedCredentials = append(res.CachedCredentials, path)
		}
	}
	return nil
}

// cliRoleCacheKey is the name (without .json) of the AWS CLI's cached
// role credentials for an SSO profile: sha1 of json.dumps({"accountId",
// "roleName", "sessionName" | "startUrl"}, sort_keys=True,
// separators=(",", ":")) (botocore credentials.py
// SSOCredentialFetcher._create_cache_key). Only a profile that signs in
// through its own settings has one: a role's SSO settings are ignored
// (the SDK clears them for a source_profile chain).
func cliRoleCacheKey(p engine.ProfileInfo) (string, bool) {
	if p.SignInVia != p.Name || p.AccountID == "" || p.RoleName == "" {
		return "", false
	}
	var b []byte
	b = append(b, `{"accountId":`...)
	b = append(b, compact(p.AccountID)...)
	b = append(b, `,"roleName":`...)
	b = append(b, compact(p.RoleName)...)
	if p.SSOSession != "" {
		b = append(b, `,"sessionName":`...)
		b = append(b, compact(p.SSOSession)...)
	} else {
		b = append(b, `,"startUrl":`...)
		b = append(b, compact(p.SSOStartURL)...)
	}
	b = append(b, '}')
	return sha1Hex(string(b)), true
}

// compact quotes s as json.dumps does.
func compact(s string) []byte { return pyDumps(s) }

// jsonFiles lists the .json files of dir (none when it cannot be read).
func jsonFiles(dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if e.Type().IsRegular() && filepath.Ext(e.Name()) == ".json" {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out
}
