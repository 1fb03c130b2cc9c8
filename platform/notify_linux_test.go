package platform

import (
	"testing"
	"time"

	"github.com/awsxc/awsxc/internal/desktoptest"

	"github.com/godbus/dbus/v5"
)

type note struct{ app, summary, body string }

// fakeNotifications is org.freedesktop.Notifications as a test sees it.
type fakeNotifications struct{ got chan note }

func (f *fakeNotifications) Notify(app string, replaces uint32, icon, summary, body string,
	actions []string, hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	f.got <- note{app, summary, body}
	return 7, nil
}

func TestNotifyDBus(t *testing.T) {
	addr := desktoptest.StartBus(t)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	f := &fakeNotifications{got: make(chan note, 1)}
	if err := conn.Export(f, "/org/freedesktop/Notifications", "org.freedesktop.Notifications"); err != nil {
		t.Fatal(err)
	}
	if r, err := conn.RequestName("org.freedesktop.Notifications", dbus.NameFlagDoNotQueue); err != nil || r != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("RequestName: %v, %v", r, err)
	}
	if err := Notify("dev expires in 9 min", "run aws sso login --profile dev"); err != nil {
		t.Fatal(err)
	}
	select {
	case n := <-f.got:
		want := note{"awsxc", "dev expires in 9 min", "run aws sso login --profile dev"}
		if n != want {
			t.Errorf("got %+v, want %+v", n, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no notification arrived")
	}
}

func TestNotifyNoBus(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	if err := notifyDBus("x", "y"); err == nil {
		t.Error("notifyDBus without a bus address succeeded")
	}
}
