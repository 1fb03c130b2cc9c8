package signin

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/awsxc/awsxc/internal/fsutil"
)

// The files, as the AWS CLI names and writes them (sources in the package
// documentation, "Caches"):
//
//	~/.aws/sso/cache/sha1(session name | start URL).json    the token
//	~/.aws/sso/cache/sha1(registration key).json            the client registration
//	~/.aws/login/cache/sha256(login_session).json           an aws login session

// maxCacheFile bounds what is read of a cache file: tokens are a few
// kilobytes; anything far larger is not one.
const maxCacheFile = 1 << 20

// ssoCacheDir is where IAM Identity Center tokens are cached.
func (c Config) ssoCacheDir() (string, error) {
	if c.Env.Home == "" {
		return "", errors.New("the home folder is unknown, so is ~/.aws/sso/cache")
	}
	return filepath.Join(c.Env.Home, ".aws", "sso", "cache"), nil
}

// loginCacheDir is where aws login sessions are cached:
// AWS_LOGIN_CACHE_DIRECTORY (Config.LoginCacheDir), else
// ~/.aws/login/cache.
func (c Config) loginCacheDir() (string, error) {
	if c.LoginCacheDir != "" {
		return c.Env.ExpandPath(c.LoginCacheDir)
	}
	if c.Env.Home == "" {
		return "", errors.New("the home folder is unknown, so is ~/.aws/login/cache")
	}
	return filepath.Join(c.Env.Home, ".aws", "login", "cache"), nil
}

// tokenPath is the session's token cache file.
func (c Config) tokenPath(s Session) (string, error) {
	if s.Kind == KindLogin {
		dir, err := c.loginCacheDir()
		if err != nil {
			return "", err
		}
		sum := sha256.Sum256([]byte(s.Name))
		return filepath.Join(dir, hex.EncodeToString(sum[:])+".json"), nil
	}
	dir, err := c.ssoCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, sha1Hex(s.Name)+".json"), nil
}

// registrationPath is the client registration's cache file. Its name is
// the sha1 of json.dumps({"tool": "botocore", "startUrl", "region",
// "scopes", "session_name"}, sort_keys=True) (botocore utils.py
// _registration_cache_key): the configured start URL and scopes (null
// when unset), the session's name (null for a legacy profile).
func (c Config) registrationPath(s Session) (string, error) {
	dir, err := c.ssoCacheDir()
	if err != nil {
		return "", err
	}
	var scopes, name any
	if s.Scopes != nil {
		scopes = s.Scopes
	}
	if s.Kind == KindSSOSession {
		name = s.Name
	}
	key := pyDumps(object{{"region", s.Region}, {"scopes", scopes}, {"session_name", name},
		{"startUrl", s.StartURL}, {"tool", "botocore"}})
	return filepath.Join(dir, sha1Hex(string(key))+".json"), nil
}

