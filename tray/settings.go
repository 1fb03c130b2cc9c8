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
	// ClipboardClearSeconds clears the clipboard this long after a copy,
	// if it still holds what awsxc put there; 0 never clears.
	ClipboardClearSeconds int `json:"clipboard_clear_seconds"`
}

// ServerSettings is one local server's switch and listen address.
type ServerSettings struct {
	Enabled bool `json:"enabled"`
	// Addr is host:port; a port of 0 picks a free one on first start,
	// which is then saved here so the port stays the same across runs.
	Addr string `json:"addr"`
}

// DefaultSettings are the settings of a first run.
func DefaultSettings() Settings {
	return Settings{
		IMDS:       ServerSettings{Addr: "127.0.0.1:0"},
		ECS:        ServerSettings{Addr: "127.0.0.1:0"},
		ExportName: "awsxc",
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
	if s.ClipboardClearSeconds < 0 {
		s.ClipboardClearSeconds = 0
	}
	if s.ECSToken == "" {
		s.ECSToken = newToken()
	}
}

// ErrCorruptSettings is wrapped by the error [LoadSettings] returns with
// defaults when the file cannot be parsed.
var ErrCorruptSettings = errors.New("settings file is corrupt")

// LoadSettings reads the settings at path. A missing file gives the
// defaults and no error. A file that does not parse is renamed to
// path+".bak" and the defaults are returned together with an error
// wrapping [ErrCorruptSettings], for the caller to report; the tray
// never stops over it.
func LoadSettings(path string) (Settings, error) {
	s := DefaultSettings()
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		s.normalize()
		return s, nil
	}
	if err != nil {
		s.normalize()
		return s, fmt.Errorf("read settings: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&s); err != nil {
		s = DefaultSettings()
		s.normalize()
		bak := path + ".bak"
		if rerr := os.Rename(path, bak); rerr != nil {
			return s, fmt.Errorf("%w: %s: %v (and could not keep a copy: %v)", ErrCorruptSettings, path, err, rerr)
		}
		return s, fmt.Errorf("%w: %s: %v; using defaults, the old file is %s", ErrCorruptSettings, path, err, bak)
	}
	s.normalize()
	return s, nil
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
