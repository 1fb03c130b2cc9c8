package engine

import (
	"time"

	"github.com/awsxc/awsxc/engine/creds"
	"github.com/awsxc/awsxc/engine/procenv"
)

// The engine's types and functions that need none of the AWS SDK live in
// packages of their own, so that a front end can use them without the
// SDK's start-up cost (cmd/awsxc-cli's quick path asks the daemon before
// the SDK's packages are initialized). The engine names them here as its
// own.

type (
	// Credentials is one set of AWS credentials (creds.Credentials).
	Credentials = creds.Credentials
	// Format names an output format (creds.Format).
	Format = creds.Format
	// RenderOptions are the options of [Render] (creds.RenderOptions).
	RenderOptions = creds.RenderOptions
	// Var is one environment variable (creds.Var).
	Var = creds.Var
	// Env is what the engine takes from the process (procenv.Env).
	Env = procenv.Env
	// Clock tells the time (procenv.Clock).
	Clock = procenv.Clock
)

// The formats [Render] writes (creds.Format*).
const (
	FormatProcess     = creds.FormatProcess
	FormatEnv         = creds.FormatEnv
	FormatEnvNoExport = creds.FormatEnvNoExport
	FormatPowerShell  = creds.FormatPowerShell
	FormatWindowsCmd  = creds.FormatWindowsCmd
	FormatFish        = creds.FormatFish
	FormatDotenv      = creds.FormatDotenv
	FormatDocker      = creds.FormatDocker
)

var (
	// Formats lists every format (creds.Formats).
	Formats = creds.Formats
	// ErrUnsafeValue is creds.ErrUnsafeValue.
	ErrUnsafeValue = creds.ErrUnsafeValue
)

// NewEnv is procenv.NewEnv.
func NewEnv(getenv func(string) string, dir string) Env { return procenv.NewEnv(getenv, dir) }

// FormatNames is creds.FormatNames.
func FormatNames() []string { return creds.FormatNames() }

// ParseFormat is creds.ParseFormat.
func ParseFormat(s string) (Format, error) { return creds.ParseFormat(s) }

// EnvVars is creds.EnvVars.
func EnvVars(c Credentials, region string) ([]Var, error) { return creds.EnvVars(c, region) }

// StaleVars is creds.StaleVars.
func StaleVars(c Credentials) []string { return creds.StaleVars(c) }

// ChildEnvDrop is creds.ChildEnvDrop.
func ChildEnvDrop() []string { return creds.ChildEnvDrop() }

// Render is creds.Render.
func Render(f Format, c Credentials, o RenderOptions) ([]byte, error) { return creds.Render(f, c, o) }

// ShellQuote is creds.ShellQuote.
func ShellQuote(s string) string { return creds.ShellQuote(s) }

// FormatTime is creds.FormatTime.
func FormatTime(t time.Time) string { return creds.FormatTime(t) }

// MaskKey is creds.MaskKey.
func MaskKey(id string) string { return creds.MaskKey(id) }
