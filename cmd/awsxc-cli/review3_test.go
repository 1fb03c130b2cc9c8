package main

// Review 3's findings on the CLI's side of the daemon's pinned servers,
// each against a real daemon (awsxc-cli daemon, in this process) over its
// real socket, with the Go SDK as the servers' client.

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials/ec2rolecreds"
	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
)

// inProcDaemon runs awsxc-cli daemon in this process for f until the
// test ends; stop ends it and returns its exit.
type inProcDaemon struct {
	stderr syncBuffer
	cancel context.CancelFunc
	done   chan int
}

func startInProcDaemon(t *testing.T, f *fixture) *inProcDaemon {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	d := &inProcDaemon{cancel: cancel, done: make(chan int, 1)}
	go func() {
		d.done <- run(ctx, []string{"daemon"}, f.proc(strings.NewReader(""), io.Discard, &d.stderr, []string{"AWS_PROFILE=static"}))
	}()
	t.Cleanup(func() { d.stop() })
	waitIn(t, &d.stderr, "daemon listening on ")
	return d
}

func (d *inProcDaemon) stop() int {
	d.cancel()
	code, ok := <-d.done
	if !ok {
		return 0
	}
	close(d.done)
	return code
}

var tokenInRe = regexp.MustCompile(`consumer "([^"]+)" of the awsxc daemon reads profile "[^"]+" at (\S+); its token is in (\S+)`)

// fetchECS fetches once from a consumer with the Go SDK.
func fetchECS(url, file string) error {
	p := endpointcreds.New(url, func(o *endpointcreds.Options) {
		o.AuthorizationTokenProvider = endpointcreds.TokenProviderFunc(func() (string, error) {
			b, err := os.ReadFile(file)
			return string(b), err
		})
	})
	_, err := p.Retrieve(context.Background())
	return err
}

// TestReview3ActivityFull is review 3, M2 and L5: with the daemon's whole
// buffer (512 records, well over the 64 KiB one answer may hold) activity
// prints every record, the newest last; --follow says so when the daemon
// stops.
func TestReview3ActivityFull(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	d := startInProcDaemon(t, f)
	r := f.run(t, "", nil, "serve", "--keep", "--ecs", "0", "--ecs-consumer", "api=static")
	m := tokenInRe.FindStringSubmatch(r.stderr)
	if r.code != 0 || m == nil {
		t.Fatalf("serve --keep: %d\n%s", r.code, r.stderr)
	}
	url, file := m[2], m[3]
	for i := 0; i < 520; i++ {
		if err := fetchECS(url, file); err != nil {
			t.Fatal(err)
		}
	}
	tok, _ := os.ReadFile(file)
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", string(tok))
	req.Header.Set("User-Agent", "newest-fetch/1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("the last fetch: %v %v", resp, err)
	}
	resp.Body.Close()

	for _, args := range [][]string{{"activity"}, {"activity", "--json"}} {
		r := f.run(t, "", nil, args...)
		lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
		if r.code != 0 || r.stderr != "" || len(lines) != 512 || !strings.Contains(lines[len(lines)-1], "newest-fetch/1") {
			t.Errorf("%v: exit %d, %d lines (%d bytes), the last %q; stderr %q", args, r.code, len(lines), len(r.stdout), lines[len(lines)-1], r.stderr)
		}
	}

	var out, errb syncBuffer
	followed := make(chan int, 1)
	go func() {
		followed <- run(context.Background(), []string{"activity", "--follow"}, f.proc(strings.NewReader(""), &out, &errb, nil))
	}()
	waitIn(t, &out, "newest-fetch/1")
	if code := d.stop(); code != 0 {
		t.Errorf("daemon exit %d:\n%s", code, d.stderr.String())
	}
	if code := <-followed; code != 1 || errb.String() != "awsxc-cli: error: the awsxc daemon stopped\n" {
		t.Errorf("activity --follow when the daemon stops: exit %d, stderr %q", code, errb.String())
	}
}

