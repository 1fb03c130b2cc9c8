package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/awsxc/awsxc/engine/activity"
	"github.com/awsxc/awsxc/engine/server"
	"github.com/awsxc/awsxc/internal/exectest"
	"github.com/google/go-cmp/cmp"
)

// waitStderr waits until stderr's text satisfies ok, and returns it.
func waitStderr(t *testing.T, stderr *syncBuffer, what string, ok func(string) bool) string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !ok(stderr.String()) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; stderr:\n%s", what, stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	return stderr.String()
}

func fetchKey(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct{ AccessKeyId string }
	b, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(b, &body)
	return resp.StatusCode, body.AccessKeyId
}

func imdsFetch(t *testing.T, base string) string {
	t.Helper()
	req, _ := http.NewRequest("PUT", base+"latest/api/token", nil)
	req.Header.Set("X-Aws-Ec2-Metadata-Token-Ttl-Seconds", "60")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("IMDS token: %v %v", resp, err)
	}
	tok, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	get := func(path string) string {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("X-Aws-Ec2-Metadata-Token", string(tok))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	role := get("latest/meta-data/iam/security-credentials/")
	var doc struct{ AccessKeyId string }
	_ = json.Unmarshal([]byte(get("latest/meta-data/iam/security-credentials/"+role)), &doc)
	return doc.AccessKeyId
}

