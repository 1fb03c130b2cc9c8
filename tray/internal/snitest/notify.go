package snitest

import (
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// Note is one notification an app sent.
type Note struct{ App, Summary, Body string }

// Notifications is a fake org.freedesktop.Notifications server: the
// notifications sent to it arrive on Got.
type Notifications struct {
	Got chan Note
}

// Notify is the org.freedesktop.Notifications method apps call.
func (n *Notifications) Notify(app string, replaces uint32, icon, summary, body string,
	actions []string, hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	select {
	case n.Got <- Note{app, summary, body}:
	default:
	}
	return 1, nil
}

// StartNotifications owns org.freedesktop.Notifications on the bus at
// addr until the test ends.
func StartNotifications(t testing.TB, addr string) *Notifications {
	t.Helper()
	conn := Connect(t, addr)
	n := &Notifications{Got: make(chan Note, 64)}
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
