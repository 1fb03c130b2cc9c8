package server

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Want is one server a [Group] is to run.
type Want struct {
	// Name identifies the server from one [Group.Apply] to the next; it
	// must be unique within one Apply.
	Name string
	// Source is what the server serves.
	Source Source
	// IMDS or ECS, exactly one, says which kind of server it is and how
	// it listens.
	IMDS *IMDSOptions
	ECS  *ECSOptions
	// Follow marks a server that follows the active profile: its owner
	// swaps Source when the active profile changes. Every other server is
	// pinned to its profile. Group itself treats both alike; State
	// reports it, for menus ("IMDS :9931 → follows active (dev)").
	Follow bool
}

// State is one wanted server after [Group.Apply].
type State struct {
	// Name is the [Want]'s.
	Name string
	// IMDS or ECS is the running server; both are nil when it is not
	// running.
	IMDS *IMDS
	ECS  *ECS
	// Started says this Apply started it (for the first time, or again
	// because its options changed); false for one kept running.
	Started bool
	// Addr is where it listens: the host as asked and the port it got
	// ("127.0.0.1:41234" for "127.0.0.1:0"). For a server that did not
	// start it is the address asked for.
	Addr string
	// URL is its base URL for clients on this machine; Port is its port.
	URL  string
	Port int
	// Addrs are all the addresses it listens on: Addr first, then its
	// ExtraAddrs.
	Addrs []string
	// Reach says who beyond this machine can connect to it, for a
	// warning: the zero Reach on loopback (see [Options.AllowRemote]).
	Reach Reach
	// Follow is the Want's.
	Follow bool
	// Consumers are an ECS server's consumers, with their tokens
	// (generated ones included), in the Want's order.
	Consumers []Consumer
	// Err says why it is not running; nil while it runs.
	Err error
}

// Running reports whether the server runs.
func (s State) Running() bool { return s.IMDS != nil || s.ECS != nil }

// Group runs the local servers of a front end and makes them match what it
// wants. It is the one place that starts, swaps and stops servers: the
// front end says on every change (a profile switched, a setting edited)
// which servers it wants, and [Group.Apply] does the rest.
//
// Pinned servers are a Want each: an IMDS server per profile and port
// (the IMDS protocol cannot choose a profile), its Source that profile's
// (held from an [engine.Registry] while the Want stands); an ECS listener
// whose [Consumer]s each have their own token and source. A server that
// follows the active profile is a Want marked Follow whose Source the
// front end swaps; it is never the default. Consumers are swapped like a
// source, without a restart ([ECS.SetConsumers]): one left out of a Want
// is revoked at once. A record of each fetch goes to [Options] Activity.
//
// A Group is safe for concurrent use; Apply calls are serialised.
type Group struct {
	ctx     context.Context
	stopped sync.WaitGroup // servers closing in the background

	mu      sync.Mutex // protects the fields below, and serialises Apply
	running map[string]*member
	errs    []error // from servers closed in the background
	closed  bool
}

// member is one running server and the wanted options it runs with.
type member struct {
	imds *IMDS
	ecs  *ECS
	core *core
	// addr is the address last wanted (ParseAddr form): a wanted address
	// restarts the server unless it is this or the address it has.
	addr   string
	hosts  []string // AllowHosts last wanted, normalised
	v1     bool     // IMDS: AllowV1
	token  string   // ECS: the Token last wanted ("" for a random one)
	named  bool     // ECS: Profiles is set
	own    bool     // ECS: it has a default source, and a token of its own
	extra  []string // ExtraAddrs last wanted, normalised
	remote bool     // AllowRemote
}

// NewGroup returns a Group with no servers. Its servers run until they
// are no longer wanted, Close is called, or ctx is done.
func NewGroup(ctx context.Context) *Group {
	return &Group{ctx: ctx, running: map[string]*member{}}
}

var errGroupClosed = errors.New("servers are shutting down")

