package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"time"

	"github.com/awsxc/awsxc/internal/fsutil"
)

// errCacheMiss is wrapped by every error readCache returns: the cache
// holds nothing usable, and the message says why.
var errCacheMiss = errors.New("cache miss")

// cacheVersion is the format version of cache files written now.
const cacheVersion = 1

// cacheEntry is the JSON content of a credentials cache file.
type cacheEntry struct {
	Version      int    // format version, currently 1
	ProviderType string // always "awsxc"
	// Key identifies whose credentials these are: the caller's opaque
	// identity key (profile name, a fingerprint of its configuration,
	// options). An entry is used only for the exact same key.
	Key         string
	Credentials cacheCredentials
}

// cacheCredentials is the credentials part of a cacheEntry, spelled as
// in the AWS credential_process output.
type cacheCredentials struct {
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string
	SessionToken    string `json:",omitempty"`
	Expiration      string // FormatTime
	AccountID       string `json:"AccountId,omitempty"`
}

// maxCacheFileSize bounds a cache file: an entry is a few hundred bytes.
const maxCacheFileSize = 1 << 20

// readCache returns the credentials cached in the file at path (as
// opened: see [Env.ExpandPath]) for identity key, if they are still good
// at now with
// buffer to spare: a hit needs Expiration - buffer after now. A negative
// buffer lets recently expired credentials through, as the reference tool
// does. Every failure is a miss: the error wraps errCacheMiss and says
// why (not found, untrusted, unreadable, corrupt, another identity, no
// expiry, expiring within the buffer); it never holds a secret.
//
// A file another user could have planted or changed is untrusted, as ssh
// judges its files: on Unix the file must be the user's own regular file
// with mode 0600 or narrower, and every folder on the way to it (symlinks
// followed) owned by the user or root and writable by no one else, unless
// sticky (see checkCachePath in cache_unix.go). Otherwise anyone who can
// compute the identity key of a profile whose configuration holds no
// secret could hand out their own credentials. On Windows only the file
// type is checked (see cache_other.go).
func readCache(path, key string, now time.Time, buffer time.Duration) (Credentials, error) {
	miss := func(why string) error {
		return fsutil.WithPaths(fmt.Errorf("%w: %s: %s", errCacheMiss, path, why), path)
	}
	switch err := checkCachePath(path, false); {
	case errors.Is(err, fs.ErrNotExist):
		return Credentials{}, miss("not found")
	case err != nil:
		return Credentials{}, miss("not trusted: " + err.Error())
	}
	data, err := fsutil.ReadRegular(path, maxCacheFileSize)
	if errors.Is(err, fs.ErrNotExist) {
		return Credentials{}, miss("not found")
	} else if err != nil {
		return Credentials{}, fmt.Errorf("%w: %w", errCacheMiss, err)
	}
	var e cacheEntry
	if err := json.Unmarshal(data, &e); err != nil {
		// json errors may quote a character of the file; say less.
		return Credentials{}, miss("corrupt (not a JSON cache entry)")
	}
	switch {
	case e.Version != cacheVersion:
		return Credentials{}, miss(fmt.Sprintf("unsupported format version %d", e.Version))
	case e.Key != key:
		return Credentials{}, miss("holds credentials of another identity")
	case e.Credentials.AccessKeyID == "" || e.Credentials.SecretAccessKey == "":
		return Credentials{}, miss("corrupt (no access key)")
	case e.Credentials.Expiration == "":
		return Credentials{}, miss("no expiry")
	}
	// time.Parse would also take fractional seconds; only FormatTime's
	// own output is valid, as in the reference tool.
	exp, err := time.Parse("2006-01-02T15:04:05Z", e.Credentials.Expiration)
	if err != nil || FormatTime(exp) != e.Credentials.Expiration {
		return Credentials{}, miss("corrupt (bad Expiration)")
	}
	if !now.Before(exp.Add(-buffer)) {
		return Credentials{}, miss(fmt.Sprintf("expires at %s, within %s", FormatTime(exp), buffer))
	}
	return Credentials{
		AccessKeyID:     e.Credentials.AccessKeyID,
		SecretAccessKey: e.Credentials.SecretAccessKey,
		SessionToken:    e.Credentials.SessionToken,
		Expires:         exp,
		AccountID:       e.Credentials.AccountID,
	}, nil
}

// writeCache stores c for identity key in the file at path (as opened:
// see [Env.ExpandPath]): a missing parent folder is created 0700, and the
// file is replaced
// atomically with mode 0600. Credentials without an expiry are never
// cached: writeCache returns an error and writes nothing (check
// [Credentials.CanExpire] first).
//
// A path readCache would not trust is not written either (secrets do not
// go where another user could read or redirect them), except for a file
// of the user's own with a wider mode than 0600: it is narrowed to 0600
// first, then replaced.
func writeCache(path, key string, c Credentials) error {
	if !c.CanExpire() {
		return errors.New("not caching credentials without an expiry")
	}
	if err := checkCachePath(path, true); err != nil {
		// Only a wide mode on the user's own file is mended.
		if !narrowCacheMode(path) {
			return fmt.Errorf("write cache: not trusted: %w", err)
		}
		if err := checkCachePath(path, true); err != nil {
			return fmt.Errorf("write cache: not trusted: %w", err)
		}
	}
	data, err := json.Marshal(cacheEntry{
		Version:      cacheVersion,
		ProviderType: "awsxc",
		Key:          key,
		Credentials: cacheCredentials{
			AccessKeyID:     c.AccessKeyID,
			SecretAccessKey: c.SecretAccessKey,
			SessionToken:    c.SessionToken,
			Expiration:      FormatTime(c.Expires),
			AccountID:       c.AccountID,
		},
	})
	if err != nil {
		return err
	}
	if err := fsutil.WriteFileAtomic(path, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("write cache: %w", err)
	}
	return nil
}

// defaultCachePath returns the cache file for profile in env's cache
// folder: CacheDir/awsxc/credentials/NAME.json. NAME is a readable part
// of the profile name plus a hash of all of it, so any profile name gives
// a safe file name and profiles that differ only in case or punctuation
// never share a file.
func defaultCachePath(env Env, profile string) (string, error) {
	if profile == "" {
		return "", errors.New("cache path: empty profile name")
	}
	if env.CacheDir == "" {
		return "", errors.New("cache path: no cache folder")
	}
	return filepath.Join(env.CacheDir, "awsxc", "credentials", cacheFileName(profile)), nil
}

func cacheFileName(profile string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(profile) {
		if b.Len() >= 40 {
			break
		}
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '-' || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	sum := sha256.Sum256([]byte(profile))
	return b.String() + "-" + hex.EncodeToString(sum[:8]) + ".json"
}
