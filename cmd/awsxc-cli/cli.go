package main

// Output rules. Standard output carries data only: the credentials in the
// chosen format, a profile list, a completion script, the version, the
// help. Everything else goes to standard error, one line per message,
// prefixed "awsxc-cli: ", never a secret (key ids appear masked, AKIA…WXYZ).
// On failure nothing is written to standard output.
//
// Exit codes are aws-export-credentials': 0 success; 2 a usage error or no
// credentials; 3 resolving the credentials failed; 1 anything else (a file
// that cannot be written); --exec exits with the command's status.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/internal/rundir"
)

const (
	exitOK         = 0
	exitFailure    = 1
	exitUsage      = 2
	exitResolution = 3
)

// cli is one run of the command with its streams.
type cli struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	env    engine.Env
	log    *slog.Logger
}

// run executes the command line and returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	wd, _ := os.Getwd()
	c := &cli{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv, env: engine.NewEnv(os.Getenv, wd)}
	o, err := parse(args)
	if err != nil {
		c.errorf("%v (see awsxc-cli --help)", err)
		return exitUsage
	}
	c.log = newLogger(o.debug, stderr)
	switch {
	case o.help || o.command == "help":
		io.WriteString(stdout, helpText())
		return exitOK
	case o.version:
		fmt.Fprintln(stdout, version)
		return exitOK
	case o.command == "profiles":
		return c.fail(c.profiles(ctx, o))
	case o.command == "completion":
		return c.fail(c.completion(o))
	case o.command == "explain":
		return c.fail(c.explain(ctx, o))
	}
	return c.fail(c.export(ctx, o))
}

// errorf prints one error line.
func (c *cli) errorf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	msg = strings.Join(strings.Fields(msg), " ") // one line, always
	fmt.Fprintf(c.stderr, "awsxc-cli: error: %s\n", msg)
}

// fail reports err, if any, and turns it into the exit code.
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
	switch {
	case errors.As(err, &ue), errors.Is(err, engine.ErrNoCredentials):
		return exitUsage
	case errors.Is(err, engine.ErrRecursion):
		return exitResolution
	case errors.Is(err, engine.ErrLongTermKeys):
		return exitFailure // a file that could not be written
	}
	var engErr *engine.Error
	if errors.As(err, &engErr) {
		return exitResolution
	}
	return exitFailure
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
			return a
		},
	}))
}

// export obtains the credentials and hands them out in the chosen mode.
func (c *cli) export(ctx context.Context, o *options) error {
	name := c.profileName(o)
	serving := o.imds != "" || o.container != ""
	// A server resolves other profiles too (/profiles/NAME), whose
	// credential_process may rightly run awsxc-cli for the served one: it
	// checks the chain but does not join it. A real loop through the served
	// profile is still caught one process down.
	if err := guardRecursion(name, c.getenv, !serving); err != nil {
		return err
	}
	mfa := c.mfaProvider(o, name)
	if serving {
		return c.serve(ctx, o, name, mfa)
	}
	oo := engine.ObtainOptions{
		Env:             c.env,
		Profile:         name,
		MFA:             mfa,
		Logger:          c.log,
		EnsureTemporary: o.ensureTemp,
		SessionDuration: time.Duration(o.duration) * time.Second,
		MFASerial:       o.mfaSerial,
	}
	if o.cache || o.cacheFile != "" {
		oo.Cache = &engine.CacheOptions{File: o.cacheFile, Buffer: time.Duration(o.cacheBuffer) * time.Minute, Refresh: o.refresh}
	}
	r, err := engine.Obtain(ctx, oo)
	if err != nil {
		return err
	}
	creds := r.Credentials
	region := r.Region
	if o.noRegion {
		region = ""
	}
	switch {
	case o.exec != nil:
		return execCommand(o.exec, childEnv(os.Environ(), creds, region))
	case o.credsFileProfile != "":
		return c.writeCredentialsFile(o, name, creds)
	}
	format := engine.Format(o.format)
	pretty := o.pretty
	if format == "" {
		format, pretty = engine.FormatProcess, true // aws-export-credentials' default
	}
	out, err := engine.Render(format, creds, engine.RenderOptions{Region: region, Pretty: pretty})
	if err != nil {
		return err
	}
	_, err = c.stdout.Write(out)
	return err
}

// writeCredentialsFile writes the credentials into a profile of the shared
// credentials file.
func (c *cli) writeCredentialsFile(o *options, source string, creds engine.Credentials) error {
	path := c.env.CredentialsFile
	// The lock lives where the tray's does, so the two never interleave.
	lockDir, err := rundir.Dir(c.getenv)
	if err != nil {
		return err
	}
	if err := engine.WriteCredentialsProfile(path, o.credsFileProfile, creds, engine.WriteOptions{Force: o.force, LockDir: lockDir}); err != nil {
		return err
	}
	exp := "no expiry"
	if creds.CanExpire() {
		exp = "expires " + engine.FormatTime(creds.Expires)
	}
	c.log.Debug("wrote credentials file", "path", path, "section", o.credsFileProfile,
		"source", source, "key", engine.MaskKey(creds.AccessKeyID), "expiry", exp)
	return nil
}

// profileName is --profile when given (even empty, which the engine
// rejects), else the AWS CLI's choice from the environment.
func (c *cli) profileName(o *options) string {
	if o.profileSet {
		return o.profile
	}
	return engine.ProfileName("", c.getenv)
}

// profileChainVar carries the profiles being resolved by awsxc-cli
// processes up the stack, for a profile whose credential_process runs
// awsxc-cli (the AWS CLI guards the same way with _AWS_CLI_PROFILE_CHAIN).
const profileChainVar = "AWSXC_PROFILE_CHAIN"

// maxProfileChain is how many awsxc-cli processes may nest through
// credential_process.
const maxProfileChain = 4

// guardRecursion fails when name is already being resolved further up,
// or the chain is too deep, and otherwise (with record) records name for
// the credential_process children the SDK may start.
func guardRecursion(name string, getenv func(string) string, record bool) error {
	var chain []string
	if v := getenv(profileChainVar); v != "" {
		chain = strings.Split(v, "\x1f")
	}
	for _, p := range chain {
		if p == name {
			return &engine.Error{Profile: name, Kind: engine.ErrRecursion,
				Err:  fmt.Errorf("the profile's credential_process runs awsxc-cli for it again (%s)", strings.Join(append(chain, name), " → ")),
				Hint: "point credential_process at another profile"}
		}
	}
	if len(chain) >= maxProfileChain {
		return &engine.Error{Profile: name, Kind: engine.ErrRecursion,
			Err: fmt.Errorf("more than %d nested awsxc-cli runs (%s)", maxProfileChain, strings.Join(append(chain, name), " → "))}
	}
	if !record {
		return nil
	}
	return os.Setenv(profileChainVar, strings.Join(append(chain, name), "\x1f"))
}

// cliHints words the engine's actions for this command line's flags.
var cliHints engine.Hints = func(a engine.Action, profile string) string {
	switch a {
	case engine.ActionMFACode:
		return "give the code with --mfa-code or run from a terminal"
	case engine.ActionSSOLogin:
		return "run aws sso login --profile " + profile
	case engine.ActionAWSLogin:
		return "run aws login --profile " + profile
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
