// Package procenv is what awsxc's engine takes from the process it runs
// in (Env: the AWS files, the home and cache folders, the region and
// container settings) and how it reads that from the environment
// (NewEnv). It needs none of the AWS SDK; package engine names it as its
// own (engine.Env), and a front end may use it before the SDK's packages
// are initialized.
package procenv

import (
	"cmp"
	"fmt"
	"os/user"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/awsxc/awsxc/internal/fsutil"
)

// Env is everything the engine takes from the process it runs in: the
// AWS files, the home, working and cache folders, the region and
// container settings of the environment, and a clock. The engine never
// reads environment variables itself; each front end builds an Env
// ([NewEnv] with os.Getenv for a command; a daemon from what its client
// sent) and passes it to every call.
//
// Env is a plain value. Two Envs describe the same configuration when
// their [Env.Identity] values are equal (==).
type Env struct {
	// ConfigFile is the shared config file: AWS_CONFIG_FILE, else
	// ~/.aws/config. Empty means there is none.
	ConfigFile string
	// CredentialsFile is the shared credentials file:
	// AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials. Empty means
	// there is none; writing to it fails.
	CredentialsFile string
	// Home is the user's home folder, for a leading ~ in paths; empty
	// when unknown.
	Home string
	// Dir is the working folder that relative paths are taken from;
	// empty leaves them relative (to the process's own working folder).
	// Set it when the file paths are: NewEnv makes them absolute.
	Dir string
	// CacheDir is the user's cache folder, where awsxc keeps cached
	// credentials under awsxc/credentials; empty when unknown.
	CacheDir string
	// Region is AWS_REGION, else AWS_DEFAULT_REGION: it wins over a
	// profile's region, as in the SDK. Empty when unset.
	Region string
	// ContainerRelativeURI and ContainerFullURI are
	// AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI: with either
	// set, the SDK takes a profile that configures no credentials from
	// the container endpoint.
	ContainerRelativeURI string
	ContainerFullURI     string
	// Clock decides every expiry; nil is the system clock. It must be
	// of a comparable type (a pointer, say) for == on Envs to work;
	// [Env.Identity] leaves it out.
	Clock Clock
	// Terminal says that the process has a terminal a human answers on,
	// where a credential_process may ask for an MFA code or a password:
	// it then runs in the process's own process group, as the SDK runs
	// it, instead of a group of its own (which the terminal would stop
	// when it reads). Either way a credential_process that times out is
	// killed with what it started; see package engine's documentation,
	// "Obtaining credentials". [NewEnv] leaves it false; [Env.Identity]
	// leaves it out.
	Terminal bool
}

// Clock tells the time. Tests move a clock of their own by hand.
type Clock interface {
	Now() time.Time
}

// NewEnv reads an Env from the variables getenv returns (os.Getenv, or a
// lookup in a client's environment): AWS_CONFIG_FILE,
// AWS_SHARED_CREDENTIALS_FILE, AWS_REGION, AWS_DEFAULT_REGION,
// AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI, the home folder
// (HOME; USERPROFILE on Windows) and the cache folder (XDG_CACHE_HOME,
// else the platform's: ~/.cache, ~/Library/Caches on macOS,
// %LOCALAPPDATA%\cache on Windows). dir is the working folder.
//
// The two file variables are expanded by botocore's rule (the AWS CLI's
// configloader): $NAME and ${NAME} (and %NAME% on Windows) become the
// variable's value, an unset variable staying as written; then a leading
// ~ becomes the home folder and ~user that user's. A relative result is
// taken from dir when dir is set. The clock is the system's.
func NewEnv(getenv func(string) string, dir string) Env {
	e := Env{
		Home:                 homeDir(getenv),
		Dir:                  dir,
		Region:               cmp.Or(getenv("AWS_REGION"), getenv("AWS_DEFAULT_REGION")),
		ContainerRelativeURI: getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"),
		ContainerFullURI:     getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI"),
	}
	e.CacheDir = e.cacheDir(getenv)
	e.ConfigFile = e.sharedFile(getenv, "AWS_CONFIG_FILE", "config")
	e.CredentialsFile = e.sharedFile(getenv, "AWS_SHARED_CREDENTIALS_FILE", "credentials")
	return e
}

// Identity returns what identifies the configuration e describes: e
// without its clock and its working folder (which [NewEnv] has already
// used to make the file paths absolute, so that runs from any folder
// share one identity). Two Envs with equal identities (==) give every
// profile the same settings, files and cache, so a daemon may answer
// for one with what it resolved for the other.
//
// Identity covers only what Env holds. The SDK reads some settings from
// the process environment itself (see package engine's documentation,
// "Environment"); a front end that answers for another process compares
// those as well.
func (e Env) Identity() Env {
	e.Clock, e.Dir, e.Terminal = nil, "", false
	return e
}

// Now returns the time on e's clock.
func (e Env) Now() time.Time {
	if e.Clock == nil {
		return time.Now()
	}
	return e.Clock.Now()
}

