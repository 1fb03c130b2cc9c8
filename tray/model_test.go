//go:build !darwin || cgo

package tray

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/platform"
	"github.com/google/go-cmp/cmp"
)

var now = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

func base() State {
	return State{
		Version:    "1.2.3",
		Profiles:   []string{"default", "dev", "prod"},
		Active:     "dev",
		HaveSource: true,
		ExportName: "awsxc",
		IMDS:       ServerState{},
		ECS:        ServerState{},
		Status: engine.Status{Profile: "dev", Kind: engine.KindSSO, Valid: true,
			Expires: now.Add(42*time.Minute + 30*time.Second)},
	}
}

func with(f func(*State)) State {
	s := base()
	f(&s)
	return s
}

func TestSummary(t *testing.T) {
	t.Parallel()
	ssoErr := &engine.Error{Profile: "dev", Kind: engine.ErrSSOLoginRequired, Action: engine.ActionSSOLogin, Hint: engine.ActionSSOLogin.Hint("dev")}
	mfaErr := &engine.Error{Profile: "dev", Kind: engine.ErrMFARequired, Action: engine.ActionMFACode, Hint: engine.ActionMFACode.Hint("dev")}
	stsErr := &engine.Error{Profile: "dev", Kind: engine.ErrResolve, Err: errors.New("STS GetSessionToken: AccessDenied")}
	tests := []struct {
		name       string
		state      State
		wantStatus string
		wantHint   string
	}{
		{"valid_42_min", base(), "dev · expires in 42 min", ""},
		{"valid_hours", with(func(s *State) { s.Status.Expires = now.Add(3*time.Hour + 5*time.Minute) }), "dev · expires in 3 h 5 min", ""},
		{"valid_whole_hours", with(func(s *State) { s.Status.Expires = now.Add(12 * time.Hour) }), "dev · expires in 12 h", ""},
		{"valid_days", with(func(s *State) { s.Status.Expires = now.Add(36 * time.Hour) }), "dev · expires in 1 d 12 h", ""},
		{"under_a_minute", with(func(s *State) { s.Status.Expires = now.Add(59 * time.Second) }), "dev · expires in less than a minute", ""},
		{"expired", with(func(s *State) { s.Status.Valid = false; s.Status.Expires = now.Add(-5 * time.Minute) }), "dev · expired 5 min ago", ""},
		{"expired_refreshing", with(func(s *State) {
			s.Status.Valid, s.Status.Refreshing = false, true
			s.Status.Expires = now.Add(-time.Minute)
		}), "dev · expired, refreshing…", ""},
		{"expired_refresh_failed", with(func(s *State) {
			s.Status.Valid, s.Status.Err = false, ssoErr
			s.Status.Expires = now.Add(-time.Minute)
		}), "dev · expired, SSO login needed", "choose Sign in to its session… in this menu"},
		{"no_creds_yet", with(func(s *State) { s.Status = engine.Status{Profile: "dev", Refreshing: true} }), "dev · getting credentials…", ""},
		{"loading", with(func(s *State) { s.HaveSource = false; s.Status = engine.Status{} }), "dev · loading…", ""},
		{"static_no_expiry", with(func(s *State) { s.Status.Kind = engine.KindStatic; s.Status.Expires = time.Time{} }), "dev · static keys · no expiry", ""},
		{"no_expiry", with(func(s *State) { s.Status.Kind = engine.KindProcess; s.Status.Expires = time.Time{} }), "dev · no expiry", ""},
		{"sso_login_needed", with(func(s *State) { s.Status = engine.Status{Profile: "dev", Err: ssoErr} }), "dev · SSO login needed", "choose Sign in to its session… in this menu"},
		{"mfa_needed", with(func(s *State) { s.Status = engine.Status{Profile: "dev", Err: mfaErr} }), "dev · MFA code needed", "choose Enter MFA code… in this menu"},
		{"mfa_asking", with(func(s *State) { s.Status = engine.Status{Profile: "dev", Err: mfaErr}; s.MFAAsking = true }), "dev · waiting for the MFA code", ""},
		{"refresh_failed_still_valid", with(func(s *State) { s.Status.Err = stsErr }), "dev · expires in 42 min · refresh failed", "STS GetSessionToken: AccessDenied"},
		{"profile_broken", with(func(s *State) {
			s.HaveSource = false
			s.LoadErr = &engine.Error{Profile: "dev", Kind: engine.ErrProfileNotFound, Action: engine.ActionCheckProfileName, Hint: engine.ActionCheckProfileName.Hint("dev")}
		}), "dev · profile not found", "choose a profile under Profiles"},
		{"profile_without_credentials", with(func(s *State) {
			s.HaveSource = false
			s.LoadErr = &engine.Error{Profile: "dev", Kind: engine.ErrNoCredentials, Hint: "add keys, sso_session, role_arn or credential_process to the profile"}
		}), "dev · no credentials configured", "add keys, sso_session, role_arn or credential_process to the profile"},
		{"no_aws_config", State{Version: "1.2.3", NoConfig: true}, "No AWS profiles found", "run aws configure or aws configure sso"},
		{"no_profile_chosen", with(func(s *State) { s.Active = ""; s.HaveSource = false }), "No profile chosen", "choose one under Profiles"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, hint := Summary(tt.state, now)
			if status != tt.wantStatus || hint != tt.wantHint {
				t.Errorf("Summary() = %q, %q; want %q, %q", status, hint, tt.wantStatus, tt.wantHint)
			}
			m := BuildMenu(tt.state, now)
			if got := m.Items[0].Label; got != tt.wantStatus {
				t.Errorf("header = %q, want %q", got, tt.wantStatus)
			}
			wantTip := "awsxc 1.2.3\n" + tt.wantStatus
			if tt.wantHint != "" {
				wantTip += "\n" + tt.wantHint
			}
			if tt.name == "refresh_failed_still_valid" { // the whole error, which the hint does not give
				wantTip += "\ncannot get credentials: STS GetSessionToken: AccessDenied"
			}
			if m.Tooltip != wantTip {
				t.Errorf("tooltip = %q, want %q", m.Tooltip, wantTip)
			}
		})
	}
}

