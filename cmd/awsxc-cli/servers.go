package main

// revoke and activity: the daemon's consumers and its record of who
// fetched what. Both need the daemon; without one they fail with one
// line (exit 1). Data (the activity) goes to stdout, one record a line.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/awsxc/awsxc/engine/activity"
	"github.com/awsxc/awsxc/engine/daemon"
	"github.com/awsxc/awsxc/internal/localsock"
)

var revokeCommand = &command{
	name:    "revoke",
	usage:   "revoke NAME",
	summary: "revoke an ECS consumer of the awsxc daemon: its token stops working at once",
	doc: `Revoke the consumer NAME of the awsxc daemon's ECS listener (added by
awsxc-cli serve --ecs-consumer, or the tray's Servers menu): its token stops
working at once, also for requests waiting for credentials; its token file is
removed; it is removed from the settings; and the revocation is recorded in the
daemon's activity (awsxc-cli activity). Needs a running daemon.
`,
	new: func() runner { return &revokeCmd{} },
}

type revokeCmd struct{}

func (*revokeCmd) flags() []flagSpec { return nil }

func (*revokeCmd) check(p parsed) error {
	if len(p.args) != 1 {
		return usagef("revoke takes one consumer name")
	}
	return nil
}

func (*revokeCmd) run(ctx context.Context, c *cli, p parsed) error {
	client, err := c.needDaemon()
	if err != nil {
		return err
	}
	name := p.args[0]
	err = client.Revoke(ctx, name)
	switch {
	case errors.Is(err, daemon.ErrNoServer):
		return usagef("the daemon has no consumer %q (awsxc-cli status lists them)", name)
	case errors.Is(err, daemon.ErrNotConsumer):
		return usagef("%q is a server, not a consumer: only consumers have tokens to revoke", name)
	case errors.Is(err, daemon.ErrNotSaved):
		// Revoked for this run only: unless settings.json is fixed while
		// the daemon runs, the consumer comes back, with a new token in
		// the same file, when it starts again (review 3, M1). The
		// daemon's words say what happened and why.
		return fmt.Errorf("%w; the change was not saved: fix settings.json, or the consumer comes back when the daemon restarts", err)
	case err != nil:
		return daemonError(err)
	}
	fmt.Fprintf(c.stderr, "awsxc-cli: consumer %q revoked\n", name)
	return nil
}

var activityCommand = &command{
	name:    "activity",
	usage:   "activity [--json] [--follow]",
	summary: "show who fetched credentials from the awsxc daemon's servers",
	doc: `Show the awsxc daemon's recent credential fetches from its servers, oldest
first, one a line: time, server, consumer, profile, outcome, masked key id,
client address and User-Agent; revocations too. No secret is shown. --json prints
one JSON object a line (the audit_log file's form). --follow goes on printing
new ones as they happen until SIGINT, or until the daemon stops (then it says
so and exits 1). Needs a running daemon.
`,
	new: func() runner { return &activityCmd{} },
}

type activityCmd struct{ json, follow bool }

func (a *activityCmd) flags() []flagSpec {
	return []flagSpec{
		boolFlag("json", "print one JSON object a line", &a.json),
		boolFlag("follow", "keep printing new records until SIGINT", &a.follow),
	}
}

func (a *activityCmd) check(p parsed) error {
	if len(p.args) > 0 {
		return usagef("activity takes no arguments")
	}
	return nil
}

func (a *activityCmd) run(ctx context.Context, c *cli, _ parsed) error {
	client, err := c.needDaemon()
	if err != nil {
		return err
	}
	if a.follow {
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
	}
	var line []byte
	err = client.Activity(ctx, a.follow, func(r activity.Record, missed uint64) error {
		if missed > 0 {
			fmt.Fprintf(c.stderr, "awsxc-cli: warning: %d records missed (this reader fell behind)\n", missed)
		}
		if a.json {
			line = append(r.AppendJSON(line[:0]), '\n')
		} else {
			line = append(append(line[:0], r.String()...), '\n')
		}
		_, err := c.stdout.Write(line)
		return err
	})
	if errors.Is(err, daemon.ErrStopped) {
		// Not an end the user asked for (review 3, L5).
		return errors.New("the awsxc daemon stopped")
	}
	if err != nil {
		return daemonError(err)
	}
	return nil
}

// errNoDaemon is a command that needs the daemon run without one.
var errNoDaemon = errors.New("no awsxc daemon is running (awsxc-cli daemon, or the awsxc tray, starts one)")

// needDaemon is the client of a daemon that answers, for the commands
// that work through it alone.
func (c *cli) needDaemon() (*daemon.Client, error) {
	client := c.daemonClient()
	if client == nil {
		return nil, errNoDaemon
	}
	return client, nil
}

// daemonError words a failed exchange with the daemon.
func daemonError(err error) error {
	if errors.Is(err, localsock.ErrNoDaemon) {
		return errNoDaemon
	}
	if errors.Is(err, daemon.ErrFallback) {
		return errors.New("no usable awsxc daemon: " + strings.TrimPrefix(err.Error(), daemon.ErrFallback.Error()+": "))
	}
	return err
}
