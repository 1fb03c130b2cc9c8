package main

import (
	"context"
	"errors"

	"github.com/awsxc/awsxc/engine"
)

func (c *cli) serve(ctx context.Context, o *options, name string, mfa engine.TokenProvider) error {
	return errors.New("servers not wired yet")
}