// ExpandPath returns path as the engine opens it: a leading "~" (alone
// or before a path separator) becomes e.Home, and a relative path is
// taken from e.Dir when that is set. "~user" is not expanded. The error
// says when ~ cannot be expanded because the home folder is unknown.
func (e Env) ExpandPath(path string) (string, error) {
	path, err := e.expandHome(path)
	if err != nil {
		return "", err
	}
	if path != "" && e.Dir != "" && !filepath.IsAbs(path) {
		path = filepath.Join(e.Dir, path)
	}
	return path, nil
}

// expandHome expands a leading ~ only.
func (e Env) expandHome(path string) (string, error) {
	if path != "~" && !strings.HasPrefix(path, "~/") && !(filepath.Separator == '\\' && strings.HasPrefix(path, `~\`)) {
		return path, nil
	}
	if e.Home == "" {
		return "", fsutil.WithPaths(fmt.Errorf("expand %s: home folder unknown", path), path)
	}
	return filepath.Join(e.Home, path[1:]), nil
}

// sharedFile is the path of an AWS file: variable's value expanded as
// botocore expands it (see [NewEnv]), else ~/.aws/name. A value whose ~
// cannot be expanded is kept as it is, as the SDK would take it.
func (e Env) sharedFile(getenv func(string) string, variable, name string) string {
	v := getenv(variable)
	if v == "" {
		if e.Home == "" {
			return ""
		}
		return filepath.Join(e.Home, ".aws", name)
	}
	v = expandVars(v, getenv)
	if u, rest, ok := tildeUser(v); ok {
		if usr, err := user.Lookup(u); err == nil && usr.HomeDir != "" {
			v = usr.HomeDir + rest
		}
	}
	if p, err := e.ExpandPath(v); err == nil {
		return p
	}
	return v
}

// tildeUser splits "~user/rest" into user and "/rest" (Python's
// expanduser); ok is false for anything else, "~" and "~/..." included.
func tildeUser(path string) (name, rest string, ok bool) {
	if !strings.HasPrefix(path, "~") {
		return "", "", false
	}
	i := strings.IndexAny(path, `/`+string(filepath.Separator))
	if i < 0 {
		i = len(path)
	}
	if i == 1 {
		return "", "", false
	}
	return path[1:i], path[i:], true
}

// expandVars expands $NAME, ${NAME} and, on Windows, %NAME% in s as
// Python's os.path.expandvars does: NAME is ASCII letters, digits and
// underscores (anything up to the } in ${...}), and a variable that is
// not set is left as written.
func expandVars(s string, getenv func(string) string) string {
	if !strings.ContainsAny(s, "$%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		var name, text string
		switch {
		case c == '$' && i+1 < len(s) && s[i+1] == '{':
			if j := strings.IndexByte(s[i+2:], '}'); j >= 0 {
				name, text = s[i+2:i+2+j], s[i:i+3+j]
			}
		case c == '$':
			j := i + 1
			for j < len(s) && isVarChar(s[j]) {
				j++
			}
			name, text = s[i+1:j], s[i:j]
		case c == '%' && runtime.GOOS == "windows":
			if j := strings.IndexByte(s[i+1:], '%'); j > 0 {
				name, text = s[i+1:i+1+j], s[i:i+2+j]
			}
		}
		if name == "" {
			b.WriteByte(c)
			i++
			continue
		}
		if v, ok := lookupVar(getenv, name); ok {
			b.WriteString(v)
		} else {
			b.WriteString(text)
		}
		i += len(text)
	}
	return b.String()
}

// lookupVar is getenv, with an empty value taken as unset (getenv cannot
// tell them apart).
func lookupVar(getenv func(string) string, name string) (string, bool) {
	v := getenv(name)
	return v, v != ""
}

func isVarChar(c byte) bool {
	return c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')
}

// homeDir is the home folder the way the AWS SDKs find it.
func homeDir(getenv func(string) string) string {
	switch runtime.GOOS {
	case "windows":
		return getenv("USERPROFILE")
	case "plan9":
		return getenv("home")
	}
	return getenv("HOME")
}

// cacheDir is the user's cache folder as github.com/adrg/xdg finds it
// (which awsxc used before Env): XDG_CACHE_HOME when absolute, else the
// platform's folder.
func (e Env) cacheDir(getenv func(string) string) string {
	if v, err := e.expandHome(getenv("XDG_CACHE_HOME")); err == nil && filepath.IsAbs(v) {
		return v
	}
	switch runtime.GOOS {
	case "windows":
		if v := getenv("LOCALAPPDATA"); v != "" {
			return filepath.Join(v, "cache")
		}
		return ""
	case "darwin", "ios":
		if e.Home != "" {
			return filepath.Join(e.Home, "Library", "Caches")
		}
	case "plan9":
		if e.Home != "" {
			return filepath.Join(e.Home, "lib", "cache")
		}
	default:
		if e.Home != "" {
			return filepath.Join(e.Home, ".cache")
		}
	}
	return ""
}
