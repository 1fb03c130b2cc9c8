package platform

// Action is a button on a notification: Label is what the user reads,
// Key what comes back when they choose it.
type Action struct {
	Key, Label string
}

// Notifier shows desktop notifications that can carry actions ("Sign
// in"), and reports which one the user chose. Unlike [Notify], which
// opens and closes a connection per notification, it keeps one open for
// its whole life: the notification service sends the user's choice to
// the connection that sent the notification, and drops notifications
// with actions whose sender has gone.
//
// Linux: org.freedesktop.Notifications on the session bus; actions are
// sent only when GetCapabilities lists "actions" (GNOME, KDE, XFCE,
// dunst, mako do; some minimal servers do not), and the choice comes
// back as the ActionInvoked signal, taken only from the service that
// showed the notification. Elsewhere there are no actions: macOS's
// osascript notifications have no buttons and no callback, and a
// Windows toast's button would need a registered protocol handler or an
// activator, which awsxc does not install; the notification is shown as
// [Notify] shows it, and the caller offers the action in its menu.
//
// A Notifier is safe for concurrent use. The zero value is not usable:
// call [NewNotifier].
type Notifier struct{ impl *notifier }

// NewNotifier returns a Notifier. It connects on first use, and again
// after the connection was lost.
func NewNotifier() *Notifier { return &Notifier{impl: newNotifier()} }

// Notify shows a notification with actions. It reports whether the
// actions are offered with it: false when the notification service
// shows no actions (the notification is then shown without them), so
// the caller offers them elsewhere. onAction is called with the key of
// the action the user chose, from a goroutine of the Notifier, at most
// once per notification; it must not block. Without actions, or with a
// nil onAction, Notify is [Notify] on a connection kept open.
func (n *Notifier) Notify(summary, body string, actions []Action, onAction func(key string)) (bool, error) {
	return n.impl.notify(summary, body, actions, onAction)
}

// Actions says the notification service shows actions now, so that a
// caller can word a notification for the buttons it will have (or point
// to its menu instead).
func (n *Notifier) Actions() bool { return n.impl.actions() }

// Close closes the connection; actions chosen afterwards are not
// reported. A Notifier can be used again after Close: it connects anew.
func (n *Notifier) Close() error { return n.impl.close() }
