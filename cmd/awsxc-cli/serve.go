package main

// --imds and --container: serve a profile's credentials as an EC2 IMDSv2
// endpoint and/or an ECS container credentials endpoint until the context
// is cancelled (SIGINT/SIGTERM). The start-up text on standard error says
// where the servers listen and the exact settings a client needs; standard
// output stays empty.

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
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
// Other profiles are served by the container server at /profiles/NAME;
// those never ask for an MFA code.
func serve(ctx context.Context, o serveOptions, stderr io.Writer, log *slog.Logger) error {
	var imdsAddr, ecsAddr string
	var err error
	if o.IMDSAddr != "" {
		if imdsAddr, err = server.ParseAddr(o.IMDSAddr); err != nil {
			return usagef("argument --imds: %v", err)
		}
	}
	if o.ECSAddr != "" {
		if ecsAddr, err = server.ParseAddr(o.ECSAddr); err != nil {
			return usagef("argument --container: %v", err)
		}
	}

	src, err := engine.NewSource(ctx, engine.SourceOptions{
		Env:             o.Env,
		Profile:         o.Profile,
		MFA:             o.MFA,
		SessionDuration: o.Duration,
		MFASerial:       o.MFASerial,
		Logger:          log,
		OnChange:        serveReporter(stderr),
		Timeout:         o.Timeout,
	})
	if err != nil {
		return err
	}
	defer src.Close()
	for _, w := range src.Profile().Warnings {
		fmt.Fprintf(stderr, "awsxc-cli: warning: %s\n", w)
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
			OnChange: serveReporter(stderr),
		})
		defer reg.Close()
		profiles = server.FromRegistry(reg)
	}
	var want []server.Want
	if imdsAddr != "" {
		want = append(want, server.Want{Name: "imds", Source: src, IMDS: &server.IMDSOptions{
			Options: server.Options{Addr: imdsAddr, AllowHosts: o.AllowHosts, Logger: log, Clock: o.Env.Clock, Hints: cliHints},
			AllowV1: o.AllowV1,
		}})
	}
	if ecsAddr != "" {
		want = append(want, server.Want{Name: "ecs", Source: src, ECS: &server.ECSOptions{
			Options:  server.Options{Addr: ecsAddr, AllowHosts: o.AllowHosts, Logger: log, Clock: o.Env.Clock, Hints: cliHints},
			Token:    o.ECSToken,
			Profiles: profiles,
		}})
	}
	servers := server.NewGroup(ctx)
	defer servers.Close()
	for _, s := range servers.Apply(want) {
		switch {
		case s.Err != nil:
			return s.Err
		case s.IMDS != nil:
			mode := "IMDSv2"
			if o.AllowV1 {
				mode = "IMDSv1 and v2"
			}
			fmt.Fprintf(stderr, "awsxc-cli: serving profile %q as EC2 instance metadata (%s) at %s\n", o.Profile, mode, s.URL)
			io.WriteString(stderr, s.IMDS.Settings().String())
		case s.ECS != nil:
			if o.ECSTokenFile != "" {
				if err := server.WriteTokenFile(o.ECSTokenFile, s.ECS.Token()); err != nil {
					return err
				}
			}
			fmt.Fprintf(stderr, "awsxc-cli: serving profile %q as container credentials at %s (any profile at %sprofiles/NAME)\n",
				o.Profile, s.URL, s.URL)
			io.WriteString(stderr, s.ECS.Settings(server.SettingsOptions{TokenFile: o.ECSTokenFile}).String())
		}
	}
	st := src.Status()
	fmt.Fprintf(stderr, "awsxc-cli: credentials %s expire %s and are refreshed before then; Ctrl-C stops\n",
		st.KeyID, engine.FormatTime(st.Expires))

	<-ctx.Done()
	fmt.Fprintln(stderr, "awsxc-cli: shutting down")
	return servers.Close()
}

// serveReporter prints refresh failures and recoveries of each profile
// to stderr, one line each, with the engine's hint (never a secret).
func serveReporter(stderr io.Writer) func(engine.Status) {
	var mu sync.Mutex            // OnChange may be called from several goroutines
	failing := map[string]bool{} // by profile
	return func(st engine.Status) {
		mu.Lock()
		defer mu.Unlock()
		profile := st.Profile
		switch {
		case st.Refreshing:
		case st.Err != nil && !failing[profile]:
			failing[profile] = true
			state := "still valid until " + engine.FormatTime(st.Expires)
			if !st.Valid {
				state = "none valid: clients get errors"
			}
			fmt.Fprintf(stderr, "awsxc-cli: warning: refreshing profile %q failed (%s): %v\n", profile, state, st.Err)
		case st.Err == nil && failing[profile]:
			delete(failing, profile)
			fmt.Fprintf(stderr, "awsxc-cli: profile %q credentials refreshed, expire %s\n", profile, engine.FormatTime(st.Expires))
		}
	}
}
