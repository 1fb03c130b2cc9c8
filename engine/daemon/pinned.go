package daemon

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/awsxc/awsxc/engine"

	"github.com/awsxc/awsxc/engine/activity"
	"github.com/awsxc/awsxc/engine/server"
	"github.com/awsxc/awsxc/engine/settings"
)

// The kinds of a [ServerInfo].
const (
	// KindIMDS is an IMDS listener: the imds switch's, or a pinned one.
	KindIMDS = settings.KindIMDS
	// KindECS is the ECS listener (the ecs switch's address), with its
	// own token for the active profile when the switch is on, and the
	// consumers' tokens.
	KindECS = "ecs"
	// KindConsumer is a consumer of the ECS listener: a token of its
	// own that reads one profile.
	KindConsumer = settings.KindConsumer
)

// ServerSpec is a server or consumer to add ([Daemon.AddServer]): the
// settings' form of it (settings key "servers").
//
//   - Kind [KindIMDS]: an IMDS listener at Addr ("" or port 0 picks a
//     free port, saved for the next runs; a bare "PORT" is on
//     127.0.0.1; beyond loopback only with AllowRemote). Name may be
//     empty: "imds-PROFILE" (or "imds-active"), with "-2", "-3", … when
//     taken.
//   - Kind [KindConsumer]: a consumer of the ECS listener. Name is
//     required (its token file is NAME.token); Addr and AllowRemote
//     must be empty.
//
// Exactly one of Profile and FollowActive is set.
type ServerSpec = settings.Pinned

// ServerInfo is one server or consumer the daemon runs, for a menu
// ("api → dev · fetched 2 min ago by aws-sdk-go-v2 from 127.0.0.1") and
// for awsxc-cli status. It holds no secret: a consumer's token is named
// by its file, never quoted.
type ServerInfo struct {
	// Name identifies it: "imds" and "ecs" for the settings' switches,
	// else the name it was added with (see [ServerSpec]).
	Name string `json:"name"`
	// Kind is [KindIMDS], [KindECS] or [KindConsumer].
	Kind string `json:"kind"`
	// Profile is the profile it serves now: for one that follows the
	// active profile, the active one ("" when none is active).
	Profile string `json:"profile,omitempty"`
	// FollowsActive says it serves whichever profile is active.
	FollowsActive bool `json:"follows_active"`
	// Builtin marks the settings' imds and ecs switches: removing one
	// switches it off.
	Builtin bool `json:"builtin,omitempty"`
	// Addr is where it listens ("127.0.0.1:9931"; a consumer's is its
	// ECS listener's); URL its base URL for clients on this machine.
	Addr string `json:"addr,omitempty"`
	URL  string `json:"url,omitempty"`
	// Running says it serves now; Error says why not.
	Running bool   `json:"running"`
	Error   string `json:"error,omitempty"`
	// Reach says who beyond this machine can connect (see
	// [server.Reach]); empty on loopback.
	Reach string `json:"reach,omitempty"`
	// TokenFile is a consumer's token file (0600, no final newline),
	// and the ecs switch's token file when the daemon writes one.
	TokenFile string `json:"token_file,omitempty"`
	// LastFetch is the last credentials request it answered (any
	// outcome), nil when none since the daemon started.
	LastFetch *activity.Record `json:"-"`
	// Settings are what a client on this machine and a container need
	// (the tray's "Copy settings for Docker"): environment lines, docker
	// run flags. A consumer's refer to its token file. Empty when it is
	// not running.
	Settings server.Settings `json:"-"`
}

// ErrNoServer is wrapped by the errors of [Daemon.RemoveServer] and
// [Daemon.Revoke] for a name the daemon has no server or consumer of.
var ErrNoServer = errors.New("no such server or consumer")

// ErrNotConsumer is wrapped by the error of [Daemon.Revoke] for a name
// that is a server, not a consumer.
var ErrNotConsumer = errors.New("not a consumer")

// ServerList returns every server and consumer the daemon runs or is
// to run, in a stable order: the imds switch (while it is on), the ECS
// listener (while the ecs switch is on or it has had consumers), then
// the pinned ones in the order they were added.
func (d *Daemon) ServerList() []ServerInfo {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.listLocked()
}

