// Package settings is awsxc's settings.json: what the tray and the
// headless daemon (awsxc-cli daemon) remember between runs, one file for
// both. It knows the file's format and how a long-running front end
// keeps it: read at start-up, written atomically with mode 0600 (it holds
// the ECS server's token), and read again when someone edits it.
//
// # Format
//
// A JSON object: profile (the active profile; empty picks AWS_PROFILE or
// default), imds and ecs ({"enabled": bool, "addr": "host:port"}: the
// local servers), ecs_token, export_name, keep_refreshed and
// ensure_temporary and clipboard_clear_seconds (the tray's); a server
// also takes docker_bridge and allow_remote. servers lists the pinned
// servers and consumers ([Pinned]: name, kind, profile or
// follow_active, addr, allow_remote), audit_log the activity audit
// file. Missing values take their
// defaults ([Default]); unknown top-level keys are kept as they are
// (Settings.Unknown) and written back on save, unknown keys inside a
// known value are dropped.
//
// # Errors
//
// A file that cannot be used as it is gives a [*Error] that says where
// (path:line:column: what). At start-up ([Load]) a file that is not JSON
// at all is moved aside to settings.json.bak (.bak.1, … when that exists;
// a symlink is left where it is) and the defaults are used; a file with
// a bad value stays as it is and its other values are used. While the
// file has an error, [File.Save] writes nothing: the file is the user's
// to fix, and a save would lose their text.
//
// # Watching the file
//
// [File] is the file as a running front end keeps it: [Open] loads it,
// [File.Reload] reads it again when its content is not what was last
// read or written (a checksum, since a modification time can repeat
// within its granularity), and [File.Save] writes it, each under the
// File's lock. The daemon calls Reload on a timer and before every
// change it makes, under a lock of its own that it holds until the
// change is saved, so a save never overwrites the user's edits and a
// reload never takes an older version for one.
package settings

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/awsxc/awsxc/engine/server"
	"github.com/awsxc/awsxc/internal/fsutil"
)

// Settings are what awsxc remembers between runs.
type Settings struct {
	// Profile is the active profile; empty picks AWS_PROFILE or default.
	Profile string `json:"profile,omitempty"`
	// IMDS and ECS are the local servers' switches and addresses.
	IMDS Server `json:"imds"`
	ECS  Server `json:"ecs"`
	// ECSToken is the ECS server's authorization token, generated once.
	ECSToken string `json:"ecs_token,omitempty"`
	// ExportName is the credentials-file profile the tray's "Write to
	// credentials file" writes.
	ExportName string `json:"export_name"`
	// KeepRefreshed rewrites that profile whenever the credentials change.
	KeepRefreshed bool `json:"keep_refreshed"`
	// EnsureTemporary makes Copy as and Write hand out temporary
	// credentials, exchanging a profile's long-term keys through STS
	// GetSessionToken, as awsxc-cli --ensure-temporary does. Off, they
	// hand out the profile's own credentials, as awsxc-cli does by
	// default. The servers serve temporary credentials either way.
	EnsureTemporary bool `json:"ensure_temporary"`
	// ClipboardClearSeconds clears the clipboard this long after a copy,
	// if it still holds what awsxc put there; 0 (or missing) is
	// [DefaultClipboardClear]. A negative value, or one above
	// [MaxClipboardClear], is an error.
	ClipboardClearSeconds int `json:"clipboard_clear_seconds"`
	// Favourites are the profiles the tray's Profiles menu shows first,
	// in the order they were added (Edit favourites); the first ten that
	// the AWS files have are shown.
	Favourites []string `json:"favourites"`
	// Recent are the profiles last chosen in the menu, the last one
	// first, at most [MaxRecent].
	Recent []string `json:"recent"`
	// ProductionProfiles tags profiles as production: names, or
	// patterns as path.Match reads them ("prod-*", "*.Production.*"),
	// letter case ignored. The tray marks them in the headline, the
	// tooltip and the Profiles menu. A pattern that is not valid is an
	// error.
	ProductionProfiles []string `json:"production_profiles"`
	// AllowHosts are more host names the servers accept in the Host
	// header, besides loopback's, their own addresses' and the container
	// engines' (host.docker.internal, host.containers.internal, ...): a
	// VM's or a cluster's name for this machine. Names or IP addresses,
	// without a port; one that is not is an error, and left out.
	AllowHosts []string `json:"allow_hosts,omitempty"`
	// Servers are the pinned servers and consumers besides the imds and
	// ecs switches (see [Pinned]), in the order they were added.
	Servers []Pinned `json:"servers,omitempty"`
	// AuditLog, if set, is a file every credentials fetch from the
	// daemon's servers is appended to, as one JSON line (created 0600;
	// see engine/activity). A leading ~/ is the home folder.
	AuditLog string `json:"audit_log,omitempty"`
	// Unknown holds the file's top-level keys this version does not
	// know (a newer version's, or a user's), as they were, so that a
	// save keeps them; nil when there are none. A key that differs from
	// a known one only in letter case is not kept: encoding/json would
	// read it as that one. Unknown keys inside known values (a server's)
	// are not kept.
	Unknown map[string]json.RawMessage `json:"-"`
}

