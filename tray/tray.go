//go:build !darwin || cgo

// Package tray is the awsxc system tray app: a menu over one engine
// [engine.Source] for the active profile, the local IMDS and ECS servers,
// copies to the clipboard and a credentials-file profile kept fresh,
// signing in to the profile's IAM Identity Center or aws login session
// with reminders before it ends (signin.go), and the AWS console
// (console.go).
//
// [BuildMenu] turns a [State] into a [Menu] and is a pure function; an
// adapter applies menus to fyne.io/systray. One event-loop goroutine owns
// the state and the menu; slow work runs in goroutines that post their
// results back to it. Failures become a notification and a log line,
// never an exit.
package tray

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/systray"
	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/engine/daemon"
	"github.com/awsxc/awsxc/engine/server"
	"github.com/awsxc/awsxc/engine/settings"
	"github.com/awsxc/awsxc/internal/fsutil"
	"github.com/awsxc/awsxc/platform"
)

const defaultTick = 30 * time.Second

// Run shows the tray icon and runs until the user chooses Quit or ctx
// ends. It returns [ErrAlreadyRunning] when another instance runs.
func Run(ctx context.Context, opts Options) error {
	if opts.Stderr == nil {
		opts.Stderr = os.Stderr
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(opts.Stderr, nil))
	}
	if opts.Tick <= 0 {
		opts.Tick = defaultTick
		if d, err := time.ParseDuration(os.Getenv("AWSXC_TICK")); err == nil && d > 0 {
			opts.Tick = d
		}
	}
	if opts.SettingsPath == "" {
		opts.SettingsPath = platform.SettingsFile()
	}
	if opts.LockPath == "" {
		opts.LockPath = filepath.Join(platform.StateDir(), daemon.LockName)
	}
	// The tray is the user's credential daemon: it claims the endpoint
	// that awsxc-cli asks, or, when another awsxc (a tray, awsxc-cli
	// daemon) holds it, says so and stops.
	ep, err := daemon.Claim(ctx, daemon.HostOptions{Getenv: os.Getenv, Path: opts.SocketPath, LockPath: opts.LockPath,
		Logger: opts.Logger, Refused: func(err error) { opts.Logger.Warn("local API", "err", err) }})
	var re *daemon.RunningError
	switch {
	case err != nil && !errors.As(err, &re):
		// The endpoint cannot be made (an unsafe folder, say): the tray
		// runs, and awsxc-cli resolves in its own processes. It keeps
		// the lock Claim took, so a second tray is still refused.
		fmt.Fprintf(opts.Stderr, "awsxc: warning: awsxc-cli cannot ask the tray: %v\n", err)
		if ep != nil {
			defer ep.Close()
		}
	case err != nil:
		err = claimError(err)
		// Started from a menu or at login there is no terminal to read
		// the error on: say it where the user looks.
		body := "Its menu is under the awsxc icon that is already in the tray."
		if !errors.Is(err, ErrAlreadyRunning) {
			body = "awsxc-cli answers from it; stop it to run the tray instead."
		}
		if nerr := platform.Notify(err.Error(), body); nerr != nil {
			opts.Logger.Debug("notification not shown", "err", nerr)
		}
		return err
	default:
		defer ep.Close()
	}
	// An awsxc-cli the tray runs (a credential_process) resolves in its
	// own process rather than asking the tray back.
	os.Setenv(noDaemonVar, "1")

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	a := newApp(ctx, cancel, opts)
	a.start()
	if a.d != nil && ep != nil {
		ep.Serve(a.d)
	}

	switch host := checkTrayHost(); host {
	case hostNoBus:
		fmt.Fprintln(opts.Stderr, "awsxc: no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set, and $XDG_RUNTIME_DIR/bus is no socket); running without a tray icon")
		a.post(func() { a.state.NoTrayHost = true })
		go a.loop(nil)
		<-a.done
		return nil
	case hostMissing:
		printNoHostHint(opts.Stderr)
		a.state.NoTrayHost = true
	}

	err = watchTrayHost(ctx, func(present bool) { a.post(func() { a.state.NoTrayHost = !present }) })
	if err != nil {
		opts.Logger.Debug("cannot watch the bus for a tray host; looking on every tick", "err", err)
		a.pollHost = true
	}
	systray.SetTitle("awsxc") // before Run, so the SNI Id is stable
	go func() {
		<-ctx.Done()
		systray.Quit()
	}()
	systray.Run(func() {
		ui := newAdapter(ctx, a.clicks)
		ui.apply(BuildMenu(a.state, time.Now()), false)
		go a.loop(ui)
	}, nil)
	cancel()
	select {
	case <-a.done:
	case <-time.After(10 * time.Second):
		opts.Logger.Warn("shutdown took too long")
	}
	return nil
}

