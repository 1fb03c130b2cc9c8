package fakeaws

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Isolate starts a fake endpoint for the test and points the AWS SDK of
// this process at it and at a fresh config and credentials file holding
// config and creds: it sets HOME, AWS_CONFIG_FILE,
// AWS_SHARED_CREDENTIALS_FILE, AWS_ENDPOINT_URL_STS and _SSO, and clears
// every other variable that could leak the machine's own AWS setup into
// the test. It uses t.Setenv, so the test cannot be parallel: prefer
// [Server.Files] for tests that give the engine its files through an Env,
// and use Isolate only where the process environment itself is under test.
func Isolate(t testing.TB, config, creds string) *Server {
	t.Helper()
	dir := t.TempDir()
	cf := filepath.Join(dir, "config")
	kf := filepath.Join(dir, "credentials")
	if err := os.WriteFile(cf, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(kf, []byte(creds), 0o600); err != nil {
		t.Fatal(err)
	}
	fake := New()
	t.Cleanup(fake.Close)
	for k, v := range map[string]string{
		"HOME":                                   dir,
		"AWS_CONFIG_FILE":                        cf,
		"AWS_SHARED_CREDENTIALS_FILE":            kf,
		"AWS_ENDPOINT_URL_STS":                   fake.URL,
		"AWS_ENDPOINT_URL_SSO":                   fake.URL,
		"AWS_EC2_METADATA_DISABLED":              "true",
		"AWS_EC2_METADATA_SERVICE_ENDPOINT":      "",
		"AWS_PROFILE":                            "",
		"AWS_DEFAULT_PROFILE":                    "",
		"AWS_REGION":                             "",
		"AWS_DEFAULT_REGION":                     "",
		"AWS_ACCESS_KEY_ID":                      "",
		"AWS_SECRET_ACCESS_KEY":                  "",
		"AWS_SESSION_TOKEN":                      "",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI":     "",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "",
		"AWS_CONTAINER_AUTHORIZATION_TOKEN":      "",
		"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": "",
		"AWS_CA_BUNDLE":                          "",
	} {
		t.Setenv(k, v)
	}
	return fake
}

// Files writes config and creds to files "config" and "credentials" in a
// new temporary folder and returns the folder and the two paths. The
// config is given [WithEndpoint], so the SDK sends the STS and SSO calls
// made for its profiles to s with no environment variable at all: tests
// that give the engine these files (through its Env) can run in
// parallel, each with its own Server.
func (s *Server) Files(t testing.TB, config, creds string) (dir, configFile, credsFile string) {
	t.Helper()
	dir = t.TempDir()
	configFile = filepath.Join(dir, "config")
	credsFile = filepath.Join(dir, "credentials")
	if err := os.WriteFile(configFile, []byte(WithEndpoint(config, s.URL)), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(credsFile, []byte(creds), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir, configFile, credsFile
}

// WithEndpoint returns config with its STS, SSO and SSO OIDC calls sent
// to url, through the shared config's own service endpoints: every
// profile section ([default], [profile NAME]) that names no services
// section gets "services = fakeaws", and a [services fakeaws] section
// sets endpoint_url for the three. (A profile's plain endpoint_url would
// not do: the SDK resolves it only after the credentials, so the STS
// client of a role does not see it; service sections it reads at once,
// as it reads AWS_ENDPOINT_URL_STS.)
func WithEndpoint(config, url string) string {
	var out []string
	lines := strings.Split(strings.TrimRight(config, "\n"), "\n")
	for i, l := range lines {
		out = append(out, l)
		h := strings.TrimSpace(l)
		if !strings.HasPrefix(h, "[") || !strings.HasSuffix(h, "]") {
			continue
		}
		name := strings.TrimSpace(h[1 : len(h)-1])
		if name != "default" && !strings.HasPrefix(name, "profile ") {
			continue
		}
		has := false
		for _, next := range lines[i+1:] {
			next = strings.TrimSpace(next)
			if strings.HasPrefix(next, "[") {
				break
			}
			if k, _, ok := strings.Cut(next, "="); ok && strings.TrimSpace(k) == "services" {
				has = true
			}
		}
		if !has {
			out = append(out, "services = fakeaws")
		}
	}
	out = append(out, "", "[services fakeaws]")
	for _, svc := range []string{"sts", "sso", "sso_oidc"} {
		out = append(out, svc+" =", "  endpoint_url = "+url)
	}
	return strings.Join(out, "\n") + "\n"
}

// IsolateProcess keeps what the AWS SDK still reads from the process
// environment itself (endpoints, the EC2 metadata service, the SSO token
// cache under the home folder, credentials for credential_source =
// Environment) from reaching the machine's own AWS setup: it unsets every
// AWS_* variable, sets AWS_EC2_METADATA_DISABLED=true, and points HOME
// (and USERPROFILE) at a new empty folder. Call it from TestMain before
// the tests run; cleanup removes the folder.
func IsolateProcess() (cleanup func(), err error) {
	home, err := os.MkdirTemp("", "fakeaws-home")
	if err != nil {
		return nil, err
	}
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_") {
			os.Unsetenv(k)
		}
	}
	os.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	os.Setenv("HOME", home)
	os.Setenv("USERPROFILE", home)
	return func() { os.RemoveAll(home) }, nil
}

// RunIsolated is a package's TestMain: it isolates the process
// ([IsolateProcess]), runs before when it is not nil (a fixture every
// test of the package shares), runs the tests and removes the isolation,
// and returns the exit code for os.Exit. A failure to isolate, or of
// before, is printed and is exit code 1.
func RunIsolated(m interface{ Run() int }, before func() error) int {
	cleanup, err := IsolateProcess()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer cleanup()
	if before != nil {
		if err := before(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return m.Run()
}
