//go:build !darwin || cgo

package tray

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/awsxc/awsxc/engine/activity"
	"github.com/awsxc/awsxc/engine/daemon"
	"github.com/awsxc/awsxc/engine/settings"
	"github.com/google/go-cmp/cmp"
)

var modelNow = time.Date(2026, 3, 4, 12, 30, 0, 0, time.UTC)

func fetch(ago time.Duration, ua string, status int) *activity.Record {
	return &activity.Record{Time: modelNow.Add(-ago), Server: "ecs", Kind: "ecs", Consumer: "api", Profile: "dev",
		Client: "127.0.0.1:40312", UserAgent: ua, Path: "/", Key: "ASIA…WXYZ", Status: status}
}

func TestServerLine(t *testing.T) {
	t.Parallel()
	goUA := "aws-sdk-go-v2/1.36.3 ua/2.1 os/linux lang/go#1.26"
	tests := []struct {
		name string
		info daemon.ServerInfo
		want string
	}{
		{"consumer_fetched", daemon.ServerInfo{Name: "api", Kind: daemon.KindConsumer, Profile: "dev", Running: true,
			Addr: "127.0.0.1:9932", LastFetch: fetch(2*time.Minute+10*time.Second, goUA, 200)},
			"api → dev · fetched 2 min ago by aws-sdk-go-v2 from 127.0.0.1"},
		{"imds_follows", daemon.ServerInfo{Name: "imds", Kind: daemon.KindIMDS, Builtin: true, FollowsActive: true, Profile: "dev",
			Running: true, Addr: "127.0.0.1:9931"}, "IMDS :9931 → follows active (dev) · no fetch yet"},
		{"imds_pinned", daemon.ServerInfo{Name: "imds-prod", Kind: daemon.KindIMDS, Profile: "prod", Running: true,
			Addr: "127.0.0.1:9940", LastFetch: fetch(10*time.Second, "Boto3/1.34.0 md/Botocore#1.34.0", 200)},
			"IMDS :9940 imds-prod → prod · fetched just now by Boto3 from 127.0.0.1"},
		{"follows_none", daemon.ServerInfo{Name: "job", Kind: daemon.KindConsumer, FollowsActive: true, Running: true},
			"job → follows active (none) · no fetch yet"},
		{"not_running", daemon.ServerInfo{Name: "imds-x", Kind: daemon.KindIMDS, Profile: "x", Addr: "127.0.0.1:80",
			Error: "listen tcp 127.0.0.1:80: bind: permission denied"}, "IMDS :80 imds-x → x · not running"},
		{"refused", daemon.ServerInfo{Name: "api", Kind: daemon.KindConsumer, Profile: "dev", Running: true,
			LastFetch: &activity.Record{Time: modelNow.Add(-3 * time.Hour), Client: "[::1]:5", Status: 403, Outcome: "revoked"}},
			"api → dev · fetched 3 h ago from ::1 (revoked)"},
		{"ecs_listener", daemon.ServerInfo{Name: "ecs", Kind: daemon.KindECS, Builtin: true, FollowsActive: true, Profile: "dev",
			Running: true, Addr: "127.0.0.1:9950"}, "ECS :9950 → follows active (dev) · no fetch yet"},
		{"control_chars", daemon.ServerInfo{Name: "api", Kind: daemon.KindConsumer, Profile: "dev", Running: true,
			LastFetch: fetch(5*time.Minute, "evil\n\x1b[2Jagent/1", 200)}, "api → dev · fetched 5 min ago by evil from 127.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, serverLine(tt.info, modelNow)); diff != "" {
				t.Errorf("serverLine (-want +got):\n%s", diff)
			}
		})
	}
}

