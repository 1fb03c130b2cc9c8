package engine

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLoadSSOSession(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	config := filepath.Join(dir, "config")
	os.WriteFile(config, []byte(`[default]
sso_start_url = https://not-this.example/start

[sso-session my-sso]
sso_start_url = https://d-1.awsapps.com/start
sso_region = eu-west-1 ; a comment
sso_registration_scopes = sso:account:access, codewhisperer:completions ,,

[  sso-session   spaced  ]
sso_region = us-east-1

[sso-sessionx glued]
sso_region = nope

[sso-session dup]
sso_start_url = https://first.example/start
sso_region = eu-west-1
[sso-session dup]
sso_start_url = https://second.example/start

[sso-session empty-scopes]
sso_registration_scopes =
`), 0o600)
	env := Env{ConfigFile: config}
	for _, tc := range []struct {
		name string
		want SSOSessionConfig
		err  error
	}{
		{"my-sso", SSOSessionConfig{Name: "my-sso", StartURL: "https://d-1.awsapps.com/start", Region: "eu-west-1",
			RegistrationScopes: []string{"sso:account:access", "codewhisperer:completions"}}, nil},
		{"spaced", SSOSessionConfig{Name: "spaced", Region: "us-east-1"}, nil},
		{"dup", SSOSessionConfig{Name: "dup", StartURL: "https://second.example/start", Region: "eu-west-1"}, nil},
		{"empty-scopes", SSOSessionConfig{Name: "empty-scopes", RegistrationScopes: []string{}}, nil},
		{"glued", SSOSessionConfig{Name: "glued"}, ErrSSOSessionNotFound},
		{"default", SSOSessionConfig{Name: "default"}, ErrSSOSessionNotFound},
	} {
		got, err := LoadSSOSession(env, tc.name)
		if !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.err)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
	if _, err := LoadSSOSession(Env{ConfigFile: filepath.Join(dir, "missing")}, "my-sso"); !errors.Is(err, ErrSSOSessionNotFound) {
		t.Errorf("no config file: %v", err)
	}
	// A folder reads as empty, as in every engine read (and the AWS CLI).
	if _, err := LoadSSOSession(Env{ConfigFile: dir}, "my-sso"); !errors.Is(err, ErrSSOSessionNotFound) {
		t.Errorf("a folder as the config file: %v", err)
	}
}

func TestRemoveCachedCredentials(t *testing.T) {
	t.Parallel()
	env := Env{CacheDir: t.TempDir()}
	path, _ := defaultCachePath(env, "dev")
	os.MkdirAll(filepath.Dir(path), 0o700)
	os.WriteFile(path, []byte("{}"), 0o600)
	if got, err := RemoveCachedCredentials(env, "dev"); err != nil || got != path {
		t.Errorf("RemoveCachedCredentials: %q %v", got, err)
	}
	if got, err := RemoveCachedCredentials(env, "dev"); err != nil || got != "" {
		t.Errorf("again: %q %v", got, err)
	}
	if _, err := RemoveCachedCredentials(Env{}, "dev"); err == nil {
		t.Error("no cache folder: no error")
	}
}

func FuzzLoadSSOSession(f *testing.F) {
	f.Add([]byte("[sso-session s]\nsso_registration_scopes = a, b,,c \nsso_region = x\n"), "s")
	f.Add([]byte("[sso-session s]\nsso_registration_scopes\n"), "s")
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		path := filepath.Join(t.TempDir(), "config")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := LoadSSOSession(Env{ConfigFile: path}, name)
		if err != nil {
			return
		}
		for _, sc := range s.RegistrationScopes {
			if sc == "" || strings.TrimSpace(sc) != sc || strings.Contains(sc, ",") {
				t.Fatalf("scope %q", sc)
			}
		}
	})
}