// TestReview3ManyServers is review 3, M2 (the servers list of a daemon
// with a hundred consumers, more than 64 KiB, is read), M5 (what the
// daemon's servers cannot do is said so; a port is never ignored; its
// Host refusal names no flag it lacks) and L2 (an unknown profile keeps
// its kind: exit 3, the CLI's words).
func TestReview3ManyServers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	startInProcDaemon(t, f)

	// No ECS listener yet: a port given is refused, not ignored.
	if r := f.run(t, "", nil, "serve", "--keep", "--ecs", "9940", "--ecs-consumer", "a=static"); r.code != 2 || !strings.Contains(r.stderr, "give port 0, or leave --ecs out") {
		t.Errorf("--ecs 9940 without a daemon listener: %d %q", r.code, r.stderr)
	}
	if r := f.run(t, "", nil, "serve", "--keep", "--imds", "0=static", "--allow-host", "box.example"); r.code != 2 ||
		r.stderr != "awsxc-cli: error: --docker-bridge, --allow-host and --imds-v1 are not available for the awsxc daemon's servers: add --no-daemon to serve from this process\n" {
		t.Errorf("--allow-host under the daemon: %d %q", r.code, r.stderr)
	}
	if r := f.run(t, "", nil, "serve", "--keep", "--imds", "0=nosuch"); r.code != 3 || strings.Count(r.stderr, "\n") != 1 ||
		!strings.Contains(r.stderr, `profile "nosuch"`) || !strings.Contains(r.stderr, "check the name with awsxc-cli profiles") {
		t.Errorf("an unknown profile under the daemon: %d %q", r.code, r.stderr)
	}

	args := []string{"serve", "--keep", "--ecs", "0"}
	for i := range 100 {
		args = append(args, "--ecs-consumer", "c"+strconv.Itoa(i)+"=static")
	}
	if r := f.run(t, "", nil, args...); r.code != 0 {
		t.Fatalf("100 consumers: %d\n%s", r.code, r.stderr)
	}
	r := f.run(t, "", nil, "serve", "--keep", "--ecs", "0", "--ecs-consumer", "last=static")
	m := tokenInRe.FindStringSubmatch(r.stderr)
	if r.code != 0 || m == nil || !strings.Contains(r.stderr, "stay in the awsxc daemon") {
		t.Fatalf("serve with 101 servers in the daemon: %d\n%s", r.code, r.stderr)
	}
	// --ecs-consumer alone: the daemon's listener.
	if r := f.run(t, "", nil, "serve", "--keep", "--ecs-consumer", "alone=static"); r.code != 0 || !strings.Contains(r.stderr, `consumer "alone" of the awsxc daemon`) {
		t.Errorf("--ecs-consumer without --ecs under the daemon: %d\n%s", r.code, r.stderr)
	}
	if err := fetchECS(m[2], m[3]); err != nil {
		t.Error(err)
	}
	if r := f.run(t, "", nil, "status"); r.code != 0 || !strings.Contains(r.stdout, "consumer  last on ") {
		t.Errorf("status: %d\n%s", r.code, r.stdout)
	}
	req, _ := http.NewRequest(http.MethodGet, m[2], nil)
	req.Host = "evil.example"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || strings.Contains(string(body), "add it with --allow-host") || !strings.Contains(string(body), "127.0.0.1") {
		t.Errorf("the daemon's Host refusal: %d %s", resp.StatusCode, body)
	}
}

// TestReview3NotSaved is review 3, M1 (the CLI's side) and L1: with
// settings.json in error, revoke and serve --keep do what they can for
// this run, and exit 1 saying it was not saved.
func TestReview3NotSaved(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	startInProcDaemon(t, f)
	if r := f.run(t, "", nil, "serve", "--keep", "--ecs", "0", "--ecs-consumer", "zombie=static"); r.code != 0 {
		t.Fatalf("serve --keep: %d\n%s", r.code, r.stderr)
	}
	path := filepath.Join(f.home, ".config", "awsxc", "settings.json")
	if err := os.WriteFile(path, []byte("{ broken"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := f.run(t, "", nil, "revoke", "zombie")
	if r.code == 0 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "not saved") {
		t.Errorf("revoke with settings in error: %d %q", r.code, r.stderr)
	}
	r = f.run(t, "", nil, "serve", "--keep", "--imds", "0=static")
	if r.code != 1 || strings.Contains(r.stderr, "(saved in its settings)") || !strings.Contains(r.stderr, "not saved") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("serve --keep with settings in error: %d\n%s", r.code, r.stderr)
	}
}

