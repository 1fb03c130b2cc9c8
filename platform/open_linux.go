package platform

func openFile(path string) error { return startDetached("xdg-open", path) }
