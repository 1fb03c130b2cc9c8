package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/awsxc/awsxc/engine"
)

var profilesCommand = &command{
	name:    "profiles",
	usage:   "profiles [--names]",
	summary: "list every profile with its kind and region, resolving nothing",
	new:     func() runner { return &profilesCmd{} },
}

type profilesCmd struct {
	names bool
}

func (p *profilesCmd) flags() []flagSpec {
	return []flagSpec{boolFlag("names", "print the names only, one a line", &p.names)}
}

// run lists the profiles of the config and credentials files. A profile
// whose settings cannot be read is listed as invalid, and why goes to
// stderr.
func (p *profilesCmd) run(ctx context.Context, c *cli, args parsed) error {
	if len(args.args) > 0 {
		return usagef("profiles takes no arguments")
	}
	if p.names {
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
	for _, info := range infos {
		kind := string(info.Kind)
		if info.Err != nil {
			kind = "invalid"
			c.errorf("%v", cliHints.Reword(info.Err))
		}
		region := info.Region
		if region == "" {
			region = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", info.Name, kind, region)
	}
	return tw.Flush()
}
