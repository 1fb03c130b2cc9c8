package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/internal/rundir"
)

// sso sync's output: what was added, removed and updated goes to stderr
// as a report, one line each, like every message of awsxc-cli; stdout
// carries data only: the unified diff with --dry-run (so that it can be
// saved and applied with patch), or with --json one JSON document for
// scripts (the diff inside it).

var ssoSyncCommand = &command{
	name:    "sso sync",
	usage:   "sso sync [--sso-session NAME] [OPTIONS]",
	summary: "write a profile for every IAM Identity Center account and role",
	doc: `Lists every account and role the signed-in sso-session can use (the
portal's ListAccounts and ListAccountRoles, every page, throttling
retried) and writes one profile for each into the config file, with
sso_session, sso_account_id, sso_role_name and region, between two
comment lines that name the session:

  # BEGIN awsxc sso sync: my-sso
  ...
  # END awsxc sso sync: my-sso, checksum ...

A later sync replaces only the lines between its own markers: profiles
of new roles are added, those of roles gone removed. Everything outside
them stays byte for byte; the first sync appends its block at the end.
The file is replaced atomically under a lock, keeping its mode and
owner, after the Go SDK has read the new profiles back. Do not edit
inside the block: a sync refuses a block that was changed (its checksum
says so) rather than lose the change; copy a profile out of it instead.

Profile names come from --template, with {account_name}, {account_id},
{role_name} and {session} (default {account_name}.{role_name}), made
safe for every tool (spaces, brackets, '#', ';' and other characters
become '-'). A name a profile outside the block already has, in the
config or the credentials file, is never taken over: the synced profile
gets "-2" (or "-3", ...) and a warning says so. Each profile keeps the
name a sync gave it while that is still its template's name.

Without --sso-session, the config file's only [sso-session] is synced.
The session must be signed in (awsxc-cli login --sso-session NAME, or
aws sso login); an expired token is refreshed with its refresh token.
The account names go into the block as comments ("# account:
Production (111122223333)"), which awsxc-cli profiles --json reports.

What was added, removed and updated goes to stderr; stdout carries the
diff with --dry-run, or the JSON document with --json.
`,
	new: func() runner { return &ssoSyncCmd{} },
}

type ssoSyncCmd struct {
	session  string
	template string
	region   string
	dryRun   bool
	json     bool
}

func (o *ssoSyncCmd) flags() []flagSpec {
	return []flagSpec{
		stringFlag("sso-session", "NAME", "the [sso-session NAME] to sync (default: the config file's only one)", &o.session),
		stringFlag("template", "TEMPLATE", "profile names, from {account_name}, {account_id}, {role_name} and {session} (default: "+engine.DefaultSSOTemplate+")", &o.template),
		stringFlag("region", "REGION", "the profiles' region (default: the session's sso_region)", &o.region),
		boolFlag("dry-run", "print the config file's unified diff and write nothing", &o.dryRun),
		boolFlag("json", "print what was added, removed and kept as one JSON document", &o.json),
	}
}

