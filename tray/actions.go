//go:build !darwin || cgo

package tray

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/systray"
	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/engine/daemon"
	"github.com/awsxc/awsxc/engine/server"
	"github.com/awsxc/awsxc/platform"
)

// onClick acts on a clicked menu item. Anything slow goes to a goroutine.
func (a *app) onClick(id string) {
	a.log.Debug("clicked", "item", id)
	// Take in edits to settings.json first: the click may change and
	// save the settings, which must not undo them.
	a.reloadSettings()
	// The Profiles menu's slots, tree, favourites and Sync items.
	if id = a.profilesClick(id); id == "" {
		return
	}
	switch {
	case strings.HasPrefix(id, profilePrefix):
		name := strings.TrimPrefix(id, profilePrefix)
		if name == "" || a.isExportProfile(name) { // the item is disabled
			return
		}
		// Saved now, and noted as the most recent one: the switch then
		// finds the profile saved already.
		profiles := a.state.Profiles
		choose := func(s *Settings) { s.Profile, s.Recent = name, pushRecent(s.Recent, name, profiles) }
		if name == a.state.Active {
			a.updateSettings(choose)
			a.refreshQuietly()
			return
		}
		a.switchProfile(name, true)
		a.updateSettings(choose)
	case strings.HasPrefix(id, copyPrefix):
		a.copyAs(engine.Format(strings.TrimPrefix(id, copyPrefix)))
	case id == idRefresh, id == idEnterMFA:
		a.loadProfiles()
		a.refresh()
	case id == idWrite:
		a.writeFile(true)
	case id == idKeep:
		a.updateSettings(func(s *Settings) { s.KeepRefreshed = !s.KeepRefreshed })
		if a.settings.KeepRefreshed {
			a.writeFile(true)
		}
	case id == idIMDSToggle:
		a.updateSettings(func(s *Settings) { s.IMDS.Enabled = !s.IMDS.Enabled })
	case id == idECSToggle:
		a.updateSettings(func(s *Settings) { s.ECS.Enabled = !s.ECS.Enabled })
	case id == idIMDSDocker:
		a.copyDocker(true)
	case id == idECSDocker:
		a.copyDocker(false)
	case id == idAutostart:
		a.toggleAutostart()
	case id == idAddIMDS:
		a.addServer(false)
	case id == idAddConsumer:
		a.addServer(true)
	case strings.HasPrefix(id, srvDockerPrefix), strings.HasPrefix(id, srvRevokePrefix), strings.HasPrefix(id, srvRemovePrefix):
		a.serverAction(id)
	case id == idOpenSettings:
		if _, err := os.Stat(a.opts.SettingsPath); err != nil {
			a.updateSettings(func(*Settings) {}) // written, to be opened
		}
		if err := platform.OpenFile(a.opts.SettingsPath); err != nil {
			a.notify("Cannot open the settings", err.Error()+"\nThe file is "+a.opts.SettingsPath)
		}
	case id == idQuit:
		a.quit()
		systray.Quit()
	default:
		a.onSessionClick(id) // signin.go, console.go
	}
}