func TestActivityLine(t *testing.T) {
	t.Parallel()
	local := modelNow.Add(-90 * time.Second).Local().Format("15:04")
	tests := []struct {
		name string
		r    activity.Record
		want string
	}{
		{"consumer", *fetch(90*time.Second, "aws-sdk-go-v2/1.36.3", 200), local + " ecs api → dev · aws-sdk-go-v2 from 127.0.0.1 · ASIA…WXYZ"},
		{"imds_refused", activity.Record{Time: modelNow.Add(-90 * time.Second), Server: "imds", Profile: "", Client: "10.0.0.2:1",
			Status: 403, Outcome: "forbidden"}, local + " imds → - from 10.0.0.2 · forbidden"},
		// A whole key id never reaches a label, whoever built the record.
		{"whole_key", activity.Record{Time: modelNow.Add(-90 * time.Second), Server: "imds", Profile: "dev",
			Key: "ASIAFAKE0001EXAMPLE", Status: 200}, local + " imds → dev · ASIA…MPLE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, activityLine(tt.r, modelNow)); diff != "" {
				t.Errorf("activityLine (-want +got):\n%s", diff)
			}
		})
	}
}

// shown is a submenu's visible children as "label[!]" (! for disabled),
// with each one's visible children in braces.
func shown(it Item) []string {
	var out []string
	for _, c := range it.Children {
		if c.Hidden || c.Separator {
			continue
		}
		s := c.Label
		if c.Disabled {
			s += "!"
		}
		var kids []string
		for _, k := range c.Children {
			if !k.Hidden {
				kids = append(kids, k.Label+map[bool]string{true: "!"}[k.Disabled])
			}
		}
		if len(kids) > 0 {
			s += " {" + strings.Join(kids, ", ") + "}"
		}
		out = append(out, s)
	}
	return out
}

func TestServersItems(t *testing.T) {
	t.Parallel()
	running := func(name, kind, profile string) daemon.ServerInfo {
		i := daemon.ServerInfo{Name: name, Kind: kind, Profile: profile, Running: true, Addr: "127.0.0.1:9931"}
		i.Settings.Docker = []string{"AWS_EC2_METADATA_SERVICE_ENDPOINT=http://host.docker.internal:9931/"}
		return i
	}
	many := make([]daemon.ServerInfo, 15)
	for i := range many {
		many[i] = running(fmt.Sprintf("c%02d", i), daemon.KindConsumer, "dev")
	}
	var recs []activity.Record
	for i := range 13 {
		recs = append(recs, activity.Record{Time: modelNow.Add(-time.Duration(13-i) * time.Minute), Server: "imds",
			Profile: fmt.Sprintf("p%d", i), Status: 200})
	}
	tests := []struct {
		name               string
		state              State
		servers, activity  []string
		serversLabel, last string
	}{
		{"none", State{}, []string{"Add IMDS server…", "Add ECS consumer…"}, []string{"No credentials fetched yet!"}, "Servers", ""},
		{"kinds", State{Servers: []daemon.ServerInfo{
			{Name: "imds", Kind: daemon.KindIMDS, Builtin: true, FollowsActive: true, Profile: "dev", Running: true, Addr: "127.0.0.1:9931"},
			running("imds-prod", daemon.KindIMDS, "prod"),
			running("api", daemon.KindConsumer, "dev"),
			{Name: "job", Kind: daemon.KindConsumer, Profile: "dev"},
		}}, []string{
			"IMDS :9931 → follows active (dev) · no fetch yet!",
			"IMDS :9931 imds-prod → prod · no fetch yet {Copy settings for Docker, Remove}",
			"api → dev · no fetch yet {Copy settings for Docker, Revoke}",
			"job → dev {Copy settings for Docker!, Revoke}",
			"Add IMDS server…", "Add ECS consumer…",
		}, []string{"No credentials fetched yet!"}, "Servers (4)", ""},
		{"capped", State{Servers: many, Activity: recs}, nil, nil, "Servers (15)", "3 more… (awsxc-cli activity lists them)!"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			items := serversItems(tt.state, modelNow)
			srv, act := items[0], items[1]
			if srv.Label != tt.serversLabel {
				t.Errorf("label %q; want %q", srv.Label, tt.serversLabel)
			}
			gotSrv, gotAct := shown(srv), shown(act)
			if tt.servers != nil {
				if diff := cmp.Diff(tt.servers, gotSrv); diff != "" {
					t.Errorf("Servers (-want +got):\n%s", diff)
				}
			}
			if tt.activity != nil {
				if diff := cmp.Diff(tt.activity, gotAct); diff != "" {
					t.Errorf("Recent activity (-want +got):\n%s", diff)
				}
			}
			if tt.name == "capped" {
				// 12 slots, the "more" line and the two Add items.
				if len(gotSrv) != maxServerItems+3 || gotSrv[maxServerItems] != "3 more… (awsxc-cli status lists all)!" {
					t.Errorf("Servers with 15: %q", gotSrv)
				}
				// Newest first, ten of them, then the count.
				if len(gotAct) != maxActivityItems+1 || !strings.Contains(gotAct[0], "imds → p12") || gotAct[len(gotAct)-1] != tt.last {
					t.Errorf("Recent activity with 13: %q", gotAct)
				}
			}
			// The IDs are the same whatever the state: the adapter
			// creates each item once.
			if len(srv.Children) != maxServerItems+4 || len(act.Children) != maxActivityItems+3 {
				t.Errorf("%d and %d items; want a fixed number", len(srv.Children), len(act.Children))
			}
		})
	}
}

