package platform

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"
)

// The notification service (the Desktop Notifications Specification 1.2,
// libnotify docs/notification-spec.xml).
const (
	notifName  = "org.freedesktop.Notifications"
	notifPath  = dbus.ObjectPath("/org/freedesktop/Notifications")
	notifIface = "org.freedesktop.Notifications"
)

// busCallTimeout bounds every call to a desktop service: a hung
// notification server must not hang its caller.
const busCallTimeout = 5 * time.Second

// notifier is the Linux [Notifier]: one session-bus connection, kept.
type notifier struct {
	mu   sync.Mutex // protects everything below
	conn *dbus.Conn // nil until connected, and after it was lost
	// pending holds the notifications with actions shown and not yet
	// closed, by the id the service gave them.
	pending map[uint32]pendingNote
	// early holds the last signals for ids not pending: a choice can
	// arrive before Notify has read its reply and recorded the id.
	early []earlySignal
}

type earlySignal struct {
	ev     notificationEvent
	sender string
}

// maxEarly bounds early.
const maxEarly = 16

type pendingNote struct {
	owner    string // the unique bus name of the service that showed it
	onAction func(string)
}

func newNotifier() *notifier { return &notifier{pending: map[uint32]pendingNote{}} }

func (n *notifier) notify(summary, body string, actions []Action, onAction func(string)) (bool, error) {
	// The lock is not held over the calls: dispatch takes it for each
	// signal, and must not wait on a slow service.
	n.mu.Lock()
	conn, err := n.connectLocked()
	n.mu.Unlock()
	if err != nil {
		// No bus: notify-send, as Notify does, with no actions.
		return false, notify(summary, body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), busCallTimeout)
	defer cancel()
	obj := conn.Object(notifName, notifPath)
	var flat []string
	if len(actions) > 0 && onAction != nil && hasActions(ctx, obj) {
		for _, a := range actions {
			flat = append(flat, a.Key, a.Label)
		}
	}
	var owner string
	if flat != nil {
		// The signals that report a choice are checked against it: no
		// other client of the bus can make up a choice.
		if err := conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.GetNameOwner", 0, notifName).Store(&owner); err != nil {
			flat = nil
		}
	}
	var id uint32
	err = obj.CallWithContext(ctx, notifIface+".Notify", 0,
		AppName, uint32(0), AppName, summary, body, append([]string{}, flat...),
		map[string]dbus.Variant{"desktop-entry": dbus.MakeVariant(AppName)},
		int32(-1), // the server's default timeout
	).Store(&id)
	if err != nil {
		if ferr := notify(summary, body); ferr != nil {
			return false, errors.Join(err, ferr)
		}
		return false, nil
	}
	if flat == nil {
		return false, nil
	}
	n.mu.Lock()
	if n.conn != conn {
		n.mu.Unlock()
		return false, nil // closed meanwhile: no choice can come back
	}
	p := pendingNote{owner: owner, onAction: onAction}
	for i, e := range n.early {
		if e.ev.id == id && e.sender == owner {
			// Chosen (or closed) before the reply was read.
			n.early = append(n.early[:i:i], n.early[i+1:]...)
			n.mu.Unlock()
			if !e.ev.closed {
				onAction(e.ev.key)
			}
			return true, nil
		}
	}
	n.pending[id] = p
	n.mu.Unlock()
	return true, nil
}

func (n *notifier) actions() bool {
	n.mu.Lock()
	conn, err := n.connectLocked()
	n.mu.Unlock()
	if err != nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), busCallTimeout)
	defer cancel()
	return hasActions(ctx, conn.Object(notifName, notifPath))
}

// hasActions says the service shows actions. "Even if this cap is
// missing, actions may still be specified by the client, however the
// server is free to ignore them": without it the caller offers the
// action elsewhere instead.
func hasActions(ctx context.Context, obj dbus.BusObject) bool {
	var caps []string
	if err := obj.CallWithContext(ctx, notifIface+".GetCapabilities", 0).Store(&caps); err != nil {
		return false
	}
	return slices.Contains(caps, "actions")
}

// connectLocked returns the connection, connecting first if there is
// none; n.mu must be held.
func (n *notifier) connectLocked() (*dbus.Conn, error) {
	if n.conn != nil && n.conn.Connected() {
		return n.conn, nil
	}
	conn, err := SessionBus()
	if err != nil {
		return nil, err
	}
	// ActionInvoked is sent to the notification's sender (or to every
	// client, by older servers): the match rule takes both.
	if err := conn.AddMatchSignal(dbus.WithMatchObjectPath(notifPath), dbus.WithMatchInterface(notifIface)); err != nil {
		conn.Close()
		return nil, err
	}
	ch := make(chan *dbus.Signal, 16)
	conn.Signal(ch)
	go n.dispatch(conn, ch)
	n.conn, n.pending, n.early = conn, map[uint32]pendingNote{}, nil
	return conn, nil
}

// dispatch reports the user's choices until conn closes (which closes ch).
func (n *notifier) dispatch(conn *dbus.Conn, ch <-chan *dbus.Signal) {
	for sig := range ch {
		ev, ok := parseNotificationSignal(sig.Name, sig.Body)
		if !ok {
			continue
		}
		n.mu.Lock()
		p, known := n.pending[ev.id]
		if !known && n.conn == conn {
			n.early = append(n.early, earlySignal{ev, sig.Sender})
			if len(n.early) > maxEarly {
				n.early = n.early[1:]
			}
		}
		if !known || n.conn != conn || sig.Sender != p.owner {
			n.mu.Unlock()
			continue
		}
		delete(n.pending, ev.id)
		n.mu.Unlock()
		if !ev.closed {
			p.onAction(ev.key)
		}
	}
}

func (n *notifier) close() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.conn == nil {
		return nil
	}
	err := n.conn.Close()
	n.conn, n.pending, n.early = nil, map[uint32]pendingNote{}, nil
	return err
}

// notificationEvent is a signal of the notification service about one
// of its notifications.
type notificationEvent struct {
	id     uint32
	key    string // the action chosen (ActionInvoked)
	closed bool   // NotificationClosed: no action will come
}

// parseNotificationSignal reads ActionInvoked(u id, s action_key) and
// NotificationClosed(u id, u reason); anything else, or a body of other
// types (any client of the bus can emit anything), is not ok.
func parseNotificationSignal(name string, body []any) (notificationEvent, bool) {
	switch name {
	case notifIface + ".ActionInvoked":
		if len(body) != 2 {
			return notificationEvent{}, false
		}
		id, ok1 := body[0].(uint32)
		key, ok2 := body[1].(string)
		return notificationEvent{id: id, key: key}, ok1 && ok2
	case notifIface + ".NotificationClosed":
		if len(body) < 1 {
			return notificationEvent{}, false
		}
		id, ok := body[0].(uint32)
		return notificationEvent{id: id, closed: true}, ok
	}
	return notificationEvent{}, false
}
