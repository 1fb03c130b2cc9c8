//go:build !darwin || cgo

package tray

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/engine/activity"
	"github.com/awsxc/awsxc/engine/daemon"
	"github.com/awsxc/awsxc/engine/server"
	"github.com/awsxc/awsxc/platform"
)

// State is everything the menu shows, as the event loop last saw it. It
// holds no secret. [BuildMenu] turns it into a [Menu].
type State struct {
	Version string

	NoTrayHost bool     // no org.kde.StatusNotifierWatcher on the session bus
	NoConfig   bool     // no AWS config or credentials file with a profile
	Profiles   []string // every profile name, in file order
	Active     string   // the chosen profile; "" when none could be chosen
	Catalog    Catalog  // what the Profiles menu groups and marks them by

	// HaveSource is set once a Source for Active exists; LoadErr is why
	// it could not be created (a broken profile).
	HaveSource bool
	LoadErr    error
	Status     engine.Status // of the Source for Active
	MFAAsking  bool          // an MFA dialog is open
	MFAErr     error         // why the last MFA dialog could not be shown (no zenity, ...)

	IMDS, ECS ServerState
	// Servers are every server and consumer the daemon runs (the IMDS
	// and ECS switches' first), Activity its last credentials fetches,
	// oldest first (servers_model.go).
	Servers  []daemon.ServerInfo
	Activity []activity.Record
	// AuditErr is why the audit log (setting audit_log) cannot be
	// written, nil when it can or there is none.
	AuditErr error

	ExportName    string // profile name "Write to credentials file" uses
	KeepRefreshed bool
	// EnsureTemporary: copies and writes hand out temporary credentials
	// even for a profile with long-term keys (ensure_temporary).
	EnsureTemporary bool
	Written         time.Time // last successful write of ExportName; zero if none
	WriteErr        error

	Autostart    bool
	AutostartErr error

	// SettingsErr is what is wrong with settings.json, which awsxc then
	// leaves as it is: the settings in use are the last good ones.
	SettingsErr error

	// Session is the sign-in session of Active (signin_model.go); nil
	// when it signs in to none, or while that is not known yet.
	Session *SessionState
}

// ServerState is one local credentials server as the menu shows it.
type ServerState struct {
	On      bool   // switched on in the settings
	Running bool   // listening now
	Addr    string // host:port it listens on, or the saved one
	Bridge  string // the docker bridge address it also listens on; "" for none
	Err     error  // why it is not running although switched on
	// Remote, while it runs beyond loopback (allow_remote), says where
	// it can be reached: server.Reach's words.
	Remote string
}

// Item is one menu entry. Items are matched to systray items by ID, so
// an ID names the same entry in every Menu.
type Item struct {
	ID        string
	Label     string
	Tooltip   string
	Checkbox  bool // shows a check mark when Checked
	Checked   bool
	Disabled  bool
	Hidden    bool
	Separator bool
	Children  []Item
}

// Menu is the whole tray menu plus the icon and its tooltip.
type Menu struct {
	Icon    IconState
	Tooltip string
	Items   []Item
}

// Item IDs the event loop acts on. Profile items are "profile:NAME".
const (
	idHeader       = "header"
	idHint         = "hint"
	idNoHost       = "nohost"
	idEnterMFA     = "mfa"
	idRefresh      = "refresh"
	idProfiles     = "profiles"
	idCopy         = "copy"
	idWrite        = "write"
	idKeep         = "keep"
	idIMDS         = "imds"
	idIMDSToggle   = "imds:toggle"
	idIMDSDocker   = "imds:docker"
	idECS          = "ecs"
	idECSToggle    = "ecs:toggle"
	idECSDocker    = "ecs:docker"
	idAutostart    = "autostart"
	idOpenSettings = "settings"
	idVersion      = "version"
	idQuit         = "quit"

	// Sign-in (signin_model.go) and the console (console.go).
	idSignIn       = "signin"
	idSignInCode   = "signin:code"
	idSignInCancel = "signin:cancel"
	idSignOut      = "signout"
	idConsole      = "console"
	idConsoleCopy  = "console:copy"

	profilePrefix = "profile:"
	copyPrefix    = "copy:"
)

