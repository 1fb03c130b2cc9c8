//go:build !darwin || cgo

package tray

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/awsxc/awsxc/engine/activity"
	"github.com/awsxc/awsxc/engine/daemon"
	"github.com/awsxc/awsxc/engine/settings"
)

// The Servers ▸ and Recent activity ▸ submenus: every server and
// consumer the daemon runs, with its profile and its last fetch, and the
// last credentials fetches. Both are lists that change order, so they
// live in slots (see profilesmenu.go): a fixed number of items, each
// showing what is at its place now, hidden past the list's end, and a
// last "N more…" line.

// Item IDs of the two submenus. A slot's ID is its prefix and index.
const (
	idServers        = "servers"
	idServersMore    = "servers:more"
	idAddIMDS        = "servers:add-imds"
	idAddConsumer    = "servers:add-consumer"
	idActivity       = "activity"
	idActivityMore   = "activity:more"
	idActivityNone   = "activity:none"
	idActivityAudit  = "activity:audit"
	srvPrefix        = "srv:"        // + slot: the server's line
	srvDockerPrefix  = "srv-docker:" // + slot: Copy settings for Docker
	srvRevokePrefix  = "srv-revoke:" // + slot: Revoke (a consumer)
	srvRemovePrefix  = "srv-remove:" // + slot: Remove (a pinned IMDS server)
	actPrefix        = "act:"        // + slot
	maxServerItems   = 12            // server slots
	maxActivityItems = 10            // activity slots
	// maxActivityKept is how many of the daemon's records the state
	// keeps: the menu shows the last maxActivityItems and counts the
	// rest.
	maxActivityKept = 200
)

// serversItems are the Servers ▸ and Recent activity ▸ submenus for s.
func serversItems(s State, now time.Time) []Item {
	srv := Item{ID: idServers, Label: "Servers"}
	if n := len(s.Servers); n > 0 {
		srv.Label = fmt.Sprintf("Servers (%d)", n)
	}
	for i := range maxServerItems {
		srv.Children = append(srv.Children, serverSlot(s.Servers, i, now))
	}
	more := len(s.Servers) - maxServerItems
	srv.Children = append(srv.Children,
		Item{ID: idServersMore, Label: fmt.Sprintf("%d more… (awsxc-cli status lists all)", more), Disabled: true, Hidden: more <= 0},
		Item{ID: "servers:sep", Separator: true},
		Item{ID: idAddIMDS, Label: "Add IMDS server…", Tooltip: "an IMDS listener of its own, pinned to one profile"},
		Item{ID: idAddConsumer, Label: "Add ECS consumer…", Tooltip: "a token of its own on the ECS server, pinned to one profile"},
	)

	act := Item{ID: idActivity, Label: "Recent activity"}
	// Newest first.
	recs := s.Activity
	for i := range maxActivityItems {
		it := Item{ID: slotID(actPrefix, i), Disabled: true, Hidden: i >= len(recs)}
		if i < len(recs) {
			r := recs[len(recs)-1-i]
			it.Label, it.Tooltip = activityLine(r, now), activityTip(r)
		}
		act.Children = append(act.Children, it)
	}
	more = len(recs) - maxActivityItems
	auditTip := ""
	if s.AuditErr != nil {
		auditTip = s.AuditErr.Error()
	}
	act.Children = append(act.Children,
		Item{ID: idActivityAudit, Label: "⚠ Audit log not written (see its tooltip)", Tooltip: auditTip, Disabled: true, Hidden: s.AuditErr == nil},
		Item{ID: idActivityNone, Label: "No credentials fetched yet", Disabled: true, Hidden: len(recs) > 0},
		Item{ID: idActivityMore, Label: fmt.Sprintf("%d more… (awsxc-cli activity lists them)", more), Disabled: true, Hidden: more <= 0},
	)
	return []Item{srv, act}
}

// serverSlot is slot i of the Servers submenu.
func serverSlot(list []daemon.ServerInfo, i int, now time.Time) Item {
	id := slotID(srvPrefix, i)
	kids := []Item{
		{ID: slotID(srvDockerPrefix, i), Label: "Copy settings for Docker"},
		{ID: slotID(srvRevokePrefix, i), Label: "Revoke"},
		{ID: slotID(srvRemovePrefix, i), Label: "Remove"},
	}
	if i >= len(list) {
		for k := range kids {
			kids[k].Hidden = true
		}
		return Item{ID: id, Hidden: true, Children: kids}
	}
	info := list[i]
	kids[0].Disabled = !info.Running || len(info.Settings.Docker) == 0
	kids[0].Hidden = info.Kind == daemon.KindECS
	kids[1].Hidden = info.Kind != daemon.KindConsumer
	kids[1].Tooltip = "its token stops working at once"
	kids[2].Hidden = info.Builtin || info.Kind == daemon.KindConsumer
	it := Item{ID: id, Label: serverLine(info, now), Tooltip: info.Error, Children: kids}
	if info.Builtin {
		// The IMDS and ECS server items switch it; nothing to do here.
		it.Children = nil
		it.Disabled = true
	}
	return it
}