// switchProfile makes name the daemon's active profile and the tray's
// Source its Source for name; the servers that follow the active
// profile serve it from then on. With interactive set (a user's choice)
// the first fetch may ask for an MFA code.
func (a *app) switchProfile(name string, interactive bool) {
	a.gen++
	gen := a.gen
	a.switchGen.Store(int64(gen))
	// An MFA dialog still open for another profile is closed: its code
	// would be for a profile no longer chosen.
	a.closePrompts(name)
	a.src, a.switching = nil, true
	a.state.Active = name
	a.state.HaveSource, a.state.LoadErr, a.state.Status = false, nil, engine.Status{}
	a.state.MFAAsking, a.state.MFAErr = a.prompting == name, nil
	a.written = time.Time{}
	a.awsSum = a.awsFilesSum()
	d := a.d
	if d == nil {
		a.switching = false
		return
	}
	a.background(func() {
		// One switch at a time, the latest: the daemon must end on the
		// profile the menu shows, however fast the clicks come.
		a.switchMu.Lock()
		defer a.switchMu.Unlock()
		if a.switchGen.Load() != int64(gen) {
			return
		}
		// Saved, as the daemon's active profile is (a click saved it
		// already: nothing is written then); the daemon loads the
		// profile again when its configuration changed. A later switch
		// that began meanwhile has it saved: this one changes nothing.
		if err := d.UpdateSettings(func(s *Settings) {
			if a.switchGen.Load() == int64(gen) {
				s.Profile = name
			}
		}); err != nil {
			a.log.Debug("active profile not saved", "profile", name, "err", err)
		}
		profile, src, err := d.Active()
		a.post(func() {
			if gen != a.gen {
				return // a later switch replaced this one
			}
			a.switching = false
			// Take in the daemon's save of the profile.
			a.reloadSettings()
			if err == nil && src == nil && profile != name {
				err = fmt.Errorf("profile %s cannot be served", name)
			}
			if err != nil {
				a.log.Warn("cannot load the profile", "profile", name, "err", err)
				a.state.LoadErr = err
				a.serve(nil)
				return
			}
			for _, w := range src.Profile().Warnings {
				// About the AWS files (a section twice, a folder), not
				// what stops this profile (the menu's hint): say each
				// once, as the writer's warnings are.
				a.notifyOnce("aws-files "+w.Text, "A problem with the AWS files", w.Text)
			}
			a.state.HaveSource = true
			a.state.Status = src.Status()
			a.serve(src)
			// A profile whose copies hand out its own keys, with no
			// server on, needs nothing from STS: none is asked.
			if sourceUsed(a.state) {
				go a.fetch(src, interactive)
			}
			a.keepOwnKeys()
		})
	})
}

// fetch gets the first credentials of a new Source: with interactive
// set through the daemon, which may ask for an MFA code.
func (a *app) fetch(src *engine.Source, interactive bool) {
	var err error
	if interactive {
		err = a.d.Refresh(a.ctx, src.Profile().Name)
	} else {
		_, err = src.Credentials(a.ctx)
	}
	if err != nil {
		a.log.Debug("first fetch failed", "profile", src.Status().Profile, "err", err)
	}
}

// onStatus takes news from the Source of generation gen.
func (a *app) onStatus(gen int, st engine.Status) {
	if gen != a.gen || a.src == nil {
		return
	}
	a.state.Status = st
	if a.gone(st.Err) {
		// A refresh found the profile gone from the AWS files.
		a.pause(st.Err)
		return
	}
	a.keepFresh(st)
}

// pause stops using the active profile, which err says can no longer be
// used (it is gone from the AWS files): the tray lets go of the Source,
// the daemon drops it, so nothing hands out what it holds, the servers
// stop ("paused") and copies and writes are disabled. The profile stays the chosen one: it is loaded
// again when the files change, and everything resumes.
func (a *app) pause(err error) {
	a.log.Warn("the active profile cannot be used; the servers pause", "profile", a.state.Active, "err", err)
	a.gen++ // news from the Source is dropped
	a.state.HaveSource, a.state.LoadErr, a.state.Status = false, err, engine.Status{}
	a.state.MFAAsking, a.state.MFAErr = false, nil
	a.written = time.Time{}
	a.serve(nil)
	if a.d != nil {
		// The daemon finds the profile gone too, and stops the servers
		// that serve it, now rather than at its next look.
		a.d.Reload()
	}
}

// prime fetches the Source's first credentials once something uses them
// (a server switched on, ensure_temporary set) for a profile whose
// copies did not: the menu then shows them before a client asks.
func (a *app) prime() {
	src := a.src
	if src == nil || !sourceUsed(a.state) {
		return
	}
	if st := src.Status(); st.Valid || st.Refreshing || st.Err != nil || !st.Updated.IsZero() {
		return
	}
	go a.fetch(src, false)
}

