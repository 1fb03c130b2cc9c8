package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials/ec2rolecreds"
	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
)

// waitFor waits until buf holds s.
func waitIn(t *testing.T, buf *syncBuffer, s string) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); !strings.Contains(buf.String(), s); {
		if time.Now().After(deadline) {
			t.Fatalf("no %q in:\n%s", s, buf.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestServeUnderDaemon is issue 14 §1: serve under a running daemon adds
// its servers to the daemon, which the Go SDK then reads; status,
// activity and revoke go through the daemon; Ctrl-C removes them.
func TestServeUnderDaemon(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var dstderr syncBuffer
	dctx, dcancel := context.WithCancel(context.Background())
	defer dcancel()
	ddone := make(chan int, 1)
	go func() {
		ddone <- run(dctx, []string{"daemon"}, f.proc(strings.NewReader(""), io.Discard, &dstderr, []string{"AWS_PROFILE=static"}))
	}()
	waitIn(t, &dstderr, "daemon listening on ")

	var serr syncBuffer
	sctx, scancel := context.WithCancel(context.Background())
	defer scancel()
	sdone := make(chan int, 1)
	go func() {
		sdone <- run(sctx, []string{"serve", "--imds", "0=static", "--imds", "0=@active", "--ecs", "0", "--ecs-consumer", "api=role"},
			f.proc(strings.NewReader(""), io.Discard, &serr, nil))
	}()
	waitIn(t, &serr, "Ctrl-C removes")
	out := serr.String()
	imdsURL := regexp.MustCompile(`serves profile "static" as EC2 instance metadata at (\S+) \(server imds-static\)`).FindStringSubmatch(out)
	follow := regexp.MustCompile(`serves profile @active \(now static\) as EC2 instance metadata at (\S+) \(server imds-active\)`).FindStringSubmatch(out)
	cons := regexp.MustCompile(`consumer "api" of the awsxc daemon reads profile "role" at (\S+); its token is in (\S+)`).FindStringSubmatch(out)
	if imdsURL == nil || follow == nil || cons == nil || !strings.Contains(out, "export AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="+cons[2]) {
		t.Fatalf("serve's output:\n%s", out)
	}
	if filepath.Dir(cons[2]) != filepath.Join(f.runDir, "awsxc", "tokens") {
		t.Errorf("token file %s; want the daemon's token folder", cons[2])
	}

	ctx := context.Background()
	ip := ec2rolecreds.New(func(o *ec2rolecreds.Options) {
		o.Client = imds.New(imds.Options{Endpoint: imdsURL[1], ClientEnableState: imds.ClientEnabled})
	})
	if c, err := ip.Retrieve(ctx); err != nil || c.AccessKeyID == "" {
		t.Errorf("IMDS through the daemon: %+v %v", c, err)
	}
	ecs := func() error {
		p := endpointcreds.New(cons[1], func(o *endpointcreds.Options) {
			o.AuthorizationTokenProvider = endpointcreds.TokenProviderFunc(func() (string, error) {
				b, err := os.ReadFile(cons[2])
				return string(b), err
			})
		})
		_, err := p.Retrieve(ctx)
		return err
	}
	if err := ecs(); err != nil {
		t.Errorf("ECS consumer through the daemon: %v", err)
	}
	tok, _ := os.ReadFile(cons[2])

	r := f.run(t, "", nil, "status")
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^server +imds-static http://127\.0\.0\.1:\d+/ \(profile static\)$`),
		regexp.MustCompile(`(?m)^server +imds-active http://127\.0\.0\.1:\d+/ \(follows active: static\)$`),
		regexp.MustCompile(`(?m)^consumer +api on http://127\.0\.0\.1:\d+/ \(profile role\)$`),
	} {
		if !want.MatchString(r.stdout) {
			t.Errorf("status does not match %s:\n%s", want, r.stdout)
		}
	}
	r = f.run(t, "", nil, "activity", "--json")
	if r.code != 0 || !strings.Contains(r.stdout, `"server":"imds-static"`) || !strings.Contains(r.stdout, `"user_agent":"aws-sdk-go-v2/`) ||
		!strings.Contains(r.stdout, `"consumer":"api"`) || strings.Contains(r.stdout, string(tok)) {
		t.Errorf("activity --json: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = f.run(t, "", nil, "activity")
	if r.code != 0 || !regexp.MustCompile(`(?m) imds-static → static served ASIA…\w{4} to 127\.0\.0\.1:\d+ "aws-sdk-go-v2/`).MatchString(r.stdout) {
		t.Errorf("activity: %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	if r := f.run(t, "", nil, "revoke", "api"); r.code != 0 || r.stderr != "awsxc-cli: consumer \"api\" revoked\n" {
		t.Errorf("revoke: %d %q", r.code, r.stderr)
	}
	if os.WriteFile(filepath.Join(f.home, "tok"), tok, 0o600); ecs() == nil {
		t.Error("the revoked consumer still reads credentials")
	}
	if r := f.run(t, "", nil, "revoke", "api"); r.code != 2 || !strings.Contains(r.stderr, `no consumer "api"`) {
		t.Errorf("revoke again: %d %q", r.code, r.stderr)
	}
	if r := f.run(t, "", nil, "revoke", "imds-static"); r.code != 2 || !strings.Contains(r.stderr, "not a consumer") {
		t.Errorf("revoke of a server: %d %q", r.code, r.stderr)
	}

	scancel()
	if code := <-sdone; code != 0 {
		t.Errorf("serve exit %d:\n%s", code, serr.String())
	}
	if c, err := ip.Retrieve(ctx); err == nil {
		t.Errorf("the IMDS server is still there after serve ended: %+v", c)
	}
	if r := f.run(t, "", nil, "status"); strings.Contains(r.stdout, "imds-") {
		t.Errorf("status after serve ended:\n%s", r.stdout)
	}

	// --keep leaves them; --no-daemon refuses @active.
	r = f.run(t, "", nil, "serve", "--keep", "--imds", "0=role")
	if r.code != 0 || !strings.Contains(r.stderr, "stay in the awsxc daemon") {
		t.Errorf("serve --keep: %d %s", r.code, r.stderr)
	}
	if r := f.run(t, "", nil, "status"); !strings.Contains(r.stdout, "imds-role") {
		t.Errorf("status after --keep:\n%s", r.stdout)
	}
	if r := f.run(t, "", nil, "serve", "--no-daemon", "--imds", "0=@active"); r.code != 2 || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("--no-daemon @active: %d %q", r.code, r.stderr)
	}
	if r := f.run(t, "", nil, "serve", "--token-dir", f.home, "--ecs", "0", "--ecs-consumer", "x=role"); r.code != 2 || !strings.Contains(r.stderr, "--no-daemon") {
		t.Errorf("--token-dir under the daemon: %d %q", r.code, r.stderr)
	}
	dcancel()
	if code := <-ddone; code != 0 {
		t.Errorf("daemon exit %d:\n%s", code, dstderr.String())
	}
}

// TestDaemonCommandsWithoutDaemon: revoke and activity need the daemon;
// without one, one line and exit 1.
func TestDaemonCommandsWithoutDaemon(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, args := range [][]string{{"revoke", "api"}, {"activity"}, {"activity", "--json", "--follow"}} {
		r := f.run(t, "", nil, args...)
		if r.code != 1 || r.stdout != "" || r.stderr != "awsxc-cli: error: "+errNoDaemon.Error()+"\n" {
			t.Errorf("%v: %d %q %q", args, r.code, r.stdout, r.stderr)
		}
	}
	if r := f.run(t, "", nil, "serve", "--imds", "0=@active"); r.code != 2 || !strings.Contains(r.stderr, "needs the awsxc daemon, which is not running") {
		t.Errorf("@active without a daemon: %d %q", r.code, r.stderr)
	}
	for _, cmd := range []string{"revoke", "activity", "serve"} {
		r := f.run(t, "", nil, cmd, "--help")
		golden(t, filepath.Join("cli", "help_"+cmd+".stdout"), r.stdout)
	}
}
