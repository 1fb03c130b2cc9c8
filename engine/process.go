package engine

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/processcreds"
)

// processWaitDelay is how long a credential_process's output may stay
// open once the process is stopped (by a kill that missed a program it
// started in a process group of its own, say) before awsxc stops waiting.
const processWaitDelay = 2 * time.Second

// newProcessProvider returns the SDK's credential_process provider
// (processcreds) for command, with awsxc's command builder: the SDK's own
// builder stops only the shell when the process times out, and then
// waits for as long as anything the shell started keeps the output open
// (a script's `sleep 300`), leaving it behind. awsxc's builder stops the
// programs the process started too (see startCommand), and never waits
// more than processWaitDelay for the output after that.
//
// terminal says that a human may answer the process on this process's
// terminal (see [Env.Terminal]); timeout bounds a run.
func newProcessProvider(command string, terminal bool, timeout time.Duration) aws.CredentialsProvider {
	b := processBuilder{command: command, terminal: terminal}
	return aws.NewCredentialsCache(processcreds.NewProviderCommand(b, func(o *processcreds.Options) {
		o.Timeout = timeout
	}))
}

// processBuilder builds the command of a credential_process the way the
// SDK's DefaultNewCommandBuilder does (sh -c, cmd.exe /C on Windows; this
// process's environment, stdin and stderr, which a process may use to ask
// for an MFA code), and sets up how it is stopped.
type processBuilder struct {
	command  string
	terminal bool
}

// NewCommand implements processcreds.NewCommandBuilder.
func (b processBuilder) NewCommand(ctx context.Context) (*exec.Cmd, error) {
	cmd := exec.CommandContext(ctx, shell[0], shell[1], b.command)
	// The process environment, as the SDK's builder gives it: a nil Env
	// is this process's own.
	cmd.Stdin, cmd.Stderr = os.Stdin, os.Stderr
	cmd.WaitDelay = processWaitDelay
	startCommand(cmd, b.terminal)
	return cmd, nil
}

// processProgram returns the program a credential_process command line
// runs, for messages: its first word as a shell reads it (quotes and
// backslashes taken out), never its arguments, which sometimes hold
// tokens.
func processProgram(command string) string {
	var b strings.Builder
	s := strings.TrimLeft(command, " \t")
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			return b.String()
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		case c == '"' || c == '\'':
			j := strings.IndexByte(s[i+1:], c)
			if j < 0 {
				b.WriteString(s[i+1:])
				return b.String()
			}
			b.WriteString(s[i+1 : i+1+j])
			i += j + 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