// TestServePinned: one serve process, two IMDS servers pinned to two
// profiles and an ECS listener with two consumers, each reading only its
// own profile through its token file; every fetch lands in the audit
// file, no token is printed, and the servers stop cleanly.
func TestServePinned(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var stdout, stderr syncBuffer
	p := f.proc(strings.NewReader(""), &stdout, &stderr, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--imds", "0=static", "--imds", "127.0.0.1:0=role",
			"--ecs", "0", "--ecs-consumer", "api=static", "--ecs-consumer", "ops=role",
			"--token-dir", "tokens", "--audit-log", "audit.jsonl"}, p)
	}()
	log := waitStderr(t, &stderr, "the servers", func(s string) bool { return strings.Contains(s, "Ctrl-C stops") })
	imdsRe := regexp.MustCompile(`serving profile "(\w+)" as EC2 instance metadata at (http://127\.0\.0\.1:\d+/)`)
	imdsURLs := map[string]string{}
	for _, m := range imdsRe.FindAllStringSubmatch(log, -1) {
		imdsURLs[m[1]] = m[2]
	}
	ecsURL := regexp.MustCompile(`container credentials listener at (http://127\.0\.0\.1:\d+/)`).FindStringSubmatch(log)
	if len(imdsURLs) != 2 || ecsURL == nil {
		t.Fatalf("servers not announced:\n%s", log)
	}
	static, role := imdsFetch(t, imdsURLs["static"]), imdsFetch(t, imdsURLs["role"])
	if !strings.HasPrefix(static, "ASIAFAKE") || !strings.HasPrefix(role, "ASIAFAKE") || static == role {
		t.Fatalf("IMDS keys %q and %q: want two profiles' own", static, role)
	}
	tokens := map[string]string{}
	for _, name := range []string{"api", "ops"} {
		path := filepath.Join(f.home, "tokens", name+".token")
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(path)
		if fi.Mode().Perm() != 0o600 || strings.ContainsAny(string(b), "\r\n") || server.ValidToken(string(b)) != nil {
			t.Errorf("%s: mode %v, token %q", path, fi.Mode().Perm(), b)
		}
		if !strings.Contains(log, "-v "+path+":/run/secrets/awsxc/token:ro") {
			t.Errorf("no docker mount of %s in:\n%s", path, log)
		}
		tokens[name] = string(b)
		if strings.Contains(log, tokens[name]) {
			t.Errorf("the %s token is printed", name)
		}
	}
	base := ecsURL[1]
	for _, tc := range []struct {
		path, tok string
		status    int
		key       string
	}{
		{"", tokens["api"], 200, static},
		{"v1/credentials", tokens["api"], 200, static},
		{"v1/credentials", tokens["ops"], 200, role},
		{"profiles/role", tokens["api"], 403, ""},
		{"profiles/static", tokens["ops"], 403, ""},
		{"", "", 401, ""},
	} {
		if status, key := fetchKey(t, base+tc.path, tc.tok); status != tc.status || key != tc.key {
			t.Errorf("%s: %d %q, want %d %q", tc.path, status, key, tc.status, tc.key)
		}
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	data, err := os.ReadFile(filepath.Join(f.home, "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for sc.Scan() {
		r, err := activity.ParseJSON(sc.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r.Server+" "+r.Consumer+" "+r.Profile+" "+string(r.Outcome))
	}
	want := []string{"imds-static  static served", "imds-role  role served", "ecs api static served", "ecs api static served",
		"ecs ops role served", "ecs api role forbidden", "ecs ops static forbidden", "ecs   no-token"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("audit records (-want +got):\n%s", diff)
	}
	for _, tok := range tokens {
		if strings.Contains(string(data), tok) {
			t.Error("a token in the audit file")
		}
	}
	if secretRe.MatchString(stderr.String()) {
		t.Errorf("stderr shows a secret:\n%s", stderr.String())
	}
	if stdout.String() != "" {
		t.Errorf("stdout %q", stdout.String())
	}

	// A second run keeps the tokens the containers have mounted.
	var stderr2 syncBuffer
	ctx2, cancel2 := context.WithCancel(context.Background())
	go func() {
		done <- run(ctx2, []string{"serve", "--ecs", "0", "--ecs-consumer", "api=static", "--token-dir", "tokens"},
			f.proc(strings.NewReader(""), &stdout, &stderr2, nil))
	}()
	waitStderr(t, &stderr2, "the second run", func(s string) bool { return strings.Contains(s, "Ctrl-C stops") })
	b, _ := os.ReadFile(filepath.Join(f.home, "tokens", "api.token"))
	cancel2()
	<-done
	if string(b) != tokens["api"] {
		t.Error("a restart replaced a valid token file")
	}
}

func TestServeUsage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, tc := range []struct {
		name   string
		args   []string
		stderr string
	}{
		{"nothing", []string{"serve"}, `nothing to serve`},
		{"active_without_daemon", []string{"serve", "--imds", "9931=@active"}, `@active follows the tray's active profile and needs the awsxc daemon, which is not running`},
		{"active_consumer", []string{"serve", "--ecs", "0", "--ecs-consumer", "a=@active", "--no-daemon"}, `needs the awsxc daemon`},
		{"no_profile", []string{"serve", "--imds", "9931"}, `argument --imds: want \[HOST:\]PORT=PROFILE, got "9931"`},
		{"empty_profile", []string{"serve", "--imds", "9931="}, `argument --imds: empty profile name`},
		{"bad_port", []string{"serve", "--imds", "99999=static"}, `argument --imds: invalid port`},
		{"same_port", []string{"serve", "--imds", "9931=static", "--imds", "127.0.0.1:9931=role"}, `port 9931 is given twice`},
		{"ecs_port_taken_by_imds", []string{"serve", "--imds", "9931=static", "--ecs", "9931", "--ecs-consumer", "a=static"}, `port 9931 is given twice`},
		{"ecs_twice", []string{"serve", "--ecs", "1", "--ecs", "2"}, `--ecs given twice`},
		{"ecs_without_consumer", []string{"serve", "--ecs", "0"}, `--ecs needs at least one --ecs-consumer`},
		{"consumer_without_ecs", []string{"serve", "--ecs-consumer", "a=static"}, `--ecs-consumer needs --ecs`},
		{"bad_consumer", []string{"serve", "--ecs", "0", "--ecs-consumer", "a/b=static"}, `invalid consumer name "a/b"`},
		{"consumer_twice", []string{"serve", "--ecs", "0", "--ecs-consumer", "a=static", "--ecs-consumer", "a=role"}, `consumer "a" is given twice`},
		{"token_dir_without_ecs", []string{"serve", "--imds", "0=static", "--token-dir", "x"}, `--token-dir only applies to --ecs`},
		{"bad_bridge", []string{"serve", "--imds", "0=static", "--docker-bridge", "docker0"}, `argument --docker-bridge`},
		{"argument", []string{"serve", "static"}, `serve takes no arguments`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := f.run(t, "", nil, tc.args...)
			if r.code != 2 || !regexp.MustCompile(tc.stderr).MatchString(r.stderr) || strings.Count(r.stderr, "\n") != 1 || r.stdout != "" {
				t.Errorf("exit %d, stderr %q; want 2 and %q", r.code, r.stderr, tc.stderr)
			}
		})
	}
	// A profile that does not exist fails before anything listens.
	if r := f.run(t, "", nil, "serve", "--imds", "0=nosuch"); r.code != 3 || !strings.Contains(r.stderr, `profile "nosuch": profile not found`) {
		t.Errorf("unknown profile: exit %d, %q", r.code, r.stderr)
	}
}