// Server is one local server's switch and listen address.
type Server struct {
	Enabled bool `json:"enabled"`
	// Addr is host:port; a port of 0 picks a free one on first start,
	// which is then saved here so the port stays the same across runs.
	Addr string `json:"addr"`
	// DockerBridge is an address the server also listens on, at Addr's
	// port: the docker bridge's gateway (172.17.0.1), where containers
	// of Docker Engine on Linux reach this machine. Every container on
	// the machine's Docker networks can then reach the server. Empty
	// for none.
	DockerBridge string `json:"docker_bridge,omitempty"`
	// AllowRemote lets Addr be beyond loopback (0.0.0.0, a LAN address;
	// see [server.Options.AllowRemote]; DockerBridge is a setting of its
	// own). Whoever can reach that address can then read the
	// credentials: IMDS asks for no token, the ECS token crosses the
	// network in clear text, and the Host check stops browsers only.
	// Without it such an address does not start, and the front end says
	// why.
	AllowRemote bool `json:"allow_remote,omitempty"`
}

// DefaultClipboardClear is how long a copy stays on the clipboard
// unless the settings say otherwise: credentials must not linger there.
const DefaultClipboardClear = 60 * time.Second

// MaxClipboardClear is the longest clipboard_clear_seconds takes: a day.
// A larger number would overflow a time.Duration into a negative one,
// which would silently mean "never".
const MaxClipboardClear = 24 * time.Hour

// maxSize bounds what is read of settings.json (a few hundred bytes in
// practice).
const maxSize = 1 << 20

// Read reads settings.json, refusing anything but a regular file of at
// most 1 MiB: a FIFO there would block the start-up, or a front end's
// event loop on every reload, and /dev/zero would grow without end.
func Read(path string) ([]byte, error) {
	return fsutil.ReadRegular(path, maxSize)
}

// FileName is the settings file's name in its folder.
const FileName = "settings.json"

// DefaultPath returns the user's settings.json, from the environment
// getenv reads: awsxc/settings.json in $XDG_CONFIG_HOME when that is an
// absolute path, else in the platform's config folder as
// github.com/adrg/xdg names it: ~/.config (Linux and the BSDs),
// ~/Library/Application Support (macOS), %LOCALAPPDATA% (Windows).
func DefaultPath(getenv func(string) string) (string, error) {
	return defaultPath(runtime.GOOS, getenv)
}

func defaultPath(goos string, getenv func(string) string) (string, error) {
	home := getenv("HOME")
	if goos == "windows" {
		home = getenv("USERPROFILE")
	}
	base := getenv("XDG_CONFIG_HOME")
	if (base == "~" || strings.HasPrefix(base, "~/")) && home != "" {
		base = filepath.Join(home, base[1:])
	}
	if base == "" || !filepath.IsAbs(base) {
		switch goos {
		case "windows":
			base = getenv("LOCALAPPDATA")
		case "darwin", "ios":
			if home != "" {
				base = filepath.Join(home, "Library", "Application Support")
			}
		default:
			if home != "" {
				base = filepath.Join(home, ".config")
			}
		}
	}
	if base == "" || !filepath.IsAbs(base) {
		return "", errors.New("no config folder for settings.json: neither XDG_CONFIG_HOME nor the home folder is set")
	}
	return filepath.Join(base, "awsxc", FileName), nil
}

