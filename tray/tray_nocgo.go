//go:build darwin && !cgo

// Package tray is the awsxc system tray app. This build has no tray: the
// macOS menu bar code of fyne.io/systray needs cgo.
package tray

import (
	"context"
	"errors"
)

// Run fails: the macOS tray needs cgo.
func Run(ctx context.Context, opts Options) error {
	return errors.New("this awsxc was built without cgo, which the macOS menu bar needs; build with CGO_ENABLED=1 on a Mac")
}