// keepOwnKeys writes the profile's own keys to the export profile, with
// Keep it refreshed on, when copies hand them out ([OwnKeys]): they are
// written when the profile is chosen and when the AWS files change, since
// no refresh renews them.
func (a *app) keepOwnKeys() {
	if a.settings.KeepRefreshed && OwnKeys(a.state) {
		a.writeFile(false)
	}
}

// keepFresh writes the credentials file again, with Keep it refreshed on,
// when the valid credentials st reports are not those last written: once
// per set of credentials, however many events come. Sets are told apart
// by when they were obtained (Status.Updated). With [OwnKeys] the
// Source's credentials are not what is written: see keepOwnKeys.
func (a *app) keepFresh(st engine.Status) {
	if a.settings.KeepRefreshed && a.src != nil && st.Valid && !st.Updated.Equal(a.written) && !OwnKeys(a.state) {
		a.written = st.Updated
		a.writeFile(false)
	}
}

func (a *app) refresh() {
	src := a.src
	if src == nil {
		if a.state.Active != "" {
			a.switchProfile(a.state.Active, true)
		}
		return
	}
	if !sourceUsed(a.state) {
		// Copies hand out the profile's own keys, read anew each time,
		// and no server runs: there is nothing to fetch.
		return
	}
	a.background(func() {
		// Through the daemon: its MFA dialog, shared with every caller.
		if err := a.d.Refresh(a.ctx, src.Profile().Name); err != nil {
			a.log.Debug("refresh failed", "err", err)
		}
	})
}

// refreshQuietly is what choosing the active profile again does: the
// Source is kept and renewed, never with an MFA dialog the user did not
// ask for (Enter MFA code… is there for that). A profile that uses MFA
// only gets credentials if it has none valid (no code is asked); one
// that failed to load is loaded again.
func (a *app) refreshQuietly() {
	a.loadProfiles()
	src := a.src
	switch {
	case src == nil && a.state.LoadErr != nil:
		a.switchProfile(a.state.Active, false)
	case src == nil: // still loading
	case !sourceUsed(a.state): // copies read the profile's own keys anew
	case src.Profile().MFASerial != "":
		a.background(func() {
			if _, err := src.Credentials(a.ctx); err != nil {
				a.log.Debug("refresh failed", "err", err)
			}
		})
	default:
		a.refresh()
	}
}

// handOut returns what copies and writes hand out: with own set
// ([OwnKeys]) the profile's own credentials, read anew through the SDK
// as awsxc-cli reads them (no STS call for keys in the files), else the
// Source's temporary credentials. It may take a while: call it off the
// loop.
func (a *app) handOut(src *engine.Source, own bool) (engine.Credentials, error) {
	if !own {
		return src.Credentials(a.ctx)
	}
	res, err := engine.Obtain(a.ctx, engine.ObtainOptions{Env: a.opts.Env, Profile: src.Profile().Name, Logger: a.log})
	if err != nil {
		return engine.Credentials{}, err
	}
	return res.Credentials, nil
}

// copyAs puts the credentials on the clipboard in format f.
func (a *app) copyAs(f engine.Format) {
	src := a.src
	if src == nil {
		return
	}
	region, clearAfter, own := a.state.Status.Region, a.clearAfter(), OwnKeys(a.state)
	a.background(func() {
		c, err := a.handOut(src, own)
		if err != nil {
			a.post(func() { a.notify("Nothing copied", hintOf(err)) })
			return
		}
		data, err := engine.Render(f, c, engine.RenderOptions{Region: region, Pretty: f == engine.FormatProcess})
		if err != nil {
			a.post(func() { a.notify("Nothing copied", err.Error()) })
			return
		}
		a.copyText(formatLabel(f), string(data), clearAfter)
	})
}

// formatLabel is the menu's name for format f.
func formatLabel(f engine.Format) string {
	for _, cf := range copyFormats {
		if cf.Format == f {
			return cf.Label
		}
	}
	return string(f)
}

// copyText puts text, which is what ("export lines (bash, zsh)"), on the
// clipboard and arms the auto-clear for clearAfter; a notification says
// it is done. It blocks while an earlier copy runs (xclip can be slow),
// so call it off the loop.
func (a *app) copyText(what, text string, clearAfter time.Duration) {
	a.clipboard.put(a.ctx, what, text, clearAfter)
}

