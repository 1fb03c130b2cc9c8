package tray

import (
	"errors"
	"io"
	"log/slog"
	"time"

	"github.com/awsxc/awsxc/engine"
)

// Options configures [Run].
type Options struct {
	// Version is shown in the menu and the tooltip.
	Version string
	// Env is what the engine takes from the process: the AWS files, the
	// region, the folders. The zero Env reads this process's environment
	// (engine.NewEnv with os.Getenv and the working folder).
	Env engine.Env
	// Logger receives log lines; nil writes Info and above to Stderr.
	Logger *slog.Logger
	// Stderr receives hints for the user at start-up; nil is os.Stderr.
	Stderr io.Writer
	// SettingsPath overrides platform.SettingsFile().
	SettingsPath string
	// LockPath overrides the single-instance lock file (shared with
	// awsxc-cli daemon).
	LockPath string
	// SocketPath overrides the endpoint awsxc-cli asks
	// (localsock.DefaultPath).
	SocketPath string
	// Tick is how often the countdown is redrawn; 0 is 30 s, or the
	// duration in AWSXC_TICK (a test knob).
	Tick time.Duration
}

// ErrAlreadyRunning is returned by [Run] when another awsxc holds the
// single-instance lock.
var ErrAlreadyRunning = errors.New("awsxc is already running")
