package main

// Output rules. Standard output carries data only: the credentials in the
// chosen format, a profile list, a completion script, the version, the
// help. Everything else goes to standard error, one line per message,
// prefixed "awsxc-cli: ", never a secret (key ids appear masked, AKIA…WXYZ).
// On failure nothing is written to standard output. Text that comes from
// the AWS files or another program (a profile name, a region, an SDK's
// message) is shown with its control characters escaped
// (textsafe.Escape), on either stream.
//
// Exit codes are aws-export-credentials': 0 success; 2 a usage error or no
// credentials; 3 resolving the credentials failed; 1 anything else (a file
// that cannot be written); --exec exits with the command's status. One is
// awsxc-cli's own: 4, a server could not listen (its port in use, the
// address not this machine's), which aws-export-credentials ended with a
// traceback and 1; a code of its own lets a script pick another port.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/awsxc/awsxc/cmd/awsxc-cli/internal/quick"
	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/engine/daemon/wire"
	"github.com/awsxc/awsxc/engine/server"
	"github.com/awsxc/awsxc/engine/signin"
	"github.com/awsxc/awsxc/internal/textsafe"
)

const (
	exitOK         = 0
	exitFailure    = 1
	exitUsage      = 2
	exitResolution = 3
	exitListen     = 4
)

// proc is everything a run takes from the process it runs in. main
// passes the process's own; tests pass theirs, so that many runs can go
// at once in one test binary.
type proc struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string // the environment
	environ        func() []string     // all of it, for the --exec command
	// setenv sets a variable in the environment of the programs the SDK
	// starts (a credential_process): the recursion guard's chain.
	setenv func(key, value string) error
	dir    string       // the working folder; "" keeps relative paths relative
	clock  engine.Clock // nil is the system clock
	tty    string       // the terminal an MFA prompt reads when stdin is empty; "" for none
	// terminal says a human answers on the process's terminal, where a
	// credential_process may prompt (engine.Env.Terminal).
	terminal bool
	// timeout bounds each fetch of credentials (engine.Options.Timeout);
	// 0 is the engine's default. Only tests set it.
	timeout time.Duration
	// exec replaces the process with a command and its environment
	// (--exec); nil refuses to.
	exec func(argv, env []string) error
	// daemonTimeout bounds an exchange with the daemon; zero is
	// daemon.DefaultTimeout.
	daemonTimeout time.Duration
	// asked is the exchange with the daemon that the process made
	// before main (package quick), if any: the run's first request
	// that is the same reads its answer instead of asking again.
	asked *wire.Exchange
}

// cli is one run of the command, in its process.
type cli struct {
	proc
	env      engine.Env   // what the engine takes from the process
	log      *slog.Logger // debug records to stderr with --debug
	commands []*command   // the commands it knows
}

// run executes the command line and returns the exit code.
func run(ctx context.Context, args []string, p proc) int {
	env := engine.NewEnv(p.getenv, p.dir)
	env.Clock, env.Terminal = p.clock, p.terminal
	c := &cli{proc: p, env: env, log: newLogger(false, p.stderr), commands: commands}
	cmd, args, err := findCommand(c.commands, args)
	if err != nil {
		c.errorf("%v (see awsxc-cli --help)", err)
		return exitUsage
	}
	r := cmd.new()
	var o common
	parsed, err := parseFlags(append(r.flags(), o.flags()...), args, r)
	if err != nil {
		c.errorf("%v (see %s --help)", err, cmd.invocation())
		return exitUsage
	}
	c.log = newLogger(o.debug, p.stderr)
	if o.help {
		io.WriteString(c.stdout, helpText(c.commands, cmd))
		return exitOK
	}
	if ch, ok := r.(checker); ok {
		if err := ch.check(parsed); err != nil {
			c.errorf("%v (see %s --help)", err, cmd.invocation())
			return exitUsage
		}
	}
	return c.fail(r.run(ctx, c, parsed))
}

// errorf prints one error line.
func (c *cli) errorf(format string, args ...any) {
	fmt.Fprintf(c.stderr, "%s%s\n", quick.ErrorPrefix, oneLine(fmt.Sprintf(format, args...)))
}

// warnf prints one warning line.
func (c *cli) warnf(format string, args ...any) {
	fmt.Fprintf(c.stderr, "awsxc-cli: warning: %s\n", oneLine(fmt.Sprintf(format, args...)))
}