// Default returns the settings of a first run (with no ECS token yet:
// [Load] and [Parse] make one).
func Default() Settings {
	return Settings{
		IMDS:                  Server{Addr: "127.0.0.1:0"},
		ECS:                   Server{Addr: "127.0.0.1:0"},
		ExportName:            "awsxc",
		ClipboardClearSeconds: int(DefaultClipboardClear / time.Second),
		Favourites:            []string{},
		Recent:                []string{},
		ProductionProfiles:    []string{},
	}
}

// normalize fills in what an older or hand-edited file left out.
func (s *Settings) normalize() {
	d := Default()
	if s.IMDS.Addr == "" {
		s.IMDS.Addr = d.IMDS.Addr
	}
	if s.ECS.Addr == "" {
		s.ECS.Addr = d.ECS.Addr
	}
	if s.ExportName == "" {
		s.ExportName = d.ExportName
	}
	// 0 was the default of older versions, which wrote it out.
	if s.ClipboardClearSeconds == 0 {
		s.ClipboardClearSeconds = d.ClipboardClearSeconds
	}
	if s.ECSToken == "" {
		s.ECSToken = newToken()
	}
	s.normalizeProfileLists()
}

// ErrCorrupt is wrapped by the errors of a settings file that is not
// JSON at all ([Error.Corrupt]).
var ErrCorrupt = errors.New("settings file is corrupt")

// Error is a settings file that cannot be used as it is: not JSON, a
// value of the wrong type, or a value out of range. It says where:
// path:line:column: what.
type Error struct {
	Path      string
	Line, Col int   // 1-based, of the error; 0 when not known
	Err       error // a *json.SyntaxError, a *json.UnmarshalTypeError, or a bad value
}

func (e *Error) Error() string {
	msg := e.Err.Error()
	if e.Corrupt() {
		msg = ErrCorrupt.Error() + ": " + msg
	}
	if e.Line == 0 {
		return e.Path + ": " + msg
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.Path, e.Line, e.Col, msg)
}

// Unwrap returns the cause, and [ErrCorrupt] for a file that is not
// JSON.
func (e *Error) Unwrap() []error {
	if e.Corrupt() {
		return []error{ErrCorrupt, e.Err}
	}
	return []error{e.Err}
}

// Corrupt says the file is not JSON at all, so that none of it can be
// used (rather than one value of it).
func (e *Error) Corrupt() bool {
	var syn *json.SyntaxError
	return errors.As(e.Err, &syn)
}

// Load reads the settings at start-up. A missing file gives the defaults
// and no error. A file that is not JSON is moved aside to path+".bak"
// (".bak.1", ".bak.2", … when that exists: no earlier copy is ever
// overwritten; a symlink is left where it is) and the defaults are
// returned with a [*Error] wrapping [ErrCorrupt]. A file with a bad value
// stays as it is; the other values are returned, with the default for
// the bad one, and a [*Error]. Either way the settings returned are
// usable: a front end reports the error and goes on.
func Load(path string) (Settings, error) {
	data, err := Read(path)
	if errors.Is(err, fs.ErrNotExist) {
		s := Default()
		s.normalize()
		return s, nil
	}
	if err != nil {
		s := Default()
		s.normalize()
		return s, fmt.Errorf("read settings: %w", err)
	}
	s, err := Parse(path, data)
	var serr *Error
	if !errors.As(err, &serr) || !serr.Corrupt() {
		return s, err
	}
	if fi, lerr := os.Lstat(path); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
		// A dotfile manager's link: the file is the user's, not ours to move.
		return s, fmt.Errorf("%w; using defaults, and leaving the file (a symlink) as it is", err)
	}
	bak, merr := moveAside(path)
	if merr != nil {
		return s, fmt.Errorf("%w; using defaults (and could not keep a copy: %v)", err, merr)
	}
	return s, fmt.Errorf("%w; using defaults, the old file is %s", err, bak)
}

