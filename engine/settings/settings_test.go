package settings

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/awsxc/awsxc/engine/server"
	"github.com/awsxc/awsxc/internal/fsutil"
)

func TestSettingsRoundTrip(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "awsxc", "settings.json")
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.ExportName != "awsxc" || s.IMDS.Addr != "127.0.0.1:0" || len(s.ECSToken) < 40 {
		t.Fatalf("defaults = %+v", s)
	}
	s.Profile = "dev"
	s.IMDS = Server{Enabled: true, Addr: "127.0.0.1:41001"}
	s.KeepRefreshed = true
	s.ClipboardClearSeconds = 30
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600", fi.Mode().Perm())
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(s, got); diff != "" {
		t.Errorf("round trip mismatch (-want +got):\n%s", diff)
	}
}

// TestSettingsSymlink is issue 10 item 29 (part): a settings.json that a
// dotfile manager links into place stays a link; the write goes through.
func TestSettingsSymlink(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	real := filepath.Join(dir, "dotfiles", "settings.json")
	path := filepath.Join(dir, "awsxc", "settings.json")
	for _, d := range []string{filepath.Dir(real), filepath.Dir(path)} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(real, []byte(`{"profile": "old"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join("..", "dotfiles", "settings.json"), path); err != nil {
		t.Skip("no symlinks:", err)
	}
	s := Default()
	s.Profile = "dev"
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(path); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("settings.json is no longer a link: %v, %v", fi.Mode(), err)
	}
	got, err := Load(real)
	if err != nil || got.Profile != "dev" {
		t.Errorf("the link's target holds profile %q, %v; want dev", got.Profile, err)
	}
}

func TestSettingsPartialFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "settings.json")
	os.WriteFile(path, []byte(`{"profile":"prod","ecs_token":"token-0123456789ab"}`), 0o600)
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.Profile, want.ECSToken = "prod", "token-0123456789ab"
	if diff := cmp.Diff(want, s); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

// TestSettingsCorrupt: at start-up a file that is not JSON is moved
// aside, never over an earlier copy, and the error says where it is.
func TestSettingsCorrupt(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "settings.json")
	for i, corrupt := range []string{"{\"profile\": \"dev\",", "{\n  \"profile\": \"dev\"\n  \"x\": 1}"} {
		os.WriteFile(path, []byte(corrupt), 0o600)
		s, err := Load(path)
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("err = %v, want ErrCorrupt", err)
		}
		wantPos := []string{path + ":1:18: ", path + ":3:3: "}[i]
		if !strings.HasPrefix(err.Error(), wantPos) {
			t.Errorf("err = %q; want it to start %q", err, wantPos)
		}
		if s.Profile != "" || s.ExportName != "awsxc" {
			t.Errorf("got %+v, want defaults", s)
		}
		bak := path + []string{".bak", ".bak.1"}[i]
		if b, rerr := os.ReadFile(bak); rerr != nil || string(b) != corrupt {
			t.Errorf("%s = %q, %v; want the corrupt file kept", bak, b, rerr)
		}
		if !strings.HasSuffix(err.Error(), "the old file is "+bak) {
			t.Errorf("err = %q; want it to name %s", err, bak)
		}
		if _, serr := os.Stat(path); !os.IsNotExist(serr) {
			t.Errorf("corrupt file still in place: %v", serr)
		}
	}
	if b, _ := os.ReadFile(path + ".bak"); string(b) != "{\"profile\": \"dev\"," {
		t.Errorf("the first copy was overwritten: %q", b)
	}
}

// A corrupt settings.json that is a symlink is left alone at start-up:
// it stays a link, and its target keeps the user's text.
func TestSettingsCorruptSymlink(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	real, path := filepath.Join(dir, "dotfiles.json"), filepath.Join(dir, "settings.json")
	os.WriteFile(real, []byte(`{"profile": `), 0o600)
	if err := os.Symlink(real, path); err != nil {
		t.Skip("no symlinks:", err)
	}
	if _, err := Load(path); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("err = %v, want ErrCorrupt", err)
	}
	if fi, err := os.Lstat(path); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("settings.json is no longer a link: %v", err)
	}
	if b, _ := os.ReadFile(real); string(b) != `{"profile": ` {
		t.Errorf("the link's target holds %q; want it untouched", b)
	}
	if _, err := os.Lstat(path + ".bak"); !os.IsNotExist(err) {
		t.Errorf("a .bak was made of the link: %v", err)
	}
}

// TestSettingsErrorPosition: every error names the file and where in it.
func TestSettingsErrorPosition(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, data string
		want       string // the error after "settings.json:"
		corrupt    bool
	}{
		{"missing_comma", "{\n  \"profile\": \"dev\"\n  \"keep_refreshed\": true\n}", "3:3: settings file is corrupt: invalid character '\"' after object key:value pair", true},
		{"truncated", `{"profile": `, "1:12: settings file is corrupt: unexpected end of JSON input", true},
		{"non_ascii_column", "{\"profile\": \"dév\" x}", "1:19: settings file is corrupt: invalid character 'x' after object key:value pair", true},
		{"wrong_type", "{\n\"profile\": 5}", "2:12: json: cannot unmarshal number into Go struct field Settings.profile of type string", false},
		{"negative_clear", "{\"profile\": \"dev\",\n \"imds\": {\"clipboard_clear_seconds\": 1},\n \"clipboard_clear_seconds\": -5}",
			"3:2: clipboard_clear_seconds must not be negative (0 is the default, 60)", false},
		// Issue 10 item 10: the ECS token follows the server's rules.
		{"short_token", "{\"profile\": \"dev\",\n \"ecs_token\": \"tok\"}",
			"2:2: ecs_token: invalid ECS token: 3 characters, want at least 16 (remove it for a random one)", false},
		{"token_with_space", "{\"profile\": \"dev\", \"ecs_token\": \" token-0123456789ab\"}",
			"1:20: ecs_token: invalid ECS token: it holds a space (at byte 1); use visible ASCII only (remove it for a random one)", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := Parse("settings.json", []byte(tt.data))
			var serr *Error
			if !errors.As(err, &serr) {
				t.Fatalf("err = %v; want a *Error", err)
			}
			if got := strings.TrimPrefix(err.Error(), "settings.json:"); got != tt.want {
				t.Errorf("error %q; want %q", got, tt.want)
			}
			if serr.Corrupt() != tt.corrupt || errors.Is(err, ErrCorrupt) != tt.corrupt {
				t.Errorf("Corrupt() = %v; want %v", serr.Corrupt(), tt.corrupt)
			}
			if s.ClipboardClearSeconds != 60 {
				t.Errorf("clipboard_clear_seconds = %d; want the default 60", s.ClipboardClearSeconds)
			}
			if !tt.corrupt && tt.name == "negative_clear" && s.Profile != "dev" {
				t.Errorf("profile = %q; want the file's good values kept", s.Profile)
			}
		})
	}
}

// FuzzParseSettings: any file gives usable settings, and an error that
// names a position inside the file.
func FuzzParseSettings(f *testing.F) {
	f.Add([]byte(`{"profile": "dev", "clipboard_clear_seconds": -1}`))
	f.Add([]byte("{\n\"imds\": {\"enabled\": 1}}"))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("s.json", data)
		if s.ClipboardClearSeconds <= 0 || s.ExportName == "" || s.ECSToken == "" {
			t.Errorf("unusable settings %+v", s)
		}
		var serr *Error
		if err != nil && (!errors.As(err, &serr) || serr.Line < 0 || serr.Line > bytes.Count(data, []byte("\n"))+1) {
			t.Errorf("error %v: want a *Error with a line in the file", err)
		}
		// What is saved (a file with an error never is) reads back the
		// same, unknown keys too.
		if err != nil {
			return
		}
		out, eerr := s.Encode()
		if eerr != nil {
			t.Fatal(eerr)
		}
		again, err := Parse("s.json", out)
		if err != nil {
			t.Fatalf("the encoded settings do not parse: %v\n%s", err, out)
		}
		compact := cmp.Transformer("compact", func(m json.RawMessage) string {
			var b bytes.Buffer
			json.Compact(&b, m)
			return b.String()
		})
		if diff := cmp.Diff(s, again, cmpopts.EquateEmpty(), compact); diff != "" {
			t.Errorf("round trip (-first +again):\n%s\n%s", diff, out)
		}
	})
}

// TestUnknownKeysKept is review 3's L4: top-level keys awsxc does not
// know (a newer version's) are written back by a save, as they were; a
// key that differs from a known one only in letter case is not (it
// would be read as that one).
func TestUnknownKeysKept(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "settings.json")
	data := []byte(`{"profile": "dev", "future_key": {"a": [1, 2], "b": "x"}, "Profile": "prod", "zz": 7,
"servers": [{"name": "api", "kind": "ecs-consumer", "profile": "dev"}]}`)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s.Favourites = []string{"dev"}
	if err := f.Save(s); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]json.RawMessage{"future_key": json.RawMessage(`{"a":[1,2],"b":"x"}`), "zz": json.RawMessage(`7`)}
	compact := func(m map[string]json.RawMessage) map[string]string {
		out := map[string]string{}
		for k, v := range m {
			var b bytes.Buffer
			json.Compact(&b, v)
			out[k] = b.String()
		}
		return out
	}
	if diff := cmp.Diff(compact(want), compact(got.Unknown)); diff != "" {
		t.Errorf("unknown keys (-want +got):\n%s", diff)
	}
	if got.Profile != "prod" || len(got.Servers) != 1 || len(got.Favourites) != 1 {
		t.Errorf("known values: %+v", got)
	}
	text, _ := os.ReadFile(path)
	if bytes.Contains(text, []byte(`"Profile"`)) {
		t.Errorf("a known key written twice:\n%s", text)
	}
}

// TestIssue10BadECSToken: a token the ECS server would refuse is a
// settings error; a new random token serves meanwhile, the file's other
// values are kept, and the error never quotes the token.
func TestIssue10BadECSToken(t *testing.T) {
	t.Parallel()
	for _, tok := range []string{"short-token", " spaced-token-0123456789", "tab\ttoken-0123456789", "token-0123456789ab\n"} {
		data, _ := json.Marshal(map[string]any{"profile": "dev", "ecs_token": tok, "ecs": map[string]any{"enabled": true, "addr": "127.0.0.1:9912"}})
		s, err := Parse("settings.json", data)
		var serr *Error
		if !errors.As(err, &serr) || !errors.Is(err, server.ErrInvalidToken) || serr.Line != 1 {
			t.Errorf("%q: err %v; want a settings Error at the token", tok, err)
			continue
		}
		if strings.Contains(err.Error(), strings.TrimSpace(tok)) {
			t.Errorf("%q: the error quotes the token: %v", tok, err)
		}
		if s.ECSToken == tok || server.CheckToken(s.ECSToken) != nil || len(s.ECSToken) < 40 {
			t.Errorf("%q: token in use %q; want a new random one", tok, s.ECSToken)
		}
		if s.Profile != "dev" || !s.ECS.Enabled || s.ECS.Addr != "127.0.0.1:9912" {
			t.Errorf("%q: the other values were not kept: %+v", tok, s)
		}
	}
}

// TestIssue10AllowRemoteSetting: allow_remote is per server, off unless
// set, and written back only when set.
func TestIssue10AllowRemoteSetting(t *testing.T) {
	t.Parallel()
	s, err := Parse("settings.json", []byte(`{"imds": {"enabled": true, "addr": "0.0.0.0:9911", "allow_remote": true}, "ecs": {"addr": "0.0.0.0:9912"}}`))
	if err != nil || !s.IMDS.AllowRemote || s.ECS.AllowRemote {
		t.Fatalf("%+v, %v", s, err)
	}
	data, _ := s.Encode()
	if n := strings.Count(string(data), `"allow_remote": true`); n != 1 || strings.Contains(string(data), `"allow_remote": false`) {
		t.Errorf("encoded:\n%s", data)
	}
}

// TestReadFIFO: a FIFO as settings.json is refused, not read: reading it
// would block a front end's start-up, or its loop on every reload
// (review 1, L7).
func TestReadFIFO(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("no FIFOs")
	}
	path := filepath.Join(t.TempDir(), "settings.json")
	if err := mkfifo(path); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 2)
	go func() { _, err := Load(path); done <- err }()
	go func() {
		f := &File{path: path}
		_, _, err := f.Reload()
		done <- err
	}()
	for range 2 {
		select {
		case err := <-done:
			if err != nil && !errors.Is(err, fsutil.ErrNotRegular) {
				t.Errorf("a FIFO: %v, want ErrNotRegular (or nothing, for Reload)", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("reading settings.json blocked on a FIFO")
		}
	}
}

// TestClipboardClearBound: a day at most (review 1, L6).
func TestClipboardClearBound(t *testing.T) {
	t.Parallel()
	s, err := Parse("s.json", []byte(`{"clipboard_clear_seconds": 86401}`))
	if err == nil || !strings.Contains(err.Error(), "at most 86400 (a day)") || s.ClipboardClearSeconds != 60 {
		t.Errorf("86401: %+v, %v", s, err)
	}
	if s, err := Parse("s.json", []byte(`{"clipboard_clear_seconds": 86400}`)); err != nil || s.ClipboardClearSeconds != 86400 {
		t.Errorf("86400: %+v, %v", s, err)
	}
}

func TestDefaultPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		goos string
		env  map[string]string
		want string
	}{
		{"linux", map[string]string{"HOME": "/home/u"}, "/home/u/.config/awsxc/settings.json"},
		{"linux", map[string]string{"HOME": "/home/u", "XDG_CONFIG_HOME": "/cfg"}, "/cfg/awsxc/settings.json"},
		{"linux", map[string]string{"HOME": "/home/u", "XDG_CONFIG_HOME": "~/c"}, "/home/u/c/awsxc/settings.json"},
		{"linux", map[string]string{"HOME": "/home/u", "XDG_CONFIG_HOME": "relative"}, "/home/u/.config/awsxc/settings.json"},
		{"freebsd", map[string]string{"HOME": "/home/u"}, "/home/u/.config/awsxc/settings.json"},
		{"darwin", map[string]string{"HOME": "/Users/u"}, "/Users/u/Library/Application Support/awsxc/settings.json"},
		{"darwin", map[string]string{"HOME": "/Users/u", "XDG_CONFIG_HOME": "/x"}, "/x/awsxc/settings.json"},
		{"linux", map[string]string{}, ""},
	}
	for _, tt := range tests {
		got, err := defaultPath(tt.goos, func(k string) string { return tt.env[k] })
		if tt.want == "" {
			if err == nil {
				t.Errorf("%s %v: %q, want an error", tt.goos, tt.env, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s %v: %q, %v; want %q", tt.goos, tt.env, got, err, tt.want)
		}
	}
}

// TestFile follows a running front end's settings file through edits,
// an error and its fix.
func TestFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "awsxc", "settings.json")
	f, s, err := Open(path)
	if err != nil || f.Err() != nil || f.Path() != path {
		t.Fatalf("Open of a missing file: %v, %v", err, f.Err())
	}
	// A first run writes the file, token and all.
	onDisk, err := Load(path)
	if err != nil || onDisk.ECSToken != s.ECSToken {
		t.Fatalf("the file after Open: %+v, %v; want the token %q", onDisk, err, s.ECSToken)
	}
	if _, changed, err := f.Reload(); changed || err != nil {
		t.Errorf("Reload of our own write: changed %v, %v", changed, err)
	}
	s.Profile = "dev"
	if err := f.Save(s); err != nil {
		t.Fatal(err)
	}
	if _, changed, _ := f.Reload(); changed {
		t.Error("Reload after our Save: changed")
	}
	// The user edits it.
	os.WriteFile(path, []byte(`{"profile": "prod", "ecs_token": "token-0123456789ab"}`), 0o600)
	got, changed, err := f.Reload()
	if !changed || err != nil || got.Profile != "prod" || got.ECSToken != "token-0123456789ab" {
		t.Errorf("Reload of an edit: %+v, %v, %v", got, changed, err)
	}
	// An edit with an error: reported once, kept, and nothing is saved.
	bad := []byte(`{"profile": "prod",`)
	os.WriteFile(path, bad, 0o600)
	if _, changed, err := f.Reload(); changed || !errors.Is(err, ErrCorrupt) {
		t.Errorf("Reload of a broken file: changed %v, %v; want ErrCorrupt", changed, err)
	}
	if _, _, err := f.Reload(); err != nil {
		t.Errorf("second Reload of the same broken file: %v, want nothing new", err)
	}
	if !errors.Is(f.Err(), ErrCorrupt) {
		t.Errorf("Err() = %v", f.Err())
	}
	if err := f.Save(s); !errors.Is(err, ErrNotSaved) || !errors.Is(err, ErrCorrupt) {
		t.Errorf("Save while broken: %v, want ErrNotSaved", err)
	}
	if b, _ := os.ReadFile(path); !bytes.Equal(b, bad) {
		t.Errorf("the broken file was overwritten: %q", b)
	}
	// Fixed.
	os.WriteFile(path, []byte(`{"profile": "fixed"}`), 0o600)
	if got, changed, err := f.Reload(); !changed || err != nil || got.Profile != "fixed" || f.Err() != nil {
		t.Errorf("Reload of the fix: %+v, %v, %v, Err %v", got, changed, err, f.Err())
	}
	// Removed while broken: saving may write a new one.
	os.WriteFile(path, bad, 0o600)
	f.Reload()
	os.Remove(path)
	if _, changed, err := f.Reload(); changed || err != nil || f.Err() != nil {
		t.Errorf("Reload of a removed file: %v, %v, Err %v", changed, err, f.Err())
	}
	if err := f.Save(s); err != nil {
		t.Errorf("Save after the broken file went: %v", err)
	}
}

// TestOpenLeavesBadFile: a file with a bad value is left as it is at
// start-up, and not written until fixed; a corrupt one is moved aside
// and the defaults written.
func TestOpenLeavesBadFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "settings.json")
	bad := []byte(`{"profile": "dev", "clipboard_clear_seconds": -1}`)
	os.WriteFile(path, bad, 0o600)
	f, s, err := Open(path)
	var serr *Error
	if !errors.As(err, &serr) || s.Profile != "dev" || f.Err() == nil {
		t.Fatalf("Open: %+v, %v", s, err)
	}
	if b, _ := os.ReadFile(path); !bytes.Equal(b, bad) {
		t.Errorf("a file with a bad value was rewritten: %q", b)
	}
	if _, changed, err := f.Reload(); changed || err != nil {
		t.Errorf("Reload of the same bad file: %v, %v", changed, err)
	}

	path = filepath.Join(dir, "corrupt.json")
	os.WriteFile(path, []byte(`{`), 0o600)
	f, s, err = Open(path)
	if !errors.Is(err, ErrCorrupt) || f.Err() != nil || s.ExportName != "awsxc" {
		t.Fatalf("Open of a corrupt file: %+v, %v, Err %v", s, err, f.Err())
	}
	if got, lerr := Load(path); lerr != nil || got.ECSToken != s.ECSToken {
		t.Errorf("defaults not written in its place: %+v, %v", got, lerr)
	}
}