func (o *ssoSyncCmd) check(p parsed) error {
	if len(p.args) > 0 {
		return usagef("sso sync takes no arguments (use --sso-session)")
	}
	if _, err := engine.ParseSSOTemplate(firstNonEmpty(o.template, engine.DefaultSSOTemplate)); err != nil {
		return usagef("argument --template: %v", err)
	}
	return nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (o *ssoSyncCmd) run(ctx context.Context, c *cli, _ parsed) error {
	// The lock lives where every other writer's does.
	lockDir, err := rundir.Dir(c.getenv)
	if err != nil {
		return err
	}
	res, err := engine.SyncSSO(ctx, engine.SSOSyncOptions{
		Env:      c.env,
		Session:  o.session,
		Template: o.template,
		Region:   o.region,
		DryRun:   o.dryRun,
		LockDir:  lockDir,
		Logger:   c.log,
	})
	if err != nil {
		return syncError(err)
	}
	c.reportSync(res, o.dryRun)
	switch {
	case o.json:
		return writeSyncJSON(c.stdout, res, o.dryRun)
	case o.dryRun:
		_, err := io.WriteString(c.stdout, res.Diff)
		return err
	}
	return nil
}

// syncError words a sync's failure for this command line: the options
// that choose a session, and the sign-in to run.
func syncError(err error) error {
	var se *engine.SyncError
	if !errors.As(err, &se) {
		return err
	}
	c := *se
	switch {
	case errors.Is(err, engine.ErrSSOSessionChoice) && len(se.Sessions) > 0:
		return usagef("name the sso-session to sync with --sso-session: the config file has %s", strings.Join(se.Sessions, ", "))
	case errors.Is(err, engine.ErrSSOSessionChoice):
		return usagef("%v", err)
	case se.Action == engine.ActionSSOLogin:
		c.Hint = "run awsxc-cli login --sso-session " + se.Session
	}
	return &c
}

// reportSync writes what the sync did to stderr: a line per profile
// added, removed or updated, a warning per name clash and skipped role,
// and a summary.
func (c *cli) reportSync(res *engine.SSOSyncResult, dryRun bool) {
	line := func(did, would string, p engine.SyncedProfile) {
		if dryRun {
			did = "would " + would
		}
		c.reportf("%s profile %s (account %s, role %s, region %s)", did, p.Name, accountLabel(p.AccountID, p.AccountName), p.RoleName, p.Region)
	}
	for _, p := range res.Added {
		line("added", "add", p)
	}
	for _, p := range res.Updated {
		line("updated", "update", p)
	}
	for _, p := range res.Removed {
		line("removed", "remove", p)
	}
	for _, k := range res.Clashes {
		c.warnf("profile %s is taken by %s, which the sync leaves alone: the role's profile is %s", k.Wanted, k.TakenBy, k.Profile)
	}
	for _, s := range res.Skipped {
		c.warnf("skipped role %q of account %s: %s", s.RoleName, s.AccountID, s.Why)
	}
	var done string
	switch {
	case !res.Changed:
		done = "the config file is unchanged"
	case dryRun:
		done = "nothing written (--dry-run)"
	default:
		done = "wrote " + res.ConfigFile
	}
	c.reportf("sso-session %s: %d profiles: %d added, %d removed, %d updated, %d kept; %s",
		res.Session, len(res.Profiles), len(res.Added), len(res.Removed), len(res.Updated), res.Kept, done)
}

// accountLabel names an account for people: "Production (111122223333)",
// or the id alone.
func accountLabel(id, name string) string {
	return engine.AccountGroup{ID: id, Name: name}.Label()
}

// reportf prints one line of a command's report on stderr.
func (c *cli) reportf(format string, args ...any) {
	fmt.Fprintf(c.stderr, "awsxc-cli: %s\n", oneLine(fmt.Sprintf(format, args...)))
}

// syncJSON is sso sync --json's document. Lists are never null.
type syncJSON struct {
	Session    string         `json:"session"`
	ConfigFile string         `json:"config_file"`
	Region     string         `json:"region"`
	DryRun     bool           `json:"dry_run"`
	Changed    bool           `json:"changed"`
	Written    bool           `json:"written"`
	Profiles   int            `json:"profiles"`
	Added      []syncedJSON   `json:"added"`
	Removed    []syncedJSON   `json:"removed"`
	Updated    []syncedJSON   `json:"updated"`
	Kept       int            `json:"kept"`
	Clashes    []clashJSON    `json:"clashes"`
	Skipped    []skippedJSON  `json:"skipped"`
	Calls      map[string]int `json:"calls"`
	Diff       *string        `json:"diff,omitempty"` // with --dry-run
}

type syncedJSON struct {
	Name        string `json:"name"`
	AccountID   string `json:"account_id"`
	AccountName string `json:"account_name"`
	RoleName    string `json:"role_name"`
	Region      string `json:"region"`
}

type clashJSON struct {
	Profile string `json:"profile"`
	Wanted  string `json:"wanted"`
	TakenBy string `json:"taken_by"`
}

type skippedJSON struct {
	AccountID   string `json:"account_id"`
	AccountName string `json:"account_name"`
	RoleName    string `json:"role_name"`
	Why         string `json:"why"`
}

func syncedList(ps []engine.SyncedProfile) []syncedJSON {
	out := make([]syncedJSON, 0, len(ps))
	for _, p := range ps {
		out = append(out, syncedJSON{p.Name, p.AccountID, p.AccountName, p.RoleName, p.Region})
	}
	return out
}

func writeSyncJSON(w io.Writer, res *engine.SSOSyncResult, dryRun bool) error {
	doc := syncJSON{
		Session: res.Session, ConfigFile: res.ConfigFile, Region: res.Region, DryRun: dryRun,
		Changed: res.Changed, Written: res.Written, Profiles: len(res.Profiles),
		Added: syncedList(res.Added), Removed: syncedList(res.Removed), Updated: syncedList(res.Updated), Kept: res.Kept,
		Clashes: []clashJSON{}, Skipped: []skippedJSON{},
		Calls: map[string]int{"list_accounts": res.Calls.ListAccounts, "list_account_roles": res.Calls.ListAccountRoles, "retries": res.Calls.Retries},
	}
	for _, k := range res.Clashes {
		doc.Clashes = append(doc.Clashes, clashJSON{k.Profile, k.Wanted, k.TakenBy})
	}
	for _, s := range res.Skipped {
		doc.Skipped = append(doc.Skipped, skippedJSON{s.AccountID, s.AccountName, s.RoleName, s.Why})
	}
	if dryRun {
		doc.Diff = &res.Diff
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
