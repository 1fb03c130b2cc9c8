package settings

import (
	"errors"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestProfileListSettings: favourites, recent and production_profiles
// are saved, read back, and cleaned up on the way in.
func TestProfileListSettings(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "settings.json")
	s, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	s.Favourites = []string{"prod-admin", "dev"}
	s.Recent = []string{"dev", "prod-admin"}
	s.ProductionProfiles = []string{"prod-*", "*.Production.*"}
	if err := s.Save(p); err != nil {
		t.Fatal(err)
	}
	got, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(s, got); diff != "" {
		t.Errorf("round trip mismatch (-want +got):\n%s", diff)
	}
	data, _ := os.ReadFile(p)
	for _, want := range []string{`"favourites": [`, `"recent": [`, `"production_profiles": [`, `"*.Production.*"`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("settings.json lacks %s:\n%s", want, data)
		}
	}

	// A first run writes the lists empty, never null, so that a user
	// opening the file finds them.
	d, _ := Default().Encode()
	for _, want := range []string{`"favourites": []`, `"recent": []`, `"production_profiles": []`} {
		if !strings.Contains(string(d), want) {
			t.Errorf("default settings.json lacks %s:\n%s", want, d)
		}
	}

	s, err = Parse("s.json", []byte(`{"favourites": ["a", "", "b", "a"], "recent": ["1", "2", "1", "3", "4", "5", "6", ""],
		"production_profiles": null}`))
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"a", "b"}, {"1", "2", "3", "4", "5"}, {}}
	if diff := cmp.Diff(want, [][]string{s.Favourites, s.Recent, s.ProductionProfiles}); diff != "" {
		t.Errorf("cleaned lists mismatch (-want +got):\n%s", diff)
	}
}

// TestProductionProfilesBadPattern: a pattern path.Match cannot read is
// an error at the key; the other patterns and values are kept.
func TestProductionProfilesBadPattern(t *testing.T) {
	t.Parallel()
	data := "{\"profile\": \"dev\",\n  \"production_profiles\": [\"prod-*\", \"[prod\", \"x\\\\\"]}"
	s, err := Parse("settings.json", []byte(data))
	var serr *Error
	if !errors.As(err, &serr) {
		t.Fatalf("err = %v; want a *Error", err)
	}
	if want := `settings.json:2:3: production_profiles: "[prod" is not a valid pattern (a [ without its ], or a \ at the end)`; err.Error() != want {
		t.Errorf("error %q\nwant  %q", err, want)
	}
	if diff := cmp.Diff([]string{"prod-*"}, s.ProductionProfiles); diff != "" || s.Profile != "dev" {
		t.Errorf("profile %q; patterns mismatch (-want +got):\n%s", s.Profile, diff)
	}
}

// FuzzProfileListSettings: whatever the file says, the lists the menu
// gets hold no empty or repeated names, recent is at most MaxRecent
// long, and every production pattern is one path.Match reads.
func FuzzProfileListSettings(f *testing.F) {
	f.Add(`{"favourites": ["a", "a"], "recent": ["1","2","3","4","5","6"], "production_profiles": ["prod-*", "["]}`)
	f.Add(`{"production_profiles": "prod"}`)
	f.Add(`{"recent": [null, ""]}`)
	f.Fuzz(func(t *testing.T, data string) {
		s, _ := Parse("s.json", []byte(data))
		for _, l := range [][]string{s.Favourites, s.Recent, s.ProductionProfiles} {
			if l == nil || slices.Contains(l, "") || len(slices.Compact(slices.Sorted(slices.Values(l)))) != len(l) {
				t.Fatalf("list %q: want no null, empty or repeated names", l)
			}
		}
		if len(s.Recent) > MaxRecent {
			t.Fatalf("recent %q: more than %d", s.Recent, MaxRecent)
		}
		for _, h := range s.AllowHosts {
			if !validHost(h) {
				t.Fatalf("allow_hosts entry %q kept", h)
			}
		}
		for _, p := range s.ProductionProfiles {
			if _, err := path.Match(p, ""); err != nil {
				t.Fatalf("pattern %q kept: %v", p, err)
			}
		}
	})
}

// TestAllowHostsSetting: allow_hosts takes names and IP addresses; an
// entry with a port, a scheme or a space is an error at the key, and
// left out, the others kept.
func TestAllowHostsSetting(t *testing.T) {
	t.Parallel()
	data := "{\"profile\": \"dev\",\n  \"allow_hosts\": [\"dev-vm.internal\", \"10.0.2.2\", \"[fd00::1]\", \"vm:8080\", \"http://x\", \"a b\"]}"
	s, err := Parse("settings.json", []byte(data))
	var serr *Error
	if !errors.As(err, &serr) {
		t.Fatalf("err = %v; want an *Error", err)
	}
	if want := `settings.json:2:3: allow_hosts: "vm:8080" is not a host name or an IP address (no port, no scheme)`; err.Error() != want {
		t.Errorf("error %q\nwant  %q", err, want)
	}
	if diff := cmp.Diff([]string{"dev-vm.internal", "10.0.2.2", "[fd00::1]"}, s.AllowHosts); diff != "" || s.Profile != "dev" {
		t.Errorf("profile %q; hosts mismatch (-want +got):\n%s", s.Profile, diff)
	}
	if s, err := Parse("s.json", []byte(`{"allow_hosts": ["host.lima.internal"]}`)); err != nil || len(s.AllowHosts) != 1 {
		t.Errorf("a good list: %v, %q", err, s.AllowHosts)
	}
}
