package platform

import (
	"context"
	"os"

	"github.com/godbus/dbus/v5"
)

// logind (org.freedesktop.login1(5)).
const (
	login1Name     = "org.freedesktop.login1"
	login1Path     = dbus.ObjectPath("/org/freedesktop/login1")
	login1Manager  = "org.freedesktop.login1.Manager"
	login1Session  = "org.freedesktop.login1.Session"
	dbusProperties = "org.freedesktop.DBus.Properties"
)

// screensaver is one desktop's screensaver service on the session bus:
// its bus name, the object its GetActive is on, and its interface, which
// sends ActiveChanged(b). KDE's kscreenlocker owns
// org.freedesktop.ScreenSaver (at /ScreenSaver and
// /org/freedesktop/ScreenSaver); GNOME's org.freedesktop.ScreenSaver is
// gnome-settings-daemon's proxy, which never sends ActiveChanged and
// answers GetActive with NotSupported, and GNOME Shell's own is
// org.gnome.ScreenSaver.
type screensaver struct {
	name string
	path dbus.ObjectPath
}

var screensavers = []screensaver{
	{"org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver"},
	{"org.gnome.ScreenSaver", "/org/gnome/ScreenSaver"},
	{"org.mate.ScreenSaver", "/org/mate/ScreenSaver"},
	{"org.cinnamon.ScreenSaver", "/org/cinnamon/ScreenSaver"},
	{"org.xfce.ScreenSaver", "/org/xfce/ScreenSaver"},
}

func watchScreen(ctx context.Context, h *screenHub) []string {
	var watching []string
	if watchLogind(ctx, h) == nil {
		watching = append(watching, "logind")
	}
	if watchScreensavers(ctx, h) == nil {
		watching = append(watching, "screensaver")
	}
	return watching
}

// watchLogind follows sleep and the session's LockedHint on the system
// bus (DBUS_SYSTEM_BUS_ADDRESS, else the standard socket).
func watchLogind(ctx context.Context, h *screenHub) error {
	conn, err := dbus.ConnectSystemBus()
	if err != nil {
		return err
	}
	// Signals only from logind itself: the bus checks the sender owns
	// the name when it delivers.
	err = conn.AddMatchSignalContext(ctx, dbus.WithMatchSender(login1Name), dbus.WithMatchObjectPath(login1Path),
		dbus.WithMatchInterface(login1Manager), dbus.WithMatchMember("PrepareForSleep"))
	if err != nil {
		conn.Close()
		return err
	}
	// "Signals are emitted only on the session's real path", not on
	// .../session/self or .../auto: find it first.
	session := loginSession(ctx, conn)
	if session != "" {
		err := conn.AddMatchSignalContext(ctx, dbus.WithMatchSender(login1Name), dbus.WithMatchObjectPath(session),
			dbus.WithMatchInterface(dbusProperties), dbus.WithMatchMember("PropertiesChanged"), dbus.WithMatchArg(0, login1Session))
		if err != nil {
			session = ""
		}
	}
	ch := make(chan *dbus.Signal, 16)
	conn.Signal(ch)
	if session != "" {
		cctx, cancel := context.WithTimeout(ctx, busCallTimeout)
		var v dbus.Variant
		err := conn.Object(login1Name, session).CallWithContext(cctx, dbusProperties+".Get", 0, login1Session, "LockedHint").Store(&v)
		cancel()
		if on, ok := v.Value().(bool); err == nil && ok && on {
			h.locked("logind", true)
		}
	}
	go func() {
		<-ctx.Done()
		conn.Close()
	}()
	go func() {
		for sig := range ch {
			if s, ok := parseScreenSignal(sig.Name, sig.Path, sig.Body, session); ok {
				s.apply(h)
			}
		}
	}()
	return nil
}

// loginSession is the object path of this process's login session, or
// of the user's display session ("auto") when this process is in none
// (started by a systemd user unit, say); "" when logind knows neither.
func loginSession(ctx context.Context, conn *dbus.Conn) dbus.ObjectPath {
	ctx, cancel := context.WithTimeout(ctx, busCallTimeout)
	defer cancel()
	mgr := conn.Object(login1Name, login1Path)
	var path dbus.ObjectPath
	if err := mgr.CallWithContext(ctx, login1Manager+".GetSessionByPID", 0, uint32(os.Getpid())).Store(&path); err == nil && path.IsValid() {
		return path
	}
	if err := mgr.CallWithContext(ctx, login1Manager+".GetSession", 0, "auto").Store(&path); err == nil && path.IsValid() {
		return path
	}
	return ""
}

