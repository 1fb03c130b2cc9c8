package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/internal/textsafe"
)

var profilesCommand = &command{
	name:    "profiles",
	usage:   "profiles [--names | --json] [OPTIONS]",
	summary: "list every profile with its kind and region, resolving nothing",
	doc: `Lists every profile of the config and credentials files with its kind and
region, reading each file once and resolving nothing. --names prints the
names only, one a line; --json prints one JSON array, one profile object
a line, with name, kind, region, sso_session, sso_start_url, account_id,
account_name (as an sso sync recorded it), role_name, synced (the profile
is one an sso sync wrote), note and error; a key is left out when its
value is empty or false. --sso-session keeps the profiles whose
sso_session is NAME, and the table then shows their accounts and roles.
`,
	new: func() runner { return &profilesCmd{} },
}

type profilesCmd struct {
	names   bool
	json    bool
	session string
}

func (p *profilesCmd) flags() []flagSpec {
	return []flagSpec{
		boolFlag("names", "print the names only, one a line", &p.names),
		boolFlag("json", "print a JSON array for scripts: one profile a line, with its sso-session, account and role", &p.json),
		stringFlag("sso-session", "NAME", "only the profiles whose sso_session is NAME", &p.session),
	}
}

func (p *profilesCmd) check(args parsed) error {
	switch {
	case len(args.args) > 0:
		return usagef("profiles takes no arguments")
	case p.names && p.json:
		return usagef("argument --json: not allowed with --names")
	}
	return nil
}

// run lists the profiles of the config and credentials files, reading
// each file once: the kinds come from the keys each profile sets (see
// engine.ProfileInfo). A profile that cannot be resolved as it is is
// listed as invalid, and why goes to stderr as a warning, with what is
// wrong with the files.
func (p *profilesCmd) run(ctx context.Context, c *cli, args parsed) error {
	if p.names && p.session == "" {
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
	if p.session != "" {
		l.Profiles = slices.DeleteFunc(l.Profiles, func(i engine.ProfileInfo) bool { return i.SSOSession != p.session })
	}
	if p.names {
		for _, info := range l.Profiles {
			fmt.Fprintln(c.stdout, textsafe.Escape(info.Name))
		}
		return nil
	}
	c.warnAll(l.Warnings, "")
	for _, info := range l.Profiles {
		if info.Err != nil {
			c.warnf("%v", cliHints.Reword(info.Err))
		}
	}
	if p.json {
		return writeProfilesJSON(c, l.Profiles)
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	if p.session != "" {
		// One session's profiles: by account and role. What the files
		// hold is shown escaped: a tab would also break the columns.
		fmt.Fprintln(tw, "PROFILE\tACCOUNT\tROLE\tREGION")
		for _, info := range l.Profiles {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", textsafe.Escape(info.Name), textsafe.Escape(orDash(accountLabel(info.AccountID, info.AccountName))),
				textsafe.Escape(orDash(info.RoleName)), textsafe.Escape(orDash(info.Region)))
		}
		return tw.Flush()
	}
	notes := slices.ContainsFunc(l.Profiles, func(i engine.ProfileInfo) bool { return i.Note != "" })
	if notes {
		fmt.Fprintln(tw, "PROFILE\tKIND\tREGION\tNOTE")
	} else {
		fmt.Fprintln(tw, "PROFILE\tKIND\tREGION")
	}
	for _, info := range l.Profiles {
		// What the files hold is shown escaped: a tab would also break
		// the columns.
		name, region := textsafe.Escape(info.Name), textsafe.Escape(orDash(info.Region))
		if notes {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", name, kindLabel(info), region, textsafe.Escape(info.Note))
		} else {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", name, kindLabel(info), region)
		}
	}
	return tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// kindLabel is the listing's kind column: "invalid" for a profile that
// cannot be resolved as it is.
func kindLabel(info engine.ProfileInfo) string {
	if info.Err != nil {
		return "invalid"
	}
	return string(info.Kind)
}

// profileJSON is one profile of profiles --json.
type profileJSON struct {
	Name        string `json:"name"`
	Kind        string `json:"kind"`
	Region      string `json:"region,omitempty"`
	SSOSession  string `json:"sso_session,omitempty"`
	SSOStartURL string `json:"sso_start_url,omitempty"`
	AccountID   string `json:"account_id,omitempty"`
	AccountName string `json:"account_name,omitempty"`
	RoleName    string `json:"role_name,omitempty"`
	Synced      bool   `json:"synced,omitempty"`
	Note        string `json:"note,omitempty"`
	Error       string `json:"error,omitempty"`
}

// writeProfilesJSON writes one JSON array with a profile object a line,
// so that the output suits jq and grep alike.
func writeProfilesJSON(c *cli, infos []engine.ProfileInfo) error {
	var b bytes.Buffer
	b.Grow(160 * len(infos))
	b.WriteString("[")
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	for i, info := range infos {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n")
		doc := profileJSON{Name: info.Name, Kind: kindLabel(info), Region: info.Region, SSOSession: info.SSOSession,
			SSOStartURL: info.SSOStartURL, AccountID: info.AccountID, AccountName: info.AccountName, RoleName: info.RoleName,
			Synced: info.Synced, Note: info.Note}
		if info.Err != nil {
			// One line; JSON escapes what the terminal would act on.
			doc.Error = strings.Join(strings.Fields(cliHints.Reword(info.Err).Error()), " ")
		}
		if err := enc.Encode(doc); err != nil {
			return err
		}
		b.Truncate(b.Len() - 1) // Encode's newline
	}
	b.WriteString("\n]\n")
	_, err := c.stdout.Write(b.Bytes())
	return err
}
