package browser

// platformOpener is open(1), which hands the URL to the default browser.
func platformOpener(u string) ([]string, error) { return []string{"open", u}, nil }
