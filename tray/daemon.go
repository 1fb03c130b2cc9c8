//go:build !darwin || cgo

package tray

import (
	"context"
	"errors"
	"os"
	"path/filepath"

	"github.com/awsxc/awsxc/engine/daemon"
	"github.com/awsxc/awsxc/platform"
)

// The tray is the user's credential daemon: it hosts one
// [daemon.Daemon], whose registry holds the active profile's Source
// (and every profile awsxc-cli asked for), whose servers are the IMDS
// and ECS servers of the menu, and whose local API answers every
// awsxc-cli of the user (Run listens for it). The tray's MFA dialog is
// the daemon's [daemon.Prompter]: a code asked for once serves the menu,
// the servers and every awsxc-cli until the credentials expire.

// frontEnd names the tray in the daemon's status (awsxc-cli status).
const frontEnd = "awsxc tray"

// newDaemon makes the tray's daemon from the settings start loaded.
func (a *app) newDaemon() {
	d, err := daemon.New(a.ctx, daemon.Options{
		Env:            a.opts.Env,
		Environ:        os.Environ(),
		SettingsPath:   a.opts.SettingsPath,
		DefaultProfile: a.state.Active,
		Logger:         a.log,
		Prompter:       trayPrompter{a},
		Hints:          a.hints,
		FrontEnd:       frontEnd,
		Version:        a.opts.Version,
		ECSTokenFile:   ecsTokenFile(),
		// The consumers' token files, where awsxc-cli daemon keeps them.
		TokenDir: filepath.Join(platform.RuntimeDir(), "tokens"),
		// The tray reads settings.json on every tick and click and has
		// the daemon take in an edit at once (Daemon.Reload).
		ReloadInterval: a.opts.Tick,
		OnChange:       a.daemonChanged,
	})
	if err != nil { // New fails for no reason today; the tray runs on
		a.log.Warn("no credential daemon", "err", err)
		return
	}
	a.d = d
}

// daemonChanged is the daemon's OnChange: from any goroutine, it must
// not block. One pending sync is enough, however many changes come.
func (a *app) daemonChanged() {
	select {
	case a.dchanged <- struct{}{}:
	default:
	}
}

// onDaemon takes in what changed in the daemon: its settings (a server
// added or removed through awsxc-cli, a port picked, an edit it read),
// its servers, the active Source's status, and a Source the daemon
// replaced by itself (its reload found the profile changed in the AWS
// files, or gone).
func (a *app) onDaemon() {
	if a.d == nil {
		return
	}
	a.takeSettings()
	a.syncServers()
	profile, src, err := a.d.Active()
	switch {
	case a.switching || profile != a.state.Active:
		// A switch is under way, or nothing to follow: the switch takes
		// the daemon's Source.
	case a.state.LoadErr != nil:
		// The daemon loaded the profile that failed to load (its reload
		// tries again on every tick): follow it. The tray's own retry
		// waits for the AWS files to change from what it saw last,
		// which misses files put back as they were before the daemon
		// (first to notice) paused the profile.
		if src != nil && err == nil {
			a.log.Info("the daemon loaded the profile again", "profile", profile)
			a.switchProfile(profile, false)
			return
		}
	case err != nil && a.src != nil:
		a.pause(err)
		return
	case src != nil && a.src != nil && src != a.src:
		a.log.Debug("the daemon loaded the profile again", "profile", profile)
		a.src, a.served = src, src
		// From the files as they are: the tray's own tick must not load
		// (and Reload) the new Source again for the change the daemon
		// took in, which would find the same credentials a second time
		// and call them final ("cannot be renewed").
		a.awsSum = a.awsFilesSum()
		a.state.Status = src.Status()
		if sourceUsed(a.state) {
			go a.fetch(src, false)
		}
	}
	if a.src != nil {
		a.onStatus(a.gen, a.src.Status())
	}
}

// trayPrompter is the daemon's Prompter: the tray's MFA dialog, shown
// from the daemon's goroutine, never the loop. Whoever wants the code
// (a menu click, a server, any awsxc-cli) shares the one dialog; the
// daemon closes it (ctx) once a client brought the code meanwhile.
type trayPrompter struct{ a *app }

// MFACode asks the user for profile's MFA code.
func (p trayPrompter) MFACode(ctx context.Context, profile string) (string, error) {
	a := p.a
	a.post(func() {
		a.prompting = profile
		if profile == a.state.Active {
			a.state.MFAAsking = true
		}
	})
	// A switch to another profile closes the dialog (closePrompts): a
	// code for a profile no longer chosen is asked again when a caller
	// needs it.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	a.promptMu.Lock()
	a.prompts[profile] = cancel
	a.promptMu.Unlock()
	defer func() {
		a.promptMu.Lock()
		delete(a.prompts, profile)
		a.promptMu.Unlock()
	}()
	code, err := a.prompt(ctx, "awsxc: MFA code", "MFA code for AWS profile "+profile+":")
	// Keep why no dialog could be shown, for the hint; a dialog the user
	// or the daemon closed is no such failure.
	var promptErr error
	if err != nil && !errors.Is(err, platform.ErrCanceled) && ctx.Err() == nil {
		promptErr = err
	}
	a.post(func() {
		if a.prompting == profile {
			a.prompting = ""
		}
		if profile == a.state.Active {
			a.state.MFAAsking, a.state.MFAErr = false, promptErr
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

// closePrompts closes the MFA dialogs open for other profiles than
// active.
func (a *app) closePrompts(active string) {
	a.promptMu.Lock()
	defer a.promptMu.Unlock()
	for p, cancel := range a.prompts {
		if p != active {
			cancel()
		}
	}
}