// copyFormats are the "Copy as" entries, in menu order.
var copyFormats = []struct {
	Format engine.Format
	Label  string
}{
	{engine.FormatEnv, "export lines (bash, zsh)"},
	{engine.FormatFish, "fish"},
	{engine.FormatPowerShell, "PowerShell"},
	{engine.FormatWindowsCmd, "cmd.exe"},
	{engine.FormatDotenv, ".env file"},
	{engine.FormatProcess, "credential_process JSON"},
}

// BuildMenu is the menu for state s at now. It is a pure function: the
// adapter applies its result to the systray items.
func BuildMenu(s State, now time.Time) Menu {
	status, hint := Summary(s, now)
	status = markHeadline(s, status)
	// A profile's own long-term keys are there to copy whatever STS
	// says; anything else needs the Source's valid credentials.
	canUse := s.HaveSource && (s.Status.Valid || OwnKeys(s))
	// Servers stop, or never start, while no profile could be loaded.
	noSource := s.NoConfig || s.Active == "" || s.LoadErr != nil

	// The hint is one short line; the whole of it and of the error goes
	// to the tooltips.
	detail := errDetail(s)
	hintTip := tooltipText(status, hint, detail)

	var items []Item
	items = append(items,
		Item{ID: idHeader, Label: status, Disabled: true, Tooltip: detail},
		Item{ID: idHint, Label: shortHint(hint), Tooltip: hintTip, Disabled: true, Hidden: hint == ""},
		Item{ID: idNoHost, Label: "No system tray host found (see the log)", Disabled: true, Hidden: !s.NoTrayHost},
	)
	signIn, signOut := sessionItems(s, now)
	items = append(items, signIn...)
	items = append(items,
		Item{ID: idEnterMFA, Label: "Enter MFA code…", Hidden: !needsMFA(s), Disabled: s.MFAAsking},
		// With a profile that could not be loaded, Refresh now loads it again.
		Item{ID: idRefresh, Label: "Refresh now", Disabled: !(s.HaveSource || s.LoadErr != nil) || s.Status.Refreshing || s.MFAAsking},
		signOut,
		Item{ID: "sep1", Separator: true},
	)

	items = append(items, profileItems(s)...)

	cp := Item{ID: idCopy, Label: "Copy as", Disabled: !canUse}
	for _, f := range copyFormats {
		cp.Children = append(cp.Children, Item{ID: copyPrefix + string(f.Format), Label: f.Label, Disabled: !canUse})
	}
	items = append(items, cp)
	items = append(items, consoleItems(s, canUse)...)

	write := Item{ID: idWrite, Label: "Write to credentials file as " + s.ExportName, Disabled: !canUse}
	switch {
	case s.ExportName == s.Active:
		write.Disabled = true
		write.Tooltip = "export_name names the active profile; choose another name in the settings"
	case s.WriteErr != nil:
		write.Tooltip = s.WriteErr.Error()
		write.Label += " (failed)"
	case !s.Written.IsZero():
		write.Tooltip = "written at " + s.Written.Local().Format("15:04")
	}
	items = append(items, write,
		Item{ID: idKeep, Label: "Keep it refreshed while awsxc runs", Checkbox: true, Checked: s.KeepRefreshed},
		Item{ID: "sep2", Separator: true},
	)

	imds, ecs := serverItem(idIMDS, "IMDS server", s.IMDS, noSource), serverItem(idECS, "ECS server", s.ECS, noSource)
	if sl := serversLine(s, now); sl != "" {
		// What they serve, where item tooltips are shown (Windows, macOS).
		for _, it := range []*Item{&imds, &ecs} {
			if it.Tooltip == "" {
				it.Tooltip = sl
			}
		}
	}
	items = append(items, imds, ecs)
	items = append(items, serversItems(s, now)...)
	items = append(items,
		Item{ID: "sep3", Separator: true},
		Item{ID: idAutostart, Label: "Start at login", Checkbox: true, Checked: s.Autostart, Disabled: s.AutostartErr != nil,
			Tooltip: errText(s.AutostartErr)},
		settingsItem(s.SettingsErr),
		Item{ID: idVersion, Label: "awsxc " + s.Version, Disabled: true},
		Item{ID: idQuit, Label: "Quit"},
	)

	tooltip := "awsxc " + s.Version + "\n" + status
	if hintTip != "" {
		tooltip += "\n" + hintTip
	}
	if sl := sessionLine(s, now); sl != "" {
		tooltip += "\n" + sl
	}
	if sl := serversLine(s, now); sl != "" {
		tooltip += "\n" + sl
	}
	if s.SettingsErr != nil {
		tooltip += "\n" + s.SettingsErr.Error()
	}
	return Menu{Icon: IconFor(s, now), Tooltip: tooltip, Items: items}
}