// copied tells the user a copy was made: a click gets an answer.
func (a *app) copied(what, note string, clearAfter time.Duration) {
	if what == consoleLinkWhat { // a credential: said so (console.go)
		a.inform(copiedConsoleLink(note, clearAfter))
		return
	}
	body := "The clipboard is not cleared."
	if clearAfter > 0 {
		body = "The clipboard is cleared in " + durationWords(clearAfter) + ", if it still holds them."
	}
	if note != "" {
		body = note + "\n" + body
	}
	a.inform("Copied "+what, body)
}

// durationWords is d for a notification: "60 s", "2 min".
func durationWords(d time.Duration) string {
	if d >= 2*time.Minute && d%time.Minute == 0 {
		return strconv.Itoa(int(d/time.Minute)) + " min"
	}
	return strconv.Itoa(int(d.Round(time.Second)/time.Second)) + " s"
}

// clearAfter is how long a copy stays on the clipboard; 0 for ever.
func (a *app) clearAfter() time.Duration {
	n := min(max(a.settings.ClipboardClearSeconds, 0), int(MaxClipboardClear/time.Second))
	return time.Duration(n) * time.Second
}

// writeFile writes the credentials to the credentials file as the export
// profile. user says a click asked for it, so failures are notified.
func (a *app) writeFile(user bool) {
	src := a.src
	if src == nil {
		return
	}
	name := a.settings.ExportName
	if name == a.state.Active {
		// The menu item is disabled; Keep it refreshed must not write
		// over the profile the credentials come from either.
		a.notifyOnce("write", "Cannot write profile "+name, "export_name names the active profile; choose another name in the settings")
		return
	}
	own, profiles := OwnKeys(a.state), slices.Clone(a.state.Profiles)
	a.background(func() {
		// Read before the credentials: the set written is at least this
		// new. Read after, it could name a set renewed meanwhile that
		// was never written.
		updated := src.Status().Updated
		var res engine.WriteResult
		err := func() error {
			c, err := a.handOut(src, own)
			if err != nil {
				return err
			}
			res, err = a.writeProfile(name, c, profiles)
			return err
		}()
		a.post(func() {
			a.state.WriteErr = err
			for _, w := range res.Warnings {
				// Every renewal writes again: say each once.
				a.notifyOnce("write-warning "+w.String(), "Wrote profile "+name+" with a warning", w.String())
			}
			switch {
			case err != nil && user:
				// A click gets its answer every time.
				a.notify("Cannot write profile "+name, hintOf(err))
				a.noted("write", "Cannot write profile "+name, hintOf(err))
				return
			case err != nil:
				// Keep it refreshed fails again with every renewal.
				if !errors.Is(err, context.Canceled) {
					a.notifyOnce("write", "Cannot write profile "+name, hintOf(err))
				}
				return
			}
			a.resolved("write")
			a.state.Written = a.now()
			if user {
				a.inform("Wrote profile "+name, "In "+a.opts.Env.CredentialsFile+": use it with AWS_PROFILE="+name+" or --profile "+name+".")
			} else {
				a.log.Info("wrote credentials file profile", "profile", name)
			}
			if src != a.src {
				return
			}
			// Record what this write wrote (or an older set), not what the
			// Source holds now: credentials renewed while it ran are
			// written once more, and so are they if a later write
			// finished first.
			a.written = updated
			a.keepFresh(src.Status())
		})
	})
}

// writeProfile writes c into section name of the credentials file.
// A section that holds long-term keys is left alone, unless they are a
// copy of keys another of the profiles (the names in the files) holds,
// which awsxc wrote there from that profile's own keys: overwriting it
// loses nothing.
func (a *app) writeProfile(name string, c engine.Credentials, profiles []string) (engine.WriteResult, error) {
	opts := engine.WriteOptions{LockDir: platform.StateDir()}
	res, err := engine.WriteCredentialsProfile(a.opts.Env.CredentialsFile, name, c, opts)
	if errors.Is(err, engine.ErrLongTermKeys) && a.keysHeldElsewhere(name, profiles) {
		opts.Force = true
		res, err = engine.WriteCredentialsProfile(a.opts.Env.CredentialsFile, name, c, opts)
	}
	return res, err
}

