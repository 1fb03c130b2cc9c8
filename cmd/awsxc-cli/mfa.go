package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/awsxc/awsxc/engine"
)

// mfaProvider returns the MFA token provider: given (--mfa-code) when
// set, else a prompt on stderr answered from stdin (a pipe or the
// terminal) or, when stdin is empty, from the controlling terminal. The
// SDK may ask more than once in a run (a role chain); the user is asked
// once.
func (c *cli) mfaProvider(given, profile string) engine.TokenProvider {
	var once sync.Once
	var code string
	var err error
	return func() (string, error) {
		once.Do(func() { code, err = c.askMFA(given, profile) })
		return code, err
	}
}

func (c *cli) askMFA(given, profile string) (string, error) {
	if given != "" {
		return given, nil
	}
	fmt.Fprintf(c.stderr, "awsxc-cli: MFA code for profile %q: ", profile)
	code, err := readLine(c.stdin)
	if code == "" && (err == nil || errors.Is(err, io.EOF)) && c.tty != "" {
		if tty, terr := os.Open(c.tty); terr == nil {
			code, err = readLine(tty)
			tty.Close()
		}
	}
	fmt.Fprintln(c.stderr)
	if code == "" {
		if err == nil || errors.Is(err, io.EOF) {
			err = errors.New("no code given")
		}
		return "", err
	}
	return code, nil
}

// readLine reads up to a newline one byte at a time, so that nothing
// after the code is taken from a stdin that an --exec command will read.
func readLine(r io.Reader) (string, error) {
	var b strings.Builder
	buf := make([]byte, 1)
	for b.Len() < 256 {
		n, err := r.Read(buf)
		if n == 1 {
			if buf[0] == '\n' {
				break
			}
			b.WriteByte(buf[0])
		}
		if err != nil {
			return strings.TrimSpace(b.String()), err
		}
	}
	return strings.TrimSpace(b.String()), nil
}
