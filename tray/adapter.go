//go:build !darwin || cgo

package tray

import (
	"context"
	"runtime"
	"time"

	"fyne.io/systray"
)

// adapter applies a [Menu] to fyne.io/systray items. Items are created
// the first time their ID appears and never removed: systray cannot
// reorder items, and removing and re-adding makes some hosts drop
// submenus (fyne-io/fyne#4843), so an item that leaves the model is
// hidden instead. Only what changed is sent, since each change makes the
// host fetch the whole layout again.
//
// Labels are escaped here, and only here, for the platform's menu (see
// [menuLabel]): the model holds them as the user is to read them.
//
// Only the event loop calls apply.
type adapter struct {
	ctx      context.Context
	clicks   chan<- string                // receives the ID of each clicked item
	items    map[string]*systray.MenuItem // by Item.ID
	last     map[string]Item              // what was applied, without children
	children map[string][]string          // parent ID ("" for the root) -> child IDs applied
	seps     map[string]bool              // separators created
	tooltip  string
	icon     IconState
	iconSet  bool      // icon was applied
	started  time.Time // when the adapter was made (iconResend)
}

// iconResend is how long after the start a forced apply sends the icon
// again: fyne.io/systray reads the icon for its D-Bus export before it
// publishes the properties, so an icon set in between is lost (as the
// tooltip is; the host then shows the first icon, the grey one, until
// the state changes). Past the start-up the icon is sent on change only.
const iconResend = 2 * time.Minute

func newAdapter(ctx context.Context, clicks chan<- string) *adapter {
	return &adapter{ctx: ctx, clicks: clicks, items: map[string]*systray.MenuItem{},
		last: map[string]Item{}, children: map[string][]string{}, seps: map[string]bool{}, started: time.Now()}
}

// apply shows m. With force the tooltip (and, at start-up, the icon) is
// sent even if unchanged: a
// SetTooltip that races with systray exporting its properties at start-up
// is lost (the value is read for the export, then the update finds no
// properties yet), so the loop re-sends it on every tick.
func (a *adapter) apply(m Menu, force bool) {
	if !a.iconSet || m.Icon != a.icon || force && time.Since(a.started) < iconResend {
		setIcon(m.Icon)
		a.icon, a.iconSet = m.Icon, true
	}
	if force || m.Tooltip != a.tooltip {
		systray.SetTooltip(iconTooltip(runtime.GOOS, m.Tooltip))
		a.tooltip = m.Tooltip
	}
	a.applyItems("", nil, m.Items)
}

func (a *adapter) applyItems(parentID string, parent *systray.MenuItem, items []Item) {
	seen := make(map[string]bool, len(items))
	for _, it := range items {
		seen[it.ID] = true
		if it.Separator {
			if !a.seps[it.ID] {
				if parent == nil {
					systray.AddSeparator()
				} else {
					parent.AddSeparator()
				}
				a.seps[it.ID] = true
			}
			continue
		}
		mi, ok := a.items[it.ID]
		prev := a.last[it.ID]
		if !ok {
			mi = a.create(parent, it)
			a.children[parentID] = append(a.children[parentID], it.ID)
			prev = Item{ID: it.ID, Label: it.Label, Tooltip: it.Tooltip, Checkbox: it.Checkbox, Checked: it.Checked}
		}
		if prev.Label != it.Label {
			mi.SetTitle(menuLabel(runtime.GOOS, it.Label))
		}
		if prev.Tooltip != it.Tooltip {
			mi.SetTooltip(it.Tooltip)
		}
		if prev.Checked != it.Checked {
			if it.Checked {
				mi.Check()
			} else {
				mi.Uncheck()
			}
		}
		if prev.Disabled != it.Disabled {
			if it.Disabled {
				mi.Disable()
			} else {
				mi.Enable()
			}
		}
		kids := it.Children
		it.Children = nil
		// A Win32 menu drops an item added under one that is not in the
		// menu (hidden, or hidden before its first child made it a
		// submenu): fyne.io/systray logs "unable to addOrUpdateMenuItem"
		// and the submenu stays empty for good. So new children are added
		// while their parent is shown, and it is hidden after them.
		hide := it.Hidden && (!prev.Hidden || a.newKids(it.ID, kids))
		if prev.Hidden && (!it.Hidden || hide) {
			mi.Show()
		}
		a.last[it.ID] = it
		if len(kids) > 0 || len(a.children[it.ID]) > 0 {
			a.applyItems(it.ID, mi, kids)
		}
		if hide {
			mi.Hide()
		}
	}
	// Hide what this level had before and the model no longer has.
	for _, id := range a.children[parentID] {
		if seen[id] {
			continue
		}
		if prev, ok := a.last[id]; ok && !prev.Hidden {
			a.items[id].Hide()
			prev.Hidden = true
			a.last[id] = prev
		}
	}
}

// newKids says whether kids holds an item or separator that parentID's
// submenu does not have yet.
func (a *adapter) newKids(parentID string, kids []Item) bool {
	for _, k := range kids {
		if k.Separator && !a.seps[k.ID] || !k.Separator && a.items[k.ID] == nil {
			return true
		}
	}
	return false
}

func (a *adapter) create(parent *systray.MenuItem, it Item) *systray.MenuItem {
	var mi *systray.MenuItem
	label := menuLabel(runtime.GOOS, it.Label)
	switch {
	case parent == nil && it.Checkbox:
		mi = systray.AddMenuItemCheckbox(label, it.Tooltip, it.Checked)
	case parent == nil:
		mi = systray.AddMenuItem(label, it.Tooltip)
	case it.Checkbox:
		mi = parent.AddSubMenuItemCheckbox(label, it.Tooltip, it.Checked)
	default:
		mi = parent.AddSubMenuItem(label, it.Tooltip)
	}
	a.items[it.ID] = mi
	go a.forward(it.ID, mi)
	return mi
}

// forward waits on one item's ClickedCh for as long as the tray runs.
// systray sends clicks without blocking and drops those nobody waits for,
// so every item has a goroutine that does nothing but receive and hand
// the ID to the event loop.
func (a *adapter) forward(id string, mi *systray.MenuItem) {
	for {
		select {
		case <-mi.ClickedCh:
			select {
			case a.clicks <- id:
			case <-a.ctx.Done():
				return
			}
		case <-a.ctx.Done():
			return
		}
	}
}
