//go:build !darwin || cgo

package tray

import (
	"slices"
	"strings"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/engine/signin"
)

// The event loop's side of the Profiles menu (profilesmenu.go): the
// listing it is built from, the clicks on its slots and tree, recent and
// favourites in the settings, and the sso-sessions the Sync items offer.

// profilesState is what the loop keeps for the Profiles menu. Owned by
// the loop goroutine.
type profilesState struct {
	// sessions are the config file's sso-sessions as the last listing
	// named them, in file order, at most maxSyncItems: each with its
	// settings (to read its token cache) or why they cannot be used.
	sessions []namedSession
	syncing  map[string]bool // sso-sessions whose sync runs
}

type namedSession struct {
	name string
	s    signin.Session
	err  error
}

// setListing takes in a listing of the AWS files (nil when they could
// not be read) and returns its profile names, in file order.
func (a *app) setListing(l *engine.Listing) []string {
	a.state.Catalog.Listing = l
	if l == nil {
		a.profiles.sessions = nil
		a.refreshSessions()
		return nil
	}
	names := make([]string, len(l.Profiles))
	for i, p := range l.Profiles {
		names[i] = p.Name
	}
	a.profiles.sessions = a.profiles.sessions[:0]
	for _, n := range l.SSOSessions {
		if len(a.profiles.sessions) == maxSyncItems {
			a.log.Debug("more sso-sessions than Sync items; the rest are not offered", "max", maxSyncItems)
			break
		}
		s, err := signin.NamedSession(a.opts.Env, n)
		a.profiles.sessions = append(a.profiles.sessions, namedSession{name: n, s: s, err: err})
	}
	a.refreshSessions()
	return names
}

// refreshSessions reads each sso-session's token cache (a small file
// each, no network) for the Sync items: which are signed in. It runs on
// every tick, so a sign-in made elsewhere (aws sso login) is seen.
func (a *app) refreshSessions() {
	cfg := signin.Config{Env: a.opts.Env, Logger: a.log}
	now := a.opts.Env.Now()
	out := make([]SyncSession, 0, len(a.profiles.sessions))
	for _, ns := range a.profiles.sessions {
		ss := SyncSession{Name: ns.name, Err: ns.err, Syncing: a.profiles.syncing[ns.name]}
		if ns.err == nil {
			st, err := signin.StatusOf(ns.s, cfg)
			ss.Err = err
			ss.SignedIn = err == nil && !st.NeedsSignIn(now)
		}
		out = append(out, ss)
	}
	a.state.Catalog.Sessions = out
}

// catalogFromSettings copies the settings the Profiles menu shows into
// the state.
func (a *app) catalogFromSettings() {
	s := a.settings
	a.state.Catalog.Favourites, a.state.Catalog.Recent, a.state.Catalog.Production = s.Favourites, s.Recent, s.ProductionProfiles
}

// profilesClick acts on a click on the Profiles menu's own items. It
// returns the ID onClick goes on with: "profile:NAME" for any item that
// chooses profile NAME (a slot, the tree, the flat list), which onClick
// saves and notes as the most recent; id itself for other items; ""
// when it was handled here.
func (a *app) profilesClick(id string) string {
	if name, ok := a.clickedProfile(id); ok {
		if name == "" || a.isExportProfile(name) { // the item is disabled
			return ""
		}
		return profilePrefix + name
	}
	if i, ok := slotOf(id, favEditPrefix); ok {
		if list := favEditList(a.state); i < len(list) {
			a.toggleFavourite(list[i])
		}
		return ""
	}
	if i, ok := slotOf(id, syncPrefix); ok {
		a.syncSlot(i)
		return ""
	}
	return id
}

// clickedProfile is the profile the item id chooses, if it is one that
// chooses a profile: "" for a slot past the end of its list. A slot
// means what it shows now (profilesmenu.go).
func (a *app) clickedProfile(id string) (string, bool) {
	slot := func(list []string, i int) (string, bool) {
		if i < len(list) {
			return list[i], true
		}
		return "", true
	}
	if n, ok := strings.CutPrefix(id, profilePrefix); ok {
		return n, true
	}
	if n, ok := pickedProfile(id); ok {
		return n, true
	}
	if i, ok := slotOf(id, favPrefix); ok {
		return slot(shownFavourites(a.state), i)
	}
	if i, ok := slotOf(id, recentPrefix); ok {
		return slot(shownRecent(a.state), i)
	}
	return "", false
}

// toggleFavourite adds profile name to the favourites or removes it, and
// saves the settings. The favourites are those the settings hold then
// (an edit to the file is kept).
func (a *app) toggleFavourite(name string) {
	profiles := a.state.Profiles
	if _, ok := toggleFavourite(a.settings.Favourites, name, profiles); !ok {
		return // full: the item is disabled
	}
	a.updateSettings(func(s *Settings) {
		if favs, ok := toggleFavourite(s.Favourites, name, profiles); ok {
			s.Favourites = favs
		}
	})
}

// pushRecent is recent with name first: each profile once, at most
// MaxRecent, without those the files no longer have (profiles; none are
// dropped while it is empty, the files unread).
func pushRecent(recent []string, name string, profiles []string) []string {
	out := []string{name}
	for _, r := range recent {
		if len(out) == MaxRecent {
			break
		}
		if r == "" || slices.Contains(out, r) || (len(profiles) > 0 && !slices.Contains(profiles, r)) {
			continue
		}
		out = append(out, r)
	}
	return out
}

// toggleFavourite is favs without name if it holds it, else with name
// added at the end; false when name cannot be added because
// MaxFavourites of favs are in the files (profiles) already.
func toggleFavourite(favs []string, name string, profiles []string) ([]string, bool) {
	if slices.Contains(favs, name) {
		return slices.DeleteFunc(slices.Clone(favs), func(f string) bool { return f == name }), true
	}
	n := 0
	for _, f := range favs {
		if slices.Contains(profiles, f) {
			n++
		}
	}
	if n >= MaxFavourites {
		return favs, false
	}
	return append(slices.Clone(favs), name), true
}
