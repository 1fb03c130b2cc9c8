package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/awsxc/awsxc/engine"
)

// options is the parsed command line.
type options struct {
	command string   // "", "profiles", "completion", "help"
	args    []string // the command's own arguments

	profile    string
	profileSet bool   // --profile was given, maybe empty
	mode       string // the chosen output mode flag (--json, --env, ...), "" for the default
	format     string // the engine format name the mode maps to
	pretty     bool
	exec       []string

	credsFileProfile string
	force            bool

	noRegion       bool
	ensureTemp     bool
	duration       int // seconds, 0 = STS default
	mfaSerial      string
	mfaCode        string
	cache          bool
	cacheFile      string
	cacheBuffer    int // minutes
	cacheBufferSet bool
	refresh        bool

	imds       string
	imdsV1     bool
	container  string
	token      string
	tokenFile  string
	allowHosts []string

	names   bool
	version bool
	debug   bool
	help    bool
}

// usageError is a mistake on the command line: exit code 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// flagSpec describes one long option.
type flagSpec struct {
	name  string
	arg   string // "" for a switch; the metavar otherwise
	short byte   // 0 for none
	mode  bool   // an output mode: mutually exclusive with the others
	help  string
	set   func(o *options, v string) error
}

// specs lists every option in the order --help shows them.
var specs = []flagSpec{
	{name: "profile", arg: "PROFILE", help: "the profile to use (default: $AWS_PROFILE, $AWS_DEFAULT_PROFILE, default)",
		set: func(o *options, v string) error { o.profile, o.profileSet = v, true; return nil }},
	{name: "json", mode: true, help: "print credential_process JSON, compact",
		set: func(o *options, v string) error { o.format = "process"; return nil }},
	{name: "pretty", help: "indent the JSON (the default output is pretty JSON)",
		set: func(o *options, v string) error { o.pretty = true; return nil }},
	{name: "env", mode: true, help: "print NAME=value lines (same as --format env-no-export)",
		set: func(o *options, v string) error { o.format = "env-no-export"; return nil }},
	{name: "env-export", mode: true, help: "print export NAME=value lines (same as --format env)",
		set: func(o *options, v string) error { o.format = "env"; return nil }},
	{name: "format", arg: "NAME", mode: true, help: strings.Join(engine.FormatNames(), ", "),
		set: func(o *options, v string) error { o.format = v; return nil }},
	{name: "no-region", help: "leave AWS_REGION and AWS_DEFAULT_REGION out of env output and --exec",
		set: func(o *options, v string) error { o.noRegion = true; return nil }},
	{name: "exec", arg: "CMD ARGS...", mode: true, help: "run CMD with the credentials in its environment (no shell); takes the rest of the line",
		set: nil},
	{name: "credentials-file-profile", arg: "NAME", short: 'c', mode: true, help: "write the credentials into profile NAME of the shared credentials file",
		set: func(o *options, v string) error { o.credsFileProfile = v; return nil }},
	{name: "force", help: "with -c, overwrite a profile that holds long-term keys",
		set: func(o *options, v string) error { o.force = true; return nil }},
	{name: "imds", arg: "[HOST:]PORT", mode: true, help: "serve the credentials as an EC2 IMDSv2 endpoint (a bare port binds 127.0.0.1)",
		set: func(o *options, v string) error { o.imds = v; return nil }},
	{name: "imds-v1", help: "let the IMDS server answer reads without a session token (IMDSv1)",
		set: func(o *options, v string) error { o.imdsV1 = true; return nil }},
	{name: "container", arg: "[HOST:]PORT [TOKEN]", mode: true, help: "serve the credentials as an ECS container credentials endpoint; without TOKEN a random one is made",
		set: nil},
	{name: "container-token-file", arg: "PATH", help: "write the container token to PATH (0600, no newline) for AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
		set: func(o *options, v string) error { o.tokenFile = v; return nil }},
	{name: "allow-host", arg: "HOST", help: "also accept this Host header on the servers (repeatable)",
		set: func(o *options, v string) error { o.allowHosts = append(o.allowHosts, v); return nil }},
	{name: "ensure-temporary", help: "exchange long-term keys for temporary ones with STS GetSessionToken",
		set: func(o *options, v string) error { o.ensureTemp = true; return nil }},
	{name: "duration", arg: "SECONDS", help: "with --ensure-temporary, the lifetime to ask STS for (900-129600)",
		set: func(o *options, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 900 || n > 129600 {
				return usagef("argument --duration: want seconds between 900 and 129600, got %q", v)
			}
			o.duration = n
			return nil
		}},
	{name: "mfa-serial", arg: "ARN", help: "with --ensure-temporary, the MFA device (default: the profile's mfa_serial)",
		set: func(o *options, v string) error { o.mfaSerial = v; return nil }},
	{name: "mfa-code", arg: "CODE", help: "the MFA code, instead of a prompt",
		set: func(o *options, v string) error { o.mfaCode = v; return nil }},
	{name: "cache", help: "cache expiring credentials in the user's cache folder, one file per profile",
		set: func(o *options, v string) error { o.cache = true; return nil }},
	{name: "cache-file", arg: "PATH", help: "cache expiring credentials in PATH",
		set: func(o *options, v string) error { o.cacheFile = v; return nil }},
	{name: "cache-expiration-buffer", arg: "MINUTES", help: "treat cached credentials as expired this long before they are (default 10)",
		set: func(o *options, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil {
				return usagef("argument --cache-expiration-buffer: want a whole number of minutes, got %q", v)
			}
			o.cacheBuffer, o.cacheBufferSet = n, true
			return nil
		}},
	{name: "refresh", help: "ignore the cache and fetch new credentials",
		set: func(o *options, v string) error { o.refresh = true; return nil }},
	{name: "names", help: "with the profiles command, print the names only",
		set: func(o *options, v string) error { o.names = true; return nil }},
	{name: "debug", help: "explain on stderr what happens (secrets are never shown)",
		set: func(o *options, v string) error { o.debug = true; return nil }},
	{name: "version", help: "print the version",
		set: func(o *options, v string) error { o.version = true; return nil }},
	{name: "help", short: 'h', help: "show this help",
		set: func(o *options, v string) error { o.help = true; return nil }},
}

