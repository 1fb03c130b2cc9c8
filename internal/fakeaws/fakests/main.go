// Command fakests runs the module's fake AWS endpoints (internal/fakeaws)
// as a process, for test/e2e/run.sh, scripts/bench.sh and tests of other
// languages' clients.
//
// It prints the STS (and SSO portal) URL on the first line of standard
// output and serves until standard input reaches end of file or a signal
// arrives, then prints "GetSessionToken=N" style call counts, one per
// line.
//
// With -all it also starts the OIDC, console federation and signin fakes,
// wired together (fakeaws.StartAll), and prints after the first line the
// environment that points the SDKs at them, one NAME=value line each
// (AWS_ENDPOINT_URL_STS, _SSO, _SSO_OIDC, _SIGNIN, AWSXC_SIGNIN_URL),
// then a line "ready". Standard input then takes one command per line,
// each answered with "ok", "error: ..." or its output:
//
//	approve USERCODE | deny USERCODE    decide a device authorization
//	user-codes                          print "user-code CODE" per pending one
//	decision allow|deny|wrong-state     default answer of the authorize pages
//	user-code-in-url on|off             verificationUriComplete with the code
//	refresh-rotation on|off             OIDC refresh grants rotate the token
//	expire-registrations                every client secret expires now
//	expire-access-tokens                every OIDC access token expires now
//	end-sessions                        every OIDC and login session ends
//	throttle N                          the next N portal list calls get 429
//	add-user ARN ACCESS_KEY_ID SECRET   a long-term key the federation fake knows
//	refuse-federation none|denied|mfa   how GetFederationToken answers
//	fail CODE | fail                    STS errors (fail alone restores)
//
// The final counts then also include the other fakes' calls, prefixed
// oidc., federation. and signin..
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/awsxc/awsxc/internal/fakeaws"
)

func main() {
	all := flag.Bool("all", false, "start every fake (STS, SSO portal, OIDC, federation, signin) and take commands on stdin")
	accounts := flag.Int("accounts", 0, "with -all: accounts assigned in the SSO portal (0: any account and role is allowed)")
	roles := flag.Int("roles", 1, "with -all: roles per account")
	accessTTL := flag.Duration("access-ttl", time.Hour, "with -all: OIDC access token lifetime")
	pollMin := flag.Duration("poll-min", time.Second, "with -all: device polls closer than this answer slow_down")
	flag.Parse()

	var f *fakeaws.Fakes
	var s *fakeaws.Server
	if *all {
		f = fakeaws.StartAll()
		defer f.Close()
		s = f.STS
		if *accounts > 0 {
			s.Portal().SetAccounts(fakeaws.GenerateAccounts(*accounts, *roles))
		}
		f.OIDC.SetAccessTokenTTL(*accessTTL)
		f.OIDC.SetPolling(1, *pollMin, 5*time.Second)
	} else {
		s = fakeaws.New()
		defer s.Close()
	}
	fmt.Println(s.URL)
	done := make(chan struct{})
	if f != nil {
		env := f.Env()
		var names []string
		for k := range env {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			fmt.Printf("%s=%s\n", k, env[k])
		}
		fmt.Println("ready")
		go func() {
			sc := bufio.NewScanner(os.Stdin)
			for sc.Scan() {
				if line := strings.TrimSpace(sc.Text()); line != "" {
					fmt.Println(command(f, strings.Fields(line)))
				}
			}
			close(done)
		}()
	} else {
		go func() { io.Copy(io.Discard, os.Stdin); close(done) }()
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	select {
	case <-done:
	case <-sig:
	}
	counts := map[string]int{}
	for _, c := range s.Calls() {
		counts[c.Action]++
	}
	if f != nil {
		for _, c := range f.OIDC.Calls() {
			counts["oidc."+c.Op]++
		}
		for _, c := range f.Federation.Calls() {
			counts["federation."+c.Action]++
		}
		for _, c := range f.Signin.Calls() {
			counts["signin."+c.Op]++
		}
	}
	var names []string
	for a := range counts {
		names = append(names, a)
	}
	sort.Strings(names)
	for _, a := range names {
		fmt.Printf("%s=%d\n", a, counts[a])
	}
}

// command runs one stdin command and returns its answer.
func command(f *fakeaws.Fakes, args []string) string {
	onOff := func(v string) (bool, error) {
		switch v {
		case "on":
			return true, nil
		case "off":
			return false, nil
		}
		return false, fmt.Errorf("want on or off, got %q", v)
	}
	arg := func(i int) string {
		if i < len(args) {
			return args[i]
		}
		return ""
	}
	var err error
	switch args[0] {
	case "approve":
		err = f.OIDC.ApproveDevice(arg(1))
	case "deny":
		err = f.OIDC.DenyDevice(arg(1))
	case "user-codes":
		var out []string
		for _, c := range f.OIDC.UserCodes() {
			out = append(out, "user-code "+c)
		}
		return strings.Join(append(out, "ok"), "\n")
	case "decision":
		switch d := fakeaws.Decision(arg(1)); d {
		case fakeaws.Allow, fakeaws.Deny, fakeaws.WrongState:
			f.OIDC.SetDecision(d)
			f.Signin.SetDecision(d)
		default:
			err = fmt.Errorf("unknown decision %q", arg(1))
		}
	case "user-code-in-url":
		var on bool
		if on, err = onOff(arg(1)); err == nil {
			f.OIDC.SetUserCodeInURL(on)
		}
	case "refresh-rotation":
		var on bool
		if on, err = onOff(arg(1)); err == nil {
			f.OIDC.SetRefreshRotation(on)
		}
	case "expire-registrations":
		f.OIDC.ExpireRegistrations()
	case "expire-access-tokens":
		f.OIDC.ExpireAccessTokens()
	case "end-sessions":
		f.OIDC.EndSessions()
		f.Signin.EndSessions()
	case "throttle":
		var n int
		if n, err = strconv.Atoi(arg(1)); err == nil {
			f.STS.Portal().Throttle(n)
		}
	case "add-user":
		if len(args) != 4 {
			err = fmt.Errorf("usage: add-user ARN ACCESS_KEY_ID SECRET")
		} else {
			f.STS.AddUser(args[1], args[2], args[3])
		}
	case "refuse-federation":
		r, ok := map[string]fakeaws.FederationRefusal{"none": fakeaws.FederationAllowed,
			"denied": fakeaws.FederationDenied, "mfa": fakeaws.FederationMFARequired}[arg(1)]
		if !ok {
			err = fmt.Errorf("want none, denied or mfa")
		} else {
			f.STS.RefuseFederation(r)
		}
	case "fail":
		f.STS.Fail(arg(1))
	default:
		err = fmt.Errorf("unknown command %q", args[0])
	}
	if err != nil {
		return "error: " + err.Error()
	}
	return "ok"
}
