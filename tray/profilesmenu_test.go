//go:build !darwin || cgo

package tray

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/awsxc/awsxc/engine"
	"github.com/google/go-cmp/cmp"
)

// Profiles as engine.ListProfiles describes them.
func plain(name string) engine.ProfileInfo {
	return engine.ProfileInfo{Name: name, Kind: engine.KindStatic}
}

func sso(name, session, account, role, accountName string) engine.ProfileInfo {
	return engine.ProfileInfo{Name: name, Kind: engine.KindSSO, SSOSession: session, AccountID: account, RoleName: role,
		AccountName: accountName, Synced: accountName != ""}
}

func legacySSO(name, startURL, account, role string) engine.ProfileInfo {
	return engine.ProfileInfo{Name: name, Kind: engine.KindSSO, SSOStartURL: startURL, AccountID: account, RoleName: role}
}

// listed is a state whose AWS files hold profiles and the sso-sessions.
func listed(sessions []string, profiles []engine.ProfileInfo, f func(*State)) State {
	s := State{Version: "1.2.3", ExportName: "awsxc", HaveSource: true}
	s.Catalog.Listing = &engine.Listing{Profiles: profiles, SSOSessions: sessions}
	for _, p := range profiles {
		s.Profiles = append(s.Profiles, p.Name)
	}
	if len(profiles) > 0 {
		s.Active = profiles[0].Name
	}
	if f != nil {
		f(&s)
	}
	return s
}

// many is n static profiles s00, s01, ...
func many(n int) []engine.ProfileInfo {
	out := make([]engine.ProfileInfo, n)
	for i := range out {
		out[i] = plain(fmt.Sprintf("s%02d", i))
	}
	return out
}

// profilesOf is the Profiles submenu of s, as flat lines (shown items
// only).
func profilesOf(s State) []string {
	return flat(profilesMenu(s).Children, "")
}

