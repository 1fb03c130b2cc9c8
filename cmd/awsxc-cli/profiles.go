package main

import (
	"context"
	"fmt"
	"slices"
	"text/tabwriter"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/internal/textsafe"
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

// run lists the profiles of the config and credentials files, reading
// each file once: the kinds come from the keys each profile sets (see
// engine.ProfileInfo). A profile that cannot be resolved as it is is
// listed as invalid, and why goes to stderr as a warning, with what is
// wrong with the files.
func (p *profilesCmd) run(ctx context.Context, c *cli, args parsed) error {
	if len(args.args) > 0 {
		return usagef("profiles takes no arguments")
	}
	if p.names {
		names, err := engine.ListProfileNames(c.env)
		if err != nil {
			return err
		}
		// Escaped too: a name with a control character is shown, not
		// acted on, by whatever reads the list (a completion script).
		for _, n := range names {
			fmt.Fprintln(c.stdout, textsafe.Escape(n))
		}
		return nil
	}
	l, err := engine.ListProfiles(c.env)
	if err != nil {
		return err
	}
	c.warnAll(l.Warnings, "")
	notes := slices.ContainsFunc(l.Profiles, func(i engine.ProfileInfo) bool { return i.Note != "" })
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	if notes {
		fmt.Fprintln(tw, "PROFILE\tKIND\tREGION\tNOTE")
	} else {
		fmt.Fprintln(tw, "PROFILE\tKIND\tREGION")
	}
	for _, info := range l.Profiles {
		kind := string(info.Kind)
		if info.Err != nil {
			kind = "invalid"
			c.warnf("%v", cliHints.Reword(info.Err))
		}
		region := info.Region
		if region == "" {
			region = "-"
		}
		// What the files hold is shown escaped: a tab would also break
		// the columns.
		name, region := textsafe.Escape(info.Name), textsafe.Escape(region)
		if notes {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", name, kind, region, textsafe.Escape(info.Note))
		} else {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", name, kind, region)
		}
	}
	return tw.Flush()
}
