// Package browser opens a URL in the user's web browser, the way the AWS
// CLI's sign-in does (Python's webbrowser module): with the commands in
// $BROWSER when it is set, else with the platform's opener (xdg-open on
// Linux and the BSDs, open on macOS, the URL protocol handler on
// Windows).
//
// It reads the environment only through the getenv it is given, so a
// front end passes its own and engine never reads the process
// environment. Only http and https URLs are opened: a URL that arrives
// from a service response never reaches a program as a file name or an
// option.
//
// It is also the one place awsxc knows the desktop's openers ([Opener])
// and starts a program it does not wait for ([Start]): platform opens
// the settings file with them.
package browser

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// ErrNoBrowser is wrapped by [Open] when no browser could be started, or
// every one tried failed.
var ErrNoBrowser = errors.New("no browser could be opened")

// Options says how [Open] finds and runs a browser.
type Options struct {
	// Getenv looks up BROWSER (and, for the platform opener, nothing
	// else); nil reads no environment.
	Getenv func(string) string
	// Output receives what a browser command writes (its standard output
	// and error); nil discards it (the null device). A command's output
	// must never reach a program's data output. An *os.File is handed to
	// the command as it is; any other writer is fed through a pipe only
	// until Open returns (a browser that lives on writes into nothing).
	Output io.Writer
	// Env is the browser command's environment; nil is this process's.
	Env []string
}

// Open opens u in a browser and waits for the browser command to exit,
// or for ctx. xdg-open, open and a browser already running hand the URL
// over and exit at once; a $BROWSER of firefox or chromium with no
// browser running yet is the user's whole browser, and stays. So the
// command is never tied to ctx: it runs detached (in a process group of
// its own, out of reach of the terminal's Ctrl-C), and when ctx is done
// Open returns ctx's error and leaves the command running; it is reaped
// when it exits. Call Open from a goroutine of its own when something
// else must go on meanwhile. The command's standard input is the null
// device.
//
// BROWSER is a list of commands separated by the system's list separator
// (":" on Unix, ";" on Windows), tried in order until one exits with
// status 0, as xdg-open and Python's webbrowser read it. Each command is
// split into words at white space (no shell is involved); "%s" in a word
// is replaced by the URL ("%%" is a literal "%"), and without one the URL
// is added as the last word. With BROWSER unset or empty the platform's
// opener is used. Only a command that exits with a failure before ctx is
// done makes Open try the next one.
func Open(ctx context.Context, u string, o Options) error {
	if err := check(u); err != nil {
		return err
	}
	var cmds [][]string
	if o.Getenv != nil {
		cmds = parseBROWSER(o.Getenv("BROWSER"), u)
	}
	if len(cmds) == 0 {
		argv, err := platformOpener(u)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrNoBrowser, err)
		}
		cmds = [][]string{argv}
	}
	var errs []error
	for _, argv := range cmds {
		if ctx.Err() != nil {
			return ctx.Err() // nothing more is started
		}
		err := run(ctx, argv, o.Env, o.Output)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		errs = append(errs, err)
	}
	return fmt.Errorf("%w: %w", ErrNoBrowser, errors.Join(errs...))
}

// check accepts absolute http and https URLs only.
func check(u string) error {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return fmt.Errorf("%w: not an http or https URL", ErrNoBrowser)
	}
	return nil
}

// parseBROWSER turns a BROWSER value into the commands to try for u.
func parseBROWSER(v, u string) [][]string {
	var cmds [][]string
	for _, entry := range filepath.SplitList(v) {
		words := strings.Fields(entry)
		if len(words) == 0 {
			continue
		}
		substituted := false
		for i, w := range words {
			if strings.Contains(w, "%s") {
				substituted = true
			}
			words[i] = expand(w, u)
		}
		if !substituted {
			words = append(words, u)
		}
		cmds = append(cmds, words)
	}
	return cmds
}

// expand replaces %s with u and %% with %, leaving other % alone.
func expand(w, u string) string {
	if !strings.Contains(w, "%") {
		return w
	}
	var b strings.Builder
	for i := 0; i < len(w); i++ {
		if w[i] == '%' && i+1 < len(w) {
			switch w[i+1] {
			case 's':
				b.WriteString(u)
				i++
				continue
			case '%':
				b.WriteByte('%')
				i++
				continue
			}
		}
		b.WriteByte(w[i])
	}
	return b.String()
}

// run runs one browser command until it exits or ctx is done, and
// leaves it running then (see [Open]). Its error names the program,
// never the URL (which may carry a state or a client id that a log need
// not keep).
func run(ctx context.Context, argv, env []string, out io.Writer) error {
	name := filepath.Base(argv[0])
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	var gate *gatedWriter
	switch w := out.(type) {
	case nil:
	case *os.File:
		cmd.Stdout, cmd.Stderr = w, w
	default:
		gate = &gatedWriter{w: w}
		defer gate.close()
		cmd.Stdout, cmd.Stderr = gate, gate
	}
	detach(cmd)
	if err := cmd.Start(); err != nil {
		return commandError(name, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }() // reaps the command, however long it runs
	select {
	case err := <-done:
		if err != nil {
			return commandError(name, err)
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// commandError words a browser command's failure, naming the program.
func commandError(name string, err error) error {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return fmt.Errorf("%s exited with status %d", name, ee.ExitCode())
	}
	var pe *os.PathError
	var ee2 *exec.Error
	switch {
	case errors.As(err, &ee2):
		return fmt.Errorf("%s: %w", name, ee2.Err)
	case errors.As(err, &pe):
		return fmt.Errorf("%s: %w", name, pe.Err)
	}
	return fmt.Errorf("%s: %w", name, err)
}

// gatedWriter passes writes on to w until it is closed, then drops
// them: a browser that outlives [Open] must not write into a caller's
// buffer afterwards, nor die of a closed pipe.
type gatedWriter struct {
	mu     sync.Mutex // protects w and closed, and serialises writes
	w      io.Writer
	closed bool
}

func (g *gatedWriter) Write(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.closed {
		g.w.Write(p)
	}
	return len(p), nil
}

func (g *gatedWriter) close() {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
}

// Opener is the platform's desktop opener command for target, which
// hands it to the desktop's default application: xdg-open on Linux and
// the BSDs (a URL or a file), open on macOS, the URL protocol handler on
// Windows (URLs only). [Open] uses it when BROWSER is not set; platform
// opens the settings file with it on Linux.
func Opener(target string) []string {
	argv, _ := platformOpener(target)
	return argv
}

// Start starts argv and does not wait for it: it is reaped in the
// background, in a process group of its own as [Open]'s commands, and
// its input and output are not connected. Use it for a
// program that hands something to the desktop and may outlive the
// caller (an editor for a file). Errors name the program (without a .exe
// suffix), never its arguments.
func Start(argv []string) error {
	if len(argv) == 0 {
		return errors.New("no program to start")
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	detach(cmd)
	if err := cmd.Start(); err != nil {
		name := strings.TrimSuffix(filepath.Base(argv[0]), ".exe")
		var ee *exec.Error
		if errors.As(err, &ee) {
			err = ee.Err
		}
		return fmt.Errorf("%s: %w", name, err)
	}
	go cmd.Wait()
	return nil
}
