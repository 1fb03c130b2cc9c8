package procenv

import (
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestNewEnv(t *testing.T) {
	t.Parallel()
	home := filepath.FromSlash("/home/u")
	homeVar := "HOME"
	if runtime.GOOS == "windows" {
		homeVar = "USERPROFILE"
	}
	defaultCache := filepath.Join(home, ".cache")
	switch runtime.GOOS {
	case "darwin":
		defaultCache = filepath.Join(home, "Library", "Caches")
	case "windows":
		defaultCache = ""
	}
	for _, tc := range []struct {
		name string
		vars map[string]string
		dir  string
		want Env
	}{
		{"defaults", map[string]string{homeVar: home}, "", Env{
			ConfigFile: filepath.Join(home, ".aws", "config"), CredentialsFile: filepath.Join(home, ".aws", "credentials"),
			Home: home, CacheDir: defaultCache}},
		{"files_from_the_environment", map[string]string{homeVar: home,
			"AWS_CONFIG_FILE": filepath.FromSlash("/x/config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.FromSlash("/x/creds")}, "", Env{
			ConfigFile: filepath.FromSlash("/x/config"), CredentialsFile: filepath.FromSlash("/x/creds"), Home: home, CacheDir: defaultCache}},
		// Every other tool expands ~ in these (issue 10, item 16).
		{"tilde_expanded", map[string]string{homeVar: home, "AWS_CONFIG_FILE": "~/cfg", "AWS_SHARED_CREDENTIALS_FILE": "~/creds"}, "", Env{
			ConfigFile: filepath.Join(home, "cfg"), CredentialsFile: filepath.Join(home, "creds"), Home: home, CacheDir: defaultCache}},
		{"tilde_user_unchanged", map[string]string{homeVar: home, "AWS_SHARED_CREDENTIALS_FILE": "~bob/creds"}, "", Env{
			ConfigFile: filepath.Join(home, ".aws", "config"), CredentialsFile: "~bob/creds", Home: home, CacheDir: defaultCache}},
		{"relative_taken_from_dir", map[string]string{homeVar: home, "AWS_CONFIG_FILE": "cfg"}, filepath.FromSlash("/work"), Env{
			ConfigFile: filepath.FromSlash("/work/cfg"), CredentialsFile: filepath.Join(home, ".aws", "credentials"),
			Home: home, Dir: filepath.FromSlash("/work"), CacheDir: defaultCache}},
		{"no_home", map[string]string{"AWS_CONFIG_FILE": "~/cfg"}, "", Env{ConfigFile: "~/cfg"}},
		{"region_wins_over_default_region", map[string]string{"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-east-2"}, "", Env{Region: "eu-west-1"}},
		{"default_region", map[string]string{"AWS_DEFAULT_REGION": "us-east-2"}, "", Env{Region: "us-east-2"}},
		{"container", map[string]string{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/x", "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1/"}, "",
			Env{ContainerRelativeURI: "/v2/x", ContainerFullURI: "http://127.0.0.1/"}},
		{"xdg_cache_home", map[string]string{"XDG_CACHE_HOME": filepath.FromSlash("/c")}, "", Env{CacheDir: filepath.FromSlash("/c")}},
		// As in the XDG spec: a relative XDG_CACHE_HOME is ignored.
		{"xdg_cache_home_relative_ignored", map[string]string{homeVar: home, "XDG_CACHE_HOME": "c"}, filepath.FromSlash("/work"), Env{
			ConfigFile: filepath.Join(home, ".aws", "config"), CredentialsFile: filepath.Join(home, ".aws", "credentials"),
			Home: home, Dir: filepath.FromSlash("/work"), CacheDir: defaultCache}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := NewEnv(func(k string) string { return tc.vars[k] }, tc.dir)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("NewEnv (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEnvIdentity(t *testing.T) {
	t.Parallel()
	getenv := func(k string) string { return map[string]string{"HOME": "/h", "AWS_REGION": "eu-west-1"}[k] }
	a, b := NewEnv(getenv, "/w"), NewEnv(getenv, "/other")
	b.Clock = newTestClock()
	if a == b {
		t.Error("Envs with different clocks and folders are ==")
	}
	if a.Identity() != b.Identity() {
		t.Errorf("same configuration, run from another folder on another clock: identities differ:\n%+v\n%+v", a.Identity(), b.Identity())
	}
	for name, change := range map[string]func(*Env){
		"config":      func(e *Env) { e.ConfigFile = "/other" },
		"credentials": func(e *Env) { e.CredentialsFile = "/other" },
		"home":        func(e *Env) { e.Home = "/other" },
		"cache":       func(e *Env) { e.CacheDir = "/other" },
		"region":      func(e *Env) { e.Region = "us-east-1" },
		"container":   func(e *Env) { e.ContainerFullURI = "http://127.0.0.1/" },
	} {
		c := a
		change(&c)
		if c.Identity() == a.Identity() {
			t.Errorf("%s changed, identity did not", name)
		}
	}
}

func TestEnvNow(t *testing.T) {
	t.Parallel()
	clk := newTestClock()
	if got := (Env{Clock: clk}).Now(); !got.Equal(clk.Now()) {
		t.Errorf("Now = %v, want the clock's %v", got, clk.Now())
	}
	if got := (Env{}).Now(); time.Since(got) > time.Minute || time.Since(got) < 0 {
		t.Errorf("Now without a clock = %v, want the system's", got)
	}
}

func TestEnvExpandPath(t *testing.T) {
	t.Parallel()
	e := Env{Home: filepath.FromSlash("/h"), Dir: filepath.FromSlash("/w")}
	for _, tc := range []struct{ in, want string }{
		{"~", filepath.FromSlash("/h")},
		{"~/c.json", filepath.FromSlash("/h/c.json")},
		{"~bob/c.json", filepath.FromSlash("/w/~bob/c.json")},
		{"c.json", filepath.FromSlash("/w/c.json")},
		{filepath.FromSlash("/abs/c.json"), filepath.FromSlash("/abs/c.json")},
		{"", ""},
	} {
		if got, err := e.ExpandPath(tc.in); err != nil || got != tc.want {
			t.Errorf("ExpandPath(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	if got, err := (Env{}).ExpandPath("c.json"); err != nil || got != "c.json" {
		t.Errorf("without Dir: %q, %v; want it relative", got, err)
	}
	if _, err := (Env{}).ExpandPath("~/c.json"); err == nil {
		t.Error("~ with no home: no error")
	}
}

// fixedClock is a Clock that always says t.
type fixedClock struct{ t time.Time }

func (c *fixedClock) Now() time.Time { return c.t }

func newTestClock() *fixedClock {
	return &fixedClock{t: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)}
}