// flat lists "id|label|flags" for every item, children indented, so a
// whole menu compares with one cmp.Diff.
func flat(items []Item, indent string) []string {
	var out []string
	for _, it := range items {
		if it.Separator {
			out = append(out, indent+"---")
			continue
		}
		if it.Hidden {
			continue
		}
		flags := ""
		if it.Checkbox {
			flags += "[ ]"
			if it.Checked {
				flags = "[x]"
			}
		}
		if it.Disabled {
			flags += " (disabled)"
		}
		out = append(out, fmt.Sprintf("%s%s|%s%s", indent, it.ID, it.Label, flags))
		out = append(out, flat(it.Children, indent+"  ")...)
	}
	return out
}

func TestBuildMenuFull(t *testing.T) {
	t.Parallel()
	s := with(func(s *State) {
		s.IMDS = ServerState{On: true, Running: true, Addr: "127.0.0.1:41001"}
		s.ECS = ServerState{On: true, Addr: "127.0.0.1:41002",
			Err: fmt.Errorf("listen tcp 127.0.0.1:41002: bind: %w", syscall.EADDRINUSE)}
		s.KeepRefreshed = true
		s.Autostart = true
	})
	want := []string{
		"header|dev · expires in 42 min (disabled)",
		"refresh|Refresh now",
		"---",
		"profiles|Profiles",
		"  profile:default|default[ ]",
		"  profile:dev|dev[x]",
		"  profile:prod|prod[ ]",
		"favourites|Edit favourites",
		"  favourites:0|dev[ ]",
		"copy|Copy as",
		"  copy:env|export lines (bash, zsh)",
		"  copy:fish|fish",
		"  copy:powershell|PowerShell",
		"  copy:windows-cmd|cmd.exe",
		"  copy:dotenv|.env file",
		"  copy:process|credential_process JSON",
		"console|Open AWS console",
		"console:copy|Copy console link",
		"write|Write to credentials file as awsxc",
		"keep|Keep it refreshed while awsxc runs[x]",
		"---",
		"imds|IMDS server: 127.0.0.1:41001",
		"  imds:toggle|Serve on 127.0.0.1:41001[x]",
		"  imds:docker|Copy settings for Docker",
		"ecs|ECS server: port 41002 in use",
		"  ecs:toggle|Serve on 127.0.0.1:41002[x]",
		"  ecs:docker|Copy settings for Docker (disabled)",
		"servers|Servers",
		"  ---",
		"  servers:add-imds|Add IMDS server…",
		"  servers:add-consumer|Add ECS consumer…",
		"activity|Recent activity",
		"  activity:none|No credentials fetched yet (disabled)",
		"---",
		"autostart|Start at login[x]",
		"settings|Open settings",
		"version|awsxc 1.2.3 (disabled)",
		"quit|Quit",
	}
	if diff := cmp.Diff(want, flat(BuildMenu(s, now).Items, "")); diff != "" {
		t.Errorf("menu mismatch (-want +got):\n%s", diff)
	}
}

