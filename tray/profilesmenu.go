//go:build !darwin || cgo

package tray

import (
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/engine/settings"
)

// The Profiles menu. With at most [FlatProfiles] profiles it lists them
// in file order, favourites first. With more it groups them as the
// engine does ([engine.Listing.Groups]): the profiles on no sign-in
// session first (at the menu's level while there are at most
// FlatProfiles of them, else under "Other profiles"), then one submenu
// per sign-in session, by account:
//
//	Profiles ▸ my-sso ▸ Production (111122223333) ▸ AdminAccess
//
// with the favourites and the profiles used last ([MaxRecent]) at the
// top. Favourites are edited under "Edit favourites", next to Profiles
// in the main menu: a checkmark per favourite, and one for the active profile and
// each recent one that is not yet a favourite. (A toggle inside each
// profile's own submenu would put every profile one level deeper, since a
// dbusmenu item that opens a submenu cannot be clicked as well, and
// would triple the items; the Edit favourites list is at most
// [MaxFavourites]+[MaxRecent]+1 items.)
//
// The adapter creates each item once, where it first appears, and never
// moves it (see adapter). So the menu is laid out to be built once:
//
//   - What reorders lives in slots, a fixed number of items that every
//     menu has, created with the first one and hidden while unused: the
//     favourites, the recent profiles, the Edit favourites list and the
//     Sync items. A click on a slot means what the slot shows now; those
//     lists change only by the user's own clicks and edits (and a
//     profile leaving the files).
//   - An item that chooses a profile in the list or the tree has an ID
//     naming the profile and where it sits ([pickID]): stable for the
//     profile in that place, so that a regrouping creates new items and
//     hides the old ones, and a click always means the profile shown.
//   - The list and the tree come last: what first appears while awsxc
//     runs (a profile added to the files, an account a sync adds) goes to
//     the end of its submenu until awsxc starts again.

const (
	// FlatProfiles is the most profiles the Profiles menu lists without
	// grouping them, and the most profiles on no sign-in session that a
	// grouped menu shows at its own level.
	FlatProfiles = 15
	// MaxRecent is how many of the profiles chosen last the settings keep
	// (recent) and a grouped menu shows.
	MaxRecent = settings.MaxRecent
	// MaxFavourites is how many favourites the menu shows at its top and
	// Edit favourites lets the user add.
	MaxFavourites = 10
	// maxSyncItems is how many sso-sessions get a Sync item.
	maxSyncItems = 8
	// maxFavEdit is the size of the Edit favourites list: every
	// favourite, the active profile and the recent ones.
	maxFavEdit = MaxFavourites + MaxRecent + 1
)

// Item IDs of the Profiles menu (see the comment above for slots).
const (
	idFavEdit      = "favourites"
	favEditPrefix  = "favourites:" // + slot
	idFavEditEmpty = "favourites:none"
	idFavHead      = "favhead"
	favPrefix      = "fav:" // + slot
	idRecentHead   = "recenthead"
	recentPrefix   = "recent:" // + slot
	idAllHead      = "allhead"
	idOthers       = "others"
	syncPrefix     = "sync:" // + slot
	pickPrefix     = "pick:" // see pickID
)

// Marks in labels.
const (
	favMark = "★ "
	// prodMark precedes a production profile, or an account holding
	// one, in the menu.
	prodMark = "⚠ "
	// prodHeadline precedes the headline and the tooltip's status line
	// while the active profile is a production one.
	prodHeadline = "⚠ PROD · "
)

// Catalog is what the Profiles menu and the Sync items are built from,
// beyond the names in [State.Profiles].
type Catalog struct {
	// Listing is the last listing of the AWS files; nil when there is
	// none (the menu is then flat).
	Listing *engine.Listing
	// Favourites, Recent and Production are the settings' favourites,
	// recent and production_profiles.
	Favourites, Recent, Production []string
	// Sessions are the config file's sso-sessions, in file order: what
	// the Sync items offer.
	Sessions []SyncSession
}

// SyncSession is one sso-session as its Sync item shows it.
type SyncSession struct {
	Name string
	// SignedIn says its token works without a new sign-in (unexpired,
	// or refreshable).
	SignedIn bool
	Syncing  bool  // a sync of it runs
	Err      error // why it cannot be signed in to or synced (its settings); nil if it can
}