func TestParseAdd(t *testing.T) {
	t.Parallel()
	tests := []struct {
		consumer bool
		answer   string
		want     settings.Pinned
		err      string
	}{
		{false, "", settings.Pinned{Kind: settings.KindIMDS, Profile: "dev"}, ""},
		{false, "  prod  ", settings.Pinned{Kind: settings.KindIMDS, Profile: "prod"}, ""},
		{false, "prod 9931", settings.Pinned{Kind: settings.KindIMDS, Profile: "prod", Addr: "127.0.0.1:9931"}, ""},
		{false, "@active 9931", settings.Pinned{Kind: settings.KindIMDS, FollowActive: true, Addr: "127.0.0.1:9931"}, ""},
		{false, "prod 0", settings.Pinned{Kind: settings.KindIMDS, Profile: "prod"}, `port "0": want a number from 1 to 65535`},
		{false, "prod 70000", settings.Pinned{Kind: settings.KindIMDS, Profile: "prod"}, `port "70000": want a number from 1 to 65535`},
		{false, "a b c", settings.Pinned{Kind: settings.KindIMDS}, "give a profile and, if you like, a port: dev 9931"},
		{true, "api prod", settings.Pinned{Kind: settings.KindConsumer, Name: "api", Profile: "prod"}, ""},
		{true, "api", settings.Pinned{Kind: settings.KindConsumer, Name: "api", Profile: "dev"}, ""},
		{true, "job @active", settings.Pinned{Kind: settings.KindConsumer, Name: "job", FollowActive: true}, ""},
		{true, "", settings.Pinned{Kind: settings.KindConsumer}, "give a name and a profile: api dev"},
	}
	for _, tt := range tests {
		parse := parseAddIMDS
		if tt.consumer {
			parse = parseAddConsumer
		}
		got, err := parse(tt.answer, "dev")
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tt.answer, diff)
		}
		if errText(err) != tt.err {
			t.Errorf("%q: error %v; want %q", tt.answer, err, tt.err)
		}
	}
}

// FuzzParseAdd: any answer gives a spec of the dialog's kind with at
// most one of a profile and follow-active, a loopback address or none,
// or an error, never a panic.
func FuzzParseAdd(f *testing.F) {
	for _, s := range []string{"", "dev", "dev 9931", "@active 1", "api dev", "a b c", "x 99999", "x -1", "x 0x10"} {
		f.Add(s, "dev")
	}
	f.Fuzz(func(t *testing.T, answer, active string) {
		for _, consumer := range []bool{false, true} {
			parse, kind := parseAddIMDS, settings.KindIMDS
			if consumer {
				parse, kind = parseAddConsumer, settings.KindConsumer
			}
			spec, err := parse(answer, active)
			if spec.Kind != kind {
				t.Fatalf("%q: kind %q", answer, spec.Kind)
			}
			if err != nil {
				continue
			}
			if spec.FollowActive == (spec.Profile != "") {
				t.Fatalf("%q: %+v: want a profile or follow-active", answer, spec)
			}
			if spec.Addr != "" && !strings.HasPrefix(spec.Addr, "127.0.0.1:") {
				t.Fatalf("%q: address %q beyond loopback", answer, spec.Addr)
			}
			if strings.ContainsAny(spec.Profile+spec.Name, " \t\n") {
				t.Fatalf("%q: %+v has spaces", answer, spec)
			}
		}
	})
}
