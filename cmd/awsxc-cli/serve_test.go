package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// serving is an awsxc-cli that serves, in this process or as the built
// binary, until stop is called.
type serving struct {
	stderr func() string // all of it so far
	stop   func() (code int, stdout, stderr string)
}

// startServe runs awsxc-cli with args until its start-up text ends
// ("Ctrl-C stops") or it exits, whichever comes first.
func startServe(t *testing.T, f *fixture, binaryRun bool, args ...string) serving {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	t.Cleanup(cancel)
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	if binaryRun {
		cmd := exec.CommandContext(ctx, binary, args...)
		cmd.Env, cmd.Dir = f.env(), f.home
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { cmd.Wait(); done <- cmd.ProcessState.ExitCode() }()
		cancel = func() { cmd.Process.Signal(syscall.SIGTERM) }
	} else {
		go func() { done <- run(ctx, args, f.proc(strings.NewReader(""), &stdout, &stderr, nil)) }()
	}
	var code int
	exited := false
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(stderr.String(), "Ctrl-C stops\n") && !exited {
		select {
		case code = <-done:
			exited = true
		case <-time.After(5 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("%q: no start-up text in 30 s; stderr:\n%s", args, stderr.String())
		}
	}
	return serving{
		stderr: stderr.String,
		stop: func() (int, string, string) {
			if !exited {
				cancel()
				code = <-done
				exited = true
			}
			return code, stdout.String(), stderr.String()
		},
	}
}

// TestIssue10ServeErrors: a server that cannot start is one error line
// and nothing else on stderr, nothing on stdout, with the documented
// exit code: 4 when it cannot listen (a port in use), 3 when the first
// fetch fails (it was reported as a failed refresh first), 2 for an
// address beyond loopback without --allow-remote and for an ECS token
// that no client could send. In process and as the built binary.
func TestIssue10ServeErrors(t *testing.T) {
	t.Parallel()
	taken, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { taken.Close() }) // the subtests run after this function returns
	port := strconv.Itoa(taken.Addr().(*net.TCPAddr).Port)
	for _, tc := range []struct {
		name    string
		args    []string
		stsDown bool
		code    int
		stderr  string // the one line, a regexp
	}{
		{"port_in_use", []string{"--profile", "static", "--imds", port}, false, 4,
			`^awsxc-cli: error: --imds: listen on 127\.0\.0\.1:` + port + `: bind: address already in use\n$`},
		{"second_port_in_use", []string{"--profile", "static", "--imds", "0", "--container", "127.0.0.1:" + port}, false, 4,
			`^awsxc-cli: error: --container: listen on 127\.0\.0\.1:` + port + `: bind: address already in use\n$`},
		{"first_fetch_fails", []string{"--profile", "role", "--imds", "0"}, true, 3,
			`^awsxc-cli: error: profile "role": cannot get credentials: .*AccessDenied.*\n$`},
		{"wildcard", []string{"--profile", "static", "--imds", "0.0.0.0:0"}, false, 2,
			`^awsxc-cli: error: argument --imds: listen on 0\.0\.0\.0:0: not a loopback address: any machine that can reach it could read the credentials; add --allow-remote to allow it\n$`},
		{"ipv6_wildcard", []string{"--profile", "static", "--container", "[::]:9"}, false, 2,
			`^awsxc-cli: error: argument --container: listen on \[::\]:9: not a loopback address`},
		{"lan_address", []string{"--profile", "static", "--imds", "192.0.2.2:0", "--container", "0"}, false, 2,
			`^awsxc-cli: error: argument --imds: listen on 192\.0\.2\.2:0: not a loopback address`},
		{"short_token", []string{"--profile", "static", "--container", "0", "0123456789abcde"}, false, 2,
			`^awsxc-cli: error: argument --container: invalid ECS token: 15 characters, want at least 16\n$`},
		{"token_with_space", []string{"--profile", "static", "--container", "0", " 0123456789abcdef"}, false, 2,
			`^awsxc-cli: error: argument --container: invalid ECS token: it holds a space \(at byte 1\); use visible ASCII only\n$`},
		{"token_with_escape", []string{"--profile", "static", "--container", "0", "0123456789abcdef\x1b"}, false, 2,
			`^awsxc-cli: error: argument --container: invalid ECS token: it holds a control character \(at byte 17\)`},
		{"allow_remote_alone", []string{"--profile", "static", "--allow-remote"}, false, 2,
			`^awsxc-cli: error: --allow-remote only applies to --imds and --container \(see awsxc-cli --help\)\n$`},
		// awsxc-cli serve: the same rules.
		{"serve_port_in_use", []string{"serve", "--imds", port + "=static"}, false, 4,
			`^awsxc-cli: error: imds-static: listen on 127\.0\.0\.1:` + port + `: bind: address already in use\n$`},
		{"serve_second_port_in_use", []string{"serve", "--imds", "0=static", "--imds", "127.0.0.1:" + port + "=session"}, false, 4,
			`^awsxc-cli: error: imds-session: listen on 127\.0\.0\.1:` + port + `: bind: address already in use\n$`},
		{"serve_first_fetch_fails", []string{"serve", "--imds", "0=role"}, true, 3,
			`^awsxc-cli: error: profile "role": cannot get credentials: .*AccessDenied.*\n$`},
		{"serve_wildcard", []string{"serve", "--imds", "0.0.0.0:0=static"}, false, 2,
			`^awsxc-cli: error: argument --imds: listen on 0\.0\.0\.0:0: not a loopback address: any machine that can reach it could read the credentials; add --allow-remote to allow it \(see awsxc-cli serve --help\)\n$`},
		{"serve_ecs_lan", []string{"serve", "--ecs", "192.0.2.2:0", "--ecs-consumer", "api=static"}, false, 2,
			`^awsxc-cli: error: argument --ecs: listen on 192\.0\.2\.2:0: not a loopback address`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, binaryRun := range []bool{false, true} {
				f := newFixture(t)
				if tc.stsDown {
					f.sts.Fail("AccessDenied")
				}
				code, stdout, stderr := startServe(t, f, binaryRun, tc.args...).stop()
				if code != tc.code || stdout != "" || !regexp.MustCompile(tc.stderr).MatchString(stderr) || strings.Count(stderr, "\n") != 1 {
					t.Errorf("binary %v: exit %d, stdout %q, stderr %q; want exit %d, one line matching %q",
						binaryRun, code, stdout, stderr, tc.code, tc.stderr)
				}
			}
		})
	}
}

