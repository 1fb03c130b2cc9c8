// Package quick answers the commonest awsxc-cli call, a credential_process
// line (`awsxc-cli --profile NAME --json`), from the user's daemon before
// the AWS SDK's packages are initialized, and exits.
//
// A Go program initializes every package it links before main runs, and
// awsxc-cli links the AWS SDK's: their endpoint tables, schemas and
// regular expressions cost about as much as the rest of a start. A call
// the daemon answers needs none of them. This package's init runs early
// (it imports nothing of the SDK's, and the packages it does import are
// the standard library's, the credentials' formats, the daemon's wire
// format and the socket): it asks the daemon, prints the answer and ends
// the process when the call is one it can finish exactly as the command
// would have: the same bytes on standard output, nothing on standard
// error, exit status 0.
//
// Anything else it leaves to the command, untouched: another option or
// mode, --debug, no --profile, the environment variables the command
// reads to decide whether to ask the daemon (AWSXC_NO_DAEMON,
// AWSXC_PROFILE_CHAIN), no daemon, an answer that is an error or that
// carries warnings, any answer but the plainest HTTP form. When it did
// ask, [Exchanged] hands the command what it sent and got, so that the
// command reads that answer instead of asking again: a daemon that does
// not answer costs its timeout once, and a daemon is asked once per run.
package quick

import (
	"context"
	"os"

	"github.com/awsxc/awsxc/engine/creds"
	"github.com/awsxc/awsxc/engine/daemon/wire"
	"github.com/awsxc/awsxc/engine/procenv"
	"github.com/awsxc/awsxc/internal/localsock"
	"github.com/awsxc/awsxc/internal/textsafe"
)

// exchanged is the exchange init made, if any.
var exchanged *wire.Exchange

// Exchanged returns the exchange with the daemon that this process made
// before main, or nil.
func Exchanged() *wire.Exchange { return exchanged }

// call is a command line the quick path can answer.
type call struct {
	profile string
	pretty  bool
}

// parse reads args as the command would, and accepts only --profile
// NAME (or --profile=NAME, NAME not empty), --json and --pretty, each at
// most once, with --profile given. The names must be whole: the
// command's parser also takes unique prefixes, and what it makes of
// those is left to it.
func parse(args []string) (c call, ok bool) {
	var json, profile bool
	c.pretty = true // the default mode: pretty credential_process JSON
	pretty := false
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--json" && !json:
			json = true
		case a == "--pretty" && !pretty:
			pretty = true
		case a == "--profile" && !profile && i+1 < len(args) && args[i+1] != "":
			c.profile, profile = args[i+1], true
			i++
		case len(a) > len("--profile=") && a[:len("--profile=")] == "--profile=" && !profile:
			c.profile, profile = a[len("--profile="):], true
		default:
			return call{}, false
		}
	}
	if json {
		c.pretty = pretty
	}
	return c, profile
}

// answer asks the daemon for c's credentials as the command would, and
// returns what to print; ok is false when the command is to go on. It
// records the exchange it made in exchanged.
func answer(c call, getenv func(string) string, environ []string, dir string) (out []byte, ok bool) {
	if getenv("AWSXC_NO_DAEMON") != "" || getenv("AWSXC_PROFILE_CHAIN") != "" {
		return nil, false
	}
	path, err := localsock.DefaultPath(getenv)
	if err != nil {
		return nil, false
	}
	req := wire.CredentialsRequest{Profile: c.profile, Config: wire.ConfigOf(procenv.NewEnv(getenv, dir), environ)}
	x := &wire.Exchange{Path: path, Msg: wire.CredentialsMessage(&req)}
	x.Answer, x.Err = wire.Ask(context.Background(), path, x.Msg, wire.DefaultTimeout)
	exchanged = x
	if x.Err != nil {
		return nil, false
	}
	body, ok := wire.PlainAnswer(x.Answer)
	if !ok {
		return nil, false
	}
	var resp wire.CredentialsResponse
	if err := wire.DecodeCredentialsResponse(body, &resp); err != nil || len(resp.Warnings) > 0 {
		return nil, false
	}
	cr, err := resp.Credentials.Engine()
	if err != nil {
		return nil, false
	}
	out, err = creds.Render(creds.FormatProcess, cr, creds.RenderOptions{Region: resp.Region, Pretty: c.pretty})
	return out, err == nil
}

// run is the quick path of the process: it returns the exit status when
// it answered the call, and ok false when main is to run.
func run(args []string, getenv func(string) string, environ func() []string, stdout, stderr *os.File) (status int, ok bool) {
	c, ok := parse(args)
	if !ok {
		return 0, false
	}
	dir, _ := os.Getwd() // as main does
	out, ok := answer(c, getenv, environ(), dir)
	if !ok {
		return 0, false
	}
	if _, err := stdout.Write(out); err != nil {
		// As the command reports a failed write: exit status 1.
		stderr.WriteString("awsxc-cli: error: " + textsafe.Line(err.Error()) + "\n")
		return 1, true
	}
	return 0, true
}
