package main

// --imds and --container: serve a profile's credentials as an EC2 IMDSv2
// endpoint and/or an ECS container credentials endpoint until the context
// is cancelled (SIGINT/SIGTERM). The start-up text on standard error says
// where the servers listen and the exact settings a client needs; standard
// output stays empty.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/engine/server"
)

// serveOptions says what to serve and where. At least one of IMDSAddr and
// ECSAddr is set; addresses are in the forms server.ParseAddr takes.
type serveOptions struct {
	Env          engine.Env
	Profile      string
	IMDSAddr     string   // --imds [HOST:]PORT
	ECSAddr      string   // --container [HOST:]PORT
	ECSToken     string   // --container's TOKEN; empty makes a random one
	ECSTokenFile string   // --container-token-file: also write the token there
	AllowV1      bool     // --imds-v1
	AllowHosts   []string // --allow-host, repeatable
	AllowRemote  bool     // --allow-remote
	MFA          engine.TokenProvider

	// Duration and MFASerial tune GetSessionToken for long-term keys
	// (--duration, --mfa-serial); zero values leave the defaults.
	Duration  time.Duration
	MFASerial string
	// Timeout bounds each step of a fetch (engine.SourceOptions.Timeout).
	Timeout time.Duration
}

// serve resolves the profile's credentials once (so a profile without
// credentials fails before anything listens; an MFA code is asked for
// here, never later), starts the servers, prints their settings to stderr
// and serves until ctx is done, then shuts down gracefully.
//
// Until every server listens, a failure is the one error line: the
// first fetch's failure is returned, not also reported as a failed
// refresh, and no server's start-up text is printed when another one
// cannot start.
//
// Other profiles are served by the container server at /profiles/NAME;
// those never ask for an MFA code.
func serve(ctx context.Context, o serveOptions, stderr io.Writer, log *slog.Logger) error {
	// Everything the command line says is checked before anything is
	// fetched or bound.
	var imdsAddr, ecsAddr string
	var err error
	if o.IMDSAddr != "" {
		if imdsAddr, err = checkServeAddr("--imds", o.IMDSAddr, o.AllowRemote); err != nil {
			return err
		}
	}
	if o.ECSAddr != "" {
		if ecsAddr, err = checkServeAddr("--container", o.ECSAddr, o.AllowRemote); err != nil {
			return err
		}
		if err := server.CheckToken(o.ECSToken); err != nil {
			return usagef("argument --container: %v", err)
		}
	}

	report := newServeReporter(stderr)
	src, err := engine.NewSource(ctx, engine.SourceOptions{
		Env:             o.Env,
		Profile:         o.Profile,
		MFA:             o.MFA,
		SessionDuration: o.Duration,
		MFASerial:       o.MFASerial,
		Logger:          log,
		OnChange:        report.change,
		Timeout:         o.Timeout,
	})
	if err != nil {
		return err
	}
	defer src.Close()
	for _, w := range src.Profile().Warnings {
		fmt.Fprintf(stderr, "awsxc-cli: warning: %s\n", oneLine(w.String()))
	}
	if err := src.Refresh(ctx); err != nil {
		if ctx.Err() != nil {
			return nil // Ctrl-C before anything was served (at the MFA prompt, say)
		}
		return err
	}

	// Other profiles come from a registry for the container server's
	// /profiles/NAME; they never ask for an MFA code.
	var profiles server.ProfileFunc
	if ecsAddr != "" {
		reg := engine.NewRegistry(ctx, engine.RegistryOptions{
			Source:   engine.SourceOptions{Env: o.Env, Logger: log, Timeout: o.Timeout},
			OnChange: report.change,
		})
		defer reg.Close()
		profiles = server.FromRegistry(reg)
	}
	opts := func(addr string) server.Options {
		return server.Options{Addr: addr, AllowHosts: o.AllowHosts, AllowRemote: o.AllowRemote,
			Logger: log, Clock: o.Env.Clock, Hints: cliHints}
	}
	var want []server.Want
	if imdsAddr != "" {
		want = append(want, server.Want{Name: "--imds", Source: src, IMDS: &server.IMDSOptions{
			Options: opts(imdsAddr),
			AllowV1: o.AllowV1,
		}})
	}
	if ecsAddr != "" {
		want = append(want, server.Want{Name: "--container", Source: src, ECS: &server.ECSOptions{
			Options:  opts(ecsAddr),
			Token:    o.ECSToken,
			Profiles: profiles,
		}})
	}
	servers := server.NewGroup(ctx)
	defer servers.Close()
	states := servers.Apply(want)
	for _, s := range states {
		if s.Err != nil {
			var re *server.RemoteBindError
			if errors.As(s.Err, &re) {
				return usagef("argument %s: %v; add --allow-remote to allow it", s.Name, s.Err)
			}
			return fmt.Errorf("%s: %w", s.Name, s.Err)
		}
	}
	for _, s := range states {
		if s.ECS != nil && o.ECSTokenFile != "" {
			if err := server.WriteTokenFile(o.ECSTokenFile, s.ECS.Token()); err != nil {
				return err
			}
		}
	}

	// Listening: from here on, stderr is start-up text and reports.
	for _, s := range states {
		switch {
		case s.IMDS != nil:
			mode := "IMDSv2"
			if o.AllowV1 {
				mode = "IMDSv1 and v2"
			}
			fmt.Fprintf(stderr, "awsxc-cli: serving profile %q as EC2 instance metadata (%s) at %s\n", o.Profile, mode, s.URL)
			io.WriteString(stderr, s.IMDS.Settings().String())
			if s.Reach.Remote {
				fmt.Fprintf(stderr, "awsxc-cli: warning: the IMDS server listens beyond this machine, on %s: "+
					"anyone who can reach it can read the credentials (IMDS has no token, and the Host check does not stop a client on the network)\n", s.Reach)
			}
		case s.ECS != nil:
			fmt.Fprintf(stderr, "awsxc-cli: serving profile %q as container credentials at %s (any profile at %sprofiles/NAME)\n",
				o.Profile, s.URL, s.URL)
			io.WriteString(stderr, s.ECS.Settings(server.SettingsOptions{TokenFile: o.ECSTokenFile}).String())
			if s.Reach.Remote {
				fmt.Fprintf(stderr, "awsxc-cli: warning: the container server listens beyond this machine, on %s: "+
					"anyone who can reach it with the token can read the credentials, and the token crosses the network in clear text\n", s.Reach)
			}
			if o.ECSToken != "" {
				fmt.Fprintln(stderr, "awsxc-cli: note: a TOKEN on the command line is visible to every user of this machine (ps); "+
					"leave it out for a random one, and hand it to clients with --container-token-file PATH")
			}
		}
	}
	st := src.Status()
	fmt.Fprintf(stderr, "awsxc-cli: credentials %s expire %s and are refreshed before then; Ctrl-C stops\n",
		st.KeyID, engine.FormatTime(st.Expires))
	report.live.Store(true)

	<-ctx.Done()
	fmt.Fprintln(stderr, "awsxc-cli: shutting down")
	return servers.Close()
}

