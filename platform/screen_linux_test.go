package platform

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/awsxc/awsxc/internal/desktoptest"
	"github.com/godbus/dbus/v5"
	"github.com/google/go-cmp/cmp"
)

// screenBuses starts a session bus and a private bus that stands in for
// the system bus, and points this process at them.
func screenBuses(t *testing.T) (session, system string) {
	t.Helper()
	session, system = desktoptest.StartBus(t), desktoptest.StartBus(t)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", session)
	t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", system)
	return session, system
}

type screenEvents chan ScreenEvent

func watch(t *testing.T) (screenEvents, []string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ch := make(screenEvents, 32)
	watching := WatchScreen(ctx, ScreenOptions{On: func(e ScreenEvent) { ch <- e }, Tick: time.Hour})
	return ch, watching
}

// next returns the next event, failing after 5 s.
func (ch screenEvents) next(t *testing.T) ScreenEvent {
	t.Helper()
	select {
	case e := <-ch:
		return e
	case <-time.After(5 * time.Second):
		t.Fatal("no screen event")
		return ScreenEvent{}
	}
}

// none checks that nothing more is reported for a while.
func (ch screenEvents) none(t *testing.T) {
	t.Helper()
	select {
	case e := <-ch:
		t.Errorf("unexpected event %+v", e)
	case <-time.After(150 * time.Millisecond):
	}
}

// TestWatchScreen: a GNOME screensaver and logind on a stand-in system
// bus tell lock and sleep; the state is what they say together; signals
// from anyone but the owner of the name are ignored; a screensaver that
// leaves the bus while up no longer holds the lock.
func TestWatchScreen(t *testing.T) {
	session, system := screenBuses(t)
	logind := desktoptest.StartLogind(t, system)
	gnome := desktoptest.StartScreensaver(t, session, "org.gnome.ScreenSaver", "/org/gnome/ScreenSaver")
	ch, watching := watch(t)
	if diff := cmp.Diff([]string{"logind", "screensaver", "clock"}, watching); diff != "" {
		t.Fatalf("watching (-want +got):\n%s", diff)
	}
	want := func(e ScreenEvent, locked, asleep, woke bool, from string) {
		t.Helper()
		if e != (ScreenEvent{ScreenState{locked, asleep}, woke, from}) {
			t.Errorf("event %+v; want locked %v, asleep %v, woke %v from %s", e, locked, asleep, woke, from)
		}
	}

	gnome.SetActive(t, true)
	want(ch.next(t), true, false, false, "org.gnome.ScreenSaver")
	logind.SetLocked(t, true) // both say locked: no change
	ch.none(t)
	gnome.SetActive(t, false) // logind still says locked
	ch.none(t)
	logind.SetLocked(t, false)
	want(ch.next(t), false, false, false, "logind")

	// Another client of the bus cannot lock (or unlock) anything.
	other, err := dbus.Connect(session)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	other.Emit("/org/gnome/ScreenSaver", "org.gnome.ScreenSaver.ActiveChanged", true)
	sysOther, err := dbus.Connect(system)
	if err != nil {
		t.Fatal(err)
	}
	defer sysOther.Close()
	sysOther.Emit("/org/freedesktop/login1", "org.freedesktop.login1.Manager.PrepareForSleep", true)
	ch.none(t)

	logind.PrepareForSleep(t, true)
	want(ch.next(t), false, true, false, "logind")
	logind.PrepareForSleep(t, false)
	want(ch.next(t), false, false, true, "logind")

	gnome.SetActive(t, true)
	want(ch.next(t), true, false, false, "org.gnome.ScreenSaver")
	gnome.Quit()
	want(ch.next(t), false, false, false, "org.gnome.ScreenSaver")
}

// TestWatchScreenInitialState: a screensaver already up, and a session
// already locked, are read at start.
func TestWatchScreenInitialState(t *testing.T) {
	for _, tc := range []struct{ name, path string }{
		{"org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver"},
		{"org.mate.ScreenSaver", "/org/mate/ScreenSaver"},
		{"org.cinnamon.ScreenSaver", "/org/cinnamon/ScreenSaver"},
		{"org.xfce.ScreenSaver", "/org/xfce/ScreenSaver"},
		{"logind", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			session, system := screenBuses(t)
			logind := desktoptest.StartLogind(t, system)
			if tc.path == "" {
				logind.SetLocked(t, true)
			} else {
				desktoptest.StartScreensaver(t, session, tc.name, dbus.ObjectPath(tc.path)).SetActive(t, true)
			}
			ch, _ := watch(t)
			if e := ch.next(t); !e.Locked || e.From != tc.name {
				t.Errorf("first event %+v; want locked, from %s", e, tc.name)
			}
		})
	}
}

// TestWatchScreenNoBuses: with neither bus only the clock is watched.
func TestWatchScreenNoBuses(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path="+t.TempDir()+"/none")
	_, watching := watch(t)
	if !slices.Equal(watching, []string{"clock"}) {
		t.Errorf("watching %q", watching)
	}
}

func FuzzParseScreenSignal(f *testing.F) {
	f.Add(0, 0, true, "org.freedesktop.login1.Session", "LockedHint", "")
	f.Add(1, 1, false, "org.gnome.ScreenSaver", "x", "")
	f.Add(2, 2, true, "org.mate.ScreenSaver", ":1.4", "")
	f.Fuzz(func(t *testing.T, nameIdx, shape int, b bool, s1, s2, s3 string) {
		const session = dbus.ObjectPath("/org/freedesktop/login1/session/_31")
		names := []string{login1Manager + ".PrepareForSleep", dbusProperties + ".PropertiesChanged",
			"org.freedesktop.DBus.NameOwnerChanged", "org.gnome.ScreenSaver.ActiveChanged", "org.xfce.ScreenSaver.ActiveChanged", s1}
		paths := []dbus.ObjectPath{login1Path, session, "/org/gnome/ScreenSaver", dbus.ObjectPath(s2)}
		bodies := [][]any{
			{b}, {s1}, {}, {b, b},
			{s1, map[string]dbus.Variant{s2: dbus.MakeVariant(b)}, []string{}},
			{s1, map[string]dbus.Variant{"LockedHint": dbus.MakeVariant(s2)}, []string{}},
			{s1, map[string]dbus.Variant{"LockedHint": dbus.MakeVariant(b)}, []string{}},
			{s1, s2, s3}, {s1, s2}, {nil, nil, nil},
		}
		name := names[uint(nameIdx)%uint(len(names))]
		body := bodies[uint(shape)%uint(len(bodies))]
		for _, path := range paths {
			sig, ok := parseScreenSignal(name, path, body, session)
			if !ok {
				continue
			}
			switch {
			case sig.sleep && (sig.source != "logind" || path != login1Path):
				t.Errorf("%s at %s %v: %+v", name, path, body, sig)
			case sig.source == "logind" && !sig.sleep && path != session:
				t.Errorf("a LockedHint taken from %s: %+v", path, sig)
			case sig.source != "logind" && !isScreensaver(sig.source):
				t.Errorf("%s %v: source %q", name, body, sig.source)
			}
		}
	})
}
