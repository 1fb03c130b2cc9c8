//go:build !linux

package platform

// notifier shows notifications without actions: see [Notifier].
type notifier struct{}

func newNotifier() *notifier { return &notifier{} }

func (*notifier) notify(summary, body string, _ []Action, _ func(string)) (bool, error) {
	return false, notify(summary, body)
}

func (*notifier) actions() bool { return false }

func (*notifier) close() error { return nil }
