//go:build darwin && !cgo

// Package tray is the awsxc system tray app. This build has no tray: the
// macOS menu bar code of fyne.io/systray needs cgo.
package tray

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"time"
)

// Options configures [Run].
type Options struct {
	Version      string
	Logger       *slog.Logger
	Stderr       io.Writer
	SettingsPath string
	LockPath     string
	Tick         time.Duration
}

// ErrAlreadyRunning is returned by [Run] when another awsxc runs.
var ErrAlreadyRunning = errors.New("awsxc is already running")

// Run fails: the macOS tray needs cgo.
func Run(ctx context.Context, opts Options) error {
	return errors.New("this awsxc was built without cgo, which the macOS menu bar needs; build with CGO_ENABLED=1 on a Mac")
}
