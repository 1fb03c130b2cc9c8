package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/awsxc/awsxc/engine"
)

// profiles lists every profile with its kind and region.
func (c *cli) profiles(ctx context.Context, o *options) error {
	if len(o.args) > 0 {
		return usagef("profiles takes no arguments")
	}
	if o.names {
		names, err := engine.ListProfileNames()
		if err != nil {
			return err
		}
		for _, n := range names {
			fmt.Fprintln(c.stdout, n)
		}
		return nil
	}
	infos, err := engine.ListProfiles(ctx)
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

func formatNames() []string {
	names := make([]string, len(engine.Formats))
	for i, f := range engine.Formats {
		names[i] = string(f)
	}
	return names
}

// helpText is the --help output, built from the option table so it never
// disagrees with the parser.
func helpText() string {
	var b strings.Builder
	b.WriteString(`usage: awsxc-cli [--profile PROFILE] [MODE] [OPTIONS]
       awsxc-cli profiles [--names]
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