// lookup finds a long option by exact name, else by unique prefix (as
// aws-export-credentials' argparse does: --prof, --env-e).
func lookup(name string) (*flagSpec, error) {
	var matches []*flagSpec
	for i := range specs {
		if specs[i].name == name {
			return &specs[i], nil
		}
		if strings.HasPrefix(specs[i].name, name) {
			matches = append(matches, &specs[i])
		}
	}
	switch len(matches) {
	case 0:
		return nil, usagef("unknown option --%s", name)
	case 1:
		return matches[0], nil
	}
	names := make([]string, len(matches))
	for i, m := range matches {
		names[i] = "--" + m.name
	}
	return nil, usagef("ambiguous option --%s could match %s", name, strings.Join(names, ", "))
}

// parse reads the command line. A first word that is not an option names
// a command (profiles, completion, help).
func parse(args []string) (*options, error) {
	o := &options{cacheBuffer: 10}
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		switch args[0] {
		case "profiles", "completion", "explain", "help":
			o.command, args = args[0], args[1:]
		default:
			return nil, usagef("unknown command %q (did you mean --exec %s?)", args[0], args[0])
		}
	}
	var modes []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if o.command != "" && !strings.HasPrefix(a, "-") {
			o.args = append(o.args, a)
			continue
		}
		var spec *flagSpec
		var val string
		hasVal := false
		switch {
		case a == "--":
			if o.command != "" {
				o.args = append(o.args, args[i+1:]...)
				i = len(args)
				continue
			}
			return nil, usagef("unexpected -- (use --exec -- CMD to run a command)")
		case strings.HasPrefix(a, "--"):
			name := a[2:]
			if n, v, ok := strings.Cut(name, "="); ok {
				name, val, hasVal = n, v, true
			}
			s, err := lookup(name)
			if err != nil {
				return nil, err
			}
			spec = s
		case strings.HasPrefix(a, "-") && len(a) >= 2:
			for j := range specs {
				if specs[j].short == a[1] {
					spec = &specs[j]
				}
			}
			if spec == nil {
				return nil, usagef("unknown option %s", a)
			}
			if len(a) > 2 {
				val, hasVal = strings.TrimPrefix(a[2:], "="), true
			}
		default:
			return nil, usagef("unexpected argument %q (did you mean --exec %s?)", a, a)
		}

		if spec.mode {
			modes = append(modes, "--"+spec.name)
		}
		switch spec.name {
		case "exec":
			if hasVal {
				return nil, usagef("argument --exec takes the rest of the line, not a value")
			}
			rest := args[i+1:]
			if len(rest) > 0 && rest[0] == "--" {
				rest = rest[1:]
			}
			if len(rest) == 0 {
				return nil, usagef("argument --exec: expected a command to run")
			}
			o.exec = rest
			i = len(args)
			continue
		case "container":
			if !hasVal {
				if i+1 >= len(args) {
					return nil, usagef("argument --container: expected [HOST:]PORT")
				}
				i++
				val = args[i]
			}
			o.container = val
			if i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
				i++
				o.token = args[i]
			}
			continue
		}
		if spec.arg == "" {
			if hasVal {
				return nil, usagef("option --%s takes no value", spec.name)
			}
		} else if !hasVal {
			if i+1 >= len(args) {
				return nil, usagef("argument --%s: expected %s", spec.name, spec.arg)
			}
			i++
			val = args[i]
		}
		if err := spec.set(o, val); err != nil {
			return nil, err
		}
	}
	// --imds and --container may run together: one process, both servers.
	if len(modes) == 2 && slices.Contains(modes, "--imds") && slices.Contains(modes, "--container") {
		modes = []string{"--imds"}
	}
	if len(modes) > 1 {
		if modes[0] == modes[1] {
			return nil, usagef("argument %s given twice", modes[0])
		}
		return nil, usagef("argument %s: not allowed with argument %s", modes[1], modes[0])
	}
	if len(modes) == 1 {
		o.mode = modes[0]
	}
	return o, o.check()
}

// check rejects combinations that cannot work.
func (o *options) check() error {
	serving := o.imds != "" || o.container != ""
	switch {
	case o.help || o.version || o.command != "":
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
	case (o.duration != 0 || o.mfaSerial != "") && !o.ensureTemp && !serving:
		return usagef("--duration and --mfa-serial apply to --ensure-temporary")
	}
	if o.credsFileProfile != "" {
		// Checked before any credentials are fetched (or an MFA code asked).
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
