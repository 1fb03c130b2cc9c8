package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/awsxc/awsxc/engine"
)

// profiles lists every profile with its kind and region.
func (c *cli) profiles(ctx context.Context, o *options) error {
	if len(o.args) > 0 {
		return usagef("profiles takes no arguments")
	}
	if o.names {
		names, err := engine.ListProfileNames(c.env)
		if err != nil {
			return err
		}
		for _, n := range names {
			fmt.Fprintln(c.stdout, n)
		}
		return nil
	}
	infos, err := engine.ListProfiles(ctx, c.env)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PROFILE\tKIND\tREGION")
	for _, p := range infos {
		kind := string(p.Kind)
		if p.Err != nil {
			kind = "invalid"
			c.errorf("%v", p.Err)
		}
		region := p.Region
		if region == "" {
			region = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", p.Name, kind, region)
	}
	return tw.Flush()
}

// explain says where a profile's credentials come from, what they are
// now and whether they refresh on their own: the answer to "why did it
// not refresh?".
func (c *cli) explain(ctx context.Context, o *options) error {
	if len(o.args) > 0 {
		return usagef("explain takes no arguments (use --profile)")
	}
	name := c.profileName(o)
	p, err := engine.Load(ctx, engine.Options{Env: c.env, Profile: name, MFA: c.mfaProvider(o, name), Logger: c.log})
	if err != nil {
		return err
	}
	// Nothing reaches stdout unless all of it does.
	var out strings.Builder
	tw := tabwriter.NewWriter(&out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "profile\t%s\n", p.Name)
	for i, link := range p.Chain {
		label := ""
		if i == 0 {
			label = "source"
		}
		arrow := ""
		if i > 0 {
			arrow = "← "
		}
		fmt.Fprintf(tw, "%s\t%s%s\n", label, arrow, link)
	}
	region := p.Region
	if region == "" {
		region = "none (set region in the profile or AWS_REGION)"
	}
	fmt.Fprintf(tw, "region\t%s\n", region)
	creds, err := p.Retrieve(ctx, false)
	if err != nil {
		return err
	}
	state := "long-term keys"
	if creds.Temporary() {
		state = "temporary"
	}
	if creds.CanExpire() {
		state += ", expire " + engine.FormatTime(creds.Expires) + " (" + untilText(creds.Expires.Sub(c.env.Now())) + ")"
	} else {
		state += ", no expiry"
	}
	fmt.Fprintf(tw, "credentials\t%s, %s\n", engine.MaskKey(creds.AccessKeyID), state)
	refresh := refreshText(p.Kind, p.Name)
	if p.MFASerial != "" && p.Kind == engine.KindAssumeRole {
		refresh = "each renewal assumes the role again and needs a new MFA code (the tray and the servers ask for it; exported copies expire)"
	}
	fmt.Fprintf(tw, "refresh\t%s\n", refresh)
	tw.Flush()
	_, err = io.WriteString(c.stdout, out.String())
	return err
}

// untilText says how long until an expiry, roughly, for people.
func untilText(d time.Duration) string {
	switch {
	case d < 0:
		return "expired " + (-d).Round(time.Minute).String() + " ago"
	case d < time.Minute:
		return "in less than a minute"
	case d > 48*time.Hour:
		return fmt.Sprintf("in %d days", int(d.Hours()/24))
	}
	return "in " + strings.TrimSuffix(d.Round(time.Minute).String(), "0s")
}

// refreshText says whether a kind of profile renews its credentials.
func refreshText(k engine.Kind, name string) string {
	switch k {
	case engine.KindStatic:
		return "never needed: long-term keys do not expire (--ensure-temporary and the servers exchange them for temporary ones)"
	case engine.KindSession:
		return "not possible: a fixed session token in the file; replace it when it expires"
	case engine.KindSSO:
		return "the SDK renews them until the SSO session ends; then run aws sso login --profile " + name
	case engine.KindLogin:
		return "the SDK renews them until the aws login session ends; then run aws login --profile " + name
	}
	return "the SDK fetches new ones from the source when these expire (exported copies do not follow: use credential_process, --imds or --container for that)"
}

// helpText is the --help output, built from the option table so it never
// disagrees with the parser.
func helpText() string {
	var b strings.Builder
	b.WriteString(`usage: awsxc-cli [--profile PROFILE] [MODE] [OPTIONS]
       awsxc-cli profiles [--names]
       awsxc-cli explain [--profile PROFILE]
       awsxc-cli completion bash|zsh|fish|powershell

Export the AWS credentials of a profile, resolved by the AWS SDK's own chain
(static keys, SSO, assumed roles, credential_process, web identity, MFA...).
With no mode the credentials are printed as pretty credential_process JSON.

modes (pick one):
`)
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	for _, mode := range []bool{true, false} {
		if !mode {
			tw.Flush()
			b.WriteString("\noptions:\n")
		}
		for _, s := range specs {
			if s.mode != mode {
				continue
			}
			flag := "--" + s.name
			if s.short != 0 {
				flag = "-" + string(s.short) + ", " + flag
			}
			if s.arg != "" {
				flag += " " + s.arg
			}
			fmt.Fprintf(tw, "  %s\t%s\n", flag, s.help)
		}
	}
	tw.Flush()
	b.WriteString(`
exit status: 0 ok; 1 a file could not be written; 2 usage error or no
credentials; 3 the credentials could not be obtained; with --exec, the
command's own status.
`)
	return b.String()
}
