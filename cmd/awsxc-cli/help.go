package main

import (
	"context"
	"io"
	"strings"
)

var helpCommand = &command{
	name:    "help",
	usage:   "help [COMMAND]",
	summary: "show this help, or a command's",
	new:     func() runner { return &helpCmd{} },
}

type helpCmd struct{}

func (*helpCmd) flags() []flagSpec { return nil }

func (*helpCmd) run(_ context.Context, c *cli, p parsed) error {
	cmd := c.commands[0]
	if len(p.args) > 0 {
		var rest []string
		var err error
		cmd, rest, err = findCommand(c.commands, p.args)
		if err != nil || len(rest) > 0 {
			return usagef("help: no command %q", strings.Join(p.args, " "))
		}
	}
	_, err := io.WriteString(c.stdout, helpText(c.commands, cmd))
	return err
}
