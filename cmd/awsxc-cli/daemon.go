package main

// The export modes ask the awsxc daemon (the tray, or awsxc-cli daemon)
// first: it holds every profile's credentials for all of the user's
// programs, so a role costs one STS call per credential lifetime and an
// MFA code is typed once. When no daemon answers, the profile is
// resolved in this process as it always was, and the output is the
// same, byte for byte. Nothing of the AWS SDK's configuration is loaded
// before the daemon is asked. A credential_process call (--profile NAME
// --json) is asked even earlier, before main, by package quick, which
// prints the answer and ends the process when it can; when it cannot, the
// run reads the answer quick got (proc.asked) instead of asking again.

import (
	"context"
	"errors"
	"time"

	"github.com/awsxc/awsxc/cmd/awsxc-cli/internal/quick"
	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/engine/daemon"
	"github.com/awsxc/awsxc/internal/localsock"
)

// noDaemonVar set (to anything but 0 or false) keeps awsxc-cli from
// asking the daemon, as --no-daemon does. A daemon sets it in its own
// environment, so that an awsxc-cli it runs as a credential_process does
// not ask it back. Package quick reads it too.
const noDaemonVar = quick.NoDaemonVar

// mfaTimeout bounds the request that brings the daemon an MFA code: the
// daemon answered the first one, so it is there, and now calls STS.
const mfaTimeout = 15 * time.Second

// daemonOff reports why the daemon is not asked, or "".
func (c *cli) daemonOff(o *options) string {
	if o.noDaemon {
		return "--no-daemon"
	}
	switch v := c.getenv(noDaemonVar); v {
	case "", "0", "false":
		return ""
	default:
		return noDaemonVar + "=" + v
	}
}

// daemonClient is the client of the user's daemon, with the run's
// timeout; nil when the endpoint cannot be named.
func (c *cli) daemonClient() *daemon.Client {
	path, err := localsock.DefaultPath(c.getenv)
	if err != nil {
		c.log.Debug("no daemon endpoint", "err", err)
		return nil
	}
	asked := c.asked
	c.asked = nil // one run, one use
	return &daemon.Client{Path: path, Timeout: c.daemonTimeout, Prefetched: asked}
}

// fromDaemon asks the daemon for the profile's credentials as this run
// would resolve them. ok says the daemon answered: with credentials, or
// with the error the resolution failed with (err). A daemon that asks
// for an MFA code gets one from mfa (--mfa-code, or a prompt) in a
// second request. When ok is false nothing was printed and the caller
// resolves in this process; --debug says why.
func (c *cli) fromDaemon(ctx context.Context, o *options, name string, mfa engine.TokenProvider) (r resolved, ok bool, err error) {
	if why := c.daemonOff(o); why != "" {
		c.log.Debug("not asking the daemon", "because", why)
		return resolved{}, false, nil
	}
	client := c.daemonClient()
	if client == nil {
		return resolved{}, false, nil
	}
	req := daemon.CredentialsRequest{
		Profile:         name,
		Config:          daemon.ConfigOf(c.env, c.environ()),
		EnsureTemporary: o.ensureTemp,
		DurationSeconds: int64(o.duration),
		MFASerial:       o.mfaSerial,
		MFACode:         o.mfaCode,
		Refresh:         o.refresh,
	}
	resp, err := client.Credentials(ctx, req)
	if errors.Is(err, engine.ErrMFARequired) && req.MFACode == "" {
		// The daemon never waits on a human; this run can ask its own.
		code, merr := mfa()
		if merr != nil {
			// As the same run resolving in its process would fail.
			return resolved{}, true, &engine.Error{Profile: name, Kind: engine.ErrMFARequired, Err: merr,
				Action: engine.ActionMFACode, Hint: engine.ActionMFACode.Hint(name)}
		}
		req.MFACode = code
		client.Timeout = max(client.Timeout, mfaTimeout)
		resp, err = client.Credentials(ctx, req)
	}
	switch {
	case errors.Is(err, daemon.ErrFallback):
		if errors.Is(err, localsock.ErrNoDaemon) {
			c.log.Debug("no daemon; resolving in this process", "endpoint", client.Path)
		} else {
			c.log.Debug("the daemon did not answer; resolving in this process", "endpoint", client.Path, "why", err)
		}
		return resolved{}, false, nil
	case err != nil:
		c.log.Debug("the daemon's resolution failed", "profile", name, "err", err)
		return resolved{}, true, err
	}
	creds, err := resp.Credentials.Engine()
	if err != nil { // checked by the client already
		return resolved{}, false, nil
	}
	c.log.Debug("credentials from the daemon", "profile", name, "kind", resp.Kind,
		"key", engine.MaskKey(creds.AccessKeyID), "expires", expiry(creds))
	r = resolved{creds: creds, region: resp.Region}
	for _, w := range resp.Warnings {
		r.warnings = append(r.warnings, engine.FileWarning{File: w.File, Text: w.Text})
	}
	return r, true, nil
}

func expiry(c engine.Credentials) string {
	if !c.CanExpire() {
		return "never"
	}
	return engine.FormatTime(c.Expires)
}