// noDaemonVar set keeps awsxc-cli from asking the daemon (see awsxc-cli's
// --no-daemon).
const noDaemonVar = "AWSXC_NO_DAEMON"

// claimError words Claim's error for the tray: a second tray is
// [ErrAlreadyRunning]; awsxc-cli daemon is named.
func claimError(err error) error {
	var re *daemon.RunningError
	if !errors.As(err, &re) {
		return err
	}
	switch re.FrontEnd {
	case frontEnd:
		return ErrAlreadyRunning
	case "":
		return fmt.Errorf("%w (or awsxc-cli daemon is)", ErrAlreadyRunning)
	}
	return fmt.Errorf("%s (pid %d) is running for this user as its credential daemon; stop it first", re.FrontEnd, re.PID)
}

func printNoHostHint(w io.Writer) {
	fmt.Fprintln(w, "awsxc: no system tray host (org.kde.StatusNotifierWatcher) on the session bus; the icon appears once one starts")
	fmt.Fprintln(w, "awsxc: hint: on GNOME install the AppIndicator extension (gnome-shell-extension-appindicator);")
	fmt.Fprintln(w, "awsxc: hint: with i3bar, polybar or another XEmbed-only tray run snixembed")
}

// app is the tray's state and the event loop that owns it.
type app struct {
	ctx    context.Context
	quit   context.CancelFunc
	opts   Options
	log    *slog.Logger
	now    func() time.Time
	done   chan struct{}  // closed when the loop has cleaned up
	bg     sync.WaitGroup // work handed off the loop; shutdown waits for it
	clicks chan string    // IDs of clicked items, from the adapter
	// shownServers are the names the Servers slots showed at the last
	// render, slot by slot: what their actions act on.
	shownServers []string
	do           chan func() // work to run on the loop, from other goroutines
	// notifier shows a desktop notification: platform.Notify, or a
	// recorder in tests.
	notifier func(summary, body string) error
	// prompt asks for an MFA code: platform.Prompt, or a stand-in in tests.
	prompt    func(ctx context.Context, title, text string) (string, error)
	clipboard *clipboard  // serializes copies; runs while the loop does
	engines   engineCache // the container engine, for Copy settings for Docker
	// watchScreen reports lock and sleep: platform.WatchScreen; nil
	// watches nothing.
	watchScreen func(context.Context, platform.ScreenOptions) []string
	si          signins // sign-in sessions and reminders (signin.go)
	// switchMu serialises the switches of the daemon's active profile;
	// switchGen is the generation of the latest one.
	switchMu  sync.Mutex
	switchGen atomic.Int64
	// prompts close the open MFA dialogs, by profile (daemon.go).
	promptMu sync.Mutex
	prompts  map[string]context.CancelFunc

	// Owned by the loop goroutine.
	state    State
	settings Settings
	gen      int            // counts Sources, to drop news from replaced ones
	src      *engine.Source // for state.Active; nil when none or still loading
	// served is the Source the servers serve: a.src (the daemon's for
	// the active profile), nil while a switch loads.
	served *engine.Source
	// d is the daemon the tray hosts (daemon.go): its registry holds the
	// Sources, its servers are the menu's; nil only if it could not be
	// made.
	d *daemon.Daemon
	// dchanged is a pending sync with the daemon (its OnChange).
	dchanged chan struct{}
	// switching is set while a switch of the active profile loads.
	switching bool
	// prompting is the profile whose MFA dialog is open; "" for none.
	prompting string
	imds      *server.IMDS      // the running IMDS server, nil if none
	ecs       *server.ECS       // the running ECS server, nil if none
	lastNote  string            // Key of the last notification shown
	alerts    map[string]string // failures notified by notifyOnce, by key
	written   time.Time         // Updated of the credentials last written to the file
	ui        *adapter
	pollHost  bool // no bus watch for a tray host: look for one on each tick
	// settingsSum is the SHA-256 of settings.json as the tray last
	// read it (or wrote it, without a daemon), to tell an edit (a
	// modification time can repeat within its granularity): the daemon
	// reads the file again when it differs.
	settingsSum [sha256.Size]byte
	// awsSum is the SHA-256 of the AWS config and credentials files when
	// the last Source was made, to retry a broken profile once they change.
	awsSum [sha256.Size]byte
	// profilesSum is the SHA-256 of those files when the profiles were
	// last listed from them, zero after a listing that failed: a tick
	// lists them again only when it differs.
	profilesSum [sha256.Size]byte
	// profiles is what the Profiles menu and the Sync items are built
	// from beyond the state (profiles.go).
	profiles profilesState
}

