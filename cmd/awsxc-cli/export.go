package main

// The export modes: aws-export-credentials' command line, run when no
// command is named. Its flags, their prefixes and its exit codes are the
// reference tool's (see cli_test.go and testdata/cli).

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/awsxc/awsxc/cmd/awsxc-cli/internal/quick"
	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/internal/rundir"
)

var exportCommand = &command{
	usage:   "[--profile PROFILE] [MODE] [OPTIONS]",
	summary: "export the credentials of a profile",
	doc: `Export the AWS credentials of a profile, resolved by the AWS SDK's own chain
(static keys, SSO, assumed roles, credential_process, web identity, MFA...).
With no mode the credentials are printed as pretty credential_process JSON.
`,
	new: func() runner { return &options{cacheBuffer: 10} },
}

// options are the export modes' options.
type options struct {
	profile profileFlag
	mode    string // the output mode flag given (--json, --env, ...), "" for the default
	format  string // the engine format name the mode maps to
	pretty  bool
	exec    []string

	credsFileProfile string
	force            bool

	noRegion    bool
	ensureTemp  bool
	duration    int // seconds, 0 = STS default
	mfaSerial   string
	mfaCode     string
	cache       bool
	cacheFile   string
	cacheBuffer int // minutes
	refresh     bool
	noDaemon    bool

	imds        string
	imdsV1      bool
	container   string
	token       string
	tokenFile   string
	allowHosts  []string
	allowRemote bool

	version bool
}

// flags lists the options in the order --help shows them.
func (o *options) flags() []flagSpec {
	mode := func(name, help, format string) flagSpec {
		return flagSpec{name: name, mode: true, help: help, set: func(string) error { o.format = format; return nil }}
	}
	return []flagSpec{
		o.profile.spec(),
		mode("json", "print credential_process JSON, compact", "process"),
		boolFlag("pretty", "indent the JSON (the default output is pretty JSON)", &o.pretty),
		mode("env", "print NAME=value lines (same as --format env-no-export)", "env-no-export"),
		mode("env-export", "print export NAME=value lines (same as --format env)", "env"),
		{name: "format", arg: "NAME", mode: true, help: strings.Join(engine.FormatNames(), ", "),
			set: func(v string) error { o.format = v; return nil }},
		boolFlag("no-region", "leave AWS_REGION and AWS_DEFAULT_REGION out of env output and --exec", &o.noRegion),
		{name: "exec", arg: "CMD ARGS...", mode: true, help: "run CMD with the credentials in its environment (no shell); takes the rest of the line",
			rest: func(args []string) error {
				if len(args) == 0 {
					return usagef("argument --exec: expected a command to run")
				}
				o.exec = args
				return nil
			}},
		{name: "credentials-file-profile", arg: "NAME", short: 'c', mode: true, help: "write the credentials into profile NAME of the shared credentials file",
			set: func(v string) error { o.credsFileProfile = v; return nil }},
		boolFlag("force", "with -c, overwrite a profile that holds long-term keys", &o.force),
		{name: "imds", arg: "[HOST:]PORT", mode: true, help: "serve the credentials as an EC2 IMDSv2 endpoint (a bare port binds 127.0.0.1)",
			set: func(v string) error { o.imds = v; return nil }},
		boolFlag("imds-v1", "let the IMDS server answer reads without a session token (IMDSv1)", &o.imdsV1),
		{name: "container", arg: "[HOST:]PORT [TOKEN]", mode: true, help: "serve the credentials as an ECS container credentials endpoint; without TOKEN (16+ visible ASCII characters, seen by ps) a random one is made",
			set: func(v string) error { o.container = v; return nil }, extra: func(v string) { o.token = v }},
		stringFlag("container-token-file", "PATH", "write the container token to PATH (0600, no newline) for AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", &o.tokenFile),
		{name: "allow-host", arg: "HOST", help: "also accept this Host header on the servers (repeatable)",
			set: func(v string) error { o.allowHosts = append(o.allowHosts, v); return nil }},
		boolFlag("allow-remote", "let the servers listen beyond loopback (0.0.0.0, a LAN or bridge address): whoever reaches them can read the credentials", &o.allowRemote),
		boolFlag("ensure-temporary", "exchange long-term keys for temporary ones with STS GetSessionToken", &o.ensureTemp),
		{name: "duration", arg: "SECONDS", help: "with --ensure-temporary, the lifetime to ask STS for (900-129600)",
			set: func(v string) error {
				n, err := strconv.Atoi(v)
				if err != nil || n < 900 || n > 129600 {
					return usagef("argument --duration: want seconds between 900 and 129600, got %q", v)
				}
				o.duration = n
				return nil
			}},
		stringFlag("mfa-serial", "ARN", "with --ensure-temporary, the MFA device (default: the profile's mfa_serial)", &o.mfaSerial),
		stringFlag("mfa-code", "CODE", "the MFA code, instead of a prompt", &o.mfaCode),
		boolFlag("cache", "cache expiring credentials in the user's cache folder, one file per profile", &o.cache),
		stringFlag("cache-file", "PATH", "cache expiring credentials in PATH", &o.cacheFile),
		{name: "cache-expiration-buffer", arg: "MINUTES", help: "treat cached credentials as expired this long before they are (default 10)",
			set: func(v string) error {
				n, err := strconv.Atoi(v)
				if err != nil {
					return usagef("argument --cache-expiration-buffer: want a whole number of minutes, got %q", v)
				}
				o.cacheBuffer = n
				return nil
			}},
		boolFlag("refresh", "ignore the cache and fetch new credentials", &o.refresh),
		boolFlag("no-daemon", "resolve in this process, without asking the awsxc daemon (also AWSXC_NO_DAEMON=1)", &o.noDaemon),
		boolFlag("version", "print the version", &o.version),
	}
}