// warnAll prints the AWS files' warnings, one line each, but those about
// skip (a file a writer reports on in its own words).
func (c *cli) warnAll(warnings []engine.FileWarning, skip string) {
	for _, w := range warnings {
		if skip == "" || w.File != skip {
			c.warnf("%s", w)
		}
	}
}

// oneLine makes msg one line, with the control characters that remain
// escaped (textsafe.Escape: a profile name, a path or an SDK's message
// may hold an ESC). The engine's errors have already masked what an
// upstream service put in them (engine.Redact).
func oneLine(msg string) string { return textsafe.Line(msg) }

// fail reports err, if any, in this command line's words and turns it
// into the exit code: the one place that decides exit codes.
func (c *cli) fail(err error) int {
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			c.errorf("%s", ee.msg)
		}
		return ee.code
	}
	c.errorf("%v", cliHints.Reword(err))
	var ue *usageError
	var le *server.ListenError
	var re *server.RemoteBindError
	switch {
	case errors.As(err, &le):
		return exitListen
	case errors.As(err, &ue), errors.As(err, &re), errors.Is(err, engine.ErrNoCredentials):
		return exitUsage
	case errors.Is(err, engine.ErrRecursion):
		return exitResolution
	case errors.Is(err, engine.ErrLongTermKeys):
		return exitFailure // a file that could not be written
	}
	var syncErr *engine.SyncError
	if errors.As(err, &syncErr) {
		return syncExit(syncErr)
	}
	var engErr *engine.Error
	var signErr *signin.Error
	switch {
	case errors.As(err, &engErr):
		return exitResolution
	case errors.Is(err, signin.ErrNoSession):
		return exitUsage // nothing to sign in to: like no credentials
	case errors.Is(err, signin.ErrCache):
		return exitFailure // a file that could not be written
	case errors.As(err, &signErr):
		return exitResolution // the sign-in failed: no credentials to be had
	}
	return exitFailure
}

// syncExit is the exit code of a failed sso sync: a session, template or
// region to fix is a usage error; no sign-in or no answer from the
// portal is like credentials that could not be obtained; a file the
// sync refused or failed to write is a file not written.
func syncExit(e *engine.SyncError) int {
	switch {
	case errors.Is(e, engine.ErrSSOSessionChoice), errors.Is(e, engine.ErrSSOTemplate), errors.Is(e, engine.ErrInvalidConfig):
		return exitUsage
	case errors.Is(e, engine.ErrSyncBlock), errors.Is(e, engine.ErrNotReadBack), errors.Is(e, engine.ErrNotWritten):
		return exitFailure
	}
	return exitResolution
}

// cliHints words the engine's actions for this command line's flags, the
// hint after the "; " of an error line.
var cliHints engine.Hints = func(a engine.Action, profile string) string {
	switch a {
	case engine.ActionMFACode:
		return "give the code with --mfa-code or run from a terminal"
	case engine.ActionSSOLogin, engine.ActionAWSLogin:
		return "run awsxc-cli login --profile " + engine.ShellQuote(profile)
	case engine.ActionConfigure:
		return "run aws configure, or name a profile with --profile"
	case engine.ActionCheckProfileName:
		return "check the name with awsxc-cli profiles"
	case engine.ActionForce:
		return "not overwriting them without --force"
	case engine.ActionAllowHost:
		return "add it with --allow-host"
	}
	return ""
}

// exitError ends the run with a given code (the --exec child's status).
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func newLogger(debug bool, w io.Writer) *slog.Logger {
	if !debug {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{
		Level: slog.LevelDebug,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey && len(groups) == 0 {
				return slog.Attr{} // short lines; the terminal has the time
			}
			// An error may quote an upstream service, which may echo the
			// request: mask what looks like a secret (the engine's own
			// errors already have).
			if err, ok := a.Value.Any().(error); ok {
				return slog.String(a.Key, engine.RedactError(err))
			}
			return a
		},
	}))
}

// profileFlag is --profile: the name given, even empty (which the engine
// rejects), else the AWS CLI's choice from the environment.
type profileFlag struct {
	name string
	set  bool
}

func (p *profileFlag) spec() flagSpec {
	return flagSpec{name: "profile", arg: "PROFILE", help: "the profile to use (default: $AWS_PROFILE, $AWS_DEFAULT_PROFILE, default)",
		set: func(v string) error { p.name, p.set = v, true; return nil }}
}

// choose returns the profile to use.
func (p *profileFlag) choose(c *cli) string {
	if p.set {
		return p.name
	}
	return engine.ProfileName("", c.getenv)
}