func newApp(ctx context.Context, cancel context.CancelFunc, opts Options) *app {
	if opts.Env == (engine.Env{}) {
		wd, _ := os.Getwd()
		opts.Env = engine.NewEnv(os.Getenv, wd)
	}
	a := &app{
		ctx: ctx, quit: cancel, opts: opts, log: opts.Logger, now: time.Now,
		done:        make(chan struct{}),
		clicks:      make(chan string, 16),
		do:          make(chan func(), 64),
		notifier:    platform.Notify,
		prompt:      platform.Prompt,
		watchScreen: platform.WatchScreen,
		alerts:      map[string]string{},
		dchanged:    make(chan struct{}, 1),
		prompts:     map[string]context.CancelFunc{},
	}
	a.clipboard = &clipboard{copy: platform.Copy, paste: platform.Paste, reqs: make(chan clipRequest),
		fail: func(err error) { a.post(func() { a.notify("Nothing copied", err.Error()) }) },
		done: func(what, note string, clearAfter time.Duration) { a.post(func() { a.copied(what, note, clearAfter) }) }}
	return a
}

// post runs f on the loop. It is safe from any goroutine and does not
// block once the tray is shutting down.
func (a *app) post(f func()) {
	select {
	case a.do <- f:
	case <-a.ctx.Done():
	}
}

// start loads the settings and the state the first menu shows. It runs
// before the loop and must stay fast: it reads files and nothing more.
func (a *app) start() {
	a.state = State{Version: a.opts.Version}
	// Read here for the profile to pick; the daemon reads the file
	// again, and writes it (a first run creates it, an older one gains
	// the keys it lacked).
	s, err := LoadSettings(a.opts.SettingsPath)
	a.settings = s
	save := true
	switch _, lerr := os.Lstat(a.opts.SettingsPath); {
	case err != nil && lerr == nil:
		// Left in place (a bad value, a symlink, unreadable): the user's
		// to fix, and not written until then.
		fmt.Fprintf(a.opts.Stderr, "awsxc: %v\n", err)
		a.state.SettingsErr = err
		a.notifyOnce("settings", "Error in the settings", err.Error()+
			"\nawsxc uses the defaults for what it cannot read, and leaves the file as it is until it is fixed.")
		if data, rerr := readSettings(a.opts.SettingsPath); rerr == nil {
			a.settingsSum = sha256.Sum256(data)
		}
		save = false
	case err != nil:
		fmt.Fprintf(a.opts.Stderr, "awsxc: %v\n", err)
		a.notify("Settings were reset", err.Error())
	}
	a.stateFromSettings()
	a.state.Autostart, a.state.AutostartErr = platform.Autostart()
	a.listProfiles(a.awsFilesSum())
	if a.state.NoConfig {
		fmt.Fprintln(a.opts.Stderr, "awsxc: no AWS profiles found; run aws configure or aws configure sso, then choose one under Profiles")
	}
	a.state.Active = a.pickProfile()
	a.newDaemon()
	switch {
	case a.d != nil:
		a.takeSettings() // as the daemon read and saved them
	case save:
		a.saveSettings()
	}
	a.syncServers()
}

// loadProfiles lists the profiles of the AWS config files again.
func (a *app) loadProfiles() error {
	l, err := engine.ListProfiles(a.opts.Env)
	if err != nil {
		a.log.Warn("cannot list profiles", "err", err)
	}
	names := a.setListing(l)
	a.state.Profiles = names
	a.state.NoConfig = len(names) == 0 && os.Getenv("AWS_PROFILE") == ""
	return err
}

