//go:build !darwin || cgo

package tray

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"time"

	"fyne.io/systray"
	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/engine/server"
	"github.com/awsxc/awsxc/platform"
)

// onClick acts on a clicked menu item. Anything slow goes to a goroutine.
func (a *app) onClick(id string) {
	a.log.Debug("clicked", "item", id)
	// Take in edits to settings.json first: the click may change and
	// save the settings, which must not undo them.
	a.reloadSettings()
	switch {
	case strings.HasPrefix(id, profilePrefix):
		name := strings.TrimPrefix(id, profilePrefix)
		if name == "" || a.isExportProfile(name) { // the item is disabled
			return
		}
		if a.settings.Profile != name {
			a.settings.Profile = name
			a.writeSettings()
		}
		if name == a.state.Active {
			a.refreshQuietly()
			return
		}
		a.switchProfile(name, true)
	case strings.HasPrefix(id, copyPrefix):
		a.copyAs(engine.Format(strings.TrimPrefix(id, copyPrefix)))
	case id == idRefresh, id == idEnterMFA:
		a.loadProfiles()
		a.refresh()
	case id == idWrite:
		a.writeFile(true)
	case id == idKeep:
		a.settings.KeepRefreshed = !a.settings.KeepRefreshed
		a.state.KeepRefreshed = a.settings.KeepRefreshed
		a.writeSettings()
		if a.settings.KeepRefreshed {
			a.writeFile(true)
		}
	case id == idIMDSToggle:
		a.toggleServer(&a.settings.IMDS, &a.state.IMDS)
	case id == idECSToggle:
		a.toggleServer(&a.settings.ECS, &a.state.ECS)
	case id == idIMDSDocker:
		a.copyDocker(true)
	case id == idECSDocker:
		a.copyDocker(false)
	case id == idAutostart:
		a.toggleAutostart()
	case id == idOpenSettings:
		if _, err := os.Stat(a.opts.SettingsPath); err != nil {
			a.writeSettings()
		}
		if err := platform.OpenFile(a.opts.SettingsPath); err != nil {
			a.notify("Cannot open the settings", err.Error()+"\nThe file is "+a.opts.SettingsPath)
		}
	case id == idQuit:
		a.quit()
		systray.Quit()
	}
}