// IsProduction says profile name is tagged as production by patterns
// (production_profiles): a pattern is a name, or a pattern as path.Match
// reads it ("*" any run of characters but "/", "?" one character,
// "[a-z]" a class, "\" quotes the next character). Letter case is
// ignored. Patterns that are not valid never match (the settings reject
// them).
func IsProduction(name string, patterns []string) bool {
	if len(patterns) == 0 {
		return false
	}
	return matchAny(strings.ToLower(name), lowerAll(patterns))
}

func matchAny(lname string, lpatterns []string) bool {
	for _, p := range lpatterns {
		if p == lname {
			return true
		}
		if ok, _ := path.Match(p, lname); ok {
			return true
		}
	}
	return false
}

func lowerAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.ToLower(s)
	}
	return out
}

// markHeadline puts the production marker before status, the menu's
// first line, while the active profile is a production one.
func markHeadline(s State, status string) string {
	if s.NoConfig || s.Active == "" || !IsProduction(s.Active, s.Catalog.Production) {
		return status
	}
	return prodHeadline + status
}

// grouped says the Profiles menu groups the profiles.
func grouped(s State) bool {
	return s.Catalog.Listing != nil && len(s.Profiles) > FlatProfiles
}

// shownFavourites are the favourites the menu's top shows: those in the
// files, each once, at most MaxFavourites.
func shownFavourites(s State) []string {
	return known(s, s.Catalog.Favourites, MaxFavourites)
}

// shownRecent are the recent profiles a grouped menu shows: those in the
// files, each once, at most MaxRecent.
func shownRecent(s State) []string {
	if !grouped(s) {
		return nil
	}
	return known(s, s.Catalog.Recent, MaxRecent)
}

// known is names without those the files lack and repeats, at most max.
func known(s State, names []string, limit int) []string {
	var out []string
	for _, n := range names {
		if len(out) == limit {
			break
		}
		if n != "" && !slices.Contains(out, n) && slices.Contains(s.Profiles, n) {
			out = append(out, n)
		}
	}
	return out
}