// Apply makes the running servers match want and reports each wanted
// server's state, in want's order:
//
//   - a server not running is started (again on every Apply while it
//     fails, say on a port in use);
//   - a running one whose source alone differs serves the new source at
//     once, without a restart (see [IMDS.SetSource]);
//   - a running one whose kind, address, AllowHosts, AllowRemote,
//     AllowV1, token or use of Profiles differs is restarted. An address
//     differs unless it is the one last wanted or the one the server has,
//     so a port picked for port 0 can be saved and wanted again. Logger
//     and Now are read at start only;
//   - a running server whose name is not in want is stopped: its port is
//     free when Apply returns, and requests in flight finish in the
//     background.
//
// Apply does not block on requests in flight, so an event loop can call
// it.
func (g *Group) Apply(want []Want) []State {
	g.mu.Lock()
	defer g.mu.Unlock()
	states := make([]State, len(want))
	seen := make(map[string]bool, len(want))
	for i, w := range want {
		states[i].Name = w.Name
		states[i].Addr = w.addr()
		if err := w.check(); err != nil {
			states[i].Err = err
			continue
		}
		if seen[w.Name] {
			states[i].Err = fmt.Errorf("server %q wanted twice", w.Name)
			continue
		}
		seen[w.Name] = true
	}
	for name, m := range g.running {
		if !seen[name] {
			g.stopLocked(name, m)
		}
	}
	for i, w := range want {
		if states[i].Err != nil {
			continue
		}
		if g.closed || g.ctx.Err() != nil {
			states[i].Err = errGroupClosed
			continue
		}
		m := g.running[w.Name]
		if m != nil && !m.fits(w) {
			g.stopLocked(w.Name, m)
			m = nil
		}
		if m == nil {
			var err error
			if m, err = g.start(w); err != nil {
				states[i].Err = err
				continue
			}
			g.running[w.Name] = m
			states[i].Started = true
		} else if err := m.swap(w); err != nil {
			states[i].Err = err
		}
		states[i].IMDS, states[i].ECS = m.imds, m.ecs
		states[i].Addr, states[i].URL, states[i].Port = m.core.addr, m.core.url, m.core.port
		states[i].Addrs, states[i].Follow, states[i].Reach = m.core.addrs(), w.Follow, m.core.reach
		if m.ecs != nil {
			states[i].Consumers = m.consumers(w)
		}
	}
	return states
}

// consumers lists the running ECS server's consumers in w's order.
func (m *member) consumers(w Want) []Consumer {
	have := map[string]Consumer{}
	for _, c := range m.ecs.Consumers() {
		have[c.Name] = c
	}
	out := make([]Consumer, 0, len(w.ECS.Consumers))
	for _, c := range w.ECS.Consumers {
		if h, ok := have[c.Name]; ok {
			out = append(out, h)
		}
	}
	return out
}

// addr is the address w asks for, as given.
func (w Want) addr() string {
	switch {
	case w.IMDS != nil:
		return w.IMDS.Addr
	case w.ECS != nil:
		return w.ECS.Addr
	}
	return ""
}

func (w Want) check() error {
	switch {
	case w.Name == "":
		return errors.New("server with no name")
	case (w.IMDS == nil) == (w.ECS == nil):
		return fmt.Errorf("server %q: want exactly one of IMDS and ECS", w.Name)
	case w.Source == nil && (w.IMDS != nil || w.ECS.Profiles != nil || w.ECS.Token != ""):
		// An ECS listener may serve consumers only.
		return errNoSource
	case w.ECS != nil:
		if _, err := newConsumers().set(w.ECS.Consumers, false, w.ECS.Token); err != nil {
			return fmt.Errorf("server %q: %w", w.Name, err)
		}
	}
	return nil
}