// switchProfile replaces the Source with one for name and points the
// servers at it. With interactive set (a user's choice) the first fetch
// may ask for an MFA code.
func (a *app) switchProfile(name string, interactive bool) {
	a.gen++
	gen := a.gen
	// An MFA dialog still open for the replaced Source is closed: its
	// code would be for a profile no longer chosen.
	if a.cancelMFA != nil {
		a.cancelMFA()
	}
	mfaCtx, cancel := context.WithCancel(a.ctx)
	a.cancelMFA = cancel
	// The servers keep serving a.served until the new Source exists.
	a.src = nil
	a.state.Active = name
	a.state.HaveSource, a.state.LoadErr, a.state.Status = false, nil, engine.Status{}
	a.state.MFAAsking, a.state.MFAErr = false, nil
	a.written = time.Time{}
	a.awsSum = a.awsFilesSum()
	a.background(func() {
		src, err := engine.NewSource(a.ctx, engine.SourceOptions{
			Env:     a.opts.Env,
			Profile: name,
			MFA:     a.askMFA(mfaCtx, gen, name),
			Logger:  a.log,
			OnChange: func(st engine.Status) {
				a.post(func() { a.onStatus(gen, st) })
			},
		})
		a.post(func() {
			// Take in edits to settings.json first: the servers this
			// starts save their port, which must not undo them.
			a.reloadSettings()
			if gen != a.gen {
				// A later switch replaced this one: drop its Source and
				// leave what the servers serve to the later switch.
				if src != nil {
					go src.Close()
				}
				return
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
			go a.fetch(src, interactive)
		})
	})
}

// fetch gets the first credentials of a new Source.
func (a *app) fetch(src *engine.Source, interactive bool) {
	var err error
	if interactive {
		err = src.Refresh(a.ctx)
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
	a.keepFresh(st)
}

// keepFresh writes the credentials file again, with Keep it refreshed on,
// when the valid credentials st reports are not those last written: once
// per set of credentials, however many events come. Sets are told apart
// by when they were obtained (Status.Updated).
func (a *app) keepFresh(st engine.Status) {
	if a.settings.KeepRefreshed && a.src != nil && st.Valid && !st.Updated.Equal(a.written) {
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
	a.background(func() {
		if err := src.Refresh(a.ctx); err != nil {
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

// askMFA returns the MFA token provider for profile, the Source of
// generation gen: a native dialog, shown from the goroutine the Source
// asks from, never the loop. ctx ends when that Source is replaced,
// which closes the dialog; news from it is then ignored.
func (a *app) askMFA(ctx context.Context, gen int, profile string) engine.TokenProvider {
	asking := func(on bool) func() {
		return func() {
			if gen == a.gen {
				a.state.MFAAsking = on
			}
		}
	}
	return func() (string, error) {
		a.post(asking(true))
		defer a.post(asking(false))
		code, err := a.prompt(ctx, "awsxc: MFA code", "MFA code for AWS profile "+profile+":")
		// Keep why no dialog could be shown, for the hint; a dialog the
		// user or a switch closed is no such failure.
		var promptErr error
		if err != nil && !errors.Is(err, platform.ErrCanceled) && ctx.Err() == nil {
			promptErr = err
		}
		a.post(func() {
			if gen == a.gen {
				a.state.MFAErr = promptErr
			}
		})
		if err != nil {
			return "", err
		}
		if code == "" {
			return "", errors.New("no MFA code entered")
		}
		return code, nil
	}
}

// copyAs puts the credentials on the clipboard in format f.
func (a *app) copyAs(f engine.Format) {
	src := a.src
	if src == nil {
		return
	}
	region, clearAfter := a.state.Status.Region, a.clearAfter()
	a.background(func() {
		c, err := src.Credentials(a.ctx)
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
func (a *app) copied(what string, clearAfter time.Duration) {
	body := "The clipboard is not cleared."
	if clearAfter > 0 {
		body = "The clipboard is cleared in " + durationWords(clearAfter) + ", if it still holds them."
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
	return time.Duration(max(a.settings.ClipboardClearSeconds, 0)) * time.Second
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
	a.background(func() {
		// Read before the credentials: the set written is at least this
		// new. Read after, it could name a set renewed meanwhile that
		// was never written.
		updated := src.Status().Updated
		var res engine.WriteResult
		err := func() error {
			c, err := src.Credentials(a.ctx)
			if err != nil {
				return err
			}
			res, err = engine.WriteCredentialsProfile(a.opts.Env.CredentialsFile, name, c, engine.WriteOptions{LockDir: platform.StateDir()})
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

// toggleServer switches a server's setting on or off and saves it. It
// flips the setting, not whether the server runs: one that could not
// start (its port in use) is on in the settings and is switched off.
func (a *app) toggleServer(set *ServerSettings, st *ServerState) {
	set.Enabled = !set.Enabled
	st.On = set.Enabled
	st.Err = nil
	a.writeSettings()
	a.syncServers()
}

// serve makes src (nil for none) the current Source and the one the
// servers serve, and closes the Source they served before, which nothing
// else holds.
func (a *app) serve(src *engine.Source) {
	prev := a.served
	a.src, a.served = src, src
	a.syncServers()
	if prev != nil && prev != src {
		go prev.Close()
	}
}

// syncServers makes the running servers match the settings and
// a.served: servers switched on serve it (switched over without a
// restart, restarted when their address or token changed), and stop
// while there is none. The server Group does the sequencing.
func (a *app) syncServers() {
	var want []server.Want
	if src := a.served; src != nil {
		if a.settings.IMDS.Enabled {
			want = append(want, server.Want{Name: idIMDS, Source: src, IMDS: &server.IMDSOptions{
				Options: server.Options{Addr: a.settings.IMDS.Addr, Logger: a.log, Hints: trayHints},
			}})
		}
		if a.settings.ECS.Enabled {
			want = append(want, server.Want{Name: idECS, Source: src, ECS: &server.ECSOptions{
				Options: server.Options{Addr: a.settings.ECS.Addr, Logger: a.log, Hints: trayHints},
				Token:   a.settings.ECSToken,
			}})
		}
	}
	// A server not wanted is stopped; its last error stays for the menu.
	a.imds, a.ecs = nil, nil
	a.state.IMDS.On, a.state.IMDS.Running = a.settings.IMDS.Enabled, false
	a.state.ECS.On, a.state.ECS.Running = a.settings.ECS.Enabled, false
	for _, s := range a.servers.Apply(want) {
		switch s.Name {
		case idIMDS:
			a.imds = s.IMDS
			a.serverState("IMDS", &a.settings.IMDS, &a.state.IMDS, s)
		case idECS:
			a.ecs = s.ECS
			a.serverState("ECS", &a.settings.ECS, &a.state.ECS, s)
		}
	}
}

// serverState records what the Group says of a server switched on, and
// saves the address it listens on when the settings say otherwise, so a
// port picked on first start is kept for the next runs. Its callers have
// taken in edits to the settings just before.
func (a *app) serverState(name string, set *ServerSettings, st *ServerState, s server.State) {
	st.On, st.Running = true, s.Running()
	if s.Err != nil {
		st.Addr, st.Err = set.Addr, s.Err
		a.log.Warn(name+" server did not start", "addr", set.Addr, "err", s.Err)
		return
	}
	st.Addr, st.Err = s.Addr, nil
	if s.Started {
		a.log.Info(name+" server listening", "addr", s.Addr)
	}
	if set.Addr != s.Addr {
		set.Addr = s.Addr
		a.writeSettings()
	}
}

// copyDocker copies the docker run flags that point a container at a
// server. IMDS: the engine's host.docker.internal settings (Docker
// Desktop; trailing slash included). ECS: SDKs accept container endpoints
// only on loopback, so the flags use the host network.
func (a *app) copyDocker(imds bool) {
	var flags []string
	switch {
	case imds && a.imds != nil:
		flags = a.imds.Settings().DockerFlags()
	case !imds && a.ecs != nil:
		flags = append([]string{"--network", "host"}, engineEnvFlags(a.ecs.Settings(server.SettingsOptions{}).Env)...)
	default:
		return
	}
	text := strings.Join(flags, " ")
	go a.copyText("the Docker settings", text, a.clearAfter())
}

func engineEnvFlags(env []string) []string {
	var f []string
	for _, kv := range env {
		f = append(f, "-e", kv)
	}
	return f
}

func (a *app) toggleAutostart() {
	want := !a.state.Autostart
	if err := SetAutostart(want); err != nil {
		a.notify("Cannot change Start at login", err.Error())
		return
	}
	a.state.Autostart = want
}
