//go:build !linux && !windows

package platform

import "context"

// watchScreen watches nothing here: macOS's lock and sleep notifications
// (NSWorkspace's notification center, com.apple.screenIsLocked) need
// Objective-C; the clock watcher alone notices sleep.
func watchScreen(context.Context, *screenHub) []string { return nil }
