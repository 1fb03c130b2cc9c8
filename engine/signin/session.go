package signin

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/awsxc/awsxc/engine"
)

// Kind says what a session signs in to.
type Kind string

// The kinds of sign-in session.
const (
	// KindSSOSession is an [sso-session NAME] of IAM Identity Center:
	// authorization code with PKCE, or the device code flow; refreshable.
	KindSSOSession Kind = "sso-session"
	// KindSSOLegacy is a legacy IAM Identity Center profile, with
	// sso_start_url and sso_region in the profile itself: the device code
	// flow, not refreshable (as in the AWS CLI).
	KindSSOLegacy Kind = "sso-start-url"
	// KindLogin is an aws login session (login_session = ARN): sign-in
	// with console credentials through AWS Sign-In.
	KindLogin Kind = "login"
)

// Session is what one sign-in serves: every profile that names the same
// session (directly or through its source_profile) uses the one token it
// caches. Two Sessions are the same when their [Session.Key] values are.
type Session struct {
	Kind Kind
	// Name is the sso-session's name (KindSSOSession), the start URL as
	// configured (KindSSOLegacy), or the login_session ARN (KindLogin):
	// what the token cache file is named after.
	Name string
	// StartURL is the IAM Identity Center start URL (SSO kinds).
	StartURL string
	// Region is sso_region (SSO kinds), or the profile's region, where
	// AWS Sign-In is called (KindLogin).
	Region string
	// Scopes is sso_registration_scopes (KindSSOSession); nil when the
	// session sets none.
	Scopes []string
	// Profile is the profile the session was found through; its
	// [services] section, if any, gives the clients their endpoints. Empty
	// for [NamedSession].
	Profile string
}

// Key identifies the session: "sso-session:NAME",
// "sso-start-url:URL" or "login:ARN". Front ends deduplicate sign-ins by
// it: ten profiles on one sso-session share one key, and one sign-in.
func (s Session) Key() string { return string(s.Kind) + ":" + s.Name }

// String names the session for people: the sso-session name, the start
// URL, or the login session's ARN.
func (s Session) String() string { return s.Name }

// ProfileSession returns the session profile signs in to, reading env's
// files (checked as the engine checks them, [engine.SDKFiles]) through
// the SDK's own loader (config.LoadSharedConfigProfile)
// and, for an sso-session's registration scopes, the engine's
// [engine.LoadSSOSession]. A role profile signs in to its source
// profile's session. It touches no network. Errors are [*Error] values:
// [ErrNoSession] when the profile does not exist or signs in to nothing,
// [ErrConfig] when its settings are incomplete.
func ProfileSession(ctx context.Context, env engine.Env, profile string) (Session, error) {
	noSession := func(why string) (Session, error) {
		return Session{}, &Error{Profile: profile, Kind: ErrNoSession, Err: errors.New(why)}
	}
	if profile == "" {
		return noSession("empty profile name")
	}
	files, err := sdkFiles(env)
	if err != nil {
		return Session{}, &Error{Profile: profile, Kind: ErrConfig, Err: err}
	}
	sc, err := config.LoadSharedConfigProfile(ctx, profile, files)
	if err != nil {
		var notExist config.SharedConfigProfileNotExistError
		if errors.As(err, &notExist) && notExist.Profile == profile {
			return noSession("no such profile in the config or credentials file")
		}
		return Session{}, &Error{Profile: profile, Kind: ErrConfig, Err: err}
	}
	// Follow the source_profile chain the way the SDK resolves it
	// (config/resolve_credentials.go resolveCredsFromProfile).
	for depth := 0; ; depth++ {
		switch {
		case depth > 16:
			return noSession("its source_profile chain is too long")
		case sc.RoleARN != "" && sc.WebIdentityTokenFile != "":
			return noSession("it assumes a role with a web identity token")
		case sc.RoleARN != "" && sc.Source != nil:
			sc = *sc.Source
			continue
		case sc.RoleARN != "" && sc.CredentialSource != "":
			return noSession("its role's source is credential_source = " + sc.CredentialSource)
		case sc.Credentials.HasKeys():
			return noSession("it takes keys from the files")
		case sc.SSOSession != nil:
			s, err := NamedSession(env, sc.SSOSession.Name)
			if err != nil {
				var se *Error
				if errors.As(err, &se) {
					se.Profile = profile
				}
				return Session{}, err
			}
			// The SDK has read the section's start URL and region; the
			// scanner adds only the scopes.
			s.StartURL, s.Region, s.Profile = sc.SSOSession.SSOStartURL, sc.SSOSession.SSORegion, profile
			return s, nil
		case sc.SSOStartURL != "":
			s := Session{Kind: KindSSOLegacy, Name: sc.SSOStartURL, StartURL: sc.SSOStartURL, Region: sc.SSORegion, Profile: profile}
			return s, s.check()
		case sc.LoginSession != "":
			region := cmp.Or(env.Region, sc.Region)
			s := Session{Kind: KindLogin, Name: sc.LoginSession, Region: region, Profile: profile}
			return s, s.check()
		case sc.CredentialProcess != "":
			return noSession("it runs a credential_process")
		case sc.SSOAccountID != "" || sc.SSORoleName != "":
			return Session{}, &Error{Profile: profile, Kind: ErrConfig,
				Err: errors.New("it has sso_account_id or sso_role_name but neither sso_session nor sso_start_url")}
		}
		return noSession("it configures no IAM Identity Center or aws login session")
	}
}