func (g *Group) start(w Want) (*member, error) {
	m := &member{}
	var o Options
	switch {
	case w.IMDS != nil:
		opts := *w.IMDS
		opts.Name = cmp.Or(opts.Name, w.Name)
		s, err := NewIMDS(g.ctx, w.Source, opts)
		if err != nil {
			return nil, err
		}
		m.imds, m.core, m.v1, o = s, s.srv, w.IMDS.AllowV1, w.IMDS.Options
	default:
		opts := *w.ECS
		opts.Name = cmp.Or(opts.Name, w.Name)
		s, err := NewECS(g.ctx, w.Source, opts)
		if err != nil {
			return nil, err
		}
		m.ecs, m.core, m.token, m.named, o = s, s.srv, w.ECS.Token, w.ECS.Profiles != nil, w.ECS.Options
		m.own = w.Source != nil
	}
	m.addr, _ = ParseAddr(cmp.Or(o.Addr, "127.0.0.1:0"))
	m.hosts = normHosts(o.AllowHosts)
	m.extra = normAddrs(o.ExtraAddrs)
	m.remote = o.AllowRemote
	return m, nil
}

// fits reports whether the running m can serve w without a restart, and
// then takes w's address as the one last wanted.
func (m *member) fits(w Want) bool {
	var o Options
	switch {
	case w.IMDS != nil && m.imds != nil:
		if w.IMDS.AllowV1 != m.v1 {
			return false
		}
		o = w.IMDS.Options
	case w.ECS != nil && m.ecs != nil:
		if w.ECS.Token != m.token || (w.ECS.Profiles != nil) != m.named || (w.Source != nil) != m.own {
			return false
		}
		o = w.ECS.Options
	default:
		return false // another kind
	}
	addr, err := ParseAddr(cmp.Or(o.Addr, "127.0.0.1:0"))
	if err != nil || (addr != m.addr && addr != m.core.addr) {
		return false
	}
	if !slices.Equal(normHosts(o.AllowHosts), m.hosts) || !slices.Equal(normAddrs(o.ExtraAddrs), m.extra) || o.AllowRemote != m.remote {
		return false
	}
	m.addr = addr
	return true
}

// swap points m at w's source if it serves another, and gives an ECS
// server w's consumers.
func (m *member) swap(w Want) error {
	switch {
	case m.imds != nil && m.imds.Source() != w.Source:
		m.imds.SetSource(w.Source)
	case m.ecs != nil:
		if w.Source != nil && m.ecs.Source() != w.Source {
			m.ecs.SetSource(w.Source)
		}
		if _, err := m.ecs.SetConsumers(w.ECS.Consumers); err != nil {
			return fmt.Errorf("server %q: %w", w.Name, err)
		}
	}
	return nil
}

// normAddrs is addrs as ParseAddr writes them, sorted, without
// duplicates; ones that do not parse are kept as given (the start fails).
func normAddrs(addrs []string) []string {
	var n []string
	for _, a := range addrs {
		if p, err := ParseAddr(a); err == nil {
			a = p
		}
		n = append(n, a)
	}
	slices.Sort(n)
	return slices.Compact(n)
}

// normHosts is hosts as the servers compare them: trimmed, lower case,
// sorted, without duplicates.
func normHosts(hosts []string) []string {
	var n []string
	for _, h := range hosts {
		if h = strings.ToLower(strings.Trim(strings.TrimSpace(h), "[]")); h != "" {
			n = append(n, h)
		}
	}
	slices.Sort(n)
	return slices.Compact(n)
}

// stopLocked stops m: its port is free at once, requests in flight
// finish in the background. g.mu must be held.
func (g *Group) stopLocked(name string, m *member) {
	delete(g.running, name)
	m.core.stopListening()
	g.stopped.Add(1)
	go func() {
		defer g.stopped.Done()
		if err := m.core.close(); err != nil {
			g.mu.Lock()
			g.errs = append(g.errs, fmt.Errorf("stop server %q: %w", name, err))
			g.mu.Unlock()
		}
	}()
}

// Close stops every server and waits until they have stopped (requests in
// flight get a few seconds to finish). Apply then starts nothing. It
// returns the errors of stopping them, if any, and is safe to call more
// than once.
func (g *Group) Close() error {
	g.mu.Lock()
	g.closed = true
	for name, m := range g.running {
		g.stopLocked(name, m)
	}
	g.mu.Unlock()
	g.stopped.Wait()
	g.mu.Lock()
	defer g.mu.Unlock()
	err := errors.Join(g.errs...)
	g.errs = nil
	return err
}
