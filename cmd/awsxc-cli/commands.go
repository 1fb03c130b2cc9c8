package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
)

// commands are awsxc-cli's commands, in the order the help lists them.
// The first, with no name, is aws-export-credentials' command line: the
// export modes, run when no command is named. A new command is a file
// of its own and one line here.
var commands = []*command{
	exportCommand,
	profilesCommand,
	explainCommand,
	consoleCommand,
	serveCommand,
	dockerEnvCommand,
	loginCommand,
	logoutCommand,
	ssoSyncCommand,
	statusCommand,
	revokeCommand,
	activityCommand,
	daemonCommand,
	completionCommand,
	helpCommand,
}

// command is one awsxc-cli command.
type command struct {
	name    string // the words that name it ("profiles"; two for "sso sync"); "" for the export modes
	usage   string // its usage, after "awsxc-cli "
	summary string // what it does, in one line for the command list
	doc     string // more about it, for its --help; may be empty
	exits   string // exit statuses of its own, after the common ones in its --help ("130 interrupted")
	// new returns a runner with fresh options, which its flags write.
	new func() runner
}

// runner is a command ready to take its options and run.
type runner interface {
	// flags lists the command's options in the order its help shows
	// them, bound to the runner. --debug and --help are added to every
	// command.
	flags() []flagSpec
	// run does the work once the command line is parsed and checked.
	run(ctx context.Context, c *cli, p parsed) error
}

// checker is a runner that rejects combinations of options before
// anything runs (no credentials fetched, no MFA code asked for). Its
// errors, like parse errors, point to the command's --help.
type checker interface {
	check(p parsed) error
}

// common are the options every command has.
type common struct {
	debug bool
	help  bool
}

func (o *common) flags() []flagSpec {
	return []flagSpec{
		boolFlag("debug", "explain on stderr what happens (secrets are never shown)", &o.debug),
		{name: "help", short: 'h', help: "show this help", set: func(string) error { o.help = true; return nil }},
	}
}

// findCommand returns the command named by the first words of args and
// the arguments after them. A first word that is an option selects the
// export modes.
func findCommand(cmds []*command, args []string) (*command, []string, error) {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return cmds[0], args, nil
	}
	var best *command
	for _, cmd := range cmds {
		words := strings.Fields(cmd.name)
		if len(words) > 0 && len(words) <= len(args) && slices.Equal(words, args[:len(words)]) &&
			(best == nil || len(words) > len(strings.Fields(best.name))) {
			best = cmd
		}
	}
	if best == nil {
		var subs []string
		for _, cmd := range cmds {
			if w := strings.Fields(cmd.name); len(w) > 1 && w[0] == args[0] {
				subs = append(subs, cmd.name)
			}
		}
		if len(subs) > 0 {
			return nil, nil, usagef("%s needs a subcommand: %s", args[0], strings.Join(subs, ", "))
		}
		return nil, nil, usagef("unknown command %q (did you mean --exec %s?)", args[0], args[0])
	}
	return best, args[len(strings.Fields(best.name)):], nil
}

// invocation is how the help names a command: "awsxc-cli profiles".
func (cmd *command) invocation() string {
	return strings.TrimSpace("awsxc-cli " + cmd.name)
}

// helpText is the --help of cmd, built from its flag table so it never
// disagrees with the parser. The export modes' help also lists the
// other commands.
func helpText(cmds []*command, cmd *command) string {
	var b strings.Builder
	fmt.Fprintf(&b, "usage: awsxc-cli %s\n", cmd.usage)
	if cmd.name == "" {
		b.WriteString("       awsxc-cli COMMAND [OPTIONS]\n")
	}
	b.WriteString("\n")
	if cmd.doc != "" {
		b.WriteString(cmd.doc)
	} else {
		b.WriteString(strings.ToUpper(cmd.summary[:1]) + cmd.summary[1:] + ".\n")
	}
	if cmd.name == "" {
		b.WriteString("\ncommands (awsxc-cli COMMAND --help shows a command's options):\n")
		tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
		for _, other := range cmds[1:] {
			fmt.Fprintf(tw, "  %s\t%s\n", other.usage, other.summary)
		}
		tw.Flush()
	}
	r := cmd.new()
	specs := r.flags()
	var o common
	specs = append(specs, o.flags()...)
	for _, modes := range []bool{true, false} {
		var list []flagSpec
		for _, s := range specs {
			if s.mode == modes {
				list = append(list, s)
			}
		}
		if len(list) == 0 {
			continue
		}
		if modes {
			b.WriteString("\nmodes (pick one):\n")
		} else {
			b.WriteString("\noptions:\n")
		}
		tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
		for _, s := range list {
			flag := "--" + s.name
			if s.short != 0 {
				flag = "-" + string(s.short) + ", " + flag
			}
			if s.arg != "" {
				flag += " " + s.arg
			}
			fmt.Fprintf(tw, "  %s\t%s\n", flag, s.help)
		}
		tw.Flush()
	}
	b.WriteString(`
exit status: 0 ok; 1 a file could not be written; 2 usage error or no
credentials; 3 the credentials could not be obtained; 4 a server could not
listen`)
	switch {
	case cmd.name == "":
		b.WriteString("; with --exec, the command's own status.\n")
	case cmd.exits != "":
		b.WriteString("; " + cmd.exits + ".\n")
	default:
		b.WriteString(".\n")
	}
	return b.String()
}