// TestReview3ServeOwnTokens is review 3, M3: serve --no-daemon keeps its
// tokens apart from the daemon's, so a name both use never shares a
// token across two profiles; the daemon's folder is refused.
func TestReview3ServeOwnTokens(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	startInProcDaemon(t, f)
	r := f.run(t, "", nil, "serve", "--keep", "--ecs", "0", "--ecs-consumer", "web=role")
	m := tokenInRe.FindStringSubmatch(r.stderr)
	if r.code != 0 || m == nil {
		t.Fatalf("serve --keep: %d\n%s", r.code, r.stderr)
	}
	daemonFile := m[3]
	daemonTok, _ := os.ReadFile(daemonFile)

	serve := func() (string, string) {
		t.Helper()
		var errb syncBuffer
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		done := make(chan int, 1)
		go func() {
			done <- run(ctx, []string{"serve", "--no-daemon", "--ecs", "0", "--ecs-consumer", "web=static"}, f.proc(strings.NewReader(""), io.Discard, &errb, nil))
		}()
		waitIn(t, &errb, "Ctrl-C stops")
		m := regexp.MustCompile(`consumer "web" reads profile "static"; its token is in (\S+)`).FindStringSubmatch(errb.String())
		url := regexp.MustCompile(`listener at (\S+) `).FindStringSubmatch(errb.String())
		if m == nil || url == nil {
			t.Fatalf("serve --no-daemon:\n%s", errb.String())
		}
		if err := fetchECS(url[1], m[1]); err != nil {
			t.Error(err)
		}
		tok, _ := os.ReadFile(m[1])
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exit %d:\n%s", code, errb.String())
		}
		return m[1], string(tok)
	}
	file, tok := serve()
	if filepath.Dir(file) != filepath.Join(f.runDir, "awsxc", "serve-tokens") || tok == string(daemonTok) {
		t.Errorf("serve --no-daemon's token %s is the daemon's %s, or in its folder", file, daemonFile)
	}
	if now, _ := os.ReadFile(daemonFile); string(now) != string(daemonTok) {
		t.Error("serve --no-daemon rewrote the daemon's token file")
	}
	if file2, tok2 := serve(); file2 != file || tok2 != tok {
		t.Errorf("a second serve of the same consumer and profile did not keep its token")
	}
	// A token written for another profile is not kept.
	os.WriteFile(filepath.Join(filepath.Dir(file), "web.profile"), []byte("role"), 0o600)
	if _, tok3 := serve(); tok3 == tok {
		t.Error("a token written for profile role was kept for static")
	}
	r = f.run(t, "", nil, "serve", "--no-daemon", "--token-dir", filepath.Dir(daemonFile), "--ecs", "0", "--ecs-consumer", "x=static")
	if r.code != 2 || !strings.Contains(r.stderr, "is the awsxc daemon's token folder") {
		t.Errorf("--token-dir of the daemon's: %d %q", r.code, r.stderr)
	}
}

// TestReview3AuditErrorInStatus is review 3, L3: an audit log that
// cannot be written shows in the text status.
func TestReview3AuditErrorInStatus(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	dir := filepath.Join(f.home, ".config", "awsxc")
	os.MkdirAll(dir, 0o700)
	audit := filepath.Join(f.home, "nosuch", "audit.jsonl")
	if err := os.WriteFile(filepath.Join(dir, "settings.json"), []byte(fmt.Sprintf(`{"audit_log": %q}`, audit)), 0o600); err != nil {
		t.Fatal(err)
	}
	startInProcDaemon(t, f)
	r := f.run(t, "", nil, "status")
	if r.code != 0 || !regexp.MustCompile(`(?m)^audit +error: .*nosuch`).MatchString(r.stdout) {
		t.Errorf("status: %d\n%s", r.code, r.stdout)
	}
}

