//go:build !darwin || cgo

package tray

import "github.com/awsxc/awsxc/engine/settings"

// The tray's settings are settings.json, shared with the headless daemon
// (awsxc-cli daemon): the type, its checks and its file live in
// engine/settings. These names keep the tray's code as it was.

// Settings are what the tray remembers between runs (see
// [settings.Settings]).
type Settings = settings.Settings

// ServerSettings is one local server's switch and listen address.
type ServerSettings = settings.Server

// SettingsError is a settings file that cannot be used as it is.
type SettingsError = settings.Error

// DefaultClipboardClear is how long a copy stays on the clipboard
// unless the settings say otherwise.
const DefaultClipboardClear = settings.DefaultClipboardClear

// MaxClipboardClear is the longest clipboard_clear_seconds takes.
const MaxClipboardClear = settings.MaxClipboardClear

// ErrCorruptSettings is wrapped by the errors of a settings file that is
// not JSON at all.
var ErrCorruptSettings = settings.ErrCorrupt

// DefaultSettings are the settings of a first run.
func DefaultSettings() Settings { return settings.Default() }

// LoadSettings reads the settings at start-up (see [settings.Load]).
func LoadSettings(path string) (Settings, error) { return settings.Load(path) }

// readSettings reads settings.json, a regular file only (see
// [settings.Read]).
func readSettings(path string) ([]byte, error) { return settings.Read(path) }

// parseSettings reads settings.json's content data, read from path (see
// [settings.Parse]).
func parseSettings(path string, data []byte) (Settings, error) { return settings.Parse(path, data) }