// listProfiles re-reads the profile names unless the AWS config files,
// whose SHA-256 is sum, are as they were when they were last listed.
func (a *app) listProfiles(sum [sha256.Size]byte) {
	if sum == a.profilesSum {
		return
	}
	a.profilesSum = sum
	if a.loadProfiles() != nil {
		a.profilesSum = [sha256.Size]byte{} // list them again next tick
	}
}

// pickProfile chooses the profile at start-up: the saved one, else
// AWS_PROFILE or default, else the first in the files. The export
// profile is never chosen: it is awsxc's own output.
func (a *app) pickProfile() string {
	if p := a.settings.Profile; p != "" {
		if !a.isExportProfile(p) {
			return p
		}
		a.ignoreExportProfile(p)
	}
	if a.state.NoConfig {
		return ""
	}
	choices := slices.DeleteFunc(slices.Clone(a.state.Profiles), a.isExportProfile)
	p := engine.ProfileName("", os.Getenv)
	if a.isExportProfile(p) || (!slices.Contains(choices, p) && len(a.state.Profiles) > 0) {
		p = ""
		if len(choices) > 0 {
			p = choices[0]
		}
	}
	return p
}

// isExportProfile says p is the profile awsxc writes (export_name).
func (a *app) isExportProfile(p string) bool { return p == a.settings.ExportName }

// ignoreExportProfile says why the saved profile p, the export profile,
// is not made active.
func (a *app) ignoreExportProfile(p string) {
	a.notifyOnce("export-profile", "Profile "+p+" not used",
		"awsxc writes profile "+p+" itself (export_name), so it cannot be the active one; choose another under Profiles")
}

// loop is the event loop. It is the only goroutine that touches a.state,
// a.settings, the sources, the servers and the menu.
func (a *app) loop(ui *adapter) {
	defer close(a.done)
	defer a.shutdown()
	a.ui = ui
	go a.clipboard.run(a.ctx)
	a.startSessions()
	if a.state.Active != "" {
		a.switchProfile(a.state.Active, false)
	}
	tick := time.NewTicker(a.opts.Tick)
	defer tick.Stop()
	a.render(false)
	for {
		select {
		case <-a.ctx.Done():
			return
		case id := <-a.clicks:
			a.onClick(id)
		case f := <-a.do:
			f()
		case <-a.dchanged:
			a.onDaemon()
		case <-tick.C:
			a.onTick()
			a.render(true)
			continue
		}
		a.render(false)
	}
}

// render applies the menu for the current state and shows a notification
// when the state calls for a new one. force re-sends the tooltip.
func (a *app) render(force bool) {
	a.updateSessions(force)
	now := a.now()
	if a.ui != nil {
		a.ui.apply(BuildMenu(a.state, now), force)
	}
	// What the Servers slots show now, for their clicks.
	a.shownServers = a.shownServers[:0]
	for _, s := range a.state.Servers[:min(len(a.state.Servers), maxServerItems)] {
		a.shownServers = append(a.shownServers, s.Name)
	}
	n, ok := NoteFor(a.state, now)
	if !ok {
		// An open MFA dialog hides the "MFA code needed" note; it is not
		// over, so the note must not come again once the dialog closes.
		if !a.state.MFAAsking {
			a.lastNote = ""
		}
		return
	}
	// Nothing is shown while the screen is locked or the machine asleep:
	// the note comes on return, if it still holds.
	if n.Key != a.lastNote && !a.away() {
		a.lastNote = n.Key
		a.notify(n.Summary, n.Body)
	}
}

func (a *app) onTick() {
	sum := a.awsFilesSum()
	a.listProfiles(sum)
	a.reloadSettings()
	a.followFiles(sum)
	a.refreshSessions() // a sign-in made elsewhere, a token that expired
	// awsxc --autostart (an installer, say) may have changed it meanwhile.
	a.state.Autostart, a.state.AutostartErr = platform.Autostart()
	if a.pollHost && a.state.NoTrayHost && checkTrayHost() == hostPresent {
		a.state.NoTrayHost = false
	}
}

