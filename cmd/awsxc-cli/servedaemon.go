package main

// awsxc-cli serve under a running daemon: the servers are added to the
// daemon rather than run here, so that they share its sources (one STS
// call per credential lifetime for every server and awsxc-cli) and show
// in its status, the tray's menu and its activity.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/engine/daemon"
	"github.com/awsxc/awsxc/internal/localsock"
)

// removeTimeout bounds the removal of serve's servers at its end.
const removeTimeout = 5 * time.Second

// serveDaemon adds s's servers to the daemon when one runs (and
// neither --no-daemon nor AWSXC_NO_DAEMON says otherwise), prints their
// settings, and unless --keep serves until ctx ends, then removes them.
// handled is false when no daemon answers: serve runs them itself.
func (c *cli) serveDaemon(ctx context.Context, s *serveCmd) (handled bool, err error) {
	if s.noDaemon || c.daemonOff(&options{}) != "" {
		return false, nil
	}
	client := c.daemonClient()
	if client == nil {
		return false, nil
	}
	list, err := client.Servers(ctx)
	if errors.Is(err, localsock.ErrNoDaemon) {
		return false, nil
	}
	if err != nil {
		// A daemon is there but its answer cannot be used: serving
		// here instead would surprise whoever counts on the daemon's
		// (review 3, M2).
		return true, fmt.Errorf("%w; add --no-daemon to serve from this process", daemonError(err))
	}
	// What only a server of this process can do.
	switch {
	case s.tokenDir != "":
		return true, usagef("--token-dir: under the awsxc daemon the tokens are in its token folder; add --no-daemon to serve from this process")
	case s.bridge != "", len(s.allowHosts) > 0, s.imdsV1:
		// The daemon's pinned servers have no such settings (review 3, M5).
		return true, usagef("--docker-bridge, --allow-host and --imds-v1 are not available for the awsxc daemon's servers: add --no-daemon to serve from this process")
	case s.auditLog != "", s.activity:
		return true, usagef("--audit-log and --activity apply to servers of this process: add --no-daemon (the daemon writes its audit_log setting's file; awsxc-cli activity shows its record)")
	}
	if err := checkDaemonECS(s.ecs, list); err != nil {
		return true, err
	}
	var specs []daemon.ServerSpec
	for _, m := range s.imds {
		spec := daemon.ServerSpec{Kind: daemon.KindIMDS, Profile: m.profile, Addr: m.addr, AllowRemote: s.allowRemote}
		if m.profile == activeProfile {
			spec.Profile, spec.FollowActive = "", true
		}
		specs = append(specs, spec)
	}
	for _, cs := range s.consumers {
		spec := daemon.ServerSpec{Name: cs.name, Kind: daemon.KindConsumer, Profile: cs.profile}
		if cs.profile == activeProfile {
			spec.Profile, spec.FollowActive = "", true
		}
		specs = append(specs, spec)
	}
	var added []daemon.ServerInfo
	saved := true // every add was saved in the daemon's settings
	remove := func() error {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), removeTimeout)
		defer cancel()
		var errs []error
		for _, i := range added {
			err := client.RemoveServer(rctx, i.Name)
			switch {
			case errors.Is(err, daemon.ErrNotSaved): // removed, for this run only
				errs = append(errs, fmt.Errorf("%w; the change was not saved: fix settings.json, or it comes back when the daemon restarts", err))
			case err != nil && !errors.Is(err, daemon.ErrNoServer):
				errs = append(errs, fmt.Errorf("remove %s from the daemon: %w", i.Name, daemonError(err)))
			}
		}
		return errors.Join(errs...)
	}
	for _, spec := range specs {
		info, warn, err := client.AddServer(ctx, spec)
		if err != nil {
			// Nothing half done: what was added goes again.
			var e *engine.Error
			if errors.As(err, &e) {
				// A profile the daemon cannot resolve reads as it does
				// without a daemon, and exits alike (review 3, L2).
				err = cliHints.Reword(e)
			} else if errors.Is(err, daemon.ErrNotSaved) {
				err = fmt.Errorf("the awsxc daemon did not add the server: %w; or add --no-daemon to serve from this process", err)
			} else {
				err = fmt.Errorf("the awsxc daemon did not add the server: %w", daemonError(err))
			}
			if rerr := remove(); rerr != nil {
				return true, errors.Join(err, rerr)
			}
			return true, err
		}
		if warn != "" {
			fmt.Fprintf(c.stderr, "awsxc-cli: warning: %s\n", warn)
			saved = false
		}
		added = append(added, info)
	}
	for _, info := range added {
		profile := info.Profile
		if info.FollowsActive {
			profile = activeProfile + " (now " + cmpOr(info.Profile, "none") + ")"
		} else {
			profile = fmt.Sprintf("%q", profile)
		}
		switch {
		case info.Kind == daemon.KindIMDS:
			fmt.Fprintf(c.stderr, "awsxc-cli: the awsxc daemon serves profile %s as EC2 instance metadata at %s (server %s)\n", profile, info.URL, info.Name)
		default:
			fmt.Fprintf(c.stderr, "awsxc-cli: consumer %q of the awsxc daemon reads profile %s at %s; its token is in %s\n", info.Name, profile, info.URL, info.TokenFile)
		}
		if info.Error != "" {
			fmt.Fprintf(c.stderr, "awsxc-cli: warning: %s is not running: %s\n", info.Name, info.Error)
		}
		io.WriteString(c.stderr, info.Settings.String())
		if info.Reach != "" { // the daemon's docker_bridge too (review 2, H1)
			fmt.Fprintf(c.stderr, "awsxc-cli: warning: %s listens beyond this machine, on %s: anyone who can reach it can read the credentials\n", info.Name, info.Reach)
		}
	}
	if s.keep {
		if !saved { // review 3, L1
			return true, errors.New("the servers stay in the awsxc daemon until it stops, but they were not saved in its settings (see the warning): they are gone when it restarts")
		}
		fmt.Fprintln(c.stderr, "awsxc-cli: the servers stay in the awsxc daemon (saved in its settings); awsxc-cli revoke NAME removes a consumer")
		return true, nil
	}
	fmt.Fprintln(c.stderr, "awsxc-cli: the awsxc daemon refreshes the credentials; Ctrl-C removes these servers from it")
	<-ctx.Done()
	fmt.Fprintln(c.stderr, "awsxc-cli: removing the servers from the awsxc daemon")
	return true, remove()
}

// checkDaemonECS refuses an --ecs address the daemon's listener is not
// at (port 0, or no --ecs, takes the daemon's). Without a listener yet
// the daemon starts one at its settings' ecs address, so only 0 fits
// (review 3, M5: a port given is never ignored).
func checkDaemonECS(addr string, list []daemon.ServerInfo) error {
	if addr == "" {
		return nil
	}
	_, port, _ := net.SplitHostPort(addr)
	for _, i := range list {
		if i.Kind == daemon.KindECS {
			if _, p, _ := net.SplitHostPort(i.Addr); port != "0" && p != port {
				return usagef("--ecs %s: the awsxc daemon's ECS listener is at %s; give that, or port 0, or leave --ecs out, or add --no-daemon", addr, i.Addr)
			}
			return nil
		}
	}
	if port != "0" {
		return usagef("--ecs %s: the awsxc daemon's consumers go to its own ECS listener (settings.json ecs.addr), which does not run yet; give port 0, or leave --ecs out, or add --no-daemon", addr)
	}
	return nil
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
