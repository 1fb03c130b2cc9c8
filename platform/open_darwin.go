package platform

func openFile(path string) error { return startDetached("open", "-t", path) }
