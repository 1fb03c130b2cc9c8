package platform

import (
	"fmt"
	"os/exec"
)

func notify(summary, body string) error {
	script := fmt.Sprintf("display notification %s with title %s", appleString(body), appleString("awsxc: "+summary))
	if out, err := exec.Command("osascript", "-e", script).CombinedOutput(); err != nil {
		return fmt.Errorf("osascript: %v: %s", err, out)
	}
	return nil
}
