//go:build !darwin || cgo

package tray

import (
	"errors"
	"slices"
	"strings"

	"github.com/awsxc/awsxc/engine/daemon"
	"github.com/awsxc/awsxc/platform"
)

// The actions of the Servers ▸ submenu (servers_model.go): add a pinned
// IMDS server or an ECS consumer through a dialog (the MFA dialog's
// platform code), revoke a consumer, remove a server, copy a server's or
// consumer's Docker settings. The daemon does the work and saves the
// settings.

// addServer asks for what to add, off the loop, and has the daemon add
// it; a notification says what came of it.
func (a *app) addServer(consumer bool) {
	d, active := a.d, a.state.Active
	if d == nil {
		return
	}
	title, text := "awsxc: add an IMDS server",
		"Profile for the new IMDS server, and a port if you like (dev, or dev 9931; @active follows the active profile). Empty: "+cmpString(active, "the active profile")+" on a free port."
	if consumer {
		title, text = "awsxc: add an ECS consumer",
			"Name and profile of the new consumer (api dev; @active follows the active profile). A name alone: "+cmpString(active, "the active profile")+"."
	}
	a.background(func() {
		answer, err := a.prompt(a.ctx, title, text)
		if errors.Is(err, platform.ErrCanceled) || a.ctx.Err() != nil {
			return
		}
		if err != nil {
			a.post(func() { a.notify("Nothing added", err.Error()) })
			return
		}
		parse := parseAddIMDS
		if consumer {
			parse = parseAddConsumer
		}
		spec, err := parse(answer, active)
		if err == nil {
			var info daemon.ServerInfo
			info, err = d.AddServer(spec)
			if err == nil {
				a.post(func() { a.inform("Added "+info.Name, addedText(info)) })
				return
			}
		}
		a.post(func() { a.notify("Nothing added", oneLine(err.Error())) })
	})
}

// addedText says where a server added listens, or its consumer's token.
func addedText(info daemon.ServerInfo) string {
	var b strings.Builder
	switch {
	case info.Error != "":
		b.WriteString("It is not running: " + info.Error + ".")
	case info.Kind == daemon.KindConsumer:
		b.WriteString("Its token is in " + info.TokenFile + "; Copy settings for Docker under Servers gives a container's settings.")
	default:
		b.WriteString("At " + info.URL + ".")
	}
	if info.FollowsActive {
		b.WriteString(" It follows the active profile.")
	}
	return b.String()
}

// serverAction runs a server slot's action on the server or consumer
// the slot showed when the menu was last drawn (a.shownServers): the list
// may have changed since, and a click must never reach another consumer
// than the one its line named.
func (a *app) serverAction(id string) {
	var prefix string
	for _, p := range []string{srvDockerPrefix, srvRevokePrefix, srvRemovePrefix} {
		if strings.HasPrefix(id, p) {
			prefix = p
		}
	}
	i, ok := slotOf(id, prefix)
	if !ok || i >= len(a.shownServers) || a.d == nil {
		return
	}
	name := a.shownServers[i]
	idx := slices.IndexFunc(a.state.Servers, func(s daemon.ServerInfo) bool { return s.Name == name })
	if idx < 0 {
		a.notify(name+" is gone", "It was removed before the click reached awsxc; nothing was done.")
		return
	}
	info := a.state.Servers[idx]
	switch prefix {
	case srvDockerPrefix:
		a.copyServerDocker(info)
	case srvRevokePrefix:
		err := a.d.Revoke(info.Name)
		switch {
		case errors.Is(err, daemon.ErrNotSaved):
			a.notify("Revoked "+info.Name+", but not saved",
				"Its token no longer works. settings.json could not be saved ("+err.Error()+
					"): fix the file while awsxc runs, or the consumer comes back at the next start.")
		case err != nil:
			a.notify("Cannot revoke "+info.Name, err.Error())
			return
		default:
			a.inform("Revoked "+info.Name, "Its token no longer works, and its token file is removed.")
		}
	case srvRemovePrefix:
		err := a.d.RemoveServer(info.Name)
		switch {
		case errors.Is(err, daemon.ErrNotSaved):
			a.notify("Removed "+info.Name+", but not saved",
				"It no longer listens. settings.json could not be saved ("+err.Error()+
					"): fix the file while awsxc runs, or the server comes back at the next start.")
		case err != nil:
			a.notify("Cannot remove "+info.Name, err.Error())
			return
		default:
			a.inform("Removed "+info.Name, "It no longer listens.")
		}
	}
	a.syncServers()
}

// copyServerDocker copies the docker run flags a container needs to
// reach info (a consumer's refer to its token file, mounted read-only),
// cleared from the clipboard after clipboard_clear_seconds.
func (a *app) copyServerDocker(info daemon.ServerInfo) {
	flags := info.Settings.DockerFlags()
	if len(flags) == 0 {
		a.notify("No Docker settings for "+info.Name, cmpString(info.Settings.Note, "it is not running"))
		return
	}
	text, note, clearAfter := shellJoin(flags), info.Settings.Note, a.clearAfter()
	if note != "" {
		note = "Note: " + note + "."
	}
	a.background(func() { a.clipboard.putNote(a.ctx, "the Docker settings of "+info.Name, note, text, clearAfter) })
}
