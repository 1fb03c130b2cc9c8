package engine

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"regexp"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"

	"github.com/awsxc/awsxc/internal/fsutil"
)

// AWS CLI v2 up to 2.1.13 wrote the expiry of a cached SSO token as
// "2027-01-31T12:00:00UTC" (yawsso#44: "aws-cli/2.1.14 cached login
// expiresAt now use zulu format"), and some other tools still do.
// botocore reads it (dateutil, or no parse at all for legacy profiles);
// the Go SDK's ssocreds wants RFC 3339 and refuses the whole file
// (hashicorp/terraform-provider-aws#19228). awsxc does not rewrite the
// user's cache: it gives the SDK a copy whose times end in Z, in its own
// cache folder (0600 in a 0700 folder, replaced atomically), and the SDK
// reads the token there. A refresh of an sso-session token is then
// written to the copy, not to the AWS CLI's cache.

// utcTime matches a cache time in that form.
var utcTime = regexp.MustCompile(`^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?)UTC$`)

// maxSSOCacheSize bounds the token file read (they hold a few hundred
// bytes).
const maxSSOCacheSize = 1 << 20

// ssoCacheOptions returns the SDK options that point it at a normalised
// copy of the SSO token cache of sc (an SSO profile) when that cache
// writes its times ending in UTC; none otherwise, or when awsxc has no
// cache folder of its own (the SDK then reports the file, which the
// error's hint answers: sign in again).
func ssoCacheOptions(env Env, sc *config.SharedConfig, log *slog.Logger) []func(*config.LoadOptions) error {
	key, session := sc.SSOStartURL, false
	if sc.SSOSession != nil {
		key, session = sc.SSOSession.Name, true
	}
	if key == "" || env.CacheDir == "" {
		return nil
	}
	// The path the SDK reads; it takes the home folder from the process,
	// as awsxc's Env does.
	path, err := ssocreds.StandardCachedTokenFilepath(key)
	if err != nil {
		return nil
	}
	copyPath, ok := normalisedSSOCache(env, path, log)
	if !ok {
		return nil
	}
	if session {
		return []func(*config.LoadOptions) error{config.WithSSOTokenProviderOptions(func(o *ssocreds.SSOTokenProviderOptions) {
			o.CachedTokenFilepath = copyPath
		})}
	}
	return []func(*config.LoadOptions) error{config.WithSSOProviderOptions(func(o *ssocreds.Options) {
		o.CachedTokenFilepath = copyPath
	})}
}

// normalisedSSOCache returns the normalised copy of the SSO token cache
// file at path, which it writes when the file's times end in UTC; ok is
// false when they do not (the SDK reads path itself), or when awsxc has
// no cache folder or cannot write there.
func normalisedSSOCache(env Env, path string, log *slog.Logger) (string, bool) {
	if env.CacheDir == "" {
		return "", false
	}
	data, err := fsutil.ReadRegular(path, maxSSOCacheSize)
	if err != nil || !bytes.Contains(data, []byte("UTC")) {
		return "", false
	}
	norm, ok := normaliseSSOCache(data)
	if !ok {
		return "", false
	}
	copyPath := filepath.Join(env.CacheDir, "awsxc", "sso", filepath.Base(path))
	if err := fsutil.WriteFileAtomic(copyPath, norm, 0o600); err != nil {
		log.Debug("cannot write the normalised SSO token cache", "path", copyPath, "err", err)
		return "", false
	}
	log.Debug("the SSO token cache's times end in UTC: the SDK reads a normalised copy", "cache", path, "copy", copyPath)
	return copyPath, true
}

// normaliseSSOCache rewrites the times of a cached SSO token that end in
// UTC to end in Z; ok is false when there is none (or the file is not a
// JSON object).
func normaliseSSOCache(data []byte) ([]byte, bool) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, false
	}
	changed := false
	for _, k := range []string{"expiresAt", "registrationExpiresAt"} {
		var v string
		if raw, ok := m[k]; !ok || json.Unmarshal(raw, &v) != nil {
			continue
		}
		if sub := utcTime.FindStringSubmatch(v); sub != nil {
			m[k], _ = json.Marshal(sub[1] + "Z")
			changed = true
		}
	}
	if !changed {
		return nil, false
	}
	out, err := json.Marshal(m)
	return out, err == nil
}