// NamedSession returns the session of [sso-session name] in env's config
// file, for a sign-in before any profile names it. Errors are [*Error]
// values with [ErrConfig].
func NamedSession(env engine.Env, name string) (Session, error) {
	c, err := engine.LoadSSOSession(env, name)
	if err != nil {
		return Session{}, &Error{Session: name, Kind: ErrConfig, Err: err}
	}
	s := Session{Kind: KindSSOSession, Name: c.Name, StartURL: c.StartURL, Region: c.Region, Scopes: c.RegistrationScopes}
	return s, s.check()
}

// check reports missing or unusable settings.
func (s Session) check() error {
	var missing []string
	switch s.Kind {
	case KindSSOSession, KindSSOLegacy:
		if s.StartURL == "" {
			missing = append(missing, "sso_start_url")
		}
		if s.Region == "" {
			missing = append(missing, "sso_region")
		}
		if len(missing) == 0 {
			// The AWS CLI refuses anything but https (sso/resolve.py).
			if u, err := url.Parse(s.StartURL); err != nil || u.Scheme != "https" || u.Host == "" {
				return &Error{Session: s.Name, Profile: s.Profile, Kind: ErrConfig,
					Err: fmt.Errorf("sso_start_url %q is not an https URL", s.StartURL)}
			}
		}
	case KindLogin:
		if s.Region == "" {
			missing = append(missing, "region")
		}
	}
	if len(missing) > 0 {
		where := "[sso-session " + s.Name + "]"
		if s.Kind != KindSSOSession {
			where = "profile " + quote(s.Profile)
		}
		return &Error{Session: s.Name, Profile: s.Profile, Kind: ErrConfig,
			Err: fmt.Errorf("%s lacks %s", where, strings.Join(missing, " and "))}
	}
	return nil
}

// SessionProfiles returns the profiles of env's files that sign in to
// the session with this key, in the files' order: the profiles a
// sign-in or sign-out affects. Profiles whose settings cannot be read
// are left out. The files are read once, however many profiles they
// hold (see [listSessions]).
func SessionProfiles(ctx context.Context, env engine.Env, key string) ([]string, error) {
	entries, err := listSessions(env)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if e.ok && e.s.Key() == key {
			out = append(out, e.info.Name)
		}
	}
	return out, nil
}

// profileEntry is one profile of the files with the session it signs in
// to, if any.
type profileEntry struct {
	info engine.ProfileInfo
	s    Session
	ok   bool // the profile signs in to s
}

// listSessions returns every profile of env's files, in the files'
// order, with the session it signs in to, as [ProfileSession] finds it,
// but from one read of each file ([engine.ListProfiles] and its
// ProfileInfo.SignInVia) and one read of the config file per
// sso-session: loading each profile through the SDK parses both files
// again, which for a thousand profiles took seconds. A test holds the two
// to the same answers.
func listSessions(env engine.Env) ([]profileEntry, error) {
	l, err := engine.ListProfiles(env)
	if err != nil {
		return nil, err
	}
	byName := make(map[string]*engine.ProfileInfo, len(l.Profiles))
	for i := range l.Profiles {
		byName[l.Profiles[i].Name] = &l.Profiles[i]
	}
	type named struct {
		s  Session
		ok bool
	}
	sessions := map[string]named{} // by sso-session name
	out := make([]profileEntry, 0, len(l.Profiles))
	for _, p := range l.Profiles {
		e := profileEntry{info: p}
		if v := byName[p.SignInVia]; v != nil {
			switch {
			case v.SSOSession != "":
				n, seen := sessions[v.SSOSession]
				if !seen {
					s, err := NamedSession(env, v.SSOSession)
					n = named{s, err == nil}
					sessions[v.SSOSession] = n
				}
				e.s, e.ok = n.s, n.ok
			case v.SSOStartURL != "":
				e.s = Session{Kind: KindSSOLegacy, Name: v.SSOStartURL, StartURL: v.SSOStartURL, Region: v.SSORegion}
				e.ok = e.s.check() == nil
			case v.LoginSession != "":
				e.s = Session{Kind: KindLogin, Name: v.LoginSession, Region: cmp.Or(env.Region, v.Region)}
				e.ok = e.s.check() == nil
			}
			e.s.Profile = p.Name
		}
		out = append(out, e)
	}
	return out, nil
}

// sdkFiles checks env's files as the engine does before the SDK reads
// them ([engine.SDKFiles]: a FIFO would hang the read for good, and no
// signal would end it) and makes LoadSharedConfigProfile read them and
// no others.
func sdkFiles(env engine.Env) (func(*config.LoadSharedConfigOptions), error) {
	cf, crf, err := engine.SDKFiles(env)
	if err != nil {
		return nil, err
	}
	return func(o *config.LoadSharedConfigOptions) { o.ConfigFiles, o.CredentialsFiles = cf, crf }, nil
}