func sha1Hex(s string) string {
	sum := sha1.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// readObject reads a cache file as a JSON object. A missing file's error
// wraps fs.ErrNotExist; the errors never quote the content.
func readObject(path string) (object, error) {
	data, err := fsutil.ReadRegular(path, maxCacheFile)
	if err != nil {
		return nil, err
	}
	o, err := parseObject(data)
	if err != nil {
		return nil, fmt.Errorf("%s: not a JSON object (not shown: it may hold tokens)", path)
	}
	return o, nil
}

// writeObject replaces a cache file atomically, 0600 when new (an
// existing file keeps its mode and owner), with no final newline, as
// the AWS CLI writes it.
func writeObject(path string, o object) error {
	if err := fsutil.WriteFileAtomic(path, pyDumps(o), 0o600); err != nil {
		return err
	}
	return nil
}

// ssoToken is an IAM Identity Center token cache file.
type ssoToken struct {
	obj                   object // every member, in the file's order
	AccessToken           string
	ExpiresAt             time.Time
	RefreshToken          string
	ClientID              string
	ClientSecret          string
	RegistrationExpiresAt time.Time // zero when the file has none
}

// readSSOToken reads a token file. Like the Go SDK and botocore it needs
// accessToken and a readable expiresAt.
func readSSOToken(path string) (*ssoToken, error) {
	o, err := readObject(path)
	if err != nil {
		return nil, err
	}
	t := &ssoToken{obj: o, AccessToken: o.str("accessToken"), RefreshToken: o.str("refreshToken"),
		ClientID: o.str("clientId"), ClientSecret: o.str("clientSecret")}
	var ok bool
	if t.ExpiresAt, ok = o.timeOf("expiresAt"); !ok || t.AccessToken == "" {
		return nil, fmt.Errorf("%s: no accessToken or expiresAt", path)
	}
	t.RegistrationExpiresAt, _ = o.timeOf("registrationExpiresAt")
	return t, nil
}

// newSSOToken is the token file the AWS CLI writes after a sign-in or a
// refresh (botocore utils.py SSOTokenFetcher._create_token_attempt,
// tokens.py SSOTokenProvider._attempt_create_token): startUrl and region
// from the configuration, the access token, its expiry, the client
// registration, and the refresh token when there is one. Members of an
// older file that these do not name (another tool's) follow, as they
// were.
func newSSOToken(s Session, access string, expires time.Time, reg registration, refresh string, old object) object {
	o := object{{"startUrl", s.StartURL}, {"region", s.Region}, {"accessToken", access},
		{"expiresAt", expires}, {"clientId", reg.ClientID}, {"clientSecret", reg.ClientSecret}}
	if !reg.ExpiresAt.IsZero() {
		o = append(o, member{"registrationExpiresAt", reg.ExpiresAt})
	}
	if refresh != "" {
		o = append(o, member{"refreshToken", refresh})
	}
	known := []string{"startUrl", "region", "accessToken", "expiresAt", "clientId", "clientSecret",
		"registrationExpiresAt", "refreshToken"}
	for _, m := range old {
		if !slices.Contains(known, m.Key) {
			o = append(o, m)
		}
	}
	return o
}

// registration is a cached client registration.
type registration struct {
	ClientID     string
	ClientSecret string
	ExpiresAt    time.Time
	Scopes       []string // nil when not cached
	GrantTypes   []string // nil for a device code registration
}

// forAuthCode says whether the registration is for the authorization code
// grant (botocore _is_registration_for_auth_code: the device flow's
// registrations have no grantTypes).
func (r registration) forAuthCode() bool { return slices.Contains(r.GrantTypes, "authorization_code") }

// object is the registration file the AWS CLI writes (utils.py
// SSOTokenFetcher._register_client, SSOTokenFetcherAuth._register_client).
func (r registration) object() object {
	o := object{{"clientId", r.ClientID}, {"clientSecret", r.ClientSecret}, {"expiresAt", r.ExpiresAt}}
	if len(r.Scopes) > 0 {
		o = append(o, member{"scopes", r.Scopes})
	}
	if r.GrantTypes != nil {
		o = append(o, member{"grantTypes", r.GrantTypes})
	}
	return o
}

func readRegistration(path string) (registration, error) {
	o, err := readObject(path)
	if err != nil {
		return registration{}, err
	}
	r := registration{ClientID: o.str("clientId"), ClientSecret: o.str("clientSecret"),
		Scopes: stringList(o, "scopes"), GrantTypes: stringList(o, "grantTypes")}
	var ok bool
	if r.ExpiresAt, ok = o.timeOf("expiresAt"); !ok || r.ClientID == "" || r.ClientSecret == "" {
		return registration{}, fmt.Errorf("%s: not a client registration", path)
	}
	return r, nil
}

// stringList returns key's value when it is a list of strings.
func stringList(o object, key string) []string {
	v, _ := o.get(key)
	a, ok := v.([]any)
	if !ok {
		return nil
	}
	out := []string{}
	for _, e := range a {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// loginToken is an aws login session cache file (awscli/customizations/
// login/utils.py _exchange_auth_code_for_access_token).
type loginToken struct {
	obj          object
	ExpiresAt    time.Time // accessToken.expiresAt
	AccountID    string
	RefreshToken string
	ClientID     string
	DPoPKey      string // the PEM of the session's private key
}

func readLoginToken(path string) (*loginToken, error) {
	o, err := readObject(path)
	if err != nil {
		return nil, err
	}
	at, _ := o.obj("accessToken")
	t := &loginToken{obj: o, AccountID: at.str("accountId"), RefreshToken: o.str("refreshToken"),
		ClientID: o.str("clientId"), DPoPKey: o.str("dpopKey")}
	var ok bool
	if t.ExpiresAt, ok = at.timeOf("expiresAt"); !ok || at.str("accessKeyId") == "" {
		return nil, fmt.Errorf("%s: no accessToken with accessKeyId and expiresAt", path)
	}
	return t, nil
}

// removeFile removes path, reporting whether it was there.
func removeFile(path string) (bool, error) {
	err := os.Remove(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}