// followFiles acts on the AWS config files, whose SHA-256 is sum now,
// on every tick: it chooses a profile once the files have some where
// they had none, and when they have changed since the last look it
//
//   - loads again a profile that could not be loaded (or was gone);
//   - pauses when the active profile is gone from them (see pause);
//   - loads the profile again when what its Source was made from
//     changed (its kind, region, role or MFA device);
//   - else has the Source fetch again at once (never asking for an MFA
//     code), so a source fixed or rotated meanwhile is picked up without
//     a click.
func (a *app) followFiles(sum [sha256.Size]byte) {
	switch {
	case a.state.Active == "" && !a.state.NoConfig:
		if a.state.Active = a.pickProfile(); a.state.Active != "" {
			a.switchProfile(a.state.Active, false)
		}
	case sum == a.awsSum || a.state.Active == "":
	case a.state.LoadErr != nil:
		a.log.Info("AWS config files changed; loading the profile again", "profile", a.state.Active)
		a.switchProfile(a.state.Active, false)
	case a.src != nil:
		a.awsSum = sum
		a.profileChanged()
	default:
		// A switch is under way, from the files as they were when it
		// began (awsSum): the first tick after it looks again.
	}
}

// profileChanged acts on the AWS files having changed while the active
// profile's Source runs (see followFiles).
func (a *app) profileChanged() {
	src, name := a.src, a.state.Active
	p, err := engine.Load(a.ctx, engine.Options{Env: a.opts.Env, Profile: name, Logger: a.log})
	switch {
	case a.gone(err):
		a.pause(err)
		return
	case err == nil && !sameSource(p, src.Profile()):
		a.log.Info("the profile changed in the AWS files; loading it again", "profile", name)
		a.switchProfile(name, false)
		return
	}
	// An MFA profile with valid credentials is left alone: its refresh
	// would only fail for want of a code, for an edit made elsewhere.
	if src.Profile().MFASerial == "" || !a.state.Status.Valid {
		a.log.Info("AWS config files changed; fetching the credentials again", "profile", name)
		src.Reload()
	}
	a.keepOwnKeys()
}

// gone says err, from loading the active profile, means it is no longer
// in the AWS files: not found, or, for the implicit default profile, "no
// credentials" while the files list it no longer (which is how the
// engine reports a missing default profile).
func (a *app) gone(err error) bool {
	switch {
	case errors.Is(err, engine.ErrProfileNotFound):
		return true
	case errors.Is(err, engine.ErrNoCredentials) && a.state.Active == engine.DefaultProfile:
		listed := a.profilesSum == [sha256.Size]byte{} || slices.Contains(a.state.Profiles, a.state.Active)
		return !listed
	}
	return false
}

// sameSource says a Source made from profile q serves p as it is: a
// Source keeps the kind, region and role it was loaded with.
func sameSource(p, q *engine.Profile) bool {
	return p.Kind == q.Kind && p.Region == q.Region && p.RoleARN == q.RoleARN && p.MFASerial == q.MFASerial
}