// checkServeAddr reads the address of a server option (--imds,
// --container) and refuses one beyond loopback without --allow-remote:
// both usage errors.
func checkServeAddr(flag, addr string, allowRemote bool) (string, error) {
	a, err := server.ParseAddr(addr)
	if err != nil {
		return "", usagef("argument %s: %v", flag, err)
	}
	if err := server.CheckAddr(a, allowRemote); err != nil {
		return "", usagef("argument %s: %v; add --allow-remote to allow it", flag, err)
	}
	return a, nil
}

// serveReporter prints refresh failures and recoveries of each profile
// to stderr, one line each, with the engine's hint (never a secret),
// once the servers listen: before that, a failure is serve's error.
type serveReporter struct {
	stderr  io.Writer
	live    atomic.Bool     // the servers listen: report
	mu      sync.Mutex      // change may be called from several goroutines
	failing map[string]bool // by profile; guarded by mu
}

func newServeReporter(stderr io.Writer) *serveReporter {
	return &serveReporter{stderr: stderr, failing: map[string]bool{}}
}

func (r *serveReporter) change(st engine.Status) {
	if !r.live.Load() {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	profile := st.Profile
	switch {
	case st.Refreshing:
	case st.Err != nil && !r.failing[profile]:
		r.failing[profile] = true
		state := "still valid until " + engine.FormatTime(st.Expires)
		if !st.Valid {
			state = "none valid: clients get errors"
		}
		fmt.Fprintf(r.stderr, "awsxc-cli: warning: refreshing profile %q failed (%s): %s\n", profile, state, oneLine(st.Err.Error()))
	case st.Err == nil && r.failing[profile]:
		delete(r.failing, profile)
		fmt.Fprintf(r.stderr, "awsxc-cli: profile %q credentials refreshed, expire %s\n", profile, engine.FormatTime(st.Expires))
	}
}
