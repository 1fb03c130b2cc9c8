package platform

// Notify shows a desktop notification with a summary line and a body.
//
// Linux: org.freedesktop.Notifications on the session bus, falling back to
// notify-send. macOS: osascript's display notification. Windows: a toast
// through PowerShell and the WinRT ToastNotificationManager.
func Notify(summary, body string) error { return notify(summary, body) }
