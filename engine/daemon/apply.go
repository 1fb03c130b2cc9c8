package daemon

import (
	"cmp"
	"errors"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/engine/server"
	"github.com/awsxc/awsxc/engine/settings"
)

// errNoActive is a server following the active profile while none is.
var errNoActive = errors.New("no active profile")

// applyLocked makes the held sources and the servers match the
// settings: the active profile's source (for the switches and the
// servers that follow it), each pinned profile's, and the servers
// (through the Group, which starts, swaps and stops them). d.mu must be
// held.
func (d *Daemon) applyLocked() {
	if d.closed {
		return
	}
	d.rec.setAudit(d.set.AuditLog)
	active := d.activeLocked()
	follows := d.set.IMDS.Enabled || d.set.ECS.Enabled ||
		slices.ContainsFunc(d.set.Servers, func(p settings.Pinned) bool { return p.FollowActive })
	if active != d.active || d.held == nil {
		if d.release != nil {
			d.release()
		}
		d.active, d.held, d.release, d.activeErr = active, nil, nil, nil
		if active != "" {
			src, release, err := d.reg.Acquire(d.ctx, active)
			if err != nil {
				d.activeErr = err
				d.log.Warn("the active profile cannot be served", "profile", active, "err", err)
			} else {
				d.held, d.release = src, release
				if follows {
					// The first client of a server should not wait for STS.
					d.bg.Go(func() { src.Credentials(d.ctx) })
				}
			}
		}
	}
	d.holdPinnedLocked()

	common := func(addr string, allowRemote bool, bridge string) server.Options {
		o := server.Options{Addr: addr, AllowRemote: allowRemote, AllowHosts: d.set.AllowHosts,
			Logger: d.log, Clock: d.opts.Env.Clock, Hints: d.opts.Hints, Activity: d.rec}
		if bridge != "" {
			// At Addr's port (port 0 here: see server.Options.ExtraAddrs).
			o.ExtraAddrs = []string{net.JoinHostPort(bridge, "0")}
		}
		return o
	}
	var want []server.Want
	if d.set.IMDS.Enabled && d.held != nil {
		want = append(want, server.Want{Name: ServerIMDS, Source: d.held, Follow: true,
			IMDS: &server.IMDSOptions{Options: common(d.set.IMDS.Addr, d.set.IMDS.AllowRemote, d.set.IMDS.DockerBridge)}})
	}
	d.forgetGoneLocked()
	var consumers []server.Consumer
	for _, p := range d.set.Servers {
		src := d.sourceLocked(p)
		if src == nil {
			continue
		}
		switch p.Kind {
		case settings.KindIMDS:
			want = append(want, server.Want{Name: p.Name, Source: src, Follow: p.FollowActive,
				IMDS: &server.IMDSOptions{Options: common(cmp.Or(p.Addr, "127.0.0.1:0"), p.AllowRemote, "")}})
		case settings.KindConsumer:
			tok := d.tokenLocked(p.Name)
			if tok == d.set.ECSToken {
				// ecs_token edited to a consumer's: that token would read
				// every profile, and the Group would refuse the whole
				// listener. The consumer gets a new one.
				d.log.Warn("a consumer's token is the ECS server's own; making a new one", "consumer", p.Name)
				d.forgetTokenLocked(p.Name)
				tok = d.tokenLocked(p.Name)
			}
			consumers = append(consumers, server.Consumer{Name: p.Name, Token: tok, Source: src})
		}
	}
	ecsOwn := d.set.ECS.Enabled && d.held != nil
	if ecsOwn || len(consumers) > 0 || d.ecsUsed {
		w := server.Want{Name: ServerECS, Follow: ecsOwn, ECS: &server.ECSOptions{
			Options: common(d.set.ECS.Addr, d.set.ECS.AllowRemote, d.set.ECS.DockerBridge), Consumers: consumers}}
		if ecsOwn {
			w.Source, w.ECS.Token, w.ECS.Profiles = d.held, d.set.ECSToken, server.FromRegistry(d.reg)
		}
		want = append(want, w)
		d.ecsUsed = d.ecsUsed || len(consumers) > 0
	}
	d.states = d.group.Apply(want)
	save := false
	for _, s := range d.states {
		addr := d.addrLocked(s.Name)
		switch {
		case s.Err != nil:
			d.log.Warn("server did not start", "server", s.Name, "addr", s.Addr, "err", s.Err)
		case s.Started:
			d.log.Info("server listening", "server", s.Name, "url", s.URL)
			if s.ECS != nil && s.ECS.Token() != "" && d.opts.ECSTokenFile != "" {
				// For containers that mount it; the folder may have been
				// emptied since the last run.
				if err := server.WriteTokenFile(d.opts.ECSTokenFile, s.ECS.Token()); err != nil {
					d.log.Warn("cannot write the ECS token file for containers", "err", err)
				}
			}
		}
		// A port picked for port 0 is kept for the next runs.
		if s.Err == nil && addr != nil && *addr != s.Addr {
			*addr, save = s.Addr, true
		}
	}
	if save && d.file != nil {
		if err := d.file.Save(d.set); err != nil {
			d.log.Warn("settings not saved", "err", err)
		}
	}
}

