package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// SSOSessionConfig is an [sso-session NAME] section of the config file:
// what a sign-in to IAM Identity Center starts from. It holds no
// credentials.
type SSOSessionConfig struct {
	Name     string // the session's name, as profiles name it in sso_session
	StartURL string // sso_start_url
	Region   string // sso_region
	// RegistrationScopes is sso_registration_scopes, split at commas as
	// the AWS CLI splits it (sso/utils.py parse_sso_registration_scopes);
	// nil when the key is absent.
	RegistrationScopes []string
}

// ErrSSOSessionNotFound is wrapped by [LoadSSOSession] when the config
// file has no [sso-session NAME] section.
var ErrSSOSessionNotFound = errors.New("sso-session not found")

// LoadSSOSession reads [sso-session name] from env's config file. The Go
// SDK reads these sections only for a profile that names one, and not
// sso_registration_scopes at all, so the engine's INI scanner reads them
// here, read-only, with the checks of [ListProfiles] (a file that is
// not a regular file, or is larger than [MaxAWSFileSize], is an error;
// a folder and /dev/null are empty). A section is matched by the name after "sso-session"
// and white space, trimmed; duplicate sections merge, later keys winning,
// as in the SDK. A missing config file is a missing
// section ([ErrSSOSessionNotFound]); a present section may still lack
// sso_start_url or sso_region (the caller says what is missing).
func LoadSSOSession(env Env, name string) (SSOSessionConfig, error) {
	s := SSOSessionConfig{Name: name}
	name = strings.TrimSpace(name)
	if name == "" {
		return s, errors.New("empty sso-session name")
	}
	// Checked as every engine read is: a FIFO would hang, /dev/zero
	// would exhaust memory.
	var warnings []FileWarning
	cf, err := readAWSFile(env.ConfigFile, true, &warnings)
	if err != nil {
		return s, err
	}
	f := cf.ini
	if f == nil {
		f = scanINI(nil)
	}
	found := false
	for _, sec := range f.sections {
		n := strings.TrimFunc(sec.name, pySpace)
		rest, ok := strings.CutPrefix(n, "sso-session")
		if !ok || rest == "" || !pySpace(rune(rest[0])) || strings.TrimFunc(rest, pySpace) != name {
			continue
		}
		found = true
		for li := sec.header + 1; li < sec.end; li++ {
			l := f.lines[li]
			if l.kind != iniOption {
				continue
			}
			switch v := f.value(l); l.key {
			case "sso_start_url":
				s.StartURL = v
			case "sso_region":
				s.Region = v
			case "sso_registration_scopes":
				s.RegistrationScopes = []string{}
				for _, sc := range strings.Split(v, ",") {
					if sc = strings.TrimSpace(sc); sc != "" {
						s.RegistrationScopes = append(s.RegistrationScopes, sc)
					}
				}
			}
		}
	}
	if !found {
		return s, fmt.Errorf("[sso-session %s]: %w in %s", name, ErrSSOSessionNotFound, env.ConfigFile)
	}
	return s, nil
}

// RemoveCachedCredentials removes the credentials [Obtain] caches for
// profile in env's cache folder (its default cache file, the one
// CacheOptions.File "" names), as a sign-out does, and returns the file
// it removed ("" when there was none, which is no error). Cache files
// given by path are the caller's to remove.
func RemoveCachedCredentials(env Env, profile string) (string, error) {
	path, err := defaultCachePath(env, profile)
	if err != nil {
		return "", err
	}
	if err := os.Remove(path); errors.Is(err, fs.ErrNotExist) {
		return "", nil
	} else if err != nil {
		return "", err
	}
	return path, nil
}