// TestIssue10AllowRemote: with --allow-remote a wildcard bind serves,
// names every IPv4 address of this machine it listens on in a warning,
// and answers on one of them (not loopback). In process and as the
// built binary.
func TestIssue10AllowRemote(t *testing.T) {
	t.Parallel()
	var lan string
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() && !n.IP.IsLinkLocalUnicast() {
			lan = n.IP.String()
			break
		}
	}
	if lan == "" {
		t.Fatal("this machine has no IPv4 address beyond loopback")
	}
	for _, binaryRun := range []bool{false, true} {
		f := newFixture(t)
		s := startServe(t, f, binaryRun, "--profile", "static", "--imds", "0.0.0.0:0", "--container", "0.0.0.0:0", "--allow-remote")
		log := s.stderr()
		m := regexp.MustCompile(`(?m)^awsxc-cli: warning: the IMDS server listens beyond this machine, on every IPv4 interface \(0\.0\.0\.0:(\d+): ([^)]*)\): ` +
			`anyone who can reach it can read the credentials \(IMDS has no token, and the Host check does not stop a client on the network\)$`).FindStringSubmatch(log)
		if m == nil || !strings.Contains(m[2], lan) {
			t.Fatalf("binary %v: no warning naming %s; stderr:\n%s", binaryRun, lan, log)
		}
		if !regexp.MustCompile(`(?m)^awsxc-cli: warning: the container server listens beyond this machine, on every IPv4 interface \(0\.0\.0\.0:\d+: [^)]*\): ` +
			`anyone who can reach it with the token can read the credentials, and the token crosses the network in clear text$`).MatchString(log) {
			t.Errorf("binary %v: no warning for the container server; stderr:\n%s", binaryRun, log)
		}
		// The local URL is loopback's; the network's address answers too.
		if !strings.Contains(log, "(IMDSv2) at http://127.0.0.1:"+m[1]+"/\n") {
			t.Errorf("binary %v: the IMDS URL is not this machine's loopback:\n%s", binaryRun, log)
		}
		req, _ := http.NewRequest("PUT", "http://"+net.JoinHostPort(lan, m[1])+"/latest/api/token", nil)
		req.Header.Set("X-Aws-Ec2-Metadata-Token-Ttl-Seconds", "60")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("binary %v: IMDS at %s: %v", binaryRun, lan, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("binary %v: token at %s: %d", binaryRun, lan, resp.StatusCode)
		}
		if code, stdout, stderr := s.stop(); code != 0 || stdout != "" || secretRe.MatchString(stderr) {
			t.Errorf("binary %v: exit %d, stdout %q, stderr:\n%s", binaryRun, code, stdout, stderr)
		}
	}
	// awsxc-cli serve warns the same way.
	s := startServe(t, newFixture(t), false, "serve", "--imds", "0.0.0.0:0=static", "--allow-remote")
	if !regexp.MustCompile(`(?m)^awsxc-cli: warning: imds-static listens beyond this machine, on every IPv4 interface \(0\.0\.0\.0:\d+: [^)]*` +
		regexp.QuoteMeta(lan) + `[^)]*\): anyone who can reach it can read the credentials$`).MatchString(s.stderr()) {
		t.Errorf("serve --allow-remote: no warning; stderr:\n%s", s.stderr())
	}
	if code, _, stderr := s.stop(); code != 0 {
		t.Errorf("serve: exit %d: %s", code, stderr)
	}
}

// TestIssue10TokenNote: a TOKEN on the command line works, and one line
// says why a token file is better; without TOKEN nothing is said.
func TestIssue10TokenNote(t *testing.T) {
	t.Parallel()
	const note = "awsxc-cli: note: a TOKEN on the command line is visible to every user of this machine (ps); " +
		"leave it out for a random one, and hand it to clients with --container-token-file PATH\n"
	f := newFixture(t)
	s := startServe(t, f, false, "--profile", "static", "--container", "0", "0123456789abcdef")
	if log := s.stderr(); strings.Count(log, note) != 1 || !strings.Contains(log, "AWS_CONTAINER_AUTHORIZATION_TOKEN=0123456789abcdef\n") {
		t.Errorf("with TOKEN, stderr:\n%s", log)
	}
	s.stop()
	s = startServe(t, f, false, "--profile", "static", "--container", "0")
	if log := s.stderr(); strings.Contains(log, "note: a TOKEN") {
		t.Errorf("without TOKEN, stderr:\n%s", log)
	}
	s.stop()
	sc := bufio.NewScanner(strings.NewReader(s.stderr()))
	for sc.Scan() {
		if strings.Contains(sc.Text(), "warning") {
			t.Errorf("a loopback server warns: %s", sc.Text())
		}
	}
}
