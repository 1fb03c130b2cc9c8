package engine

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"

	"github.com/awsxc/awsxc/internal/fsutil"
	"github.com/awsxc/awsxc/internal/lazyre"
)

// AWS CLI v2 up to 2.1.13 wrote the expiry of a cached SSO token as
// "2027-01-31T12:00:00UTC" (yawsso#44: "aws-cli/2.1.14 cached login
// expiresAt now use zulu format"), and some other tools still do.
// botocore reads it (dateutil, or no parse at all for legacy profiles);
// the Go SDK's ssocreds wants RFC 3339 and refuses the whole file
// (hashicorp/terraform-provider-aws#19228). So awsxc gives the SDK a copy
// whose times end in Z, in its own cache folder (0600 in a 0700 folder,
// replaced atomically), and the SDK reads the token there.
//
// The copy lives only as long as it is needed, and loses nothing:
//
//   - It is made again from the AWS CLI's file only when that file has
//     changed since the copy was made (a new aws sso login): next to the
//     copy, NAME.json.src holds the SHA-256 of the file it was made from.
//   - The SDK refreshes an sso-session token into the copy (the file it
//     was told to read). Without the UTC quirk it would have written the
//     refresh into the AWS CLI's file, which the AWS CLI and every other
//     SDK read; and IAM Identity Center may rotate the refresh token, so
//     the file's old one can be dead. So when the copy holds a refresh and
//     the AWS CLI's file is still the one the copy was made from, the
//     next load writes the copy back over it, in the SDK's form (the
//     times end in Z, which botocore reads too), and drops the copy: the
//     SDK then reads the file itself, as for any other token. A file that
//     changed in between is newer, and wins.
//   - It is removed when the AWS CLI's file is gone (aws sso logout) or
//     no longer needs it, and by [RemoveSSOTokenCopy] (awsxc-cli logout).

// utcTime matches a cache time in that form.
var utcTime = lazyre.New(`^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?)UTC$`)

// maxSSOCacheSize bounds the token file read (they hold a few hundred
// bytes).
const maxSSOCacheSize = 1 << 20

// ssoCacheOptions returns the SDK options that point it at a normalised
// copy of the SSO token cache of sc (an SSO profile) when that cache
// writes its times ending in UTC; none otherwise, or when awsxc has no
// cache folder of its own (the SDK then reports the file, which the
// error's hint answers: sign in again). It keeps the copy as the comment
// above says.
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

// ssoCopyPath is where awsxc keeps its copy of the SSO token cache file
// at path; "" when env has no cache folder.
func ssoCopyPath(env Env, path string) string {
	if env.CacheDir == "" {
		return ""
	}
	return filepath.Join(env.CacheDir, "awsxc", "sso", filepath.Base(path))
}

// normalisedSSOCache brings awsxc's copy of the SSO token cache file at
// path up to date (see the comment at the top of the file) and says
// whether the SDK is to read it, at copyPath: ok is false when the file's
// times do not end in UTC (the SDK reads path itself), or when awsxc has
// no cache folder or cannot write there.
func normalisedSSOCache(env Env, path string, log *slog.Logger) (copyPath string, use bool) {
	copyPath = ssoCopyPath(env, path)
	if copyPath == "" {
		return "", false
	}
	data, err := fsutil.ReadRegular(path, maxSSOCacheSize)
	if errors.Is(err, fs.ErrNotExist) {
		removeSSOCopy(copyPath, log) // signed out
		return "", false
	}
	if err != nil {
		return "", false
	}
	norm, ok := normaliseSSOCache(data)
	if !ok {
		// Rewritten with times the SDK reads (a newer AWS CLI, or the
		// copy written back): the copy is stale.
		removeSSOCopy(copyPath, log)
		return "", false
	}
	sum := sha256Hex(data)
	cur, err := fsutil.ReadRegular(copyPath, maxSSOCacheSize)
	if err == nil && readSSOCopySource(copyPath) == sum {
		if bytes.Equal(cur, norm) {
			log.Debug("the SSO token cache's times end in UTC: the SDK reads awsxc's copy", "cache", path, "copy", copyPath)
			return copyPath, true
		}
		if _, stale := normaliseSSOCache(cur); json.Valid(cur) && !stale {
			// The SDK refreshed the token into the copy.
			if writeBackSSOCopy(path, sum, cur, log) {
				removeSSOCopy(copyPath, log)
				return "", false
			}
			return copyPath, true // not written back: the copy keeps the refresh
		}
	}
	if err := fsutil.WriteFileAtomic(copyPath, norm, 0o600); err != nil {
		log.Debug("cannot write the normalised SSO token cache", "path", copyPath, "err", err)
		return "", false
	}
	if err := fsutil.WriteFileAtomic(copyPath+".src", []byte(sum+"\n"), 0o600); err != nil {
		log.Debug("cannot note what the SSO token copy was made from", "path", copyPath+".src", "err", err)
	}
	log.Debug("the SSO token cache's times end in UTC: the SDK reads a normalised copy", "cache", path, "copy", copyPath)
	return copyPath, true
}

// writeBackSSOCopy writes the token the SDK refreshed into awsxc's copy,
// refreshed, over the AWS CLI's file at path, when that file is still
// the one whose SHA-256 is sum: a file that changed since is newer.
func writeBackSSOCopy(path, sum string, refreshed []byte, log *slog.Logger) bool {
	data, err := fsutil.ReadRegular(path, maxSSOCacheSize)
	if err != nil || sha256Hex(data) != sum {
		return false
	}
	if err := fsutil.WriteFileAtomic(path, refreshed, 0o600); err != nil {
		log.Debug("cannot write the refreshed SSO token back", "cache", path, "err", err)
		return false
	}
	log.Debug("wrote the SSO token the SDK refreshed back to the AWS CLI's cache", "cache", path)
	return true
}

// readSSOCopySource is the SHA-256 of the file the copy at copyPath was
// made from, as noted next to it; "" when unknown.
func readSSOCopySource(copyPath string) string {
	b, err := fsutil.ReadRegular(copyPath+".src", 1<<10)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// removeSSOCopy removes a copy and its note, if there.
func removeSSOCopy(copyPath string, log *slog.Logger) (removed bool, err error) {
	for _, p := range []string{copyPath, copyPath + ".src"} {
		switch err2 := os.Remove(p); {
		case err2 == nil:
			removed = removed || p == copyPath
		case !errors.Is(err2, fs.ErrNotExist):
			err = cmp.Or(err, err2)
		}
	}
	if removed {
		log.Debug("removed awsxc's copy of the SSO token", "copy", copyPath)
	}
	return removed, err
}

// RemoveSSOTokenCopy removes awsxc's copy of the SSO token cache file at
// tokenPath (a file under ~/.aws/sso/cache), if there is one: the copy
// awsxc gives the Go SDK of a token whose times end in UTC holds the
// token too, so signing out removes it with the file. It reports whether
// a copy was removed.
func RemoveSSOTokenCopy(env Env, tokenPath string) (bool, error) {
	copyPath := ssoCopyPath(env, tokenPath)
	if copyPath == "" {
		return false, nil
	}
	return removeSSOCopy(copyPath, slog.New(slog.DiscardHandler))
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
		if sub := utcTime().FindStringSubmatch(v); sub != nil {
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