func (d *Daemon) listLocked() []ServerInfo {
	states := map[string]server.State{}
	for _, s := range d.states {
		states[s.Name] = s
	}
	fill := func(info *ServerInfo, st server.State, ok bool) {
		if !ok {
			return
		}
		info.Addr, info.URL, info.Running, info.Reach = st.Addr, st.URL, st.Running(), st.Reach.String()
		if st.Err != nil {
			info.Error = st.Err.Error()
		}
	}
	var out []ServerInfo
	if d.set.IMDS.Enabled {
		info := ServerInfo{Name: ServerIMDS, Kind: KindIMDS, Profile: d.active, FollowsActive: true, Builtin: true, Addr: d.set.IMDS.Addr}
		st, ok := states[ServerIMDS]
		fill(&info, st, ok)
		if !ok {
			info.Error = d.whyNoSourceLocked(settings.Pinned{FollowActive: true}).Error()
		}
		if st.IMDS != nil {
			info.Settings = st.IMDS.Settings()
		}
		out = append(out, info)
	}
	ecs, ecsOK := states[ServerECS]
	if d.set.ECS.Enabled || ecsOK {
		info := ServerInfo{Name: ServerECS, Kind: KindECS, FollowsActive: d.set.ECS.Enabled, Builtin: true, Addr: d.set.ECS.Addr}
		if d.set.ECS.Enabled {
			info.Profile = d.active
		}
		fill(&info, ecs, ecsOK)
		switch {
		case d.set.ECS.Enabled && (ecs.ECS == nil || ecs.ECS.Token() == ""):
			if info.Error == "" {
				info.Error = d.whyNoSourceLocked(settings.Pinned{FollowActive: true}).Error()
			}
		case d.set.ECS.Enabled && d.opts.ECSTokenFile != "":
			info.TokenFile = d.opts.ECSTokenFile
			info.Settings = ecs.ECS.Settings(server.SettingsOptions{TokenFile: d.opts.ECSTokenFile})
		}
		out = append(out, info)
	}
	for _, p := range d.set.Servers {
		info := ServerInfo{Name: p.Name, Kind: p.Kind, Profile: p.Profile, FollowsActive: p.FollowActive, Addr: p.Addr}
		if p.FollowActive {
			info.Profile = d.active
		}
		switch p.Kind {
		case settings.KindIMDS:
			st, ok := states[p.Name]
			fill(&info, st, ok)
			if st.IMDS != nil {
				info.Settings = st.IMDS.Settings()
			}
		case settings.KindConsumer:
			fill(&info, ecs, ecsOK)
			info.Running = ecs.ECS != nil && slices.ContainsFunc(ecs.Consumers, func(c server.Consumer) bool { return c.Name == p.Name })
			info.TokenFile = d.tokenFile(p.Name)
			if info.Running && info.TokenFile != "" {
				info.Settings = ecs.ECS.Settings(server.SettingsOptions{Consumer: p.Name, TokenFile: info.TokenFile})
			}
			if err := d.tokenErr[p.Name]; err != nil && info.Error == "" {
				info.Error = err.Error()
			}
		}
		if d.sourceLocked(p) == nil {
			if err := d.whyNoSourceLocked(p); err != nil {
				info.Error = d.opts.Hints.Reword(err).Error()
			}
			info.Running = false
		}
		out = append(out, info)
	}
	for i := range out {
		out[i].LastFetch = d.rec.lastFetch(out[i].Name)
	}
	return out
}

// AddServer adds a pinned server or consumer, saves it in the settings
// and starts it, and returns it as [Daemon.ServerList] shows it. A spec
// that is not valid, whose name (letter case aside: token files are
// NAME.token, and many file systems ignore case) or port is taken, or
// whose profile does not exist is an error (wrapping
// [engine.ErrProfileNotFound] for the last), and changes nothing; so
// is a server the settings cannot be saved with (wrapping
// [ErrNotSaved]): what is added stays. A server that cannot start (a
// port in use) is added, and its ServerInfo.Error says why. A new
// consumer gets a new random token, in its token file before AddServer
// returns (never one a file left there holds). OnChange fires.
func (d *Daemon) AddServer(spec ServerSpec) (ServerInfo, error) {
	if spec.Kind == KindIMDS {
		if spec.Addr == "" {
			spec.Addr = "127.0.0.1:0"
		}
		if a, err := server.ParseAddr(spec.Addr); err == nil {
			spec.Addr = a
		}
	}
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return ServerInfo{}, errors.New("the daemon is shutting down")
	}
	changed := d.reloadLocked()
	info, err := d.addLocked(spec)
	d.mu.Unlock()
	if changed || err == nil {
		d.changed()
	}
	return info, err
}

