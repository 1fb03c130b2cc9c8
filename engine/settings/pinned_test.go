package settings

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPinnedRoundTrip(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "settings.json")
	s := Default()
	s.ECSToken = strings.Repeat("t", 43)
	s.Servers = []Pinned{
		{Name: "imds-dev", Kind: KindIMDS, Profile: "dev", Addr: "127.0.0.1:9931"},
		{Name: "imds-active", Kind: KindIMDS, FollowActive: true, Addr: "127.0.0.1:0"},
		{Name: "lan", Kind: KindIMDS, Profile: "prod", Addr: "0.0.0.0:9932", AllowRemote: true},
		{Name: "api", Kind: KindConsumer, Profile: "dev"},
	}
	s.AuditLog = "~/awsxc-audit.jsonl"
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(s, got); diff != "" {
		t.Errorf("round trip mismatch (-want +got):\n%s", diff)
	}
}

func TestPinnedCheck(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		p    Pinned
		want string // in the error; "" for none
	}{
		{"imds_ok", Pinned{Name: "a", Kind: KindIMDS, Profile: "dev", Addr: "9931"}, ""},
		{"imds_no_addr", Pinned{Name: "a", Kind: KindIMDS, Profile: "dev"}, ""},
		{"consumer_ok", Pinned{Name: "api", Kind: KindConsumer, FollowActive: true}, ""},
		{"bad_name", Pinned{Name: "a/b", Kind: KindIMDS, Profile: "dev"}, "invalid consumer name"},
		{"reserved", Pinned{Name: "ecs", Kind: KindConsumer, Profile: "dev"}, "switch's"},
		{"reserved_case", Pinned{Name: "IMDS", Kind: KindConsumer, Profile: "dev"}, "the imds switch's"},
		{"no_profile", Pinned{Name: "a", Kind: KindIMDS}, "no profile"},
		{"both", Pinned{Name: "a", Kind: KindIMDS, Profile: "dev", FollowActive: true}, "both"},
		{"bad_profile", Pinned{Name: "a", Kind: KindIMDS, Profile: "d]ev"}, "profile"},
		{"bad_kind", Pinned{Name: "a", Kind: "ftp", Profile: "dev"}, "unknown kind"},
		{"remote", Pinned{Name: "a", Kind: KindIMDS, Profile: "dev", Addr: "0.0.0.0:1"}, "not a loopback"},
		{"bad_addr", Pinned{Name: "a", Kind: KindIMDS, Profile: "dev", Addr: "x:y"}, "invalid port"},
		{"consumer_addr", Pinned{Name: "a", Kind: KindConsumer, Profile: "dev", Addr: "1"}, "none of its own"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.p.Check()
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("Check() = %v; want %q", err, tt.want)
			}
		})
	}
}

// TestPinnedBadEntries: a bad or clashing entry is an error at the
// servers key; the others are used, and the file's other values kept.
func TestPinnedBadEntries(t *testing.T) {
	t.Parallel()
	data := []byte(`{"profile": "dev",
"servers": [
  {"name": "a", "kind": "imds", "profile": "dev", "addr": "127.0.0.1:9931"},
  {"name": "b", "kind": "imds", "profile": "prod", "addr": "9931"},
  {"name": "a", "kind": "ecs-consumer", "profile": "dev"},
  {"name": "c", "kind": "nope", "profile": "dev"},
  {"name": "d", "kind": "ecs-consumer", "profile": "prod"},
  {"name": "D", "kind": "ecs-consumer", "profile": "dev"}
]}`)
	s, err := Parse("s.json", data)
	var serr *Error
	if !errors.As(err, &serr) || serr.Line != 2 || strings.Contains(err.Error(), "\n") {
		t.Fatalf("err = %v; want a one-line *Error at line 2", err)
	}
	for _, w := range []string{`"b": port 9931 is server "a"'s`, `"a" given twice`, `unknown kind "nope"`, `"D": the name is "d"'s, letter case aside`} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("err = %v; want it to say %s", err, w)
		}
	}
	var names []string
	for _, p := range s.Servers {
		names = append(names, p.Name)
	}
	if diff := cmp.Diff([]string{"a", "d"}, names); diff != "" || s.Profile != "dev" {
		t.Errorf("servers kept (-want +got):\n%s (profile %q)", diff, s.Profile)
	}
}

// FuzzParsePinned: whatever the servers key holds, the servers used all
// pass CheckServers.
func FuzzParsePinned(f *testing.F) {
	f.Add([]byte(`{"servers":[{"name":"a","kind":"imds","profile":"dev","addr":"9931"}]}`))
	f.Add([]byte(`{"servers":[{"name":"a","kind":"ecs-consumer","follow_active":true},{"name":"a","kind":"imds","profile":"x"}]}`))
	f.Add([]byte(`{"servers":{"name":1}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("s.json", data)
		if _, cerr := CheckServers(s.Servers); cerr != nil {
			t.Errorf("servers in use fail their check: %v (parse error %v)", cerr, err)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("error of more than one line: %q", err)
		}
	})
}