// stray rejects a positional argument: the export modes take none, and a
// word that is no option was most likely meant for --exec.
func (o *options) stray(a string) error {
	if a == "--" {
		return usagef("unexpected -- (use --exec -- CMD to run a command)")
	}
	return usagef("unexpected argument %q (did you mean --exec %s?)", a, a)
}

// check records the output mode and rejects combinations that cannot
// work, before anything is fetched (or an MFA code asked for).
func (o *options) check(p parsed) error {
	modes := p.modes
	// --imds and --container may run together: one process, both servers.
	if len(modes) == 2 && slices.Contains(modes, "--imds") && slices.Contains(modes, "--container") {
		modes = []string{"--imds"}
	}
	if len(modes) > 1 {
		if modes[0] == modes[1] {
			return usagef("argument %s given twice", modes[0])
		}
		return usagef("argument %s: not allowed with argument %s", modes[1], modes[0])
	}
	if len(modes) == 1 {
		o.mode = modes[0]
	}
	serving := o.imds != "" || o.container != ""
	switch {
	case o.version:
		return nil
	case serving && (o.cache || o.cacheFile != ""):
		return usagef("cannot use --cache-file or --cache with %s", o.mode)
	case o.cache && o.cacheFile != "":
		return usagef("--cache and --cache-file are the same thing: give one")
	case o.force && o.credsFileProfile == "":
		return usagef("--force only applies to --credentials-file-profile")
	case o.imdsV1 && o.imds == "":
		return usagef("--imds-v1 only applies to --imds")
	case (o.tokenFile != "") && o.container == "":
		return usagef("--container-token-file only applies to --container")
	case len(o.allowHosts) > 0 && !serving:
		return usagef("--allow-host only applies to --imds and --container")
	case o.allowRemote && !serving:
		return usagef("--allow-remote only applies to --imds and --container")
	case (o.duration != 0 || o.mfaSerial != "") && !o.ensureTemp && !serving:
		return usagef("--duration and --mfa-serial apply to --ensure-temporary")
	}
	if o.credsFileProfile != "" {
		if err := engine.ValidateProfileName(o.credsFileProfile); err != nil {
			return usagef("argument --credentials-file-profile: %v", err)
		}
	}
	if o.format != "" && o.mode == "--format" {
		if _, err := engine.ParseFormat(o.format); err != nil {
			return usagef("argument --format: %v", err)
		}
	}
	return nil
}

