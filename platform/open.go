package platform

// OpenFile opens path in the user's default application for it: xdg-open
// on Linux, open on macOS, notepad on Windows (where .json often has no
// association). It does not wait for the application to close. The
// programs are started the way internal/browser starts the desktop's
// opener, the one place awsxc knows them.
func OpenFile(path string) error { return openFile(path) }
