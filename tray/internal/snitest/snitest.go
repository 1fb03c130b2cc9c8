// Package snitest drives a StatusNotifierItem tray app over D-Bus in
// tests: a private session bus, a fake org.kde.StatusNotifierWatcher, and
// helpers that read the com.canonical.dbusmenu layout and click items, as
// a panel would. Nothing here fakes the app: it talks to the real
// fyne.io/systray exports.
//
// The bus, the X server and the tool checks come from internal/desktoptest.
package snitest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/prop"
)

// Watcher is a fake org.kde.StatusNotifierWatcher. Registered receives
// "busname/path" for each item that registers.
type Watcher struct {
	Conn       *dbus.Conn
	Registered chan string
}

// RegisterStatusNotifierItem is called by the app. It passes a path, so
// the item is the caller's unique name joined with it.
func (w *Watcher) RegisterStatusNotifierItem(service string, sender dbus.Sender) *dbus.Error {
	item := service
	if strings.HasPrefix(service, "/") {
		item = string(sender) + service
	}
	select {
	case w.Registered <- item:
	default:
	}
	return nil
}

// RegisterStatusNotifierHost is part of the interface; hosts are not
// tracked.
func (w *Watcher) RegisterStatusNotifierHost(string) *dbus.Error { return nil }

// StartWatcher connects to the bus at addr and owns
// org.kde.StatusNotifierWatcher there.
func StartWatcher(t testing.TB, addr string) *Watcher {
	t.Helper()
	conn := Connect(t, addr)
	w := &Watcher{Conn: conn, Registered: make(chan string, 8)}
	if err := conn.Export(w, "/StatusNotifierWatcher", "org.kde.StatusNotifierWatcher"); err != nil {
		t.Fatal(err)
	}
	_, err := prop.Export(conn, "/StatusNotifierWatcher", prop.Map{
		"org.kde.StatusNotifierWatcher": {
			"IsStatusNotifierHostRegistered": {Value: true},
			"RegisteredStatusNotifierItems":  {Value: []string{}},
			"ProtocolVersion":                {Value: int32(0)},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	r, err := conn.RequestName("org.kde.StatusNotifierWatcher", dbus.NameFlagDoNotQueue)
	if err != nil || r != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("RequestName(org.kde.StatusNotifierWatcher) = %v, %v", r, err)
	}
	return w
}

// Wait returns the next registered item, or fails after timeout.
func (w *Watcher) Wait(t testing.TB, timeout time.Duration) string {
	t.Helper()
	select {
	case item := <-w.Registered:
		return item
	case <-time.After(timeout):
		t.Fatalf("no item registered within %v", timeout)
		return ""
	}
}

// Connect opens a connection to the bus at addr, closed with the test.
func Connect(t testing.TB, addr string) *dbus.Conn {
	t.Helper()
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// Item is one dbusmenu node.
type Item struct {
	ID       int32
	Props    map[string]dbus.Variant
	Children []Item
}

// Label is the item's label property, as the app sent it.
func (it Item) Label() string { s, _ := it.Props["label"].Value().(string); return s }

// Text is the label as a dbusmenu host shows it: the property marks a
// keyboard accelerator with an underscore, which is not shown ("_Quit"
// shows "Quit"), and a literal underscore is doubled ("dev__admin" shows
// "dev_admin"), as GTK's mnemonic labels and Qt's dbusmenu importer read
// it. A lone underscore at the end is kept.
func (it Item) Text() string { return DisplayLabel(it.Label()) }

// DisplayLabel is what a dbusmenu host shows for the label property l
// (see [Item.Text]).
func DisplayLabel(l string) string {
	var b strings.Builder
	for i := 0; i < len(l); i++ {
		if l[i] == '_' && i+1 < len(l) {
			i++ // "__" is "_"; "_x" is "x"
		}
		b.WriteByte(l[i])
	}
	return b.String()
}

// Enabled reports the enabled property; a missing key means true.
func (it Item) Enabled() bool {
	v, ok := it.Props["enabled"]
	if !ok {
		return true
	}
	b, _ := v.Value().(bool)
	return b
}

// Visible reports the visible property; a missing key means true.
func (it Item) Visible() bool {
	v, ok := it.Props["visible"]
	if !ok {
		return true
	}
	b, _ := v.Value().(bool)
	return b
}

// Checked reports whether a checkmark item is on.
func (it Item) Checked() bool { n, _ := it.Props["toggle-state"].Value().(int32); return n == 1 }

// Separator reports whether the item is a separator.
func (it Item) Separator() bool { s, _ := it.Props["type"].Value().(string); return s == "separator" }

// String renders the visible tree, one item a line, for failure messages.
func (it Item) String() string {
	var b strings.Builder
	var walk func(Item, string)
	walk = func(it Item, indent string) {
		for _, c := range it.Children {
			if !c.Visible() {
				continue
			}
			switch {
			case c.Separator():
				b.WriteString(indent + "----\n")
			default:
				flags := ""
				if c.Checked() {
					flags += " [x]"
				}
				if !c.Enabled() {
					flags += " (disabled)"
				}
				fmt.Fprintf(&b, "%s%s%s\n", indent, c.Text(), flags)
			}
			walk(c, indent+"  ")
		}
	}
	walk(it, "")
	return b.String()
}

// Find returns the first visible item whose label, as a host shows it
// ([Item.Text]), has the prefix.
func (it Item) Find(prefix string) (Item, bool) {
	for _, c := range it.Children {
		if !c.Visible() {
			continue
		}
		if strings.HasPrefix(c.Text(), prefix) {
			return c, true
		}
		if f, ok := c.Find(prefix); ok {
			return f, true
		}
	}
	return Item{}, false
}

// Tray is a registered StatusNotifierItem seen from a host.
type Tray struct {
	Conn *dbus.Conn
	Bus  string         // the app's bus name
	SNI  dbus.BusObject // /StatusNotifierItem
	Menu dbus.BusObject // the object its Menu property names
}

// Open resolves a registered item ("busname/path") to its SNI and menu
// objects, reading the Menu property rather than assuming a path (it
// moved in fyne.io/systray v1.12).
func Open(t testing.TB, conn *dbus.Conn, item string) *Tray {
	t.Helper()
	i := strings.Index(item, "/")
	bus, path := item[:i], item[i:]
	sni := conn.Object(bus, dbus.ObjectPath(path))
	// systray takes its bus name before it exports the properties, so
	// someone watching the name may have to wait a moment.
	var v dbus.Variant
	var err error
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		v, err = sni.GetProperty("org.kde.StatusNotifierItem.Menu")
		if err == nil || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		t.Fatalf("read Menu property: %v", err)
	}
	mp, ok := v.Value().(dbus.ObjectPath)
	if !ok {
		t.Fatalf("Menu property = %v, want an object path", v)
	}
	return &Tray{Conn: conn, Bus: bus, SNI: sni, Menu: conn.Object(bus, mp)}
}

// Layout reads the whole menu.
func (tr *Tray) Layout(t testing.TB) Item {
	t.Helper()
	var rev uint32
	var root []any
	call := tr.Menu.Call("com.canonical.dbusmenu.GetLayout", 0, int32(0), int32(-1), []string{})
	if call.Err != nil {
		t.Fatalf("GetLayout: %v", call.Err)
	}
	if err := call.Store(&rev, &root); err != nil {
		t.Fatalf("GetLayout: %v", err)
	}
	return decode(root)
}

func decode(v []any) Item {
	it := Item{ID: v[0].(int32), Props: v[1].(map[string]dbus.Variant)}
	for _, c := range v[2].([]dbus.Variant) {
		it.Children = append(it.Children, decode(c.Value().([]any)))
	}
	return it
}

// Tooltip returns the text of the ToolTip property.
func (tr *Tray) Tooltip(t testing.TB) string {
	t.Helper()
	v, err := tr.SNI.GetProperty("org.kde.StatusNotifierItem.ToolTip")
	if err != nil {
		t.Fatalf("read ToolTip: %v", err)
	}
	// (sa(iiay)ss): icon name, icon pixmaps, title, text
	fields, ok := v.Value().([]any)
	if !ok || len(fields) < 4 {
		t.Fatalf("ToolTip = %#v", v.Value())
	}
	title, _ := fields[2].(string)
	text, _ := fields[3].(string)
	if text == "" {
		return title
	}
	return title + "\n" + text
}

// Click sends a "clicked" event to the item with the label prefix,
// failing if it is not there or disabled.
func (tr *Tray) Click(t testing.TB, prefix string) {
	t.Helper()
	root := tr.Layout(t)
	it, ok := root.Find(prefix)
	if !ok {
		t.Fatalf("no menu item %q in:\n%s", prefix, root)
	}
	if !it.Enabled() {
		t.Fatalf("menu item %q is disabled:\n%s", prefix, root)
	}
	call := tr.Menu.Call("com.canonical.dbusmenu.Event", 0, it.ID, "clicked",
		dbus.MakeVariant(int32(0)), uint32(time.Now().Unix()))
	if call.Err != nil {
		t.Fatalf("click %q: %v", prefix, call.Err)
	}
}

// WaitFor polls the layout until cond holds, failing after timeout with
// the last layout.
func (tr *Tray) WaitFor(t testing.TB, timeout time.Duration, what string, cond func(Item) bool) Item {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		root := tr.Layout(t)
		if cond(root) {
			return root
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s; menu:\n%s", timeout, what, root)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// WaitLabel waits until an item's label, as a host shows it, starts
// with prefix.
func (tr *Tray) WaitLabel(t testing.TB, timeout time.Duration, prefix string) Item {
	t.Helper()
	var found Item
	tr.WaitFor(t, timeout, "an item "+prefix, func(root Item) bool {
		it, ok := root.Find(prefix)
		found = it
		return ok
	})
	return found
}

// Pixmap is one image of an icon property: width, height, and ARGB32
// pixels in network byte order, row by row.
type Pixmap struct {
	W, H int32
	ARGB []byte
}

// IconPixmap reads the IconPixmap property: the icon the app shows now.
func (tr *Tray) IconPixmap(t testing.TB) []Pixmap {
	t.Helper()
	v, err := tr.SNI.GetProperty("org.kde.StatusNotifierItem.IconPixmap")
	if err != nil {
		t.Fatalf("read IconPixmap: %v", err)
	}
	var px []Pixmap
	if err := dbus.Store([]any{v.Value()}, &px); err != nil {
		t.Fatalf("IconPixmap = %#v: %v", v.Value(), err)
	}
	return px
}
