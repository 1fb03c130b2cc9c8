package platform

// OpenFile opens path in the user's default application for it: xdg-open
// on Linux, open on macOS, notepad on Windows (where .json often has no
// association). It does not wait for the application to close.
func OpenFile(path string) error { return openFile(path) }
