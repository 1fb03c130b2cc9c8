package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/engine/console"
	"github.com/awsxc/awsxc/internal/browser"
	"github.com/awsxc/awsxc/internal/handoff"
)

var consoleCommand = &command{
	name:    "console",
	usage:   "console [--profile PROFILE] [--print]",
	summary: "open the AWS console signed in as a profile, or print the sign-in link",
	doc: `Open the AWS web console in the browser, signed in as the profile: with
$BROWSER when it is set, else the system's opener. IAM Identity Center
profiles open the access portal's console shortcut (the browser's portal
session signs in; no credentials are sent anywhere); every other profile
signs in through the console federation endpoint with its temporary
credentials. IAM user keys are first exchanged for a federation token
(GetFederationToken, name awsxc-USER; the user's own policies still
apply). GetSessionToken sessions cannot sign in to the console.

A federation sign-in link is a credential for 15 minutes: it is never
logged. --print writes it on stdout, the only place it goes; the browser
is given a one-shot loopback link that redirects to it, so that it never
appears in the process list. Other console sessions in the browser stay
signed in (the console keeps several).

AWSXC_SIGNIN_URL replaces the federation endpoint (its full URL, as
https://signin.aws.amazon.com/federation): for tests, and for partitions
awsxc does not know. It is sent the secret key and the session
token: a host that is not an AWS sign-in host is warned of.
`,
	new: func() runner { return &consoleCmd{} },
}

type consoleCmd struct {
	profile     profileFlag
	print       bool
	service     string
	destination string
	region      string
	federate    bool
	duration    int // seconds, 0 = as long as the credentials
	mfaCode     string
}

func (o *consoleCmd) flags() []flagSpec {
	return []flagSpec{
		o.profile.spec(),
		boolFlag("print", "print the sign-in link on stdout instead of opening a browser", &o.print),
		stringFlag("service", "NAME", "open this service's console page (s3, ec2, iam, lambda, ...)", &o.service),
		stringFlag("destination", "URL", "open this console URL (of the credentials' partition)", &o.destination),
		stringFlag("region", "REGION", "the console's region (default: the profile's)", &o.region),
		boolFlag("federate", "for an IAM Identity Center profile, sign in with its role credentials instead of the portal's shortcut", &o.federate),
		{name: "duration", arg: "SECONDS", help: "console session length (900-43200) for IAM user keys and roles assumed with them",
			set: func(v string) error {
				n, err := strconv.Atoi(v)
				if err != nil || n < 900 || n > 43200 {
					return usagef("argument --duration: want seconds between 900 and 43200, got %q", v)
				}
				o.duration = n
				return nil
			}},
		stringFlag("mfa-code", "CODE", "the MFA code, instead of a prompt", &o.mfaCode),
	}
}

func (o *consoleCmd) check(p parsed) error {
	switch {
	case len(p.args) > 0:
		return usagef("console takes no arguments (use --profile)")
	case o.service != "" && o.destination != "":
		return usagef("argument --destination: not allowed with --service")
	}
	return nil
}

// browserWait is how long console waits for the browser to follow the
// one-shot link (a browser that starts cold takes seconds).
const browserWait = 2 * time.Minute

func (o *consoleCmd) run(ctx context.Context, c *cli, _ parsed) error {
	name := o.profile.choose(c)
	endpoint := c.getenv("AWSXC_SIGNIN_URL")
	if host := console.ForeignEndpoint(endpoint); host != "" {
		// It is sent the secret key and the session token themselves.
		fmt.Fprintf(c.stderr, "awsxc-cli: warning: AWSXC_SIGNIN_URL points at %s, which is not an AWS sign-in host: a federation sign-in sends it the profile's secret key and session token\n", host)
	}
	u, err := console.NewURL(ctx, console.Options{
		Env:         c.env,
		Profile:     name,
		MFA:         c.mfaProvider(o.mfaCode, name),
		Logger:      c.log,
		Service:     o.service,
		Destination: o.destination,
		Region:      o.region,
		Federate:    o.federate,
		Duration:    time.Duration(o.duration) * time.Second,
		Endpoint:    endpoint,
	})
	switch {
	case errors.Is(err, console.ErrDestination), errors.Is(err, console.ErrOptions):
		return usagef("%v", err)
	case errors.Is(err, console.ErrNoConsole):
		return fmt.Errorf("%w; set AWSXC_SIGNIN_URL to the partition's federation endpoint", err)
	case err != nil:
		return err
	}
	if o.duration > 0 && u.SessionDuration == 0 {
		fmt.Fprintf(c.stderr, "awsxc-cli: warning: --duration does not apply to profile %q: the console session lasts as long as its credentials%s\n",
			name, sessionEnds(u))
	}
	if o.print {
		_, err := fmt.Fprintln(c.stdout, u.Reveal())
		return err
	}
	return openConsole(ctx, c, u)
}

// sessionEnds says when the console session ends, when known.
func sessionEnds(u *console.URL) string {
	if u.SessionEnds.IsZero() {
		return ""
	}
	return " (until " + engine.FormatTime(u.SessionEnds) + ")"
}

// openConsole opens the link in the browser. A federation link reaches
// it through a one-shot loopback redirect, so the credential is never on
// a command line (the browser's, the opener's) where other users of the
// machine could read it; console waits until the browser has followed it,
// and fails when the redirect was asked for twice, or by another user's
// process (see internal/handoff).
func openConsole(ctx context.Context, c *cli, u *console.URL) error {
	open := func(ctx context.Context, link string) error {
		if err := browser.Open(ctx, link, browser.Options{Getenv: c.getenv, Output: c.stderr}); err != nil {
			return fmt.Errorf("%w (print the link with --print)", err)
		}
		return nil
	}
	c.log.Debug("opening the browser", "profile", u.Profile, "link", u, "one_shot_redirect", u.Secret())
	if !u.Secret() {
		return open(ctx, u.Reveal())
	}
	err := handoff.Open(ctx, u.Reveal(), open, browserWait)
	switch {
	case errors.Is(err, handoff.ErrNotFollowed):
		return fmt.Errorf("%w (print the sign-in link with --print)", err)
	case errors.Is(err, handoff.ErrTaken):
		return fmt.Errorf("%w: do not use the console session it opened, sign out of it (the sign-in link expires 15 minutes after it was made)", err)
	case errors.Is(err, handoff.ErrForeignPeer):
		return fmt.Errorf("%w (it read the link in the process list; the browser got the link): if a console session opened that you did not open, sign out of it", err)
	}
	return err
}