// awsFilesSum is the SHA-256 of the AWS config and credentials files.
func (a *app) awsFilesSum() [sha256.Size]byte {
	h := sha256.New()
	for _, f := range []string{a.opts.Env.ConfigFile, a.opts.Env.CredentialsFile} {
		// Never a FIFO or /dev/zero, which would hang the loop or
		// exhaust memory (issue 10 item 9): the engine refuses them.
		data, _ := fsutil.ReadRegular(f, engine.MaxAWSFileSize)
		fmt.Fprintf(h, "%d\n", len(data))
		h.Write(data)
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}

// notify shows a notification from a goroutine and logs it.
func (a *app) notify(summary, body string) {
	a.log.Warn(summary, "detail", body)
	go func() {
		if err := a.notifier(summary, body); err != nil {
			a.log.Debug("notification not shown", "err", err)
		}
	}()
}

// inform shows a notification that answers a click (a copy, a write):
// news, not a warning.
func (a *app) inform(summary, body string) {
	a.log.Info(summary, "detail", body)
	go func() {
		if err := a.notifier(summary, body); err != nil {
			a.log.Debug("notification not shown", "err", err)
		}
	}()
}

// notifyOnce notifies of a failure that background work may hit over
// and over (a save, a kept profile's write): once, until resolved is
// called for key or the text changes, like the notes of [NoteFor].
func (a *app) notifyOnce(key, summary, body string) {
	if a.alerts[key] == summary+"\n"+body {
		a.log.Debug("not notified again", "summary", summary)
		return
	}
	a.noted(key, summary, body)
	a.notify(summary, body)
}

// noted records a notification of key as shown.
func (a *app) noted(key, summary, body string) { a.alerts[key] = summary + "\n" + body }

// resolved says the failure notified under key is over.
func (a *app) resolved(key string) { delete(a.alerts, key) }

// background runs f off the loop; shutdown waits for it, so that no
// write is still going when awsxc exits (or a test removes its files).
func (a *app) background(f func()) {
	a.bg.Add(1)
	go func() {
		defer a.bg.Done()
		f()
	}()
}

func (a *app) shutdown() {
	// Background work posts to the loop until ctx ends; it is ended, so
	// it only finishes what it does (a file write: atomic either way).
	done := make(chan struct{})
	go func() { a.bg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		a.log.Warn("background work still running at exit")
	}
	// The daemon closes its servers and Sources side by side, and Quit
	// waits for it no more than quitGrace: a server drains its connections
	// for up to 5 s (a client that keeps one open made Quit take that
	// long) and a Source waits for its fetch. The process exits next,
	// which closes every socket; the tray's own file writes, waited for
	// above, are done by then.
	var wg sync.WaitGroup
	// The clipboard clears what awsxc copied there, if a clear was due
	// (bounded by quitClearWait, not by quitGrace: it is the secret).
	clip := a.clipboard.stopped()
	defer func() {
		select {
		case <-clip:
		case <-time.After(quitClearWait):
		}
	}()
	if d := a.d; d != nil {
		// The daemon's local API, servers and Sources.
		wg.Go(func() {
			if err := d.Close(); err != nil {
				a.log.Warn("servers did not stop cleanly", "err", err)
			}
		})
	}
	closed := make(chan struct{})
	go func() { wg.Wait(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(quitGrace):
		a.log.Debug("quit: not waiting any longer for the servers and sources to stop", "waited", quitGrace)
	}
}

// quitGrace is how long Quit waits for the daemon (its servers and
// Sources) to stop.
const quitGrace = 300 * time.Millisecond

// The settings are the daemon's: it reads settings.json, saves and
// applies it, and changes it by itself too (a server added through
// awsxc-cli, a port picked on first start). a.settings is the tray's
// copy, taken back from the daemon after every change (takeSettings).
// A click changes only what it changes, through the daemon
// (updateSettings), which takes in edits to the file first: nothing the
// daemon holds is ever written over with an older copy, and the file is
// written once per change. Only when no daemon could be made does the
// tray read and write the file itself (saveSettings, reloadFile).

// updateSettings makes the change a click asks for: change modifies
// only what the click changes, on the settings as they are then. They
// are saved, unless settings.json has an error (the file is left as it
// is, for the user to fix, and the change holds until awsxc quits), and
// applied at once: servers switched, the active profile changed.
func (a *app) updateSettings(change func(*Settings)) {
	if a.d == nil {
		old := a.settings
		change(&a.settings)
		a.saveSettings()
		a.settingsChanged(old)
		return
	}
	err := a.d.UpdateSettings(change)
	a.takeSettings()
	switch {
	case errors.Is(err, settings.ErrNotSaved) && a.state.SettingsErr != nil:
		a.notifyOnce("save", "Settings not saved", "settings.json has an error; fix it first: "+a.state.SettingsErr.Error())
	case err != nil:
		a.notifyOnce("save", "Cannot save settings", err.Error())
	case a.state.SettingsErr == nil:
		a.resolved("save")
	}
}

// saveSettings writes a.settings to settings.json, for a tray without a
// daemon; not while the file has an error.
func (a *app) saveSettings() {
	if a.state.SettingsErr != nil {
		a.notifyOnce("save", "Settings not saved", "settings.json has an error; fix it first: "+a.state.SettingsErr.Error())
		return
	}
	data, err := a.settings.Write(a.opts.SettingsPath)
	if err != nil {
		a.notifyOnce("save", "Cannot save settings", err.Error())
		return
	}
	a.resolved("save")
	a.settingsSum = sha256.Sum256(data)
}

// reloadSettings picks up edits made to settings.json ("Open settings")
// while the tray runs: it runs on every tick, on every click and when a
// new Source is ready. When the file's content is not what the tray
// last saw, the daemon reads it again now (rather than at its next
// look), so that a changed address or token restarts that server at
// once; then the tray takes the daemon's settings.
//
// A file with an error is left as it is and the settings in use are
// kept; the error is notified once (per distinct error) and shown in the
// menu until the file is fixed or removed.
func (a *app) reloadSettings() {
	if a.d == nil {
		a.reloadFile()
		return
	}
	data, err := readSettings(a.opts.SettingsPath)
	switch {
	case err == nil:
		if sum := sha256.Sum256(data); sum != a.settingsSum {
			a.settingsSum = sum
			a.d.Reload()
		}
	case errors.Is(err, fs.ErrNotExist) && a.state.SettingsErr != nil:
		a.d.Reload() // the broken file is gone; saving may write a new one
	}
	a.takeSettings()
}

// takeSettings makes a.settings the daemon's settings, and the menu, the
// servers' states and the active profile follow what changed.
func (a *app) takeSettings() {
	s, err := a.d.Settings()
	a.settingsError(err)
	if reflect.DeepEqual(s, a.settings) {
		return
	}
	old := a.settings
	a.settings = s
	a.settingsChanged(old)
}

// settingsError takes in the daemon's word on settings.json: err is its
// error, nil when it has none. A new error is notified once and shown
// until the file is fixed or removed.
func (a *app) settingsError(err error) {
	switch {
	case err == nil:
		if a.state.SettingsErr != nil {
			a.settingsFixed()
		}
	case a.state.SettingsErr == nil || a.state.SettingsErr.Error() != err.Error():
		a.state.SettingsErr = err
		a.notifyOnce("settings", "Settings not reloaded", err.Error()+
			"\nawsxc keeps the settings in use and leaves the file as it is.")
	}
}

// reloadFile is reloadSettings for a tray without a daemon: it reads
// settings.json again when its content is not what it last wrote or
// read.
func (a *app) reloadFile() {
	data, err := readSettings(a.opts.SettingsPath)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && a.state.SettingsErr != nil {
			a.settingsFixed() // the broken file is gone; saving may write a new one
		}
		return
	}
	sum := sha256.Sum256(data)
	if sum == a.settingsSum {
		return
	}
	a.settingsSum = sum
	s, err := parseSettings(a.opts.SettingsPath, data)
	if err != nil {
		a.state.SettingsErr = err
		a.notifyOnce("settings", "Settings not reloaded", err.Error()+
			"\nawsxc keeps the settings in use and leaves the file as it is.")
		return
	}
	a.settingsFixed()
	a.log.Info("settings changed on disk; reloaded")
	old := a.settings
	a.settings = s
	a.settingsChanged(old)
}

// settingsChanged acts on a.settings having changed from old: the menu
// shows them, the servers' states start over from them, and an edit
// that names another profile switches to it.
func (a *app) settingsChanged(old Settings) {
	a.stateFromSettings()
	a.syncServers()
	a.prime()
	p := a.settings.Profile
	switch {
	case p == old.Profile || a.switching:
		// The profile was not edited, or a switch the tray made is
		// under way: it saves the profile the menu shows (the daemon's
		// may be an earlier switch's until then).
	case a.isExportProfile(p):
		a.ignoreExportProfile(p)
	case p != "" && p != a.state.Active:
		a.switchProfile(p, false)
	}
}

// settingsFixed says settings.json no longer has the error reported.
func (a *app) settingsFixed() {
	a.state.SettingsErr = nil
	a.resolved("settings")
	a.resolved("save")
}

// stateFromSettings copies what the menu shows of a.settings into
// a.state; the servers' states start over from their settings.
func (a *app) stateFromSettings() {
	s := a.settings
	a.state.ExportName, a.state.KeepRefreshed, a.state.EnsureTemporary = s.ExportName, s.KeepRefreshed, s.EnsureTemporary
	a.state.IMDS = ServerState{On: s.IMDS.Enabled, Addr: s.IMDS.Addr, Bridge: s.IMDS.DockerBridge}
	a.state.ECS = ServerState{On: s.ECS.Enabled, Addr: s.ECS.Addr, Bridge: s.ECS.DockerBridge}
	a.catalogFromSettings()
}
