//go:build unix

package quick

import (
	"context"
	"io"
	"os"
	"strings"

	"github.com/awsxc/awsxc/engine/creds"
	"github.com/awsxc/awsxc/engine/daemon/wire"
	"github.com/awsxc/awsxc/engine/procenv"
	"github.com/awsxc/awsxc/internal/localsock"
	"github.com/awsxc/awsxc/internal/textsafe"
)

func init() {
	if testBinary(os.Args[0]) {
		return // its arguments are its own
	}
	dir, _ := os.Getwd() // as main does
	status, x, ok := run(os.Args[1:], os.Getenv, os.Environ, dir, os.Stdout, os.Stderr)
	if ok {
		os.Exit(status)
	}
	exchanged = x
}

// testBinary reports whether the program at arg0 is a test binary (go
// test's pkg.test), which links this package and runs its init too.
func testBinary(arg0 string) bool { return strings.HasSuffix(arg0, ".test") }

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
	var json, pretty, profile bool
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, hasName := strings.CutPrefix(a, "--profile=")
		switch {
		case a == "--json" && !json:
			json = true
		case a == "--pretty" && !pretty:
			pretty = true
		case a == "--profile" && !profile && i+1 < len(args) && args[i+1] != "":
			c.profile, profile = args[i+1], true
			i++
		case hasName && name != "" && !profile:
			c.profile, profile = name, true
		default:
			return call{}, false
		}
	}
	// --json is compact unless --pretty; no mode is the default, pretty.
	c.pretty = pretty || !json
	return c, profile
}

// answer asks the daemon for c's credentials as the command would, and
// returns what to print, or ok false when the command is to go on; x is
// the exchange it made, nil when it asked nothing.
func answer(c call, getenv func(string) string, environ []string, dir string) (out []byte, x *wire.Exchange, ok bool) {
	if getenv(NoDaemonVar) != "" || getenv(ProfileChainVar) != "" {
		return nil, nil, false
	}
	path, err := localsock.DefaultPath(getenv)
	if err != nil {
		return nil, nil, false
	}
	req := wire.CredentialsRequest{Profile: c.profile, Config: wire.ConfigOf(procenv.NewEnv(getenv, dir), environ)}
	x = &wire.Exchange{Path: path, Msg: wire.CredentialsMessage(&req)}
	x.Answer, x.Err = wire.Ask(context.Background(), path, x.Msg, wire.DefaultTimeout)
	if x.Err != nil {
		return nil, x, false
	}
	body, ok := wire.PlainAnswer(x.Answer)
	if !ok {
		return nil, x, false
	}
	var resp wire.CredentialsResponse
	if err := wire.DecodeCredentialsResponse(body, &resp); err != nil || len(resp.Warnings) > 0 {
		return nil, x, false
	}
	cr, err := resp.Credentials.Engine()
	if err != nil {
		return nil, x, false
	}
	out, err = creds.Render(creds.FormatProcess, cr, creds.RenderOptions{Region: resp.Region, Pretty: c.pretty})
	return out, x, err == nil
}

// run is the quick path of a process with these arguments, environment
// and working folder: ok says it answered, with the exit status; else x
// is the exchange it made, for main.
func run(args []string, getenv func(string) string, environ func() []string, dir string, stdout, stderr io.Writer) (status int, x *wire.Exchange, ok bool) {
	c, ok := parse(args)
	if !ok {
		return 0, nil, false
	}
	out, x, ok := answer(c, getenv, environ(), dir)
	if !ok {
		return 0, x, false
	}
	if _, err := stdout.Write(out); err != nil {
		// As the command reports a failed write: exit status 1.
		io.WriteString(stderr, ErrorPrefix+textsafe.Line(err.Error())+"\n")
		return 1, nil, true
	}
	return 0, nil, true
}
