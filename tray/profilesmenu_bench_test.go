//go:build !darwin || cgo

package tray

import (
	"fmt"
	"testing"

	"github.com/awsxc/awsxc/engine"
)

// bigState is the state of a user of IAM Identity Center with 1,000
// profiles, as engine.ListProfiles describes them after syncs: 900
// synced roles over 300 named accounts on two sso-sessions, and 100
// profiles on no session; five favourites, five recent, two production
// patterns.
func bigState() State {
	var ps []engine.ProfileInfo
	for i := range 100 {
		ps = append(ps, plain(fmt.Sprintf("hand-%03d", i)))
	}
	for i := range 300 {
		session := []string{"corp", "lab"}[i%2]
		id, name := fmt.Sprintf("%012d", 100000000000+i), fmt.Sprintf("account-%03d", i)
		for _, r := range []string{"AdministratorAccess", "ReadOnly", "Developer"} {
			ps = append(ps, sso(name+"."+r, session, id, r, name))
		}
	}
	return listed([]string{"corp", "lab"}, ps, func(s *State) {
		s.Active = "account-150.ReadOnly"
		s.Status = engine.Status{Profile: s.Active, Kind: engine.KindSSO, Valid: true, Expires: now.Add(42e9 * 60)}
		s.Catalog.Favourites = []string{"account-001.ReadOnly", "account-002.ReadOnly", "hand-003", "account-150.ReadOnly", "account-299.Developer"}
		s.Catalog.Recent = []string{"account-150.ReadOnly", "hand-007", "account-010.AdministratorAccess", "account-011.ReadOnly", "hand-050"}
		s.Catalog.Production = []string{"*.AdministratorAccess", "account-1[0-4]?.*"}
		s.Catalog.Sessions = []SyncSession{{Name: "corp", SignedIn: true}, {Name: "lab"}}
	})
}

// BenchmarkBuildMenu1000 is the tray's menu rebuild with 1,000 profiles:
// BuildMenu, which groups the listing (Listing.Groups) and builds every
// item. The target is well under 50 ms; the adapter then sends only what
// changed (issue 15).
func BenchmarkBuildMenu1000(b *testing.B) {
	s := bigState()
	b.ReportAllocs()
	for b.Loop() {
		if m := BuildMenu(s, now); len(m.Items) == 0 {
			b.Fatal("no menu")
		}
	}
}

// BenchmarkBuildMenu15 is the baseline: a flat menu of 15 profiles.
func BenchmarkBuildMenu15(b *testing.B) {
	s := listed(nil, many(FlatProfiles), nil)
	b.ReportAllocs()
	for b.Loop() {
		if m := BuildMenu(s, now); len(m.Items) == 0 {
			b.Fatal("no menu")
		}
	}
}

// TestBigStateMenu checks the benchmark's menu is the grouped one it
// claims to be.
func TestBigStateMenu(t *testing.T) {
	t.Parallel()
	m := BuildMenu(bigState(), now)
	n, leaves := 0, 0
	walk(m.Items, func(it Item) {
		n++
		if _, ok := pickedProfile(it.ID); ok {
			leaves++
		}
	})
	if leaves != 1000 {
		t.Errorf("%d profile items in the tree, want 1000 (100 under Other profiles, 900 under accounts)", leaves)
	}
	t.Logf("%d items", n)
}
