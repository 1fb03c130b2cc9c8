package platform

import "github.com/awsxc/awsxc/internal/browser"

// openFile opens path in Notepad: .json often has no association.
func openFile(path string) error { return browser.Start([]string{"notepad.exe", path}) }
