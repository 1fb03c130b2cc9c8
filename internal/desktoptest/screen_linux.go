package desktoptest

import (
	"testing"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/prop"
)

// Logind is a stand-in for systemd-logind on a private bus used as the
// system bus (point DBUS_SYSTEM_BUS_ADDRESS at it): it owns
// org.freedesktop.login1, answers GetSessionByPID and GetSession with one
// session, whose LockedHint property it keeps, and sends PrepareForSleep.
type Logind struct {
	conn    *dbus.Conn
	props   *prop.Properties
	Session dbus.ObjectPath // the session's object path
}

type logindManager struct{ session dbus.ObjectPath }

// GetSessionByPID answers for any process: it is in the one session.
func (m logindManager) GetSessionByPID(uint32) (dbus.ObjectPath, *dbus.Error) { return m.session, nil }

// GetSession answers "auto" and "self" with the one session.
func (m logindManager) GetSession(id string) (dbus.ObjectPath, *dbus.Error) {
	if id != "auto" && id != "self" {
		return "", dbus.NewError("org.freedesktop.login1.NoSuchSession", []any{"no session " + id})
	}
	return m.session, nil
}

// StartLogind starts the stand-in on the bus at addr, until the test ends.
func StartLogind(t testing.TB, addr string) *Logind {
	t.Helper()
	conn := connect(t, addr)
	l := &Logind{conn: conn, Session: "/org/freedesktop/login1/session/_31"}
	if err := conn.Export(logindManager{l.Session}, "/org/freedesktop/login1", "org.freedesktop.login1.Manager"); err != nil {
		t.Fatal(err)
	}
	props, err := prop.Export(conn, l.Session, prop.Map{
		"org.freedesktop.login1.Session": {"LockedHint": {Value: false, Emit: prop.EmitTrue}},
	})
	if err != nil {
		t.Fatal(err)
	}
	l.props = props
	own(t, conn, "org.freedesktop.login1")
	return l
}

// SetLocked sets LockedHint, which sends PropertiesChanged on the
// session's path, as logind does when the desktop calls SetLockedHint.
func (l *Logind) SetLocked(t testing.TB, on bool) {
	t.Helper()
	l.props.SetMust("org.freedesktop.login1.Session", "LockedHint", on)
}

// PrepareForSleep sends the signal: true before suspending, false after
// resuming.
func (l *Logind) PrepareForSleep(t testing.TB, start bool) {
	t.Helper()
	if err := l.conn.Emit("/org/freedesktop/login1", "org.freedesktop.login1.Manager.PrepareForSleep", start); err != nil {
		t.Fatal(err)
	}
}

// Screensaver is a stand-in for a desktop's screensaver service on the
// session bus: it owns its name (org.gnome.ScreenSaver, say), answers
// GetActive and sends ActiveChanged.
type Screensaver struct {
	conn   *dbus.Conn
	name   string
	path   dbus.ObjectPath
	active chan bool // holds the state; a channel of one as a lock
}

type screensaverObject struct{ s *Screensaver }

// GetActive answers whether the screensaver is up.
func (o screensaverObject) GetActive() (bool, *dbus.Error) {
	on := <-o.s.active
	o.s.active <- on
	return on, nil
}

// StartScreensaver owns name on the bus at addr and serves its interface
// (named like it) at path, until the test ends.
func StartScreensaver(t testing.TB, addr, name string, path dbus.ObjectPath) *Screensaver {
	t.Helper()
	conn := connect(t, addr)
	s := &Screensaver{conn: conn, name: name, path: path, active: make(chan bool, 1)}
	s.active <- false
	if err := conn.Export(screensaverObject{s}, path, name); err != nil {
		t.Fatal(err)
	}
	own(t, conn, name)
	return s
}

// SetActive changes the state and sends ActiveChanged.
func (s *Screensaver) SetActive(t testing.TB, on bool) {
	t.Helper()
	<-s.active
	s.active <- on
	if err := s.conn.Emit(s.path, s.name+".ActiveChanged", on); err != nil {
		t.Fatal(err)
	}
}

// Quit leaves the bus, as a screensaver that exits or crashes does.
func (s *Screensaver) Quit() { s.conn.Close() }

func connect(t testing.TB, addr string) *dbus.Conn {
	t.Helper()
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func own(t testing.TB, conn *dbus.Conn, name string) {
	t.Helper()
	r, err := conn.RequestName(name, dbus.NameFlagDoNotQueue)
	if err != nil || r != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("RequestName(%s) = %v, %v", name, r, err)
	}
}
