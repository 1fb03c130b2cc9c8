package platform

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/awsxc/awsxc/internal/desktoptest"
	"github.com/godbus/dbus/v5"
	"github.com/google/go-cmp/cmp"
)

// actionsServer is org.freedesktop.Notifications with a capability list,
// recording the actions of each notification.
type actionsServer struct {
	conn *dbus.Conn
	caps []string
	// instant, when set, is chosen before Notify even answers: the
	// signal reaches the client ahead of the reply.
	instant string
	mu      sync.Mutex
	got     map[uint32][]string // actions by id
	next    uint32
}

func (s *actionsServer) GetCapabilities() ([]string, *dbus.Error) { return s.caps, nil }

func (s *actionsServer) Notify(app string, replaces uint32, icon, summary, body string,
	actions []string, hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	s.got[s.next] = actions
	if s.instant != "" {
		s.conn.Emit(notifPath, notifIface+".ActionInvoked", s.next, s.instant)
	}
	return s.next, nil
}

func (s *actionsServer) actions(id uint32) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.got[id]
}

func (s *actionsServer) count() uint32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.next
}

func startActionsServer(t *testing.T, addr string, caps ...string) (*dbus.Conn, *actionsServer) {
	t.Helper()
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	s := &actionsServer{conn: conn, caps: caps, got: map[uint32][]string{}}
	if err := conn.Export(s, notifPath, notifIface); err != nil {
		t.Fatal(err)
	}
	if r, err := conn.RequestName(notifName, dbus.NameFlagDoNotQueue); err != nil || r != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("RequestName: %v, %v", r, err)
	}
	return conn, s
}

// TestNotifierActions: with the "actions" capability the notification
// carries the buttons, and the ActionInvoked signal of the service (not
// of another client, and not for another notification) reports the
// choice, once; a closed notification reports nothing.
func TestNotifierActions(t *testing.T) {
	addr := desktoptest.StartBus(t)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	conn, srv := startActionsServer(t, addr, "body", "actions")
	n := NewNotifier()
	defer n.Close()
	if !n.Actions() {
		t.Error("Actions() = false with the capability")
	}
	chosen := make(chan string, 4)
	offered, err := n.Notify("Sign-in to my-sso ends in 15 min", "body", []Action{{"signin", "Sign in"}}, func(k string) { chosen <- k })
	if err != nil || !offered {
		t.Fatalf("Notify = %v, %v; want the actions offered", offered, err)
	}
	if diff := cmp.Diff([]string{"signin", "Sign in"}, srv.actions(1)); diff != "" {
		t.Errorf("actions sent (-want +got):\n%s", diff)
	}

	// Another client makes up a choice: ignored.
	other, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	other.Emit(notifPath, notifIface+".ActionInvoked", uint32(1), "signin")
	// The service reports a choice of another notification, and one of
	// a malformed body: ignored.
	conn.Emit(notifPath, notifIface+".ActionInvoked", uint32(99), "signin")
	conn.Emit(notifPath, notifIface+".ActionInvoked", "1", "signin")
	// The real one, twice: reported once.
	conn.Emit(notifPath, notifIface+".ActionInvoked", uint32(1), "signin")
	conn.Emit(notifPath, notifIface+".ActionInvoked", uint32(1), "signin")
	select {
	case k := <-chosen:
		if k != "signin" {
			t.Errorf("chosen %q", k)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the choice was not reported")
	}
	select {
	case k := <-chosen:
		t.Errorf("a second choice %q was reported", k)
	case <-time.After(200 * time.Millisecond):
	}

	// Closed before a choice: nothing comes, even if a late signal does.
	if _, err := n.Notify("second", "body", []Action{{"signin", "Sign in"}}, func(k string) { chosen <- "second:" + k }); err != nil {
		t.Fatal(err)
	}
	conn.Emit(notifPath, notifIface+".NotificationClosed", uint32(2), uint32(2))
	time.Sleep(100 * time.Millisecond)
	conn.Emit(notifPath, notifIface+".ActionInvoked", uint32(2), "signin")
	select {
	case k := <-chosen:
		t.Errorf("%q reported for a closed notification", k)
	case <-time.After(200 * time.Millisecond):
	}
}

// TestNotifierNoActions: a service without the capability gets the
// notification without buttons, and the caller hears so.
func TestNotifierNoActions(t *testing.T) {
	addr := desktoptest.StartBus(t)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	_, srv := startActionsServer(t, addr, "body")
	n := NewNotifier()
	defer n.Close()
	if n.Actions() {
		t.Error("Actions() = true without the capability")
	}
	offered, err := n.Notify("s", "b", []Action{{"signin", "Sign in"}}, func(string) {})
	if err != nil || offered {
		t.Fatalf("Notify = %v, %v; want no actions offered", offered, err)
	}
	if got := srv.actions(1); len(got) != 0 {
		t.Errorf("actions sent to a service without them: %q", got)
	}
	// The connection is kept and used again.
	if _, err := n.Notify("s2", "b", nil, nil); err != nil {
		t.Fatal(err)
	}
	if n := srv.count(); n != 2 {
		t.Errorf("%d notifications arrived, want 2", n)
	}
}

// TestNotifierReconnects: a Notifier whose connection was closed
// connects again.
func TestNotifierReconnects(t *testing.T) {
	addr := desktoptest.StartBus(t)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	_, srv := startActionsServer(t, addr, "actions")
	n := NewNotifier()
	for i := range 2 {
		if offered, err := n.Notify(fmt.Sprint("s", i), "b", []Action{{"k", "K"}}, func(string) {}); err != nil || !offered {
			t.Fatalf("Notify %d = %v, %v", i, offered, err)
		}
		n.Close()
	}
	if n := srv.count(); n != 2 {
		t.Errorf("%d notifications arrived, want 2", n)
	}
}

func FuzzParseNotificationSignal(f *testing.F) {
	f.Add(0, uint32(1), "signin", uint32(2))
	f.Add(1, uint32(7), "", uint32(3))
	f.Add(2, uint32(0), "x", uint32(0))
	f.Fuzz(func(t *testing.T, shape int, id uint32, key string, reason uint32) {
		names := []string{notifIface + ".ActionInvoked", notifIface + ".NotificationClosed", "other.Iface.Signal"}
		bodies := [][]any{{id, key}, {id, reason}, {id}, {}, {key, id}, {id, key, reason}, {int32(id), key}, {nil, nil}}
		for _, name := range names {
			body := bodies[uint(shape)%uint(len(bodies))]
			ev, ok := parseNotificationSignal(name, body)
			if !ok {
				continue
			}
			if ev.id != id {
				t.Errorf("%s %v: id %d", name, body, ev.id)
			}
			if ev.closed != (name == notifIface+".NotificationClosed") {
				t.Errorf("%s %v: closed %v", name, body, ev.closed)
			}
		}
	})
}

// TestNotifierChoiceBeforeReply: a choice whose signal arrives before
// the reply to Notify is not lost.
func TestNotifierChoiceBeforeReply(t *testing.T) {
	addr := desktoptest.StartBus(t)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	_, srv := startActionsServer(t, addr, "actions")
	srv.mu.Lock()
	srv.instant = "signin"
	srv.mu.Unlock()
	n := NewNotifier()
	defer n.Close()
	chosen := make(chan string, 1)
	if offered, err := n.Notify("s", "b", []Action{{"signin", "Sign in"}}, func(k string) { chosen <- k }); err != nil || !offered {
		t.Fatalf("Notify = %v, %v", offered, err)
	}
	select {
	case k := <-chosen:
		if k != "signin" {
			t.Errorf("chosen %q", k)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the early choice was lost")
	}
}