// Parse reads the settings file data, read from path. On error it
// returns a [*Error] and what could be used: the defaults for a file that
// is not JSON, else the file's values with the defaults for the bad
// ones.
func Parse(path string, data []byte) (Settings, error) {
	s := Default()
	s.Unknown = unknownKeys(data)
	if err := json.Unmarshal(data, &s); err != nil {
		serr := &Error{Path: path, Err: err}
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			s = Default()
			s.Unknown = nil
			serr.Line, serr.Col = position(data, int(syn.Offset))
		case errors.As(err, &typ):
			serr.Line, serr.Col = position(data, int(typ.Offset))
			s.Servers, _ = CheckServers(s.Servers)
		}
		s.normalize()
		return s, serr
	}
	if n := s.ClipboardClearSeconds; n < 0 || n > int(MaxClipboardClear/time.Second) {
		s.ClipboardClearSeconds = 0
		s.normalize()
		line, col := position(data, keyOffset(data, "clipboard_clear_seconds"))
		err := errors.New("clipboard_clear_seconds must not be negative (0 is the default, 60)")
		if n > 0 {
			err = fmt.Errorf("clipboard_clear_seconds must be at most %d (a day)", int(MaxClipboardClear/time.Second))
		}
		return s, &Error{Path: path, Line: line, Col: col, Err: err}
	}
	if err := s.checkProductionProfiles(); err != nil {
		s.normalize()
		line, col := position(data, keyOffset(data, "production_profiles"))
		return s, &Error{Path: path, Line: line, Col: col, Err: err}
	}
	if err := s.checkAllowHosts(); err != nil {
		s.normalize()
		line, col := position(data, keyOffset(data, "allow_hosts"))
		return s, &Error{Path: path, Line: line, Col: col, Err: err}
	}
	if err := server.CheckToken(s.ECSToken); err != nil {
		// A token no client could send, or too short to be safe: a new
		// random one serves meanwhile. The error never quotes the token.
		s.ECSToken = ""
		s.normalize()
		line, col := position(data, keyOffset(data, "ecs_token"))
		return s, &Error{Path: path, Line: line, Col: col,
			Err: fmt.Errorf("ecs_token: %w (remove it for a random one)", err)}
	}
	if len(s.Servers) > 0 {
		ok, err := CheckServers(s.Servers)
		if err != nil {
			// The servers that can run do; the file stays the user's to fix.
			s.Servers = ok
			s.normalize()
			line, col := position(data, keyOffset(data, "servers"))
			return s, &Error{Path: path, Line: line, Col: col, Err: fmt.Errorf("servers: %w", oneLine(err))}
		}
	}
	s.normalize()
	return s, nil
}

// oneLine joins the lines of a joined error with "; ".
func oneLine(err error) error {
	return errors.New(strings.ReplaceAll(err.Error(), "\n", "; "))
}

// position is the 1-based line and column (in characters) of the byte
// of data that ends at offset; 0, 0 for an offset outside data.
func position(data []byte, offset int) (line, col int) {
	if offset <= 0 || offset > len(data) {
		return 0, 0
	}
	before := data[:offset]
	start := bytes.LastIndexByte(before, '\n') + 1
	return bytes.Count(before, []byte("\n")) + 1, max(utf8.RuneCount(before[start:]), 1)
}

// keyOffset is the offset just past the opening quote of key among the
// top-level keys of the JSON object data, or -1.
func keyOffset(data []byte, key string) int {
	dec := json.NewDecoder(bytes.NewReader(data))
	depth := 0
	wantKey := false // at depth 1, the next string is a key
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return -1
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{', '[':
				depth++
				wantKey = depth == 1 && d == '{'
			default:
				depth--
				wantKey = depth == 1 // a value of the top level ended
			}
			continue
		}
		if depth != 1 {
			continue
		}
		if wantKey && tok == key {
			return int(start) + bytes.IndexByte(data[start:], '"') + 1
		}
		wantKey = !wantKey
	}
}

// moveAside renames the file at path to the first of path+".bak",
// path+".bak.1", … that does not exist, and returns that name. It
// never replaces a file: a hard link is made first, where the file
// system has them, so that two awsxc cannot pick the same name.
func moveAside(path string) (string, error) {
	for i := range 100 {
		bak := path + ".bak"
		if i > 0 {
			bak = fmt.Sprintf("%s.bak.%d", path, i)
		}
		err := os.Link(path, bak)
		switch {
		case err == nil:
			return bak, os.Remove(path)
		case errors.Is(err, fs.ErrExist):
			continue
		}
		if _, lerr := os.Lstat(bak); errors.Is(lerr, fs.ErrNotExist) {
			return bak, os.Rename(path, bak) // no hard links here
		}
	}
	return "", errors.New("too many copies of the settings file")
}