func TestBuildMenuStates(t *testing.T) {
	t.Parallel()
	mfaErr := &engine.Error{Profile: "dev", Kind: engine.ErrMFARequired}
	tests := []struct {
		name  string
		state State
		want  []string // the items before the first separator
	}{
		{"mfa_needed", with(func(s *State) { s.Status = engine.Status{Profile: "dev", Err: mfaErr} }), []string{
			"header|dev · MFA code needed (disabled)",
			"hint|choose Enter MFA code… in this menu (disabled)",
			"mfa|Enter MFA code…",
			"refresh|Refresh now",
		}},
		{"mfa_dialog_open", with(func(s *State) { s.Status = engine.Status{Profile: "dev", Err: mfaErr}; s.MFAAsking = true }), []string{
			"header|dev · waiting for the MFA code (disabled)",
			"mfa|Enter MFA code… (disabled)",
			"refresh|Refresh now (disabled)",
		}},
		{"mfa_needed_still_valid", with(func(s *State) { s.Status.Err = mfaErr }), []string{
			"header|dev · expires in 42 min · refresh failed (disabled)",
			"hint|choose Enter MFA code… in this menu (disabled)",
			"mfa|Enter MFA code…",
			"refresh|Refresh now",
		}},
		{"mfa_canceled_still_valid", with(func(s *State) {
			s.Status.Err = &engine.Error{Profile: "dev", Kind: engine.ErrMFARequired, Err: platform.ErrCanceled}
		}), []string{
			"header|dev · expires in 42 min · MFA code needed (disabled)",
			"hint|choose Enter MFA code… in this menu (disabled)",
			"mfa|Enter MFA code…",
			"refresh|Refresh now",
		}},
		{"mfa_canceled", with(func(s *State) {
			s.Status = engine.Status{Profile: "dev", Err: &engine.Error{Profile: "dev", Kind: engine.ErrMFARequired, Err: platform.ErrCanceled}}
		}), []string{
			"header|dev · MFA code needed (disabled)",
			"hint|choose Enter MFA code… in this menu (disabled)",
			"mfa|Enter MFA code…",
			"refresh|Refresh now",
		}},
		{"mfa_no_dialog", with(func(s *State) {
			s.Status = engine.Status{Profile: "dev", Err: mfaErr}
			s.MFAErr = fmt.Errorf("prompt: %w: install zenity or kdialog", platform.ErrUnsupported)
		}), []string{
			"header|dev · MFA code needed (disabled)",
			"hint|cannot show the MFA dialog: …: install zenity or kdialog (disabled)",
			"mfa|Enter MFA code…",
			"refresh|Refresh now",
		}},
		{"load_failed", with(func(s *State) {
			s.HaveSource, s.Status = false, engine.Status{}
			s.LoadErr = &engine.Error{Profile: "dev", Kind: engine.ErrProfileNotFound, Hint: "check the profile name"}
		}), []string{
			"header|dev · profile not found (disabled)",
			"hint|check the profile name (disabled)",
			"refresh|Refresh now",
		}},
		{"no_tray_host", with(func(s *State) { s.NoTrayHost = true }), []string{
			"header|dev · expires in 42 min (disabled)",
			"nohost|No system tray host found (see the log) (disabled)",
			"refresh|Refresh now",
		}},
		{"no_aws_config", State{Version: "1.2.3", NoConfig: true, ExportName: "awsxc"}, []string{
			"header|No AWS profiles found (disabled)",
			"hint|run aws configure or aws configure sso (disabled)",
			"refresh|Refresh now (disabled)",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := flat(BuildMenu(tt.state, now).Items, "")
			for i, l := range got {
				if l == "---" {
					got = got[:i]
					break
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("menu mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBuildMenuDisablesUseWithoutCredentials(t *testing.T) {
	t.Parallel()
	m := BuildMenu(with(func(s *State) { s.Status = engine.Status{Profile: "dev", Refreshing: true} }), now)
	for _, it := range m.Items {
		if (it.ID == idCopy || it.ID == idWrite) && !it.Disabled {
			t.Errorf("%s enabled without credentials", it.ID)
		}
	}
}

func TestCountdown(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{
		0:                               "less than a minute",
		59 * time.Second:                "less than a minute",
		time.Minute:                     "1 min",
		59*time.Minute + 59*time.Second: "59 min",
		time.Hour:                       "1 h",
		25 * time.Hour:                  "1 d 1 h",
		48 * time.Hour:                  "2 d",
	} {
		if got := Countdown(d); got != want {
			t.Errorf("Countdown(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestServerItem(t *testing.T) {
	t.Parallel()
	inUse := fmt.Errorf("listen tcp 127.0.0.1:41002: bind: %w", syscall.EADDRINUSE)
	tests := []struct {
		name  string
		state State
		want  []string
	}{
		{"off", base(), []string{
			"imds|IMDS server: off",
			"  imds:toggle|Serve on a free port[ ]",
			"  imds:docker|Copy settings for Docker (disabled)",
		}},
		{"running", with(func(s *State) {
			s.IMDS = ServerState{On: true, Running: true, Addr: "127.0.0.1:41001"}
		}), []string{
			"imds|IMDS server: 127.0.0.1:41001",
			"  imds:toggle|Serve on 127.0.0.1:41001[x]",
			"  imds:docker|Copy settings for Docker",
		}},
		{"running_on_the_docker_bridge_too", with(func(s *State) {
			s.IMDS = ServerState{On: true, Running: true, Addr: "127.0.0.1:41001", Bridge: "172.17.0.1"}
		}), []string{
			"imds|IMDS server: 127.0.0.1:41001 and the docker bridge 172.17.0.1",
			"  imds:toggle|Serve on 127.0.0.1:41001[x]",
			"  imds:docker|Copy settings for Docker",
		}},
		{"starting", with(func(s *State) { s.IMDS = ServerState{On: true, Addr: "127.0.0.1:41001"} }), []string{
			"imds|IMDS server: starting",
			"  imds:toggle|Serve on 127.0.0.1:41001[x]",
			"  imds:docker|Copy settings for Docker (disabled)",
		}},
		{"paused_profile_broken", with(func(s *State) {
			s.HaveSource, s.Status = false, engine.Status{}
			s.LoadErr = &engine.Error{Profile: "dev", Kind: engine.ErrProfileNotFound}
			s.IMDS = ServerState{On: true, Addr: "127.0.0.1:41001"}
		}), []string{
			"imds|IMDS server: paused (no credentials)",
			"  imds:toggle|Serve on 127.0.0.1:41001[x]",
			"  imds:docker|Copy settings for Docker (disabled)",
		}},
		{"port_in_use", with(func(s *State) { s.IMDS = ServerState{On: true, Addr: "127.0.0.1:41002", Err: inUse} }), []string{
			"imds|IMDS server: port 41002 in use",
			"  imds:toggle|Serve on 127.0.0.1:41002[x]",
			"  imds:docker|Copy settings for Docker (disabled)",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, l := range flat(BuildMenu(tt.state, now).Items, "") {
				if strings.HasPrefix(strings.TrimSpace(l), "imds") {
					got = append(got, l)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("menu mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestTrayHints words every engine action for the menu. The tray has no
// flags: no hint may tell the user to add one, or to run awsxc-cli, or
// to sign in with the AWS CLI, which the menu does itself (issue 12).
func TestTrayHints(t *testing.T) {
	t.Parallel()
	cliWords := regexp.MustCompile(`awsxc-cli|\baws (sso )?login\b|--(force|mfa-code|mfa-serial|allow-host|imds|container|ensure-temporary|cache|exec|json|env)\b`)
	for _, tt := range []struct {
		action engine.Action
		want   string
	}{
		{engine.ActionMFACode, "choose Enter MFA code… in this menu"},
		{engine.ActionSSOLogin, "choose Sign in to its session… in this menu"},
		{engine.ActionAWSLogin, "choose Sign in to its session… in this menu"},
		{engine.ActionConfigure, "run aws configure, or choose a profile under Profiles"},
		{engine.ActionCheckProfileName, "choose a profile under Profiles"},
		{engine.ActionForce, "the tray never overwrites long-term keys: set export_name in the settings to another profile"},
		{engine.ActionAllowHost, "point the client at localhost, or add the name to allow_hosts in the settings"},
	} {
		t.Run(tt.action.String(), func(t *testing.T) {
			t.Parallel()
			err := &engine.Error{Profile: "dev", Kind: engine.ErrResolve, Action: tt.action, Hint: tt.action.Hint("dev")}
			got := hintOf(err)
			if got != tt.want {
				t.Errorf("hintOf = %q, want %q", got, tt.want)
			}
			if cliWords.MatchString(got) {
				t.Errorf("hint %q names awsxc-cli or one of its flags", got)
			}
		})
	}
	// Signing in is the menu's (issue 12): no command to paste, whatever
	// the profile's name (review 1, L11 quoted it in the command).
	for _, a := range []engine.Action{engine.ActionSSOLogin, engine.ActionAWSLogin} {
		if got, w := trayHints(a, "my dev"), "choose Sign in to its session… in this menu"; got != w {
			t.Errorf("%v for %q: %q, want %q", a, "my dev", got, w)
		}
	}
	if got := hintOf(&engine.Error{Profile: "dev", Kind: engine.ErrResolve, Hint: "neutral"}); got != "neutral" {
		t.Errorf("no action: hintOf = %q, want the engine's hint", got)
	}
}

func TestShortHint(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, hint, want string }{
		{"short", "run aws sso login --profile dev", "run aws sso login --profile dev"},
		{"one_line", "first line\n  second\tline", "first line second line"},
		{"error_chain_ends", "STS GetSessionToken: operation error STS: GetSessionToken, https response error StatusCode: 0, " +
			"RequestID: , request send failed, Post \"https://sts.eu-west-1.amazonaws.com/\": dial tcp: lookup " +
			"sts.eu-west-1.amazonaws.com on 10.255.255.53:53: no such host", "STS GetSessionToken: …: no such host"},
		{"cut_at_a_word", strings.Repeat("word ", 30), strings.TrimSpace(strings.Repeat("word ", 15)) + "…"},
		{"no_spaces", strings.Repeat("x", 100), strings.Repeat("x", 79) + "…"},
		{"runes_not_bytes", strings.Repeat("é", 80), strings.Repeat("é", 80)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := shortHint(tt.hint)
			if got != tt.want {
				t.Errorf("shortHint() = %q; want %q", got, tt.want)
			}
			if n := len([]rune(got)); n > maxHint {
				t.Errorf("%d characters; want at most %d", n, maxHint)
			}
		})
	}
}

func FuzzShortHint(f *testing.F) {
	f.Add("a: b: c")
	f.Add(strings.Repeat("ab: ", 40))
	f.Fuzz(func(t *testing.T, hint string) {
		got := shortHint(hint)
		if n := len([]rune(got)); n > maxHint {
			t.Errorf("shortHint(%q) has %d characters; want at most %d", hint, n, maxHint)
		}
		if strings.ContainsAny(got, "\n\r") {
			t.Errorf("shortHint(%q) = %q: more than one line", hint, got)
		}
	})
}

// TestLongErrorHint is issue 10 item 26: a raw SDK error is not the hint
// line; the line is short, and the whole error is in the tooltips.
func TestLongErrorHint(t *testing.T) {
	t.Parallel()
	raw := errors.New("operation error STS: GetSessionToken, https response error StatusCode: 0, RequestID: , " +
		"request send failed, Post \"https://sts.eu-west-1.amazonaws.com/\": dial tcp: lookup sts.eu-west-1.amazonaws.com: no such host")
	s := with(func(s *State) {
		s.Status = engine.Status{Profile: "dev", Err: &engine.Error{Profile: "dev", Kind: engine.ErrResolve, Err: raw}}
	})
	m := BuildMenu(s, now)
	header, _ := menuItem(m.Items, idHeader)
	hint, _ := menuItem(m.Items, idHint)
	if n := len([]rune(hint.Label)); n > maxHint || hint.Hidden {
		t.Errorf("hint line %q (%d characters, hidden %v); want at most %d", hint.Label, n, hint.Hidden, maxHint)
	}
	full := "cannot get credentials: " + raw.Error()
	if header.Tooltip != full {
		t.Errorf("header tooltip %q; want %q", header.Tooltip, full)
	}
	for what, tip := range map[string]string{"hint": hint.Tooltip, "icon": m.Tooltip} {
		if !strings.Contains(tip, raw.Error()) {
			t.Errorf("%s tooltip %q lacks the whole error", what, tip)
		}
	}
}

// TestExportProfileMarked is issue 10 item 32: the profile awsxc writes
// is marked in Profiles and cannot be chosen.
func TestExportProfileMarked(t *testing.T) {
	t.Parallel()
	s := with(func(s *State) { s.Profiles = []string{"dev", "awsxc"} })
	profiles, _ := menuItem(BuildMenu(s, now).Items, idProfiles)
	want := []string{"profile:dev|dev[x]", "profile:awsxc|awsxc (written by awsxc)[ ] (disabled)"}
	if diff := cmp.Diff(want, flat(profiles.Children, "")); diff != "" {
		t.Errorf("Profiles mismatch (-want +got):\n%s", diff)
	}
	// export_name edited to name the active profile: nothing writes over it.
	s = with(func(s *State) { s.ExportName = "dev" })
	if write, _ := menuItem(BuildMenu(s, now).Items, idWrite); !write.Disabled {
		t.Errorf("%q enabled though it would write over the active profile", write.Label)
	}
}
