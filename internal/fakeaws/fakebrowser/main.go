// Command fakebrowser is a stand-in web browser for tests, used as
// $BROWSER: it is started with the URL to open as its argument, records
// it, and then acts as the user would, according to FAKEBROWSER_MODE:
//
//	follow          (default) open the URL and follow its redirects while they
//	                stay on loopback addresses: the authorize endpoint's
//	                redirect reaches the client's loopback callback, the
//	                verification page approves the device code in its URL
//	approve-device  the same as follow (named for device-code tests)
//	deny            the same, but the user refuses (error=access_denied on
//	                the callback, or a denied device code)
//	wrong-state     the same, but the callback carries a forged state
//	none            record only, like a browser tab nobody looks at
//	fail            record, then exit 2, like a browser that cannot start
//
// The user's answer reaches the fakes (internal/fakeaws) in the
// X-Fakeaws-Decision request header. URLs that are not on a loopback
// address (the access portal, the AWS console) are recorded, never
// fetched.
//
// Environment:
//
//	FAKEBROWSER_LOG   file that gets every URL, one per line (appended);
//	                  FAKEBROWSER_LOG.follow gets one line per request made
//	FAKEBROWSER_MODE  see above
//	FAKEBROWSER_WAIT  "1": follow before exiting (exit 1 if a request
//	                  failed); otherwise the browser detaches and exits 0 at
//	                  once, as xdg-open and real browsers do
//	FAKEBROWSER_STAY  a file: once it has followed, the browser writes its
//	                  process id there, closes its output and stays for a
//	                  minute, like a browser whose window stays open (the
//	                  test that set it kills it)
package main

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"time"
)

const decisionHeader = "X-Fakeaws-Decision"

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(urls []string) int {
	mode := os.Getenv("FAKEBROWSER_MODE")
	logPath := os.Getenv("FAKEBROWSER_LOG")
	if os.Getenv("FAKEBROWSER_CHILD") == "" {
		if len(urls) == 0 {
			fmt.Fprintln(os.Stderr, "fakebrowser: no URL given")
			return 2
		}
		for _, u := range urls {
			appendLine(logPath, u)
		}
	}
	switch mode {
	case "", "follow", "approve-device", "deny", "wrong-state":
	case "none":
		return 0
	case "fail":
		fmt.Fprintln(os.Stderr, "fakebrowser: cannot open a browser window (FAKEBROWSER_MODE=fail)")
		return 2
	default:
		fmt.Fprintf(os.Stderr, "fakebrowser: unknown FAKEBROWSER_MODE %q\n", mode)
		return 2
	}
	if os.Getenv("FAKEBROWSER_WAIT") != "1" && os.Getenv("FAKEBROWSER_CHILD") == "" {
		// Detach, as a real browser does: the caller may well wait for us
		// before it serves the callback.
		exe, err := os.Executable()
		if err == nil {
			cmd := exec.Command(exe, urls...)
			cmd.Env = append(os.Environ(), "FAKEBROWSER_CHILD=1")
			err = cmd.Start()
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "fakebrowser:", err)
			return 2
		}
		return 0
	}
	decision := map[string]string{"": "allow", "follow": "allow", "approve-device": "allow",
		"deny": "deny", "wrong-state": "wrong-state"}[mode]
	status := 0
	for _, u := range urls {
		if err := follow(u, decision, logPath); err != nil {
			appendLine(logPath+".follow", "error "+err.Error())
			fmt.Fprintln(os.Stderr, "fakebrowser:", err)
			status = 1
		}
	}
	if stay := os.Getenv("FAKEBROWSER_STAY"); stay != "" {
		// Output closed, so that a caller waiting for its pipes is not
		// held up by a browser that lives on.
		os.Stdout.Close()
		os.Stderr.Close()
		if err := os.WriteFile(stay+".tmp", []byte(fmt.Sprint(os.Getpid())), 0o600); err != nil {
			return 2
		}
		if err := os.Rename(stay+".tmp", stay); err != nil {
			return 2
		}
		time.Sleep(time.Minute)
	}
	return status
}

// follow opens u and follows redirects while they stay on loopback.
func follow(u, decision, logPath string) error {
	client := &http.Client{Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for hop := 0; hop < 10; hop++ {
		target, err := url.Parse(u)
		if err != nil {
			return fmt.Errorf("bad URL: %w", err)
		}
		if (target.Scheme != "http" && target.Scheme != "https") || !loopback(target.Hostname()) {
			appendLine(logPath+".follow", "stop "+u)
			return nil
		}
		req, err := http.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			return err
		}
		req.Header.Set(decisionHeader, decision)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		appendLine(logPath+".follow", fmt.Sprintf("GET %s %d", u, resp.StatusCode))
		loc := resp.Header.Get("Location")
		if resp.StatusCode < 300 || resp.StatusCode > 399 || loc == "" {
			if resp.StatusCode >= 400 {
				return fmt.Errorf("GET %s: %s", target.Host+target.Path, resp.Status)
			}
			return nil
		}
		next, err := target.Parse(loc)
		if err != nil {
			return fmt.Errorf("bad redirect: %w", err)
		}
		u = next.String()
	}
	return fmt.Errorf("too many redirects")
}

func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func appendLine(path, line string) {
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fakebrowser:", err)
		return
	}
	defer f.Close()
	fmt.Fprintln(f, line)
}