// Save writes the settings to path atomically with mode 0600 (through a
// symlink, which stays a link).
func (s Settings) Save(path string) error {
	_, err := s.Write(path)
	return err
}

// Write is [Settings.Save], and returns what it wrote.
func (s Settings) Write(path string) ([]byte, error) {
	data, err := s.Encode()
	if err != nil {
		return nil, err
	}
	return data, fsutil.WriteFileAtomic(path, data, 0o600)
}

// Encode is the content of settings.json for s: its known keys in
// their order, then the unknown ones it was read with, sorted.
func (s Settings) Encode() ([]byte, error) {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, err
	}
	if len(s.Unknown) > 0 && bytes.HasSuffix(data, []byte("\n}")) {
		out := bytes.NewBuffer(data[:len(data)-2])
		for _, k := range slices.Sorted(maps.Keys(s.Unknown)) {
			var v bytes.Buffer
			if knownKey(k) || json.Indent(&v, s.Unknown[k], "  ", "  ") != nil {
				continue
			}
			key, _ := json.Marshal(k)
			out.WriteString(",\n  ")
			out.Write(key)
			out.WriteString(": ")
			out.Write(v.Bytes())
		}
		out.WriteString("\n}")
		data = out.Bytes()
	}
	return append(data, '\n'), nil
}

// knownKeys are Settings' JSON keys, in lower case.
var knownKeys = func() map[string]bool {
	m := map[string]bool{}
	t := reflect.TypeFor[Settings]()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			m[strings.ToLower(name)] = true
		}
	}
	return m
}()

// knownKey says whether encoding/json reads key into a field of
// Settings (it matches keys letter case aside).
func knownKey(key string) bool { return knownKeys[strings.ToLower(key)] }

// unknownKeys are the top-level keys of the JSON object data that
// Settings has no field for, with their values; nil for none (or when
// data is not an object).
func unknownKeys(data []byte) map[string]json.RawMessage {
	var all map[string]json.RawMessage
	if json.Unmarshal(data, &all) != nil {
		return nil
	}
	var out map[string]json.RawMessage
	for k, v := range all {
		if knownKey(k) {
			continue
		}
		if out == nil {
			out = map[string]json.RawMessage{}
		}
		out[k] = v
	}
	return out
}

func newToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// The kinds of a [Pinned] server.
const (
	// KindIMDS is an IMDS listener of its own, serving one profile on
	// its port.
	KindIMDS = "imds"
	// KindConsumer is a consumer of the ECS listener (the ecs setting's
	// address): a token of its own that reads one profile.
	KindConsumer = "ecs-consumer"
)

// Pinned is one server or consumer added besides the imds and ecs
// switches (settings key "servers", a list): an IMDS listener on a port
// of its own, or an ECS consumer with a token of its own, each serving
// one profile, or following the active profile when FollowActive is set
// (never the default). A consumer's token is not in the settings: it is
// a file in the run-time folder, kept across restarts.
type Pinned struct {
	// Name names it in menus, activity records and token files: 1 to 64
	// of A-Z a-z 0-9 . _ -, not starting with a dot, unique among the
	// servers and consumers, and not "imds" or "ecs" (the switches).
	Name string `json:"name"`
	// Kind is [KindIMDS] or [KindConsumer].
	Kind string `json:"kind"`
	// Profile is the profile served; empty with FollowActive.
	Profile string `json:"profile,omitempty"`
	// FollowActive serves the active profile, whichever it is.
	FollowActive bool `json:"follow_active,omitempty"`
	// Addr is an IMDS listener's host:port; a port of 0 (or no Addr)
	// picks a free one on first start, which is then saved. Consumers
	// have none: they use the ecs setting's address.
	Addr string `json:"addr,omitempty"`
	// AllowRemote lets an IMDS listener's Addr be beyond loopback (see
	// [Server].AllowRemote).
	AllowRemote bool `json:"allow_remote,omitempty"`
}
