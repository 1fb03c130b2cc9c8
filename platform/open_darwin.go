package platform

import "github.com/awsxc/awsxc/internal/browser"

// openFile opens path in the default text editor (open -t): a .json file
// could otherwise open in a viewer.
func openFile(path string) error { return browser.Start([]string{"open", "-t", path}) }