// TestIssue14DockerEnvUnderDaemon is issue 14 §2: under a running daemon
// docker-env uses the daemon's pinned server for the profile, or adds
// one, against the recorded outputs of the engines' CLIs; where the
// daemon's loopback servers cannot serve the engine it proposes serve
// --no-daemon.
func TestIssue14DockerEnvUnderDaemon(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	startInProcDaemon(t, f)
	desktop := fakeDocker(t, map[string]string{"info -f": "docker-desktop-macos_info-format-json.partial.txt"})
	engineLinux := fakeDocker(t, map[string]string{
		"context inspect":        "local_docker-28.2.2_context-inspect-default.txt",
		"info -f":                "docker-engine-linux_info-format-json.txt",
		"network inspect bridge": "docker-engine-linux_network-inspect-bridge.txt",
	})
	stdoutRe := regexp.MustCompile(`^-e AWS_EC2_METADATA_SERVICE_ENDPOINT=http://host\.docker\.internal:(\d+)/\n$`)

	r := f.run(t, "", []string{"PATH=" + desktop}, "docker-env", "--profile", "static")
	m := stdoutRe.FindStringSubmatch(r.stdout)
	if r.code != 0 || m == nil || !strings.Contains(r.stderr, "added server imds-static of the awsxc daemon") || strings.Contains(r.stderr, "awsxc-cli serve") {
		t.Fatalf("docker-env under the daemon: %d %q\n%s", r.code, r.stdout, r.stderr)
	}
	ip := ec2rolecreds.New(func(o *ec2rolecreds.Options) {
		o.Client = imds.New(imds.Options{Endpoint: "http://127.0.0.1:" + m[1] + "/", ClientEnableState: imds.ClientEnabled})
	})
	if c, err := ip.Retrieve(context.Background()); err != nil || c.AccessKeyID == "" {
		t.Errorf("the daemon's server: %+v %v", c, err)
	}
	if r2 := f.run(t, "", []string{"PATH=" + desktop}, "docker-env", "--profile", "static", "--compose"); r2.code != 0 ||
		!strings.Contains(r2.stderr, "uses server imds-static") || !strings.Contains(r2.stdout, "host.docker.internal:"+m[1]+"/") {
		t.Errorf("docker-env again: %d %q\n%s", r2.code, r2.stdout, r2.stderr)
	}
	if st := f.run(t, "", nil, "status"); len(regexp.MustCompile(`(?m)^server +imds-static `).FindAllString(st.stdout, -1)) != 1 {
		t.Errorf("status after two docker-env:\n%s", st.stdout)
	}

	// Docker Engine: --ecs is the daemon's consumer on loopback (host
	// network); IMDS needs the bridge, which serve --no-daemon gives.
	r = f.run(t, "", []string{"PATH=" + engineLinux}, "docker-env", "--profile", "role", "--ecs")
	tokenFile := filepath.Join(f.runDir, "awsxc", "tokens", "role.token")
	ecsRe := regexp.MustCompile(`^--network=host --mount type=bind,src=` + regexp.QuoteMeta(tokenFile) + `,dst=/run/secrets/awsxc/token,readonly -e AWS_CONTAINER_CREDENTIALS_FULL_URI=(http://127\.0\.0\.1:\d+/) -e AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=/run/secrets/awsxc/token\n$`)
	e := ecsRe.FindStringSubmatch(r.stdout)
	if r.code != 0 || e == nil || !strings.Contains(r.stderr, `added consumer "role" of the awsxc daemon`) {
		t.Fatalf("docker-env --ecs under the daemon: %d %q\n%s", r.code, r.stdout, r.stderr)
	}
	if err := fetchECS(e[1], tokenFile); err != nil {
		t.Errorf("the daemon's consumer: %v", err)
	}
	r = f.run(t, "", []string{"PATH=" + engineLinux}, "docker-env", "--profile", "role")
	if r.code != 0 || !strings.Contains(r.stderr, "not using the awsxc daemon's servers: the container reaches this machine at 172.17.0.1") ||
		!regexp.MustCompile(`serve --no-daemon --imds 127\.0\.0\.1:\d+=role --docker-bridge 172\.17\.0\.1\n`).MatchString(r.stderr) {
		t.Errorf("docker-env for Docker Engine's bridge under the daemon: %d %q\n%s", r.code, r.stdout, r.stderr)
	}
}