func (d *Daemon) addLocked(spec ServerSpec) (ServerInfo, error) {
	if spec.Name == "" && spec.Kind == KindIMDS {
		spec.Name = d.freeNameLocked("imds-" + cmp.Or(spec.Profile, "active"))
	}
	if err := d.checkNewLocked(spec); err != nil {
		return ServerInfo{}, err
	}
	if d.file != nil {
		if ferr := d.file.Err(); ferr != nil {
			// Refused before anything starts: a server kept until the
			// daemon stops is not what was asked for.
			return ServerInfo{}, fmt.Errorf("server %q not added: %w", spec.Name, notSavedError{fmt.Errorf("%w: %w", settings.ErrNotSaved, ferr)})
		}
	}
	if spec.Kind == KindConsumer {
		d.forgetTokenLocked(spec.Name) // a file left by an earlier one is not this one's
	}
	d.set.Servers = append(slices.Clone(d.set.Servers), spec)
	d.applyLocked()
	undo := func() {
		d.set.Servers = d.set.Servers[:len(d.set.Servers)-1]
		d.applyLocked() // forgets a consumer's token, and its file
	}
	if err := d.pinErr[spec.Profile]; err != nil && !spec.FollowActive && errors.Is(err, engine.ErrProfileNotFound) {
		undo()
		return ServerInfo{}, fmt.Errorf("server %q: %w", spec.Name, err)
	}
	if err := d.saveLocked(); err != nil {
		undo()
		return ServerInfo{}, fmt.Errorf("server %q not added: %w", spec.Name, err)
	}
	for _, i := range d.listLocked() {
		if i.Name == spec.Name {
			return i, nil
		}
	}
	return ServerInfo{}, fmt.Errorf("server %q: not in the list after it was added", spec.Name)
}

// freeNameLocked is base, or base-2, base-3, … the first no server has.
func (d *Daemon) freeNameLocked(base string) string {
	taken := func(n string) bool {
		return strings.EqualFold(n, ServerIMDS) || strings.EqualFold(n, ServerECS) ||
			slices.ContainsFunc(d.set.Servers, func(p settings.Pinned) bool { return strings.EqualFold(p.Name, n) })
	}
	name := base
	for i := 2; taken(name); i++ {
		name = base + "-" + strconv.Itoa(i)
	}
	return name
}

// checkNewLocked checks a server to add against the servers there are.
func (d *Daemon) checkNewLocked(spec ServerSpec) error {
	if err := spec.Check(); err != nil {
		return err
	}
	if i := slices.IndexFunc(d.set.Servers, func(p settings.Pinned) bool { return strings.EqualFold(p.Name, spec.Name) }); i >= 0 {
		if taken := d.set.Servers[i].Name; taken != spec.Name {
			return fmt.Errorf("server %q: the name is taken (by %q: letter case aside, a token file's name is the same)", spec.Name, taken)
		}
		return fmt.Errorf("server %q: the name is taken", spec.Name)
	}
	if port := spec.Port(); port != 0 {
		for _, s := range d.states {
			if s.Port == port && s.Err == nil {
				return fmt.Errorf("server %q: port %d is server %q's", spec.Name, port, s.Name)
			}
		}
	}
	_, err := settings.CheckServers(append(slices.Clone(d.set.Servers), spec))
	return err
}

// RemoveServer stops a pinned server, or revokes a consumer as
// [Daemon.Revoke] does, and removes it from the settings. The builtin
// "imds" and "ecs" are switched off (the ECS listener keeps serving its
// consumers). The error wraps [ErrNoServer] for a name the daemon has
// no server or consumer of. OnChange fires.
func (d *Daemon) RemoveServer(name string) error {
	return d.remove(name, false)
}