// settingsItem is Open settings, which says where settings.json has an
// error when it has one (Linux menus show no item tooltips).
func settingsItem(err error) Item {
	it := Item{ID: idOpenSettings, Label: "Open settings", Tooltip: errText(err)}
	var serr *SettingsError
	switch {
	case errors.As(err, &serr) && serr.Line > 0:
		it.Label += fmt.Sprintf(" (error at line %d, column %d)", serr.Line, serr.Col)
	case err != nil:
		it.Label += " (it has an error)"
	}
	return it
}

// serverItem is the submenu of one local server: an on/off check with
// its address, and the Docker settings. noSource says there are no
// credentials to serve, so a server switched on is paused.
func serverItem(id, name string, st ServerState, noSource bool) Item {
	label := name
	switch {
	case st.Err != nil:
		label += ": " + serverErrLabel(st)
	case st.On && st.Running && st.Remote != "":
		label += ": " + st.Addr + " · open to the network"
	case st.On && st.Running && st.Bridge != "":
		// Wider than loopback: every container can reach it; say so.
		label += ": " + st.Addr + " and the docker bridge " + st.Bridge
	case st.On && st.Running:
		label += ": " + st.Addr
	case st.On && noSource:
		label += ": paused (no credentials)"
	case st.On:
		label += ": starting"
	default:
		label += ": off"
	}
	toggle := "Serve on " + displayAddr(st.Addr)
	tooltip := errText(st.Err)
	if st.Running && st.Remote != "" {
		tooltip = remoteText(name, st.Remote)
	}
	return Item{ID: id, Label: label, Tooltip: tooltip, Children: []Item{
		{ID: id + ":toggle", Label: toggle, Checkbox: true, Checked: st.On},
		{ID: id + ":docker", Label: "Copy settings for Docker", Disabled: !st.Running},
	}}
}

func displayAddr(addr string) string {
	if addr == "" || strings.HasSuffix(addr, ":0") {
		return "a free port"
	}
	return addr
}

func serverErrLabel(st ServerState) string {
	var re *server.RemoteBindError
	switch {
	case isAddrInUse(st.Err):
		return "port " + portOf(st.Addr) + " in use"
	case errors.As(st.Err, &re):
		return st.Addr + " is not loopback (see allow_remote)"
	}
	return "failed"
}

// remoteText warns of a server that listens beyond this machine, for
// its tooltip and the notification: reach is server.Reach's words.
func remoteText(name, reach string) string {
	who := "anyone who can reach it can read the credentials (IMDS asks for no token)"
	if strings.HasPrefix(name, "ECS") {
		who = "anyone who can reach it with the token can read the credentials, and the token crosses the network in clear text"
	}
	return name + " listens beyond this machine, on " + reach + ": " + who +
		". Set allow_remote to false (or a loopback addr) in the settings to stop it."
}