// TestServeTokenDirTrust: a --token-dir another user can write (a shared
// /tmp/tokens made by someone else) is a usage error, one line, and
// nothing is served or written (review 2, M8).
func TestServeTokenDirTrust(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("folders are trusted by their ACL on Windows")
	}
	f := newFixture(t)
	shared := filepath.Join(f.home, "shared")
	os.Mkdir(shared, 0o700)
	os.Chmod(shared, 0o777)
	for _, dir := range []string{shared, filepath.Join(shared, "tokens")} {
		// Accepted, it would serve: the timeout ends it.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		var stdout, stderr syncBuffer
		code := run(ctx, []string{"serve", "--ecs", "0", "--ecs-consumer", "api=static", "--token-dir", dir},
			f.proc(strings.NewReader(""), &stdout, &stderr, nil))
		cancel()
		if code != 2 || !strings.Contains(stderr.String(), "--token-dir: folder "+shared+" is writable by others (mode 0777)") || strings.Count(stderr.String(), "\n") != 1 {
			t.Errorf("--token-dir %s: exit %d, stderr %q; want 2 and one line saying why", dir, code, stderr.String())
		}
	}
	if entries, _ := os.ReadDir(shared); len(entries) != 0 {
		t.Errorf("written into the shared folder: %v", entries)
	}
}

// FuzzPinnedSpecs: the NAME=PROFILE and [HOST:]PORT=PROFILE parsers
// never panic, and what they accept reads back the same.
func FuzzPinnedSpecs(f *testing.F) {
	for _, s := range []string{"9931=dev", "127.0.0.1:0=prod", "[::1]:9931=a=b", "=x", "9931=", "api=dev", "a b=c", ":1=x", "0=@active", "0=\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if addr, profile, err := parsePinnedIMDS(s); err == nil {
			if profile == "" {
				t.Fatalf("%q: empty profile accepted", s)
			}
			a2, p2, err := parsePinnedIMDS(addr + "=" + profile)
			if err != nil || a2 != addr || p2 != profile {
				t.Fatalf("%q: %q %q does not read back: %q %q %v", s, addr, profile, a2, p2, err)
			}
		}
		if name, profile, err := parseConsumer(s); err == nil {
			if server.ValidConsumerName(name) != nil || profile == "" || strings.ContainsAny(name, "=/\\") {
				t.Fatalf("%q: accepted name %q profile %q", s, name, profile)
			}
			n2, p2, err := parseConsumer(name + "=" + profile)
			if err != nil || n2 != name || p2 != profile {
				t.Fatalf("%q: does not read back", s)
			}
		}
	})
}

// sample returns a recorded CLI output of engine/containers' testdata.
func sample(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "engine", "containers", "testdata", "samples", name))
	if err != nil {
		t.Fatal(err)
	}
	_, payload, ok := strings.Cut(string(b), "# ---\n")
	if !ok {
		t.Fatalf("%s: no payload", name)
	}
	return strings.TrimSuffix(payload, "\n")
}

// fakeDocker puts a stand-in docker CLI on a PATH of its own that prints
// recorded outputs: the real CLIs' words, with no engine on this machine.
func fakeDocker(t *testing.T, outputs map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	var script strings.Builder
	script.WriteString("#!/bin/sh\ncase \"$*\" in\n")
	for args, file := range outputs {
		out := filepath.Join(dir, strings.ReplaceAll(args, " ", "_")+".out")
		if err := os.WriteFile(out, []byte(sample(t, file)), 0o600); err != nil {
			t.Fatal(err)
		}
		script.WriteString("'" + args + "'*) /bin/cat '" + out + "' ;;\n")
	}
	script.WriteString("*) echo \"Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\" >&2; exit 1 ;;\nesac\n")
	// exectest: this package's tests run in parallel and start children
	// (ETXTBSY otherwise).
	exectest.WriteProgram(t, filepath.Join(dir, "docker"), []byte(script.String()))
	return dir
}

