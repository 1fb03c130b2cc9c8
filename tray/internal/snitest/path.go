package snitest

import (
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// Path follows a path of labels down from it, as a user opens
// submenus: at each level the first visible child whose label, as a
// host shows it, has the prefix. Path("Profiles", "my-sso", "Production
// (") is that submenu.
func (it Item) Path(prefixes ...string) (Item, bool) {
	cur := it
	for _, p := range prefixes {
		found := false
		for _, c := range cur.Children {
			if c.Visible() && !c.Separator() && strings.HasPrefix(c.Text(), p) {
				cur, found = c, true
				break
			}
		}
		if !found {
			return Item{}, false
		}
	}
	return cur, true
}

// Shown returns the visible children of it, separators included.
func (it Item) Shown() []Item {
	var out []Item
	for _, c := range it.Children {
		if c.Visible() {
			out = append(out, c)
		}
	}
	return out
}

// ClickPath clicks the item at the end of a path of labels ([Item.Path])
// in the menu as it is now, failing if it is not there or disabled, and
// returns it.
func (tr *Tray) ClickPath(t testing.TB, prefixes ...string) Item {
	t.Helper()
	root := tr.Layout(t)
	it, ok := root.Path(prefixes...)
	if !ok {
		t.Fatalf("no menu item %q in:\n%s", prefixes, root)
	}
	if !it.Enabled() {
		t.Fatalf("menu item %q is disabled:\n%s", prefixes, root)
	}
	call := tr.Menu.Call("com.canonical.dbusmenu.Event", 0, it.ID, "clicked",
		dbus.MakeVariant(int32(0)), uint32(time.Now().Unix()))
	if call.Err != nil {
		t.Fatalf("click %q: %v", prefixes, call.Err)
	}
	return it
}

// Count returns how many items the tree under it holds, hidden ones
// included: what the app publishes.
func (it Item) Count() int {
	n := len(it.Children)
	for _, c := range it.Children {
		n += c.Count()
	}
	return n
}