func portOf(addr string) string {
	if i := strings.LastIndexByte(addr, ':'); i >= 0 {
		return addr[i+1:]
	}
	return addr
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// needsMFA says the last fetch wanted an MFA code, whether or not the
// credentials in hand are still valid, and something uses them.
func needsMFA(s State) bool {
	return s.HaveSource && sourceUsed(s) && errors.Is(s.Status.Err, engine.ErrMFARequired)
}

// OwnKeys says copies and writes hand out the active profile's own
// long-term keys, as awsxc-cli does by default: no STS call stands
// between the user and keys that are in the AWS files, and nothing
// expires. ensure_temporary exchanges them instead. The servers serve
// temporary credentials either way.
func OwnKeys(s State) bool {
	return s.HaveSource && !s.EnsureTemporary && s.Status.LongTerm
}

// serversOn says a local server is switched on.
func serversOn(s State) bool { return s.IMDS.On || s.ECS.On }

// sourceUsed says something hands out the Source's temporary
// credentials: the copies (unless [OwnKeys]) or a server. Otherwise the
// Source fetches nothing, and what it would say does not matter.
func sourceUsed(s State) bool { return !OwnKeys(s) || serversOn(s) }

// serversLine is what the tooltip says of the servers' credentials when
// the headline is about the profile's own keys: "" otherwise.
func serversLine(s State, now time.Time) string {
	if !OwnKeys(s) || !serversOn(s) {
		return ""
	}
	st := s.Status
	switch {
	case st.Valid && !st.Expires.IsZero():
		return "Servers: temporary credentials, expire in " + Countdown(st.Expires.Sub(now))
	case st.Err != nil:
		return "Servers: no temporary credentials (" + errSummary(st.Err) + ")"
	default:
		return "Servers: getting temporary credentials…"
	}
}

// statusHint is what the user can do about the error of the last fetch.
// When an MFA code is needed and no dialog could ask for it, choosing
// Enter MFA code… would not help: the hint says why the dialog failed
// (e.g. "install zenity or kdialog").
func statusHint(s State) string {
	if errors.Is(s.Status.Err, engine.ErrMFARequired) && s.MFAErr != nil {
		return "cannot show the MFA dialog: " + s.MFAErr.Error()
	}
	if loginNeeded(s.Status.Err) && s.Session != nil {
		return signInHint(s.Session.Name())
	}
	return hintOf(s.Status.Err)
}

// renewHint is what renews credentials that a refresh could not renew
// (Status.Final), for the kind of profile: what the last fetch's error
// says when there is one.
func renewHint(s State) string {
	if s.Status.Err != nil {
		return statusHint(s)
	}
	switch s.Status.Kind {
	case engine.KindSession:
		return "replace the session in the AWS files (its keys, aws_session_token and aws_credential_expiration)"
	case engine.KindProcess:
		return "check what credential_process returns: it gives the same credentials again"
	case engine.KindSSO, engine.KindLogin:
		if s.Session != nil {
			return signInHint(s.Session.Name())
		}
		return trayHints(engine.ActionSSOLogin, s.Active)
	}
	return "the profile gives no credentials that last longer"
}

// Summary is the first menu line and, when there is something to do, a
// hint for the second: the active profile and its countdown, or what is
// wrong.
func Summary(s State, now time.Time) (status, hint string) {
	switch {
	case s.NoConfig:
		return "No AWS profiles found", "run aws configure or aws configure sso"
	case s.Active == "":
		return "No profile chosen", "choose one under Profiles"
	case s.LoadErr != nil:
		return s.Active + " · " + errSummary(s.LoadErr), hintOf(s.LoadErr)
	case !s.HaveSource:
		return s.Active + " · loading…", ""
	}
	st := s.Status
	p := s.Active
	if s.MFAAsking {
		return p + " · waiting for the MFA code", ""
	}
	if OwnKeys(s) {
		return ownKeysSummary(s)
	}
	if status, hint, ok := sessionSummary(s, now); ok {
		return status, hint
	}
	if !st.Valid {
		switch {
		case st.Err != nil && !st.Expires.IsZero() && !now.Before(st.Expires):
			return p + " · expired, " + errSummary(st.Err), statusHint(s)
		case st.Err != nil:
			return p + " · " + errSummary(st.Err), statusHint(s)
		case !st.Expires.IsZero() && !now.Before(st.Expires):
			switch {
			case st.Refreshing:
				return p + " · expired, refreshing…", ""
			case st.Final:
				return p + " · expired " + Countdown(now.Sub(st.Expires)) + " ago", renewHint(s)
			}
			return p + " · expired " + Countdown(now.Sub(st.Expires)) + " ago", ""
		default:
			return p + " · getting credentials…", ""
		}
	}
	var line string
	switch {
	case st.Expires.IsZero() && st.Kind == engine.KindStatic:
		line = p + " · static keys · no expiry"
	case st.Expires.IsZero():
		line = p + " · no expiry"
	case !now.Before(st.Expires):
		line = p + " · expired"
	default:
		line = p + " · expires in " + Countdown(st.Expires.Sub(now))
	}
	switch {
	case mfaCanceled(st.Err):
		return line + " · MFA code needed", statusHint(s)
	case st.Err != nil:
		return line + " · refresh failed", statusHint(s)
	case st.Final && !st.Expires.IsZero():
		return line + " · cannot be renewed", renewHint(s)
	}
	return line, ""
}

// ownKeysSummary is [Summary] when copies hand out the profile's own
// long-term keys ([OwnKeys]): the keys are good; what the Source says
// matters only to the servers, which it feeds.
func ownKeysSummary(s State) (status, hint string) {
	line := s.Active + " · static keys · no expiry"
	if s.Status.Kind != engine.KindStatic {
		line = s.Active + " · long-term keys · no expiry"
	}
	if !serversOn(s) || s.Status.Err == nil {
		return line, ""
	}
	return line + " · servers: " + errSummary(s.Status.Err), statusHint(s)
}

// mfaCanceled says err is an MFA code the user was asked for and did not
// give (the dialog was closed): no failure, nothing to warn about.
func mfaCanceled(err error) bool {
	return errors.Is(err, engine.ErrMFARequired) && errors.Is(err, platform.ErrCanceled)
}

// Countdown words a duration for the menu: "less than a minute",
// "1 min", "42 min", "2 h", "2 h 5 min", "3 d 4 h". Minutes are rounded
// down, so the label never promises more time than is left.
func Countdown(d time.Duration) string {
	if d < time.Minute {
		return "less than a minute"
	}
	m := int(d / time.Minute)
	switch {
	case m < 60:
		return fmt.Sprintf("%d min", m)
	case m < 24*60:
		if m%60 == 0 {
			return fmt.Sprintf("%d h", m/60)
		}
		return fmt.Sprintf("%d h %d min", m/60, m%60)
	default:
		h := m / 60
		if h%24 == 0 {
			return fmt.Sprintf("%d d", h/24)
		}
		return fmt.Sprintf("%d d %d h", h/24, h%24)
	}
}

// errSummary is the short menu wording of an engine error.
func errSummary(err error) string {
	switch {
	case errors.Is(err, engine.ErrSSOLoginRequired):
		return "SSO login needed"
	case errors.Is(err, engine.ErrLoginRequired):
		return "sign-in needed"
	case errors.Is(err, engine.ErrMFARequired):
		return "MFA code needed"
	case errors.Is(err, engine.ErrProfileNotFound):
		return "profile not found"
	case errors.Is(err, engine.ErrNoCredentials):
		return "no credentials configured"
	case errors.Is(err, engine.ErrInvalidConfig):
		return "invalid configuration"
	default:
		return "cannot get credentials"
	}
}

// hintOf is what the user can do about err: the engine's action in the
// menu's words, else the engine's neutral hint, else the error itself.
func hintOf(err error) string {
	if errors.Is(err, engine.ErrMFARequired) {
		return trayHints(engine.ActionMFACode, "")
	}
	var e *engine.Error
	if errors.As(err, &e) {
		if h := trayHints(e.Action, e.Profile); h != "" {
			return h
		}
		if e.Hint != "" {
			return e.Hint
		}
		if e.Err != nil {
			return e.Err.Error()
		}
	}
	return err.Error()
}

// trayHints words the engine's actions for the tray, which has menu
// items and a settings file, and no flags: it never tells anyone to add
// --force or --mfa-code, nor to run the AWS CLI for what awsxc does
// itself. A sign-in is the menu's Sign in to NAME…; where the session's
// name is known, the menu's wording ([signInHint]) and the servers'
// ((*app).hints) name it.
var trayHints engine.Hints = func(a engine.Action, profile string) string {
	switch a {
	case engine.ActionMFACode:
		return "choose Enter MFA code… in this menu"
	case engine.ActionSSOLogin, engine.ActionAWSLogin:
		return "choose Sign in to its session… in this menu"
	case engine.ActionConfigure:
		return "run aws configure, or choose a profile under Profiles"
	case engine.ActionCheckProfileName:
		return "choose a profile under Profiles"
	case engine.ActionForce:
		return "the tray never overwrites long-term keys: set export_name in the settings to another profile"
	case engine.ActionAllowHost:
		return "point the client at localhost, or add the name to allow_hosts in the settings"
	}
	return ""
}
