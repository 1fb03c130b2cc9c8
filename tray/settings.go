//go:build !darwin || cgo

package tray

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
	"unicode/utf8"

	"github.com/awsxc/awsxc/engine/server"
	"github.com/awsxc/awsxc/internal/fsutil"
)

// Settings are what the tray remembers between runs, in settings.json in
// the user's config folder (mode 0600: it holds the ECS token).
type Settings struct {
	// Profile is the active profile; empty picks AWS_PROFILE or default.
	Profile string `json:"profile,omitempty"`
	// IMDS and ECS are the local servers' switches and addresses.
	IMDS ServerSettings `json:"imds"`
	ECS  ServerSettings `json:"ecs"`
	// ECSToken is the ECS server's authorization token, generated once.
	ECSToken string `json:"ecs_token,omitempty"`
	// ExportName is the credentials-file profile "Write to credentials
	// file" writes.
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
}

// ServerSettings is one local server's switch and listen address.
type ServerSettings struct {
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
	// Without it such an address does not start, and the menu says why;
	// with it the menu warns.
	AllowRemote bool `json:"allow_remote,omitempty"`
}

// DefaultClipboardClear is how long a copy stays on the clipboard
// unless the settings say otherwise: credentials must not linger there.
const DefaultClipboardClear = 60 * time.Second

// MaxClipboardClear is the longest clipboard_clear_seconds takes: a day.
// A larger number would overflow a time.Duration into a negative one,
// which would silently mean "never".
const MaxClipboardClear = 24 * time.Hour

// DefaultSettings are the settings of a first run.
func DefaultSettings() Settings {
	return Settings{
		IMDS:                  ServerSettings{Addr: "127.0.0.1:0"},
		ECS:                   ServerSettings{Addr: "127.0.0.1:0"},
		ExportName:            "awsxc",
		ClipboardClearSeconds: int(DefaultClipboardClear / time.Second),
	}
}

// normalize fills in what an older or hand-edited file left out.
func (s *Settings) normalize() {
	d := DefaultSettings()
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
}

// ErrCorruptSettings is wrapped by the errors of a settings file that is
// not JSON at all ([SettingsError.Corrupt]).
var ErrCorruptSettings = errors.New("settings file is corrupt")

// SettingsError is a settings file that cannot be used as it is: not
// JSON, a value of the wrong type, or a value out of range. It says where:
// path:line:column: what.
type SettingsError struct {
	Path      string
	Line, Col int   // 1-based, of the error; 0 when not known
	Err       error // a *json.SyntaxError, a *json.UnmarshalTypeError, or a bad value
}

func (e *SettingsError) Error() string {
	msg := e.Err.Error()
	if e.Corrupt() {
		msg = ErrCorruptSettings.Error() + ": " + msg
	}
	if e.Line == 0 {
		return e.Path + ": " + msg
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.Path, e.Line, e.Col, msg)
}

// Unwrap returns the cause, and [ErrCorruptSettings] for a file that is
// not JSON.
func (e *SettingsError) Unwrap() []error {
	if e.Corrupt() {
		return []error{ErrCorruptSettings, e.Err}
	}
	return []error{e.Err}
}

// Corrupt says the file is not JSON at all, so that none of it can be
// used (rather than one value of it).
func (e *SettingsError) Corrupt() bool {
	var syn *json.SyntaxError
	return errors.As(e.Err, &syn)
}

// maxSettingsSize bounds what is read of settings.json (a few hundred
// bytes in practice).
const maxSettingsSize = 1 << 20

// readSettings reads settings.json, refusing anything but a regular file
// of at most maxSettingsSize: a FIFO there would block the start-up, or
// the event loop on every tick, and /dev/zero would grow without end.
func readSettings(path string) ([]byte, error) {
	return fsutil.ReadRegular(path, maxSettingsSize)
}

// LoadSettings reads the settings at start-up. A missing file gives the
// defaults and no error. A file that is not JSON is moved aside to
// path+".bak" (".bak.1", ".bak.2", … when that exists: no earlier copy is
// ever overwritten; a symlink is left where it is) and the defaults are
// returned with a [*SettingsError] wrapping [ErrCorruptSettings]. A file
// with a bad value stays as it is; the other values are returned, with
// the default for the bad one, and a [*SettingsError]. The tray never
// stops over it.
func LoadSettings(path string) (Settings, error) {
	data, err := readSettings(path)
	if errors.Is(err, fs.ErrNotExist) {
		s := DefaultSettings()
		s.normalize()
		return s, nil
	}
	if err != nil {
		s := DefaultSettings()
		s.normalize()
		return s, fmt.Errorf("read settings: %w", err)
	}
	s, err := parseSettings(path, data)
	var serr *SettingsError
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

// parseSettings reads the settings file data, read from path. On error
// it returns a [*SettingsError] and what could be used: the defaults for
// a file that is not JSON, else the file's values with the defaults for
// the bad ones.
func parseSettings(path string, data []byte) (Settings, error) {
	s := DefaultSettings()
	if err := json.Unmarshal(data, &s); err != nil {
		serr := &SettingsError{Path: path, Err: err}
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			s = DefaultSettings()
			serr.Line, serr.Col = position(data, int(syn.Offset))
		case errors.As(err, &typ):
			serr.Line, serr.Col = position(data, int(typ.Offset))
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
		return s, &SettingsError{Path: path, Line: line, Col: col, Err: err}
	}
	if err := server.CheckToken(s.ECSToken); err != nil {
		// A token no client could send, or too short to be safe: a new
		// random one serves meanwhile. The error never quotes the token.
		s.ECSToken = ""
		s.normalize()
		line, col := position(data, keyOffset(data, "ecs_token"))
		return s, &SettingsError{Path: path, Line: line, Col: col,
			Err: fmt.Errorf("ecs_token: %w (remove it for a random one)", err)}
	}
	s.normalize()
	return s, nil
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

// Save writes the settings to path atomically with mode 0600.
func (s Settings) Save(path string) error {
	_, err := s.save(path)
	return err
}

// save is [Settings.Save], and returns what it wrote.
func (s Settings) save(path string) ([]byte, error) {
	data, err := s.encode()
	if err != nil {
		return nil, err
	}
	return data, fsutil.WriteFileAtomic(path, data, 0o600)
}

// encode is the content of settings.json for s.
func (s Settings) encode() ([]byte, error) {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

func newToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