// serverLine is a server's or consumer's line: "api → dev · fetched 2
// min ago by aws-sdk-go-v2 from 127.0.0.1", "IMDS :9931 → follows active
// (dev)".
func serverLine(info daemon.ServerInfo, now time.Time) string {
	var b strings.Builder
	switch info.Kind {
	case daemon.KindIMDS:
		b.WriteString("IMDS :" + portOf(info.Addr))
		if !info.Builtin {
			b.WriteString(" " + info.Name)
		}
	case daemon.KindECS:
		b.WriteString("ECS :" + portOf(info.Addr))
	default:
		b.WriteString(info.Name)
	}
	b.WriteString(" → ")
	switch {
	case info.FollowsActive && info.Profile != "":
		b.WriteString("follows active (" + info.Profile + ")")
	case info.FollowsActive:
		b.WriteString("follows active (none)")
	case info.Profile != "":
		b.WriteString(info.Profile)
	default:
		b.WriteString("-")
	}
	switch {
	case info.Error != "":
		b.WriteString(" · not running")
	case info.LastFetch != nil:
		b.WriteString(" · " + fetchedLine(*info.LastFetch, now))
	case info.Running:
		b.WriteString(" · no fetch yet")
	}
	return b.String()
}

// fetchedLine is "fetched 2 min ago by aws-sdk-go-v2 from 127.0.0.1",
// with the outcome when the fetch was refused.
func fetchedLine(r activity.Record, now time.Time) string {
	r = r.Clean()
	s := "fetched " + agoWords(now.Sub(r.Time))
	if c := clientName(r.UserAgent); c != "" {
		s += " by " + c
	}
	if h := hostOf(r.Client); h != "" {
		s += " from " + h
	}
	if r.Status != 0 && r.Status != 200 {
		s += " (" + outcomeWords(r) + ")"
	}
	return s
}

// activityLine is one fetch: "12:04 api → dev · aws-sdk-go-v2 from
// 127.0.0.1 · ASIA…WXYZ".
func activityLine(r activity.Record, now time.Time) string {
	r = r.Clean()
	var b strings.Builder
	b.WriteString(clock(r.Time, now) + " " + oneLine(r.Server))
	if r.Consumer != "" {
		b.WriteString(" " + oneLine(r.Consumer))
	}
	b.WriteString(" → " + cmpString(oneLine(r.Profile), "-"))
	if c := clientName(r.UserAgent); c != "" {
		b.WriteString(" · " + c)
	}
	if h := hostOf(r.Client); h != "" {
		b.WriteString(" from " + h)
	}
	if r.Key != "" {
		b.WriteString(" · " + r.Key)
	}
	if r.Status != 0 && r.Status != 200 {
		b.WriteString(" · " + outcomeWords(r))
	}
	return b.String()
}

// activityTip is the whole record, for the tooltip: its time, path and
// full User-Agent. Never a secret: a record holds none.
func activityTip(r activity.Record) string {
	r = r.Clean()
	return oneLine(r.Time.Local().Format("2006-01-02 15:04:05") + " " + r.Path + " · " + r.UserAgent)
}

func outcomeWords(r activity.Record) string {
	if r.Outcome != "" {
		return oneLine(string(r.Outcome))
	}
	return strconv.Itoa(r.Status)
}

func cmpString(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// clientName is the first product of a User-Agent without its version:
// "aws-sdk-go-v2" of "aws-sdk-go-v2/1.36.3 os/linux …", "Boto3" of
// "Boto3/1.34.0 md/Botocore#1.34.0 …"; "" for none.
func clientName(ua string) string {
	f := strings.Fields(ua)
	if len(f) == 0 {
		return ""
	}
	name, _, _ := strings.Cut(f[0], "/")
	return clip(name, 32)
}

// hostOf is the host of a client address (IP:port), or the address.
func hostOf(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return oneLine(addr)
}

// agoWords is how long ago: "just now", "2 min ago", "3 h ago".
func agoWords(d time.Duration) string {
	if d < time.Minute {
		return "just now"
	}
	return Countdown(d) + " ago"
}

// parseAddIMDS reads the answer of the Add IMDS server dialog: a
// profile, or @active to follow the active profile, and optionally a
// port ("dev", "dev 9931", "@active 9931"); an empty answer is the
// active profile on a free port.
func parseAddIMDS(answer, active string) (settings.Pinned, error) {
	active = soleWord(active)
	f := strings.Fields(answer)
	spec := settings.Pinned{Kind: settings.KindIMDS}
	switch len(f) {
	case 0:
		if active == "" {
			return spec, errors.New("no profile given and none is active")
		}
		f = []string{active}
	case 1, 2:
	default:
		return spec, errors.New("give a profile and, if you like, a port: dev 9931")
	}
	if f[0] == "@active" {
		spec.FollowActive = true
	} else {
		spec.Profile = f[0]
	}
	if len(f) == 2 {
		p, err := strconv.ParseUint(f[1], 10, 16)
		if err != nil || p == 0 {
			return spec, fmt.Errorf("port %q: want a number from 1 to 65535", f[1])
		}
		spec.Addr = net.JoinHostPort("127.0.0.1", strconv.FormatUint(p, 10))
	}
	return spec, nil
}

// parseAddConsumer reads the answer of the Add ECS consumer dialog: a
// name and a profile, or @active ("api dev"); the profile may be left
// out for the active one.
func parseAddConsumer(answer, active string) (settings.Pinned, error) {
	active = soleWord(active)
	f := strings.Fields(answer)
	spec := settings.Pinned{Kind: settings.KindConsumer}
	switch {
	case len(f) == 1 && active != "":
		f = append(f, active)
	case len(f) != 2:
		return spec, errors.New("give a name and a profile: api dev")
	}
	spec.Name = f[0]
	if f[1] == "@active" {
		spec.FollowActive = true
	} else {
		spec.Profile = f[1]
	}
	return spec, nil
}

// soleWord is s when it is one word, else "" (a profile name the
// dialogs can default to).
func soleWord(s string) string {
	if f := strings.Fields(s); len(f) == 1 && f[0] == s {
		return s
	}
	return ""
}