// keysHeldElsewhere says profile name holds long-term keys that another
// of profiles holds too. The keys are read through the SDK (a static
// profile's are in the files: no network).
func (a *app) keysHeldElsewhere(name string, profiles []string) bool {
	keys := func(p string) (engine.Credentials, bool) {
		prof, err := engine.Load(a.ctx, engine.Options{Env: a.opts.Env, Profile: p})
		if err != nil || prof.Kind != engine.KindStatic {
			return engine.Credentials{}, false
		}
		c, err := prof.Retrieve(a.ctx, false)
		return c, err == nil && !c.Temporary()
	}
	held, ok := keys(name)
	if !ok {
		return false
	}
	for _, p := range profiles {
		if p == name {
			continue
		}
		if c, ok := keys(p); ok && c.AccessKeyID == held.AccessKeyID &&
			subtle.ConstantTimeCompare([]byte(c.SecretAccessKey), []byte(held.SecretAccessKey)) == 1 {
			return true
		}
	}
	return false
}

// serve makes src (nil for none) the current Source: the daemon's, for
// the active profile, which its servers serve. The tray never closes
// it: the daemon does.
func (a *app) serve(src *engine.Source) {
	a.src, a.served = src, src
	a.syncServers()
}

// syncServers shows the daemon's servers as they run: the daemon starts,
// switches and stops them as the settings say (updateSettings,
// reloadSettings). A server's switch flips the setting, not whether it
// runs: one that could not start (its port in use) is on in the settings
// and is switched off by its item.
func (a *app) syncServers() {
	// A server not running keeps its last error for the menu.
	a.imds, a.ecs = nil, nil
	a.state.IMDS.On, a.state.IMDS.Running, a.state.IMDS.Remote = a.settings.IMDS.Enabled, false, ""
	a.state.ECS.On, a.state.ECS.Running, a.state.ECS.Remote = a.settings.ECS.Enabled, false, ""
	if a.d == nil {
		return
	}
	a.state.Servers = a.d.ServerList()
	act := a.d.Activity()
	a.state.Activity = act[max(0, len(act)-maxActivityKept):]
	a.state.AuditErr = a.d.AuditError()
	for _, s := range a.d.Servers() {
		switch s.Name {
		case daemon.ServerIMDS:
			a.imds = s.IMDS
			a.serverState("IMDS", a.settings.IMDS, &a.state.IMDS, s)
		case daemon.ServerECS:
			a.ecs = s.ECS
			a.serverState("ECS", a.settings.ECS, &a.state.ECS, s)
		}
	}
}

// serverState records what the daemon says of a server switched on. A
// port picked on first start is saved by the daemon; the tray takes its
// settings back on the daemon's change (onDaemon).
func (a *app) serverState(name string, set ServerSettings, st *ServerState, s server.State) {
	if !set.Enabled {
		return // switched off meanwhile: the daemon applies it next
	}
	st.On, st.Running = true, s.Running()
	if s.Err != nil {
		st.Addr, st.Err = set.Addr, s.Err
		return
	}
	st.Addr, st.Err = s.Addr, nil
	// Beyond loopback by allow_remote (the docker bridge alone is said
	// by its own label): said in the menu while it lasts, and notified
	// once.
	if st.Remote = ""; set.AllowRemote {
		st.Remote = s.Reach.String()
	}
	if st.Remote != "" {
		a.notifyOnce("remote:"+name, name+" server is open to the network", remoteText(name+" server", st.Remote))
	} else {
		a.resolved("remote:" + name)
	}
}

func (a *app) toggleAutostart() {
	want := !a.state.Autostart
	if err := SetAutostart(want); err != nil {
		a.notify("Cannot change Start at login", err.Error())
		return
	}
	a.state.Autostart = want
}