func TestProfilesMenuFlat(t *testing.T) {
	t.Parallel()
	three := []engine.ProfileInfo{plain("dev"), plain("prod-admin"), plain("awsxc"), sso("sso-dev", "my-sso", "111122223333", "Admin", "")}
	tests := []struct {
		name  string
		state State
		want  []string
	}{
		{"file_order", listed(nil, three, nil), []string{
			"profile:dev|dev[x]",
			"profile:prod-admin|prod-admin[ ]",
			"profile:awsxc|awsxc (written by awsxc)[ ] (disabled)",
			"profile:sso-dev|sso-dev[ ]",
		}},
		{"favourites_first", listed(nil, three, func(s *State) {
			s.Catalog.Favourites = []string{"sso-dev", "gone", "dev"}
		}), []string{
			"fav:0|★ sso-dev[ ]",
			"fav:1|★ dev[x]",
			"profile:prod-admin|prod-admin[ ]",
			"profile:awsxc|awsxc (written by awsxc)[ ] (disabled)",
		}},
		{"production_marked", listed(nil, three, func(s *State) {
			s.Catalog.Production = []string{"PROD-*"}
			s.Catalog.Favourites = []string{"prod-admin"}
			s.Active = "prod-admin"
		}), []string{
			"fav:0|★ ⚠ prod-admin[x]",
			"profile:dev|dev[ ]",
			"profile:awsxc|awsxc (written by awsxc)[ ] (disabled)",
			"profile:sso-dev|sso-dev[ ]",
		}},
		{"no_recent_when_flat", listed(nil, three, func(s *State) { s.Catalog.Recent = []string{"prod-admin", "dev"} }), []string{
			"profile:dev|dev[x]",
			"profile:prod-admin|prod-admin[ ]",
			"profile:awsxc|awsxc (written by awsxc)[ ] (disabled)",
			"profile:sso-dev|sso-dev[ ]",
		}},
		{"without_listing", State{Profiles: []string{"a", "b"}, Active: "b", ExportName: "awsxc"}, []string{
			"profile:a|a[ ]",
			"profile:b|b[x]",
		}},
		{"fifteen_stay_flat", listed(nil, many(FlatProfiles), nil), func() []string {
			var out []string
			for i := range FlatProfiles {
				out = append(out, fmt.Sprintf("profile:s%02d|s%02d[%s]", i, i, map[bool]string{true: "x", false: " "}[i == 0]))
			}
			return out
		}()},
		{"no_profiles", State{NoConfig: true}, []string{"profile:|(no profiles) (disabled)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, profilesOf(tt.state)); diff != "" {
				t.Errorf("Profiles mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// synced is a grouped listing: two synced accounts and one without a
// name on my-sso, a hand-written profile on it, a legacy start URL, a
// session no profile names yet, and profiles on no session.
func synced(others int) []engine.ProfileInfo {
	ps := []engine.ProfileInfo{plain("default")}
	ps = append(ps, many(others)...)
	return append(ps,
		sso("Production.AdministratorAccess", "my-sso", "111122223333", "AdministratorAccess", "Production"),
		sso("Production.ReadOnly", "my-sso", "111122223333", "ReadOnly", "Production"),
		// Hand-written, the same role as a synced one: named by profile.
		sso("prod-admin", "my-sso", "111122223333", "AdministratorAccess", ""),
		sso("Dev.Developer", "my-sso", "222233334444", "Developer", "Dev Team"),
		sso("unnamed", "my-sso", "333344445555", "Admin", ""),
		sso("no-account", "my-sso", "", "", ""),
		legacySSO("old", "https://d-1234567890.awsapps.com/start", "444455556666", "ReadOnly"),
	)
}

func TestProfilesMenuGrouped(t *testing.T) {
	t.Parallel()
	tree := []string{
		"session:my-sso|my-sso",
		// Named accounts by name, then the others by id.
		"  session:my-sso/12:222233334444|Dev Team (222233334444)",
		"    " + pickID("Dev.Developer", "session:my-sso/12:222233334444") + "|Developer[ ]",
		"  session:my-sso/12:111122223333|Production (111122223333)",
		"    " + pickID("Production.AdministratorAccess", "session:my-sso/12:111122223333") + "|AdministratorAccess (Production.AdministratorAccess)[ ]",
		"    " + pickID("prod-admin", "session:my-sso/12:111122223333") + "|AdministratorAccess (prod-admin)[ ]",
		"    " + pickID("Production.ReadOnly", "session:my-sso/12:111122223333") + "|ReadOnly[ ]",
		"  session:my-sso/12:333344445555|333344445555",
		"    " + pickID("unnamed", "session:my-sso/12:333344445555") + "|Admin[ ]",
		"  " + pickID("no-account", "session:my-sso") + "|no-account[ ]",
		"starturl:https://d-1234567890.awsapps.com/start|https://d-1234567890.awsapps.com/start",
		"  starturl:https://d-1234567890.awsapps.com/start/12:444455556666|444455556666",
		"    " + pickID("old", "starturl:https://d-1234567890.awsapps.com/start/12:444455556666") + "|ReadOnly[ ]",
	}
	othersAtLevel := []string{"profile:default|default[x]"}
	for i := range 9 {
		othersAtLevel = append(othersAtLevel, fmt.Sprintf("profile:s%02d|s%02d[ ]", i, i))
	}
	tests := []struct {
		name  string
		state State
		want  []string
	}{
		{"by_session_and_account", listed([]string{"my-sso", "empty"}, synced(9), nil),
			append(othersAtLevel, tree...)},
		{"many_others_in_their_own_submenu", listed([]string{"my-sso"}, synced(FlatProfiles), nil), func() []string {
			out := []string{"others|Other profiles", "  " + pickID("default", "others") + "|default[x]"}
			for i := range FlatProfiles {
				out = append(out, fmt.Sprintf("  %s|s%02d[ ]", pickID(fmt.Sprintf("s%02d", i), "others"), i))
			}
			return append(out, tree...)
		}()},
		{"active_checked_everywhere", listed([]string{"my-sso"}, synced(9), func(s *State) {
			s.Active = "Dev.Developer"
			s.Catalog.Favourites = []string{"Dev.Developer"}
			s.Catalog.Recent = []string{"Dev.Developer", "old", "gone", "old", "default"}
		}), func() []string {
			out := []string{
				"favhead|Favourites (disabled)",
				"fav:0|★ Dev.Developer[x]",
				"recenthead|Recent (disabled)",
				"recent:0|Dev.Developer[x]",
				"recent:1|old[ ]",
				"recent:2|default[ ]",
				"allhead|All profiles (disabled)",
				"profile:default|default[ ]",
			}
			out = append(out, othersAtLevel[1:]...)
			for _, l := range tree {
				out = append(out, strings.Replace(l, "|Developer[ ]", "|Developer[x]", 1))
			}
			return out
		}()},
		{"production_accounts_and_profiles", listed([]string{"my-sso"}, synced(9), func(s *State) {
			s.Catalog.Production = []string{"Production.*", "prod-admin"}
			s.Catalog.Recent = []string{"prod-admin"}
		}), func() []string {
			out := []string{"recenthead|Recent (disabled)", "recent:0|⚠ prod-admin[ ]", "allhead|All profiles (disabled)"}
			out = append(out, othersAtLevel...)
			for _, l := range tree {
				l = strings.Replace(l, "|Production (", "|⚠ Production (", 1)
				l = strings.Replace(l, "|AdministratorAccess (", "|⚠ AdministratorAccess (", 1)
				if strings.Contains(l, "Production.ReadOnly") {
					l = strings.Replace(l, "|ReadOnly[ ]", "|⚠ ReadOnly[ ]", 1)
				}
				out = append(out, l)
			}
			return out
		}()},
		{"export_profile_marked", listed([]string{"my-sso"}, synced(9), func(s *State) {
			s.ExportName = "Production.ReadOnly"
			s.Catalog.Favourites = []string{"Production.ReadOnly"}
		}), func() []string {
			out := []string{"favhead|Favourites (disabled)", "fav:0|★ Production.ReadOnly (written by awsxc)[ ] (disabled)", "allhead|All profiles (disabled)"}
			out = append(out, othersAtLevel...)
			for _, l := range tree {
				out = append(out, strings.Replace(l, "|ReadOnly[ ]", "|ReadOnly (written by awsxc)[ ] (disabled)", strings.Count(l, "Production.ReadOnly")))
			}
			return out
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, profilesOf(tt.state)); diff != "" {
				t.Errorf("Profiles mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// walk calls f for every item of items and their children.
func walk(items []Item, f func(Item)) {
	for _, it := range items {
		f(it)
		walk(it.Children, f)
	}
}

// TestProfilesMenuIDs checks what the adapter relies on: every menu has
// the same slots in the same order (they are created once), IDs are
// unique, and a profile's item keeps its ID when others come and go.
func TestProfilesMenuIDs(t *testing.T) {
	t.Parallel()
	skeleton := func(s State) []string {
		var out []string
		for _, it := range profilesMenu(s).Children {
			if strings.HasPrefix(it.ID, favPrefix) || strings.HasPrefix(it.ID, recentPrefix) || strings.HasSuffix(it.ID, "head") {
				out = append(out, it.ID)
			}
		}
		return out
	}
	ids := func(s State) map[string]string { // ID → label
		out := map[string]string{}
		walk(BuildMenu(s, now).Items, func(it Item) {
			if it.Separator {
				return
			}
			if _, dup := out[it.ID]; dup {
				t.Errorf("ID %q twice", it.ID)
			}
			out[it.ID] = it.Label
		})
		return out
	}
	few := listed([]string{"my-sso"}, synced(0)[:3], nil)
	grown := listed([]string{"my-sso"}, synced(9), func(s *State) { s.Catalog.Recent = []string{"old"} })
	if diff := cmp.Diff(skeleton(few), skeleton(grown)); diff != "" {
		t.Errorf("the slots differ between a flat and a grouped menu (-flat +grouped):\n%s", diff)
	}
	if n := len(skeleton(few)); n != 3+MaxFavourites+MaxRecent {
		t.Errorf("%d slots and headings, want %d", n, 3+MaxFavourites+MaxRecent)
	}
	a := ids(grown)
	shrunk := grown
	shrunk.Catalog.Listing = &engine.Listing{Profiles: slicesDelete(grown.Catalog.Listing.Profiles, "Production.ReadOnly", "s03")}
	b := ids(shrunk)
	for id, label := range b {
		if _, ok := a[id]; !ok && !strings.HasPrefix(id, favEditPrefix) {
			t.Errorf("item %q (%s) is new after two profiles left", id, label)
		}
	}
	// A flat menu that grows past FlatProfiles keeps the items of the
	// profiles on no session.
	fa, ga := ids(few), ids(grown)
	for id := range fa {
		if strings.HasPrefix(id, profilePrefix) && id != profilePrefix+"Production.AdministratorAccess" && id != profilePrefix+"Production.ReadOnly" {
			if _, ok := ga[id]; !ok {
				t.Errorf("item %q of the flat menu is gone from the grouped one", id)
			}
		}
	}
}

func slicesDelete(ps []engine.ProfileInfo, names ...string) []engine.ProfileInfo {
	var out []engine.ProfileInfo
	for _, p := range ps {
		keep := true
		for _, n := range names {
			keep = keep && p.Name != n
		}
		if keep {
			out = append(out, p)
		}
	}
	return out
}

func TestPickID(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, parent string }{
		{"dev", "session:my-sso/12:111122223333"},
		{"a@b:c/d", "others"},
		{"", "x"},
		{"12:x@y", "pick:3:abc@z"},
	} {
		id := pickID(tt.name, tt.parent)
		if got, ok := pickedProfile(id); !ok || got != tt.name {
			t.Errorf("pickedProfile(%q) = %q, %v; want %q", id, got, ok, tt.name)
		}
	}
	for _, id := range []string{"profile:dev", "pick:", "pick:x:dev", "pick:9:dev", "pick:-1:dev", "pick:3"} {
		if got, ok := pickedProfile(id); ok {
			t.Errorf("pickedProfile(%q) = %q, true; want false", id, got)
		}
	}
}

// FuzzPickID: the IDs a click brings back are read back as written, and
// no ID makes the readers panic.
func FuzzPickID(f *testing.F) {
	f.Add("dev", "others")
	f.Add("a@b", "session:x/12:111122223333")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, name, parent string) {
		if got, ok := pickedProfile(pickID(name, parent)); !ok || got != name {
			t.Fatalf("pickedProfile(pickID(%q, %q)) = %q, %v", name, parent, got, ok)
		}
		// Any ID: no panic, and a name that is part of it.
		if got, ok := pickedProfile(name); ok && !strings.Contains(name, got) {
			t.Fatalf("pickedProfile(%q) = %q", name, got)
		}
		// Slots: an ID names a slot only as slotID writes it.
		if i, ok := slotOf(name, favPrefix); ok && slotID(favPrefix, i) != name {
			t.Fatalf("slotOf(%q) = %d", name, i)
		}
		if i, ok := slotOf(slotID(recentPrefix, len(name)), recentPrefix); !ok || i != len(name) {
			t.Fatalf("slotOf(slotID(%d)) = %d, %v", len(name), i, ok)
		}
	})
}

func TestIsProduction(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		patterns []string
		want     bool
	}{
		{"prod-admin", []string{"prod-admin"}, true},
		{"prod-admin", []string{"prod-*"}, true},
		{"Prod-Admin", []string{"prod-*"}, true}, // letter case ignored
		{"my-sso.Production.Admin", []string{"*.Production.*"}, true},
		{"Production.Admin", []string{"*.Production.*"}, false},
		{"Production.Admin", []string{"Production.*"}, true},
		{"dev", []string{"prod-*", "*.Production.*"}, false},
		{"prod1", []string{"prod?"}, true},
		{"prod12", []string{"prod?"}, false},
		{"prod-[x]", []string{"prod-\\[x]"}, true}, // quoted bracket
		{"prod-x", []string{"prod-[wxy]"}, true},
		{"team/prod", []string{"*prod"}, false}, // * stops at /, as path.Match's
		{"team/prod", []string{"*/prod"}, true},
		{"prod", []string{"[prod"}, false}, // not a valid pattern: never matches
		{"prod", nil, false},
	}
	for _, tt := range tests {
		if got := IsProduction(tt.name, tt.patterns); got != tt.want {
			t.Errorf("IsProduction(%q, %q) = %v, want %v", tt.name, tt.patterns, got, tt.want)
		}
	}
}

func TestProductionHeadline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		state       State
		wantHeader  string
		wantTooltip string
	}{
		{"production", with(func(s *State) { s.Active, s.Status.Profile = "prod", "prod"; s.Catalog.Production = []string{"prod*"} }),
			"⚠ PROD · prod · expires in 42 min", "awsxc 1.2.3\n⚠ PROD · prod · expires in 42 min"},
		{"by_name", with(func(s *State) { s.Catalog.Production = []string{"dev"} }),
			"⚠ PROD · dev · expires in 42 min", "awsxc 1.2.3\n⚠ PROD · dev · expires in 42 min"},
		{"production_failing", with(func(s *State) {
			s.Catalog.Production = []string{"dev"}
			s.Status = engine.Status{Profile: "dev", Err: &engine.Error{Profile: "dev", Kind: engine.ErrSSOLoginRequired, Action: engine.ActionSSOLogin}}
		}), "⚠ PROD · dev · SSO login needed", "awsxc 1.2.3\n⚠ PROD · dev · SSO login needed\nchoose Sign in to its session… in this menu"},
		{"not_production", with(func(s *State) { s.Catalog.Production = []string{"prod*"} }),
			"dev · expires in 42 min", "awsxc 1.2.3\ndev · expires in 42 min"},
		{"none_chosen", with(func(s *State) { s.Active, s.HaveSource = "", false; s.Catalog.Production = []string{"*"} }),
			"No profile chosen", "awsxc 1.2.3\nNo profile chosen\nchoose one under Profiles"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := BuildMenu(tt.state, now)
			if got := m.Items[0].Label; got != tt.wantHeader {
				t.Errorf("header = %q, want %q", got, tt.wantHeader)
			}
			if m.Tooltip != tt.wantTooltip {
				t.Errorf("tooltip = %q, want %q", m.Tooltip, tt.wantTooltip)
			}
		})
	}
}

func TestEditFavourites(t *testing.T) {
	t.Parallel()
	ten := make([]string, MaxFavourites)
	var profiles []engine.ProfileInfo
	for i := range ten {
		ten[i] = fmt.Sprintf("f%d", i)
		profiles = append(profiles, plain(ten[i]))
	}
	profiles = append(profiles, plain("dev"), plain("prod"), plain("awsxc"))
	editOf := func(s State) []string {
		for _, it := range BuildMenu(s, now).Items {
			if it.ID == idFavEdit {
				return flat(it.Children, "")
			}
		}
		t.Fatal("no Edit favourites")
		return nil
	}
	tests := []struct {
		name  string
		state State
		want  []string
	}{
		{"active_and_recent_to_add", listed(nil, profiles, func(s *State) {
			s.Active = "dev"
			s.Catalog.Recent = []string{"dev", "awsxc", "prod", "gone"}
			s.Catalog.Favourites = []string{"f3"}
			s.Catalog.Production = []string{"prod"}
		}), []string{"favourites:0|f3[x]", "favourites:1|dev[ ]", "favourites:2|⚠ prod[ ]"}},
		{"gone_favourite_can_be_removed", listed(nil, profiles, func(s *State) { s.Catalog.Favourites = []string{"gone"} }),
			[]string{"favourites:0|gone (not in the AWS files)[x]", "favourites:1|f0[ ]"}},
		{"full", listed(nil, profiles, func(s *State) { s.Active = "dev"; s.Catalog.Favourites = ten }), func() []string {
			var out []string
			for i, f := range ten {
				out = append(out, fmt.Sprintf("favourites:%d|%s[x]", i, f))
			}
			return append(out, "favourites:10|dev (favourites are full)[ ] (disabled)")
		}()},
		{"nothing_yet", listed(nil, profiles, func(s *State) { s.Active = "" }),
			[]string{"favourites:none|Choose a profile, then add it here (disabled)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, editOf(tt.state)); diff != "" {
				t.Errorf("Edit favourites mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPushRecent(t *testing.T) {
	t.Parallel()
	files := []string{"a", "b", "c", "d", "e", "f", "g"}
	tests := []struct {
		name     string
		recent   []string
		chosen   string
		profiles []string
		want     []string
	}{
		{"first", nil, "a", files, []string{"a"}},
		{"most_recent_first", []string{"b", "c"}, "a", files, []string{"a", "b", "c"}},
		{"again_moves_up", []string{"b", "c", "a"}, "a", files, []string{"a", "b", "c"}},
		{"same_again", []string{"a", "b"}, "a", files, []string{"a", "b"}},
		{"five_at_most", []string{"b", "c", "d", "e", "f"}, "a", files, []string{"a", "b", "c", "d", "e"}},
		{"repeats_dropped", []string{"b", "b", "c", "", "b"}, "a", files, []string{"a", "b", "c"}},
		{"removed_profiles_dropped", []string{"gone", "b", "old"}, "a", files, []string{"a", "b"}},
		{"files_unread_keeps_all", []string{"gone", "b"}, "a", nil, []string{"a", "gone", "b"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, pushRecent(tt.recent, tt.chosen, tt.profiles)); diff != "" {
			t.Errorf("%s: pushRecent mismatch (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestToggleFavourite(t *testing.T) {
	t.Parallel()
	files := []string{"a", "b", "c"}
	for i := range MaxFavourites {
		files = append(files, fmt.Sprintf("f%d", i))
	}
	tests := []struct {
		name   string
		favs   []string
		toggle string
		want   []string
		wantOK bool
	}{
		{"add_at_the_end", []string{"b"}, "a", []string{"b", "a"}, true},
		{"remove", []string{"b", "a", "c"}, "a", []string{"b", "c"}, true},
		{"remove_repeats", []string{"a", "b", "a"}, "a", []string{"b"}, true},
		{"remove_gone", []string{"gone", "a"}, "gone", []string{"a"}, true},
		{"full", files[3:], "a", files[3:], false},
		{"gone_ones_do_not_fill_it", append([]string{"gone"}, files[4:]...), "a", append(append([]string{"gone"}, files[4:]...), "a"), true},
	}
	for _, tt := range tests {
		got, ok := toggleFavourite(tt.favs, tt.toggle, files)
		if diff := cmp.Diff(tt.want, got); diff != "" || ok != tt.wantOK {
			t.Errorf("%s: toggleFavourite = %v (want %v), mismatch (-want +got):\n%s", tt.name, ok, tt.wantOK, diff)
		}
	}
}

func TestSyncItems(t *testing.T) {
	t.Parallel()
	base := listed([]string{"my-sso", "other", "broken", "busy"}, []engine.ProfileInfo{plain("dev")}, func(s *State) {
		s.Catalog.Sessions = []SyncSession{
			{Name: "my-sso", SignedIn: true},
			{Name: "other"},
			{Name: "broken", Err: errors.New("[sso-session broken] lacks sso_region")},
			{Name: "busy", SignedIn: true, Syncing: true},
		}
	})
	var got []string
	for _, it := range BuildMenu(base, now).Items {
		if strings.HasPrefix(it.ID, syncPrefix) && !it.Hidden {
			got = append(got, fmt.Sprintf("%s|%s|%v|%s", it.ID, it.Label, it.Disabled, it.Tooltip))
		}
	}
	want := []string{
		"sync:0|Sync profiles from my-sso|false|write a profile for every account and role my-sso can use into the AWS config file",
		"sync:1|Sync profiles from other (Sign in to other first)|true|write a profile for every account and role other can use into the AWS config file",
		"sync:2|Sync profiles from broken (check its settings)|true|[sso-session broken] lacks sso_region",
		"sync:3|Syncing profiles from busy…|true|write a profile for every account and role busy can use into the AWS config file",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Sync items mismatch (-want +got):\n%s", diff)
	}
	n := 0
	for _, it := range BuildMenu(with(func(*State) {}), now).Items {
		if strings.HasPrefix(it.ID, syncPrefix) {
			n++
			if !it.Hidden {
				t.Errorf("Sync item %q shown without sessions", it.ID)
			}
		}
	}
	if n != maxSyncItems {
		t.Errorf("%d Sync slots, want %d", n, maxSyncItems)
	}
}

func TestSyncReport(t *testing.T) {
	t.Parallel()
	prof := func(names ...string) []engine.SyncedProfile {
		var out []engine.SyncedProfile
		for _, n := range names {
			out = append(out, engine.SyncedProfile{Name: n})
		}
		return out
	}
	tests := []struct {
		name string
		res  engine.SSOSyncResult
		want string
	}{
		{"added_and_removed", engine.SSOSyncResult{Added: prof("a", "b", "c", "d", "e", "f", "g"), Removed: prof("x"), Kept: 290},
			"Added 7 profiles, removed 1 profile; 290 profiles as they were.\nAdded: a, b, c, d, e and 2 more.\nRemoved: x."},
		{"first_sync", engine.SSOSyncResult{Added: prof("a")}, "Added 1 profile.\nAdded: a."},
		{"updated", engine.SSOSyncResult{Updated: prof("a", "b"), Kept: 1}, "Updated 2 profiles; 1 profile as they were.\nUpdated: a, b."},
		{"no_change", engine.SSOSyncResult{Profiles: prof("a", "b"), Kept: 2}, "No change: 2 profiles, as they were."},
		{"clashes_and_skipped", engine.SSOSyncResult{Added: prof("Dev.Admin-2"), Kept: 0,
			Clashes: []engine.NameClash{{Profile: "Dev.Admin-2", Wanted: "Dev.Admin", TakenBy: "config file line 3"}},
			Skipped: []engine.SkippedRole{{AccountID: "12", RoleName: "Odd Role", Why: "white space in the role name"}}},
			"Added 1 profile.\nAdded: Dev.Admin-2.\n1 profile got another name: Dev.Admin-2 (Dev.Admin is taken by config file line 3).\n" +
				"1 role skipped: Odd Role of 12 (white space in the role name)."},
	}
	for _, tt := range tests {
		if got := SyncReport(&tt.res); got != tt.want {
			t.Errorf("%s: SyncReport =\n%s\nwant\n%s", tt.name, got, tt.want)
		}
	}
}

func TestSyncErrText(t *testing.T) {
	t.Parallel()
	login := &engine.SyncError{Session: "my-sso", Kind: engine.ErrSSOLoginRequired, Action: engine.ActionSSOLogin, Hint: engine.SSOLoginHint("my-sso")}
	if got, want := syncErrText(login), `sso-session "my-sso": `+engine.ErrSSOLoginRequired.Error()+`; sign in to my-sso first`; got != want {
		t.Errorf("syncErrText = %q, want %q", got, want)
	}
	if strings.Contains(syncErrText(login), "--") {
		t.Errorf("a flag in the tray's words: %q", syncErrText(login))
	}
	other := &engine.SyncError{Session: "my-sso", Kind: engine.ErrUnreachable, Err: errors.New("dial tcp: refused")}
	if got := syncErrText(fmt.Errorf("wrapped: %w", other)); got != other.Error() {
		t.Errorf("syncErrText = %q, want %q", got, other.Error())
	}
}
