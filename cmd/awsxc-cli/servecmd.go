package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/awsxc/awsxc/engine"
)

// serve runs the IMDS and/or ECS servers until SIGINT or SIGTERM.
func (c *cli) serve(ctx context.Context, o *options, name string, mfa engine.TokenProvider) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serve(ctx, serveOptions{
		Env:          c.env,
		Profile:      name,
		IMDSAddr:     o.imds,
		ECSAddr:      o.container,
		ECSToken:     o.token,
		ECSTokenFile: o.tokenFile,
		AllowV1:      o.imdsV1,
		AllowHosts:   o.allowHosts,
		AllowRemote:  o.allowRemote,
		MFA:          mfa,
		Duration:     time.Duration(o.duration) * time.Second,
		MFASerial:    o.mfaSerial,
		Timeout:      c.timeout,
	}, c.stderr, c.log)
}
