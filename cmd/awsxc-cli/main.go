// Command awsxc-cli exports AWS credentials from a profile: as
// credential_process JSON, as environment lines for every common shell,
// through an exec wrapper, into the shared credentials file, or served
// from local IMDSv2 and ECS endpoints. Run awsxc-cli --help.
package main

import (
	"context"
	"os"

	"github.com/awsxc/awsxc/cmd/awsxc-cli/internal/quick"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.0.0-dev"

// Before main, package quick has answered a credential_process call
// from the daemon when it could (and then the process has ended).

func main() {
	wd, _ := os.Getwd()
	os.Exit(run(context.Background(), os.Args[1:], proc{
		stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr,
		getenv: os.Getenv, environ: os.Environ, setenv: os.Setenv,
		dir: wd, tty: ttyPath, terminal: hasTerminal(), exec: execCommand,
		asked: quick.Take(),
	}))
}

// hasTerminal reports whether the process has a terminal a human may
// answer on (one it can open), where a credential_process may prompt.
func hasTerminal() bool {
	f, err := os.Open(ttyPath)
	if err != nil {
		return false
	}
	f.Close()
	return true
}
