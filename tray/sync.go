//go:build !darwin || cgo

package tray

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/platform"
)

// "Sync profiles from my-sso": engine.SyncSSO for one sso-session, off
// the event loop, then a notification of what changed and the menu
// listed again from the files the sync wrote.

// syncSlot starts the sync of the sso-session Sync item i offers, unless
// the item is disabled (not signed in, its settings broken, syncing).
func (a *app) syncSlot(i int) {
	ss := a.state.Catalog.Sessions
	if i >= len(ss) || ss[i].Syncing || !ss[i].SignedIn || ss[i].Err != nil {
		return
	}
	a.syncSSO(ss[i].Name)
}

// syncSSO syncs sso-session name: its profiles are written into the
// config file (atomically, under the lock every awsxc writer takes), and
// the user is told what was added and removed.
func (a *app) syncSSO(name string) {
	if a.profiles.syncing == nil {
		a.profiles.syncing = map[string]bool{}
	}
	a.profiles.syncing[name] = true
	a.refreshSessions()
	a.log.Info("syncing profiles", "sso_session", name)
	a.background(func() {
		res, err := engine.SyncSSO(a.ctx, engine.SSOSyncOptions{
			Env:     a.opts.Env,
			Session: name,
			LockDir: platform.StateDir(),
			Logger:  a.log,
		})
		a.post(func() { a.synced(name, res, err) })
	})
}

// synced takes in the end of the sync of sso-session name.
func (a *app) synced(name string, res *engine.SSOSyncResult, err error) {
	delete(a.profiles.syncing, name)
	switch {
	case err != nil && errors.Is(err, context.Canceled) && a.ctx.Err() != nil:
		return // quitting
	case err != nil:
		a.notify("Profiles not synced from "+name, syncErrText(err))
	default:
		a.log.Info("synced profiles", "sso_session", name, "added", len(res.Added), "removed", len(res.Removed),
			"updated", len(res.Updated), "kept", res.Kept, "written", res.Written)
		a.inform("Synced profiles from "+name, SyncReport(res))
	}
	// The menu shows the profiles as the files now hold them; a sync
	// may also have refreshed the session's token.
	a.listProfiles(a.awsFilesSum())
	a.refreshSessions()
}

// syncErrText words a failed sync for the tray, which has a Sign in item
// and no flags: the engine's neutral hint for signing in is replaced.
func syncErrText(err error) string {
	var se *engine.SyncError
	if !errors.As(err, &se) {
		return err.Error()
	}
	c := *se
	if c.Action == engine.ActionSSOLogin {
		c.Hint = "sign in to " + c.Session + " first"
	}
	return c.Error()
}

// namesShown is how many profile names a sync's notification lists of
// each change.
const namesShown = 5

// SyncReport is the notification's text for a sync's result: "Added 12
// profiles, removed 3." then the names, at most five of each, and what
// the user should know (names taken by other profiles, roles skipped).
func SyncReport(res *engine.SSOSyncResult) string {
	var lines []string
	var counts []string
	for _, c := range []struct {
		verb string
		n    int
	}{{"added", len(res.Added)}, {"removed", len(res.Removed)}, {"updated", len(res.Updated)}} {
		if c.n > 0 {
			counts = append(counts, c.verb+" "+plural(c.n, "profile"))
		}
	}
	if len(counts) == 0 {
		lines = append(lines, "No change: "+plural(len(res.Profiles), "profile")+", as they were.")
	} else {
		first := strings.Join(counts, ", ")
		if res.Kept > 0 {
			first += "; " + plural(res.Kept, "profile") + " as they were"
		}
		lines = append(lines, strings.ToUpper(first[:1])+first[1:]+".")
	}
	for _, c := range []struct {
		what  string
		profs []engine.SyncedProfile
	}{{"Added", res.Added}, {"Removed", res.Removed}, {"Updated", res.Updated}} {
		if len(c.profs) == 0 {
			continue
		}
		names := make([]string, len(c.profs))
		for i, p := range c.profs {
			names[i] = p.Name
		}
		lines = append(lines, c.what+": "+someNames(names)+".")
	}
	if n := len(res.Clashes); n > 0 {
		names := make([]string, n)
		for i, k := range res.Clashes {
			names[i] = k.Profile + " (" + k.Wanted + " is taken by " + k.TakenBy + ")"
		}
		lines = append(lines, plural(n, "profile")+" got another name: "+someNames(names)+".")
	}
	if n := len(res.Skipped); n > 0 {
		names := make([]string, n)
		for i, s := range res.Skipped {
			names[i] = s.RoleName + " of " + engine.AccountGroup{ID: s.AccountID, Name: s.AccountName}.Label() + " (" + s.Why + ")"
		}
		lines = append(lines, plural(n, "role")+" skipped: "+someNames(names)+".")
	}
	return strings.Join(lines, "\n")
}

// someNames lists at most namesShown names, then how many more.
func someNames(names []string) string {
	if len(names) <= namesShown {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:namesShown], ", ") + fmt.Sprintf(" and %d more", len(names)-namesShown)
}

// plural is "1 profile" or "3 profiles".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