// favEditList is what Edit favourites lists: every favourite of the
// settings (those gone from the files too, so they can be removed), then
// the active profile and the recent ones that are not favourites.
func favEditList(s State) []string {
	var out []string
	add := func(n string) {
		if n != "" && len(out) < maxFavEdit && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	for _, n := range s.Catalog.Favourites {
		add(n)
	}
	for _, n := range append([]string{s.Active}, s.Catalog.Recent...) {
		if n != s.ExportName && slices.Contains(s.Profiles, n) {
			add(n)
		}
	}
	return out
}

// profileMarks builds the items that choose a profile: the same marks
// and rules wherever the profile appears.
type profileMarks struct {
	s    State
	prod []string // production_profiles, lower case
}

func newProfileMarks(s State) *profileMarks {
	return &profileMarks{s: s, prod: lowerAll(s.Catalog.Production)}
}

func (m *profileMarks) production(name string) bool {
	return len(m.prod) > 0 && matchAny(strings.ToLower(name), m.prod)
}

// leaf is the item with label that chooses profile name.
func (m *profileMarks) leaf(id, label, name string) Item {
	return m.markedLeaf(id, label, name, m.production(name))
}

// markedLeaf is leaf for a profile already known to be a production one
// or not (a pattern match per profile is most of a big menu's cost).
func (m *profileMarks) markedLeaf(id, label, name string, prod bool) Item {
	it := Item{ID: id, Label: label, Checkbox: true, Checked: name == m.s.Active}
	if label != name {
		it.Tooltip = name
	}
	if prod {
		it.Label = prodMark + it.Label
		it.Tooltip = strings.TrimPrefix(it.Tooltip+" · production", " · ")
	}
	if name == m.s.ExportName {
		// awsxc's own output: made active, awsxc would read and
		// rewrite it.
		it.Label += " (written by awsxc)"
		it.Disabled, it.Checked = true, false
		it.Tooltip = "awsxc writes this profile (export_name), so it cannot be the active one"
	}
	return it
}

// pickID is the ID of an item that chooses profile name under the item
// parent: the name's length, the name, then the parent, so that any
// name and parent make a distinct ID that [pickedProfile] reads back.
func pickID(name, parent string) string {
	return pickPrefix + strconv.Itoa(len(name)) + ":" + name + "@" + parent
}

// pickedProfile is the profile a pickID names.
func pickedProfile(id string) (string, bool) {
	rest, ok := strings.CutPrefix(id, pickPrefix)
	if !ok {
		return "", false
	}
	n, rest, ok := strings.Cut(rest, ":")
	size, err := strconv.Atoi(n)
	if !ok || err != nil || size < 0 || size > len(rest) {
		return "", false
	}
	return rest[:size], true
}

// slotID is the ID of slot i of a list.
func slotID(prefix string, i int) string { return prefix + strconv.Itoa(i) }

// slotOf is the slot a slotID with prefix names.
func slotOf(id, prefix string) (int, bool) {
	rest, ok := strings.CutPrefix(id, prefix)
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(rest)
	return i, err == nil && i >= 0 && strconv.Itoa(i) == rest // only as slotID writes it
}

// profileItems are the main menu's Profiles submenu, Edit favourites
// and the Sync items.
func profileItems(s State) []Item {
	fav := favEditItem(s, newProfileMarks(s))
	fav.Hidden = len(s.Profiles) == 0
	return append([]Item{profilesMenu(s), fav}, syncItems(s)...)
}

// profilesMenu is the Profiles submenu.
func profilesMenu(s State) Item {
	p := Item{ID: idProfiles, Label: "Profiles", Disabled: len(s.Profiles) == 0}
	if len(s.Profiles) == 0 {
		p.Children = []Item{{ID: profilePrefix, Label: "(no profiles)", Disabled: true}}
		return p
	}
	m := newProfileMarks(s)
	g := grouped(s)
	favs, recent := shownFavourites(s), shownRecent(s)
	kids := make([]Item, 0, 4+MaxFavourites+MaxRecent+len(s.Profiles))
	kids = append(kids, Item{ID: idFavHead, Label: "Favourites", Disabled: true, Hidden: !g || len(favs) == 0})
	for i := range MaxFavourites {
		kids = append(kids, slotLeaf(m, favPrefix, i, favs, favMark))
	}
	kids = append(kids, Item{ID: idRecentHead, Label: "Recent", Disabled: true, Hidden: len(recent) == 0})
	for i := range MaxRecent {
		kids = append(kids, slotLeaf(m, recentPrefix, i, recent, ""))
	}
	kids = append(kids, Item{ID: idAllHead, Label: "All profiles", Disabled: true, Hidden: !g || len(favs)+len(recent) == 0})
	if g {
		kids = append(kids, profileTree(m, s.Catalog.Listing.Groups())...)
	} else {
		for _, n := range s.Profiles {
			it := m.leaf(profilePrefix+n, n, n)
			// Shown among the favourites above; kept here, hidden, so
			// that it stays in file order should it come back.
			it.Hidden = slices.Contains(favs, n)
			kids = append(kids, it)
		}
	}
	p.Children = kids
	return p
}

// slotLeaf is slot i of a list of profiles, hidden past its end.
func slotLeaf(m *profileMarks, prefix string, i int, names []string, mark string) Item {
	if i >= len(names) {
		return Item{ID: slotID(prefix, i), Checkbox: true, Hidden: true}
	}
	it := m.leaf(slotID(prefix, i), names[i], names[i])
	it.Label = mark + it.Label
	return it
}

// favEditItem is Edit favourites: a checkmark per profile of
// favEditList, on for favourites; a click adds or removes it.
func favEditItem(s State, m *profileMarks) Item {
	list := favEditList(s)
	nfav := len(known(s, s.Catalog.Favourites, len(s.Catalog.Favourites)))
	full := nfav >= MaxFavourites
	it := Item{ID: idFavEdit, Label: "Edit favourites"}
	it.Children = append(it.Children, Item{ID: idFavEditEmpty, Label: "Choose a profile, then add it here", Disabled: true,
		Hidden: len(list) > 0})
	for i := range maxFavEdit {
		c := Item{ID: slotID(favEditPrefix, i), Checkbox: true, Hidden: i >= len(list)}
		if i < len(list) {
			n := list[i]
			c.Label, c.Checked = n, slices.Contains(s.Catalog.Favourites, n)
			if m.production(n) {
				c.Label = prodMark + c.Label
			}
			switch {
			case c.Checked && !slices.Contains(s.Profiles, n):
				c.Label += " (not in the AWS files)"
			case !c.Checked && full:
				c.Label += " (favourites are full)"
				c.Disabled = true
				c.Tooltip = "at most " + strconv.Itoa(MaxFavourites) + " favourites: remove one first"
			}
		}
		it.Children = append(it.Children, c)
	}
	return it
}

// profileTree is the grouped part of the menu: the profiles on no
// sign-in session, then a submenu per session with one per account.
func profileTree(m *profileMarks, g engine.ProfileGroups) []Item {
	var out []Item
	if len(g.Others) <= FlatProfiles {
		// At this level, under the same IDs as in a flat menu: a menu
		// that grows past FlatProfiles keeps these items where they were.
		for _, p := range g.Others {
			out = append(out, m.leaf(profilePrefix+p.Name, p.Name, p.Name))
		}
	} else {
		o := Item{ID: idOthers, Label: "Other profiles", Children: make([]Item, 0, len(g.Others))}
		for _, p := range g.Others {
			o.Children = append(o.Children, m.leaf(pickID(p.Name, idOthers), p.Name, p.Name))
		}
		out = append(out, o)
	}
	for _, sg := range g.Sessions {
		if len(sg.Accounts) == 0 {
			continue // no profile yet: its Sync item is in the main menu
		}
		out = append(out, sessionItem(m, sg))
	}
	return out
}

// sessionItem is one sign-in session's submenu: its accounts' submenus,
// then the profiles that name no account.
func sessionItem(m *profileMarks, sg engine.SessionGroup) Item {
	id := "session:" + sg.Session
	if sg.Legacy {
		id = "starturl:" + sg.Session
	}
	it := Item{ID: id, Label: sg.Session}
	for _, a := range sg.Accounts {
		if a.ID == "" {
			for _, p := range a.Profiles {
				it.Children = append(it.Children, m.leaf(pickID(p.Name, id), p.Name, p.Name))
			}
			continue
		}
		it.Children = append(it.Children, accountItem(m, id, a))
	}
	return it
}

// accountItem is one account's submenu, under the session item parent:
// its profiles by role name, or by profile name where the role does not
// tell them apart (or is unknown).
func accountItem(m *profileMarks, parent string, a engine.AccountGroup) Item {
	id := parent + "/" + strconv.Itoa(len(a.ID)) + ":" + a.ID
	it := Item{ID: id, Label: a.Label(), Children: make([]Item, 0, len(a.Profiles))}
	prod := false
	for i, p := range a.Profiles {
		label := p.RoleName
		// Sorted by role name: a role shared with a neighbour needs the
		// profile's name too.
		shared := (i > 0 && a.Profiles[i-1].RoleName == label) || (i+1 < len(a.Profiles) && a.Profiles[i+1].RoleName == label)
		switch {
		case label == "":
			label = p.Name
		case shared && label != p.Name:
			label += " (" + p.Name + ")"
		}
		pp := m.production(p.Name)
		prod = prod || pp
		it.Children = append(it.Children, m.markedLeaf(pickID(p.Name, id), label, p.Name, pp))
	}
	if prod {
		it.Label = prodMark + it.Label
	}
	return it
}

// syncItems are the main menu's Sync items, one slot per sso-session of
// the config file.
func syncItems(s State) []Item {
	out := make([]Item, maxSyncItems)
	for i := range out {
		out[i] = Item{ID: slotID(syncPrefix, i), Hidden: true}
		if i >= len(s.Catalog.Sessions) || s.NoConfig {
			continue
		}
		ss := s.Catalog.Sessions[i]
		it := &out[i]
		it.Hidden = false
		it.Label = "Sync profiles from " + ss.Name
		it.Tooltip = "write a profile for every account and role " + ss.Name + " can use into the AWS config file"
		switch {
		case ss.Syncing:
			it.Label, it.Disabled = "Syncing profiles from "+ss.Name+"…", true
		case ss.Err != nil:
			it.Label += " (check its settings)"
			it.Disabled, it.Tooltip = true, ss.Err.Error()
		case !ss.SignedIn:
			it.Label += " (Sign in to " + ss.Name + " first)"
			it.Disabled = true
		}
	}
	return out
}
