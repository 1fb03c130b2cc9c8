package snitest

import (
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// Note is one notification an app sent: its id, and its actions as
// sent (key, label, key, label...).
type Note struct {
	App, Summary, Body string
	ID                 uint32
	Actions            []string
}

// Notifications is a fake org.freedesktop.Notifications server: the
// notifications sent to it arrive on Got.
type Notifications struct {
	Got  chan Note
	conn *dbus.Conn
	caps []string
	mu   sync.Mutex // protects next
	next uint32
}

// GetCapabilities is the org.freedesktop.Notifications method apps call
// to learn whether actions are shown.
func (n *Notifications) GetCapabilities() ([]string, *dbus.Error) {
	return append([]string{"body"}, n.caps...), nil
}

// Notify is the org.freedesktop.Notifications method apps call.
func (n *Notifications) Notify(app string, replaces uint32, icon, summary, body string,
	actions []string, hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	n.mu.Lock()
	n.next++
	id := n.next
	n.mu.Unlock()
	select {
	case n.Got <- Note{App: app, Summary: summary, Body: body, ID: id, Actions: actions}:
	default:
	}
	return id, nil
}

// Invoke sends ActionInvoked for notification id, as the server does
// when the user chooses one of its actions.
func (n *Notifications) Invoke(t testing.TB, id uint32, key string) {
	t.Helper()
	if err := n.conn.Emit("/org/freedesktop/Notifications", "org.freedesktop.Notifications.ActionInvoked", id, key); err != nil {
		t.Fatal(err)
	}
}

// StartNotifications owns org.freedesktop.Notifications on the bus at
// addr until the test ends. caps are its capabilities besides "body":
// "actions" makes apps send actions.
func StartNotifications(t testing.TB, addr string, caps ...string) *Notifications {
	t.Helper()
	conn := Connect(t, addr)
	n := &Notifications{Got: make(chan Note, 64), conn: conn, caps: caps}
	if err := conn.Export(n, "/org/freedesktop/Notifications", "org.freedesktop.Notifications"); err != nil {
		t.Fatal(err)
	}
	r, err := conn.RequestName("org.freedesktop.Notifications", dbus.NameFlagDoNotQueue)
	if err != nil || r != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("RequestName(org.freedesktop.Notifications) = %v, %v", r, err)
	}
	return n
}

// Wait returns the first notification whose summary is summary, failing
// after timeout; others are dropped.
func (n *Notifications) Wait(t testing.TB, timeout time.Duration, summary string) Note {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case got := <-n.Got:
			if got.Summary == summary {
				return got
			}
		case <-deadline:
			t.Fatalf("no notification %q within %v", summary, timeout)
			return Note{}
		}
	}
}