// addrLocked is the address setting of the server named name, nil for
// none.
func (d *Daemon) addrLocked(name string) *string {
	switch name {
	case ServerIMDS:
		return &d.set.IMDS.Addr
	case ServerECS:
		return &d.set.ECS.Addr
	}
	for i := range d.set.Servers {
		if p := &d.set.Servers[i]; p.Name == name && p.Kind == settings.KindIMDS {
			return &p.Addr
		}
	}
	return nil
}

// holdPinnedLocked holds a source for each profile a pinned server
// serves, and releases those no server serves any more.
func (d *Daemon) holdPinnedLocked() {
	need := map[string]bool{}
	for _, p := range d.set.Servers {
		if !p.FollowActive {
			need[p.Profile] = true
		}
	}
	for profile, h := range d.pins {
		if !need[profile] {
			h.release()
			delete(d.pins, profile)
		}
	}
	clear(d.pinErr)
	for profile := range need {
		if _, ok := d.pins[profile]; ok {
			continue
		}
		src, release, err := d.reg.Acquire(d.ctx, profile)
		if err != nil {
			d.pinErr[profile] = err
			d.log.Warn("a pinned profile cannot be served", "profile", profile, "err", err)
			continue
		}
		d.pins[profile] = heldSource{src, release}
		d.bg.Go(func() { src.Credentials(d.ctx) })
	}
}

// sourceLocked is what p serves now; nil when it has no source.
func (d *Daemon) sourceLocked(p settings.Pinned) server.Source {
	if p.FollowActive {
		if d.held == nil {
			return nil // not a typed nil
		}
		return d.held
	}
	if h, ok := d.pins[p.Profile]; ok {
		return h.src
	}
	return nil
}

// whyNoSourceLocked says why p has no source.
func (d *Daemon) whyNoSourceLocked(p settings.Pinned) error {
	if p.FollowActive {
		if d.active == "" {
			return errNoActive
		}
		return cmp.Or(d.activeErr, errNoActive)
	}
	return d.pinErr[p.Profile]
}

// tokenFile is the consumer's token file; "" without a token folder.
func (d *Daemon) tokenFile(name string) string {
	if d.opts.TokenDir == "" {
		return ""
	}
	return filepath.Join(d.opts.TokenDir, name+".token")
}

// tokenLocked is the consumer's token: the one in hand, else the one
// in its token file when that is valid and this user's alone (so that
// containers which mounted it keep working across restarts) and no
// other consumer's (nor the ECS server's own), else a new one, written
// to the file.
func (d *Daemon) tokenLocked(name string) string {
	if tok, ok := d.tokens[name]; ok {
		return tok
	}
	file := d.tokenFile(name)
	tok := readToken(file)
	if tok != "" && (tok == d.set.ECSToken || slices.Contains(slices.Collect(maps.Values(d.tokens)), tok)) {
		// A copy of another's (or, where file names ignore letter case,
		// another's file): one token would read two profiles.
		d.log.Warn("a consumer's token file holds another's token; making a new one", "consumer", name)
		tok = ""
	}
	if tok == "" {
		tok = server.NewToken()
		if file != "" {
			// WriteTokenFile makes the folder, and refuses one another
			// user can write (engine.PrivateDir).
			if err := server.WriteTokenFile(file, tok); err != nil {
				d.tokenErr[name] = err
				d.log.Warn("cannot write a consumer's token file", "consumer", name, "err", err)
			}
		}
	}
	d.tokens[name] = tok
	return tok
}

// forgetGoneLocked forgets the token, and removes the token file, of
// every consumer the settings no longer have (revoked, removed, or
// edited out of the file), so that none keeps a working file and a
// name that comes back gets a new token.
func (d *Daemon) forgetGoneLocked() {
	now := map[string]bool{}
	for _, p := range d.set.Servers {
		if p.Kind == settings.KindConsumer {
			now[p.Name] = true
		}
	}
	for name := range d.consumers {
		if !now[name] {
			d.forgetTokenLocked(name)
		}
	}
	for name := range d.tokens {
		if !now[name] {
			d.forgetTokenLocked(name)
		}
	}
	d.consumers = now
}

// forgetTokenLocked drops a removed consumer's token and its file.
func (d *Daemon) forgetTokenLocked(name string) {
	delete(d.tokens, name)
	delete(d.tokenErr, name)
	if file := d.tokenFile(name); file != "" {
		if err := os.Remove(file); err != nil && !errors.Is(err, os.ErrNotExist) {
			d.log.Warn("cannot remove a revoked consumer's token file", "consumer", name, "err", err)
		}
	}
}

// readToken returns the token in path when it is a valid one that only
// this user can read, in a folder only this user (or root) can write;
// otherwise "".
func readToken(path string) string {
	if path == "" || engine.PrivateDir(filepath.Dir(path)) != nil {
		return ""
	}
	fi, err := os.Lstat(path)
	if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o077 != 0 || fi.Size() > server.MaxTokenLen {
		return ""
	}
	b, err := os.ReadFile(path)
	if err != nil || server.ValidToken(string(b)) != nil {
		return ""
	}
	return string(b)
}