// Revoke revokes a consumer: its token stops working at once (requests
// waiting for credentials with it are refused too, and later ones are
// refused and recorded as [activity.Revoked]), its token file is
// removed, it is removed from the settings, and the revocation itself
// is recorded in the activity log (a record of outcome
// [activity.Revoked] with status 0 and no client). The error wraps
// [ErrNoServer] for an unknown name, [ErrNotConsumer] for a server.
// OnChange fires.
func (d *Daemon) Revoke(name string) error {
	return d.remove(name, true)
}

func (d *Daemon) remove(name string, consumerOnly bool) error {
	d.mu.Lock()
	changed := d.reloadLocked()
	i := slices.IndexFunc(d.set.Servers, func(p settings.Pinned) bool { return p.Name == name })
	switch {
	case consumerOnly && (i < 0 && (name == ServerIMDS || name == ServerECS) || i >= 0 && d.set.Servers[i].Kind != KindConsumer):
		d.mu.Unlock()
		d.changedIf(changed)
		return fmt.Errorf("%q: %w", name, ErrNotConsumer)
	case i < 0 && !(name == ServerIMDS && d.set.IMDS.Enabled || name == ServerECS && d.set.ECS.Enabled):
		d.mu.Unlock()
		d.changedIf(changed)
		return fmt.Errorf("%q: %w", name, ErrNoServer)
	}
	revoked := removeFrom(&d.set, name)
	err := d.saveLocked()
	if err != nil {
		// Made all the same: a revoked token must stop working now. It
		// is saved once the file can be (see redoUnsavedLocked).
		d.unsaved = append(d.unsaved, name)
		what := fmt.Sprintf("server %q removed", name)
		switch {
		case revoked != nil:
			what = fmt.Sprintf("consumer %q revoked", name)
		case i < 0:
			what = fmt.Sprintf("server %q switched off", name)
		}
		err = fmt.Errorf("%s until the daemon stops: %w", what, err)
	}
	// The Group revokes a consumer it is no longer given, at once; its
	// token and token file go with it (applyLocked).
	d.applyLocked()
	profile := ""
	if revoked != nil {
		profile = revoked.Profile
		if revoked.FollowActive {
			profile = d.active
		}
	}
	d.mu.Unlock()
	d.rec.forget(name)
	if revoked != nil {
		d.log.Info("consumer revoked", "consumer", name, "profile", profile)
		d.act.Add(activity.Record{Time: d.now(), Server: ServerECS, Kind: KindECS, Consumer: name,
			Profile: profile, Outcome: activity.Revoked})
	}
	d.changed()
	return err
}

// removeFrom removes the pinned server or consumer name from s, or
// switches off the builtin imds or ecs of that name, and returns the
// consumer it removed (nil for none).
func removeFrom(s *settings.Settings, name string) (revoked *settings.Pinned) {
	i := slices.IndexFunc(s.Servers, func(p settings.Pinned) bool { return p.Name == name })
	switch {
	case i >= 0:
		p := s.Servers[i]
		s.Servers = slices.Delete(slices.Clone(s.Servers), i, i+1)
		if p.Kind == KindConsumer {
			return &p
		}
	case name == ServerIMDS:
		s.IMDS.Enabled = false
	case name == ServerECS:
		s.ECS.Enabled = false
	}
	return nil
}

func (d *Daemon) changedIf(changed bool) {
	if changed {
		d.changed()
	}
}

func (d *Daemon) now() time.Time {
	if d.opts.Env.Clock != nil {
		return d.opts.Env.Clock.Now()
	}
	return time.Now()
}

// Activity returns the credentials requests the daemon's servers
// answered (and the revocations), oldest first: the last
// [activity.DefaultSize].
func (d *Daemon) Activity() []activity.Record {
	return d.act.Recent()
}

// SubscribeActivity returns a subscription to the records added from
// now on (see [activity.Subscription]: at most buf not yet read are
// held, and a reader that falls behind is told how many it missed). The
// caller closes it; [Daemon.Close] closes it too.
func (d *Daemon) SubscribeActivity(buf int) *activity.Subscription {
	return d.act.Subscribe(buf)
}

// AuditError is why the audit file the settings name (audit_log) is
// not written, nil when it is or when there is none.
func (d *Daemon) AuditError() error { return d.rec.err() }
