package platform

func openFile(path string) error { return startDetached("notepad.exe", path) }