// watchScreensavers follows the desktops' screensavers on the session bus.
func watchScreensavers(ctx context.Context, h *screenHub) error {
	conn, err := SessionBus()
	if err != nil {
		return err
	}
	for _, s := range screensavers {
		// Any path (KDE uses two); only from the owner of the name.
		err := conn.AddMatchSignalContext(ctx, dbus.WithMatchSender(s.name), dbus.WithMatchInterface(s.name), dbus.WithMatchMember("ActiveChanged"))
		if err == nil {
			err = conn.AddMatchSignalContext(ctx, dbus.WithMatchSender("org.freedesktop.DBus"), dbus.WithMatchInterface("org.freedesktop.DBus"),
				dbus.WithMatchMember("NameOwnerChanged"), dbus.WithMatchArg(0, s.name))
		}
		if err != nil {
			conn.Close()
			return err
		}
	}
	ch := make(chan *dbus.Signal, 16)
	conn.Signal(ch)
	for _, s := range screensavers {
		cctx, cancel := context.WithTimeout(ctx, busCallTimeout)
		var on bool
		// NoAutoStart: asking must not start a screensaver that is
		// D-Bus activatable but not running.
		err := conn.Object(s.name, s.path).CallWithContext(cctx, s.name+".GetActive", dbus.FlagNoAutoStart).Store(&on)
		cancel()
		if err == nil && on {
			h.locked(s.name, true)
		}
	}
	go func() {
		<-ctx.Done()
		conn.Close()
	}()
	go func() {
		for sig := range ch {
			if s, ok := parseScreenSignal(sig.Name, sig.Path, sig.Body, ""); ok {
				s.apply(h)
			}
		}
	}()
	return nil
}

// screenSignal is one signal of logind, a screensaver or the bus, read.
type screenSignal struct {
	source string // "logind", or the screensaver's bus name
	sleep  bool   // PrepareForSleep: on is "going to sleep"
	on     bool   // locked, active, or going to sleep
}

func (s screenSignal) apply(h *screenHub) {
	if s.sleep {
		h.sleep(s.source, s.on)
		return
	}
	h.locked(s.source, s.on)
}

// parseScreenSignal reads the signals the screen watchers take, with the
// body's types checked (any client of a bus can emit any body):
// PrepareForSleep(b), PropertiesChanged(s, a{sv}, as) of the login
// session at path session carrying LockedHint, a screensaver's
// ActiveChanged(b), and NameOwnerChanged(s, s, s) of a screensaver's
// name that lost its owner (taken as unlocked: a screensaver that
// crashed while active must not hold everything back for good).
func parseScreenSignal(name string, path dbus.ObjectPath, body []any, session dbus.ObjectPath) (screenSignal, bool) {
	switch name {
	case login1Manager + ".PrepareForSleep":
		if len(body) != 1 || path != login1Path {
			return screenSignal{}, false
		}
		on, ok := body[0].(bool)
		return screenSignal{source: "logind", sleep: true, on: on}, ok
	case dbusProperties + ".PropertiesChanged":
		if session == "" || path != session || len(body) != 3 {
			return screenSignal{}, false
		}
		iface, ok1 := body[0].(string)
		changed, ok2 := body[1].(map[string]dbus.Variant)
		if !ok1 || !ok2 || iface != login1Session {
			return screenSignal{}, false
		}
		v, ok := changed["LockedHint"]
		if !ok {
			return screenSignal{}, false
		}
		on, ok := v.Value().(bool)
		return screenSignal{source: "logind", on: on}, ok
	case "org.freedesktop.DBus.NameOwnerChanged":
		if len(body) != 3 {
			return screenSignal{}, false
		}
		n, ok1 := body[0].(string)
		owner, ok2 := body[2].(string)
		if !ok1 || !ok2 || owner != "" || !isScreensaver(n) {
			return screenSignal{}, false
		}
		return screenSignal{source: n}, true
	}
	for _, s := range screensavers {
		if name == s.name+".ActiveChanged" {
			if len(body) != 1 {
				return screenSignal{}, false
			}
			on, ok := body[0].(bool)
			return screenSignal{source: s.name, on: on}, ok
		}
	}
	return screenSignal{}, false
}

func isScreensaver(name string) bool {
	for _, s := range screensavers {
		if s.name == name {
			return true
		}
	}
	return false
}
