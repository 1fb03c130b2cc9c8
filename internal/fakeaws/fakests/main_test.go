package main

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMain(m *testing.M) {
	if os.Getenv("FAKESTS_RUN_MAIN") == "1" {
		os.Args = append([]string{"fakests"}, strings.Fields(os.Getenv("FAKESTS_ARGS"))...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// start runs fakests (this test binary as main) with args.
func start(t *testing.T, args string) (*bufio.Scanner, io.WriteCloser) {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "FAKESTS_RUN_MAIN=1", "FAKESTS_ARGS="+args)
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close(); cmd.Wait() })
	return bufio.NewScanner(out), in
}

func TestFakestsDefault(t *testing.T) {
	out, in := start(t, "")
	if !out.Scan() || !strings.HasPrefix(out.Text(), "http://127.0.0.1:") {
		t.Fatalf("first line %q", out.Text())
	}
	url := out.Text()
	resp, err := http.Post(url, "application/x-www-form-urlencoded", strings.NewReader("Action=GetCallerIdentity"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	in.Close()
	var rest []string
	for out.Scan() {
		rest = append(rest, out.Text())
	}
	if diff := cmp.Diff([]string{"GetCallerIdentity=1"}, rest); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
}

func TestFakestsAll(t *testing.T) {
	out, in := start(t, "-all -accounts 3 -roles 2")
	env := map[string]string{}
	for out.Scan() && out.Text() != "ready" {
		if k, v, ok := strings.Cut(out.Text(), "="); ok {
			env[k] = v
		}
	}
	for _, k := range []string{"AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_SSO", "AWS_ENDPOINT_URL_SSO_OIDC", "AWS_ENDPOINT_URL_SIGNIN", "AWSXC_SIGNIN_URL"} {
		if !strings.HasPrefix(env[k], "http://127.0.0.1:") {
			t.Errorf("%s = %q", k, env[k])
		}
	}
	ask := func(cmd string) []string {
		io.WriteString(in, cmd+"\n")
		var got []string
		for out.Scan() {
			got = append(got, out.Text())
			if l := out.Text(); l == "ok" || strings.HasPrefix(l, "error: ") {
				break
			}
		}
		return got
	}
	for cmd, want := range map[string]string{"throttle 2": "ok", "user-codes": "ok", "decision deny": "ok",
		"approve NOPE-NOPE": `error: unknown user code "NOPE-NOPE"`, "bogus": `error: unknown command "bogus"`} {
		if got := ask(cmd); len(got) != 1 || got[0] != want {
			t.Errorf("%s: %q, want %q", cmd, got, want)
		}
	}
	resp, err := http.Post(env["AWS_ENDPOINT_URL_SSO_OIDC"]+"/client/register", "application/json",
		strings.NewReader(`{"clientName":"x","clientType":"public"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	in.Close()
	var rest []string
	for out.Scan() {
		rest = append(rest, out.Text())
	}
	if diff := cmp.Diff([]string{"oidc.RegisterClient=1"}, rest); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
}