func TestDockerEnv(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	engineLinux := fakeDocker(t, map[string]string{
		"context inspect":        "local_docker-28.2.2_context-inspect-default.txt",
		"info -f":                "docker-engine-linux_info-format-json.txt",
		"network inspect bridge": "docker-engine-linux_network-inspect-bridge.txt",
	})
	desktop := fakeDocker(t, map[string]string{
		"info -f": "docker-desktop-macos_info-format-json.partial.txt",
	})
	port := defaultPort("static", false)
	tok := filepath.Join(t.TempDir(), "tok")
	shared := filepath.Join(t.TempDir(), "shared")
	os.Mkdir(shared, 0o700)
	os.Chmod(shared, 0o777)
	imdsURL := "http://host.docker.internal:" + strconv.Itoa(port) + "/"
	for _, tc := range []struct {
		name, path   string
		args         []string
		code         int
		stdout       string
		stderr       string // a regexp
		stderrAbsent string
	}{
		{name: "docker_engine_detected", path: engineLinux, args: []string{"--profile", "static"},
			stdout: "--add-host=host.docker.internal:host-gateway -e AWS_EC2_METADATA_SERVICE_ENDPOINT=" + imdsURL + "\n",
			stderr: `(?s)container engine: Docker Engine .*serve --imds 127\.0\.0\.1:` + strconv.Itoa(port) + `=static --docker-bridge 172\.17\.0\.1\n`},
		{name: "docker_desktop_detected", path: desktop, args: []string{"--profile", "static", "--port", "9931"},
			stdout: "-e AWS_EC2_METADATA_SERVICE_ENDPOINT=http://host.docker.internal:9931/\n",
			stderr: `(?s)container engine: Docker Desktop .*serve --imds 127\.0\.0\.1:9931=static\n`, stderrAbsent: "docker-bridge"},
		{name: "named_overrides", path: engineLinux, args: []string{"--profile", "static", "--engine", "colima", "--port", "9931"},
			stdout: "-e AWS_EC2_METADATA_SERVICE_ENDPOINT=http://host.docker.internal:9931/\n", stderr: `container engine: Colima \(named\)`},
		{name: "compose", path: desktop, args: []string{"--profile", "static", "--port", "9931", "--compose", "--compose-service", "web"},
			stdout: "services:\n  web:\n    environment:\n      AWS_EC2_METADATA_SERVICE_ENDPOINT: \"http://host.docker.internal:9931/\"\n"},
		{name: "ecs_host_network", path: engineLinux, args: []string{"--profile", "static", "--port", "9932", "--ecs", "--token-dir", tok},
			stdout: "--network=host --mount type=bind,src=" + tok + "/static.token,dst=/run/secrets/awsxc/token,readonly -e AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:9932/ -e AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=/run/secrets/awsxc/token\n",
			stderr: `serve --ecs 127\.0\.0\.1:9932 --ecs-consumer static=static --token-dir ` + regexp.QuoteMeta(tok) + `\n`},
		// serve would refuse it (review 2, M8).
		{name: "ecs_shared_token_dir", path: engineLinux, args: []string{"--profile", "static", "--ecs", "--token-dir", shared}, code: 2,
			stderr: `^awsxc-cli: .*--token-dir: folder ` + regexp.QuoteMeta(shared) + ` is writable by others \(mode 0777\)\n$`},
		{name: "ecs_on_desktop_refused", path: desktop, args: []string{"--profile", "static", "--ecs"}, code: 1,
			stderr: `error: SDKs accept a container-credentials endpoint over http only on loopback.*without --ecs the IMDS server works there\n$`},
		{name: "no_engine", path: t.TempDir(), args: []string{"--profile", "static"}, code: 1,
			stderr: `error: no container engine recognised \(.*not installed.*\); name it with --engine`},
		{name: "unknown_profile", path: desktop, args: []string{"--profile", "nosuch"}, code: 3, stderr: `profile "nosuch": profile not found`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := f.run(t, "", []string{"PATH=" + tc.path}, append([]string{"docker-env"}, tc.args...)...)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d: %s", r.code, tc.code, r.stderr)
			}
			if diff := cmp.Diff(tc.stdout, r.stdout); diff != "" {
				t.Errorf("stdout (-want +got):\n%s", diff)
			}
			if tc.stderr != "" && !regexp.MustCompile(tc.stderr).MatchString(r.stderr) {
				t.Errorf("stderr %q, want %q", r.stderr, tc.stderr)
			}
			if tc.stderrAbsent != "" && strings.Contains(r.stderr, tc.stderrAbsent) {
				t.Errorf("stderr %q has %q", r.stderr, tc.stderrAbsent)
			}
		})
	}
	if r := f.run(t, "", nil, "docker-env", "--engine", "kubernetes"); r.code != 2 || !strings.Contains(r.stderr, "docker-desktop, docker-engine") {
		t.Errorf("bad --engine: %d %q", r.code, r.stderr)
	}
}