// run obtains the credentials (from the daemon when one answers, else
// in this process) and hands them out in the chosen mode.
func (o *options) run(ctx context.Context, c *cli, _ parsed) error {
	if o.version {
		_, err := fmt.Fprintln(c.stdout, version)
		return err
	}
	name := o.profile.choose(c)
	serving := o.imds != "" || o.container != ""
	// A server resolves other profiles too (/profiles/NAME), whose
	// credential_process may rightly run awsxc-cli for the served one: it
	// checks the chain but does not join it. A real loop through the served
	// profile is still caught one process down.
	if err := c.guardRecursion(name, !serving); err != nil {
		return err
	}
	mfa := c.mfaProvider(o.mfaCode, name)
	if serving {
		// Paths are the run's: relative to its working folder.
		if o.tokenFile != "" {
			p, err := c.env.ExpandPath(o.tokenFile)
			if err != nil {
				return fmt.Errorf("--container-token-file: %w", err)
			}
			o.tokenFile = p
		}
		return c.serve(ctx, o, name, mfa)
	}
	r, ok, err := c.fromDaemon(ctx, o, name, mfa)
	if err != nil {
		return err
	}
	if !ok {
		if r, err = c.obtain(ctx, o, name, mfa); err != nil {
			return err
		}
	}
	// -c reports on the credentials file it writes itself.
	skip := ""
	if o.credsFileProfile != "" {
		skip = c.env.CredentialsFile
	}
	c.warnAll(r.warnings, skip)
	creds, region := r.creds, r.region
	if o.noRegion {
		region = ""
	}
	// A value no export can carry is the source's fault, as expired
	// credentials are: exit 3, nothing on stdout, nothing run.
	unsafe := func(err error) error {
		if errors.Is(err, engine.ErrUnsafeValue) {
			return &engine.Error{Profile: name, Kind: engine.ErrResolve, Err: err, Hint: "check what its source returns"}
		}
		return err
	}
	switch {
	case o.exec != nil:
		env, err := childEnv(c.environ(), creds, region)
		if err != nil {
			return unsafe(err)
		}
		if c.exec == nil {
			return errors.New("--exec: cannot run a command here")
		}
		return c.exec(o.exec, env)
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
		return unsafe(err)
	}
	_, err = c.stdout.Write(out)
	return err
}

// resolved is what a run hands out: the profile's credentials, its
// region, and what is wrong with the AWS files.
type resolved struct {
	creds    engine.Credentials
	region   string
	warnings []engine.FileWarning
}

// obtain resolves the profile in this process.
func (c *cli) obtain(ctx context.Context, o *options, name string, mfa engine.TokenProvider) (resolved, error) {
	oo := engine.ObtainOptions{
		Env:             c.env,
		Profile:         name,
		MFA:             mfa,
		Logger:          c.log,
		Timeout:         c.timeout,
		EnsureTemporary: o.ensureTemp,
		SessionDuration: time.Duration(o.duration) * time.Second,
		MFASerial:       o.mfaSerial,
	}
	if o.cache || o.cacheFile != "" {
		oo.Cache = &engine.CacheOptions{File: o.cacheFile, Buffer: time.Duration(o.cacheBuffer) * time.Minute, Refresh: o.refresh}
	}
	r, err := engine.Obtain(ctx, oo)
	if err != nil {
		return resolved{}, err
	}
	return resolved{r.Credentials, r.Region, r.Warnings}, nil
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
	res, err := engine.WriteCredentialsProfile(path, o.credsFileProfile, creds, engine.WriteOptions{Force: o.force, LockDir: lockDir})
	if err != nil {
		return err
	}
	for _, w := range res.Warnings {
		c.warnf("%s", w)
	}
	exp := "no expiry"
	if creds.CanExpire() {
		exp = "expires " + engine.FormatTime(creds.Expires)
	}
	c.log.Debug("wrote credentials file", "path", path, "section", o.credsFileProfile,
		"source", source, "key", engine.MaskKey(creds.AccessKeyID), "expiry", exp)
	return nil
}

// profileChainVar carries the profiles being resolved by awsxc-cli
// processes up the stack, for a profile whose credential_process runs
// awsxc-cli (the AWS CLI guards the same way with _AWS_CLI_PROFILE_CHAIN).
const profileChainVar = quick.ProfileChainVar

// maxProfileChain is how many awsxc-cli processes may nest through
// credential_process.
const maxProfileChain = 4

// guardRecursion fails when name is already being resolved further up,
// or the chain is too deep, and otherwise (with record) records name for
// the credential_process children the SDK may start.
func (c *cli) guardRecursion(name string, record bool) error {
	var chain []string
	if v := c.getenv(profileChainVar); v != "" {
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
	if !record || c.setenv == nil {
		return nil
	}
	return c.setenv(profileChainVar, strings.Join(append(chain, name), "\x1f"))
}
