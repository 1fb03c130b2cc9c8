package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/awsxc/awsxc/engine"
)

// testFlags is a flag table with one option of each shape.
type testFlags struct {
	name, profile string
	on            bool
	rest          []string
	pair          [2]string
	strays        []string
}

func (f *testFlags) flags() []flagSpec {
	return []flagSpec{
		stringFlag("name", "NAME", "a value", &f.name),
		stringFlag("name-prefix", "P", "shares a prefix with --name", &f.profile),
		{name: "on", short: 'o', mode: true, help: "a switch", set: func(string) error { f.on = true; return nil }},
		{name: "cred", arg: "NAME", short: 'c', help: "a short form", set: func(v string) error { f.name = v; return nil }},
		{name: "run", arg: "CMD...", mode: true, help: "the rest", rest: func(a []string) error { f.rest = a; return nil }},
		{name: "pair", arg: "A [B]", help: "one or two", set: func(v string) error { f.pair[0] = v; return nil },
			extra: func(v string) { f.pair[1] = v }},
	}
}

func (f *testFlags) run(context.Context, *cli, parsed) error { return nil }

// strayFlags is testFlags for a command that takes no arguments.
type strayFlags struct{ testFlags }

func (f *strayFlags) stray(a string) error {
	f.strays = append(f.strays, a)
	return usagef("stray %s", a)
}

func TestParseFlags(t *testing.T) {
	t.Parallel()
	type want struct {
		Name, Profile string
		On            bool
		Rest          []string
		Pair          [2]string
		Args, Modes   []string
		Err           string
	}
	for _, tc := range []struct {
		name  string
		args  []string
		stray bool
		want  want
	}{
		{"exact", []string{"--name", "x"}, false, want{Name: "x"}},
		{"equals", []string{"--name=x=y"}, false, want{Name: "x=y"}},
		{"empty_value_equals", []string{"--name="}, false, want{Err: "argument --name: empty value; expected NAME"}},
		{"empty_value_apart", []string{"--name", ""}, false, want{Err: "argument --name: empty value; expected NAME"}},
		{"empty_value_short", []string{"-c", ""}, false, want{Err: "argument --cred: empty value; expected NAME"}},
		{"empty_value_short_equals", []string{"-c="}, false, want{Err: "argument --cred: empty value; expected NAME"}},
		{"empty_second_value", []string{"--pair", "a", ""}, false, want{Pair: [2]string{"a"}, Err: "argument --pair: empty value; expected A [B]"}},
		{"empty_rest", []string{"--run", ""}, false, want{Modes: []string{"--run"}, Err: "argument --run: empty value; expected CMD..."}},
		{"empty_rest_after_dashdash", []string{"--run", "--", ""}, false, want{Modes: []string{"--run"}, Err: "argument --run: empty value; expected CMD..."}},
		{"exact_beats_prefix", []string{"--name", "x", "--name-p", "y"}, false, want{Name: "x", Profile: "y"}},
		{"unique_prefix", []string{"--o", "--pa", "a"}, false, want{On: true, Pair: [2]string{"a"}, Modes: []string{"--on"}}},
		{"ambiguous", []string{"--na", "x"}, false, want{Err: "ambiguous option --na could match --name, --name-prefix"}},
		{"unknown", []string{"--nope"}, false, want{Err: "unknown option --nope"}},
		{"unknown_short", []string{"-z"}, false, want{Err: "unknown option -z"}},
		{"short_joined", []string{"-cNAME"}, false, want{Name: "NAME"}},
		{"short_equals", []string{"-c=NAME"}, false, want{Name: "NAME"}},
		{"short_apart", []string{"-c", "NAME"}, false, want{Name: "NAME"}},
		{"short_switch", []string{"-o"}, false, want{On: true, Modes: []string{"--on"}}},
		{"switch_with_value", []string{"--on=1"}, false, want{Modes: []string{"--on"}, Err: "option --on takes no value"}},
		{"missing_value", []string{"--name"}, false, want{Err: "argument --name: expected NAME"}},
		{"missing_first_of_two", []string{"--pair"}, false, want{Err: "argument --pair: expected A"}},
		{"pair_one", []string{"--pair", "a", "--on"}, false, want{Pair: [2]string{"a"}, On: true, Modes: []string{"--on"}}},
		{"pair_two", []string{"--pair", "a", "b", "--on"}, false, want{Pair: [2]string{"a", "b"}, On: true, Modes: []string{"--on"}}},
		{"rest_takes_everything", []string{"--run", "ls", "--name", "x"}, false, want{Rest: []string{"ls", "--name", "x"}, Modes: []string{"--run"}}},
		{"rest_skips_one_dashdash", []string{"--run", "--", "--on", "--"}, false, want{Rest: []string{"--on", "--"}, Modes: []string{"--run"}}},
		{"rest_empty", []string{"--run"}, false, want{Rest: []string{}, Modes: []string{"--run"}}},
		{"rest_no_value", []string{"--run=x"}, false, want{Modes: []string{"--run"}, Err: "argument --run takes the rest of the line, not a value"}},
		{"positional", []string{"a", "--on", "b"}, false, want{On: true, Args: []string{"a", "b"}, Modes: []string{"--on"}}},
		{"dashdash_ends_options", []string{"a", "--", "--on"}, false, want{Args: []string{"a", "--on"}}},
		{"lone_dash_is_positional", []string{"-"}, false, want{Args: []string{"-"}}},
		{"stray", []string{"--on", "a", "b"}, true, want{On: true, Modes: []string{"--on"}, Err: "stray a"}},
		{"stray_dashdash", []string{"--"}, true, want{Err: "stray --"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := &testFlags{}
			var r runner = f
			if tc.stray {
				sf := &strayFlags{}
				f, r = &sf.testFlags, sf
			}
			p, err := parseFlags(f.flags(), tc.args, r)
			got := want{Name: f.name, Profile: f.profile, On: f.on, Rest: f.rest, Pair: f.pair, Args: p.args, Modes: p.modes}
			if err != nil {
				var ue *usageError
				if !errors.As(err, &ue) {
					t.Errorf("error %v is not a usage error", err)
				}
				got.Err = err.Error()
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestFindCommand(t *testing.T) {
	t.Parallel()
	root := &command{usage: "[OPTIONS]"}
	sso := &command{name: "sso", usage: "sso"}
	ssoSync := &command{name: "sso sync", usage: "sso sync"}
	cmds := []*command{root, sso, ssoSync, profilesCommand}
	for _, tc := range []struct {
		args []string
		want *command
		rest []string
		err  string
	}{
		{nil, root, nil, ""},
		{[]string{"--json"}, root, []string{"--json"}, ""},
		{[]string{"profiles", "--names"}, profilesCommand, []string{"--names"}, ""},
		{[]string{"sso"}, sso, []string{}, ""},
		{[]string{"sso", "sync", "--x"}, ssoSync, []string{"--x"}, ""},
		{[]string{"sso", "other"}, sso, []string{"other"}, ""},
		{[]string{"ls"}, nil, nil, `unknown command "ls" (did you mean --exec ls?)`},
	} {
		cmd, rest, err := findCommand(cmds, tc.args)
		if err != nil || tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%q: err %v, want %q", tc.args, err, tc.err)
			}
			continue
		}
		if cmd != tc.want || !slices.Equal(rest, tc.rest) {
			t.Errorf("%q: %q with %q, want %q with %q", tc.args, cmd.name, rest, tc.want.name, tc.rest)
		}
	}
}

// TestCommandsHelp: every command has a --help that lists each of its
// options, the same as `help COMMAND`, and the top-level help names
// every command.
func TestCommandsHelp(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	top := f.run(t, "", nil, "--help")
	for _, cmd := range commands {
		t.Run(cmd.invocation(), func(t *testing.T) {
			t.Parallel()
			words := strings.Fields(cmd.name)
			r := f.run(t, "", nil, append(words, "--help")...)
			if r.code != 0 || r.stderr != "" || !strings.HasPrefix(r.stdout, "usage: awsxc-cli "+cmd.usage+"\n") {
				t.Fatalf("--help: exit %d, stderr %q, stdout %q", r.code, r.stderr, r.stdout)
			}
			var o common
			for _, s := range append(cmd.new().flags(), o.flags()...) {
				if !strings.Contains(r.stdout, "--"+s.name) || !strings.Contains(r.stdout, s.help) {
					t.Errorf("--help does not show --%s", s.name)
				}
			}
			if h := f.run(t, "", nil, append([]string{"help"}, words...)...); h.code != 0 || h.stdout != r.stdout {
				t.Errorf("help %s: exit %d, output differs from --help:\n%s", cmd.name, h.code, h.stdout)
			}
			if cmd.name != "" && !strings.Contains(top.stdout, "  "+cmd.usage+"  ") {
				t.Errorf("awsxc-cli --help does not list %q", cmd.usage)
			}
		})
	}
	if r := f.run(t, "", nil, "help", "nope"); r.code != 2 || r.stderr != "awsxc-cli: error: help: no command \"nope\"\n" {
		t.Errorf("help nope: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestCLIHints words every engine action for the command line, with
// the flags a user types.
func TestCLIHints(t *testing.T) {
	t.Parallel()
	want := map[engine.Action]string{
		engine.ActionMFACode:          "give the code with --mfa-code or run from a terminal",
		engine.ActionSSOLogin:         "run awsxc-cli login --profile dev",
		engine.ActionAWSLogin:         "run awsxc-cli login --profile dev",
		engine.ActionConfigure:        "run aws configure, or name a profile with --profile",
		engine.ActionCheckProfileName: "check the name with awsxc-cli profiles",
		engine.ActionForce:            "not overwriting them without --force",
		engine.ActionAllowHost:        "add it with --allow-host",
	}
	for a := engine.ActionNone + 1; !strings.HasPrefix(a.String(), "action("); a++ {
		w, ok := want[a]
		if !ok {
			t.Errorf("%v: no wording in this test", a)
			continue
		}
		err := &engine.Error{Profile: "dev", Kind: engine.ErrResolve, Action: a, Hint: a.Hint("dev")}
		if got := cliHints.Reword(err).Error(); got != `profile "dev": cannot get credentials; `+w {
			t.Errorf("%v: %q, want the hint %q", a, got, w)
		}
	}
	if got := cliHints(engine.ActionNone, "dev"); got != "" {
		t.Errorf("ActionNone worded %q", got)
	}
	// Commands to paste quote the name (review 1, L11).
	for a, w := range map[engine.Action]string{
		engine.ActionSSOLogin: "run awsxc-cli login --profile 'my dev'",
		engine.ActionAWSLogin: "run awsxc-cli login --profile 'my dev'",
	} {
		if got := cliHints(a, "my dev"); got != w {
			t.Errorf("%v for %q: %q, want %q", a, "my dev", got, w)
		}
	}
}

// TestRecursionGuard: a profile already being resolved further up the
// stack of awsxc-cli runs fails at once; otherwise the run records its
// profile for the credential_process children.
func TestRecursionGuard(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.run(t, "", []string{"AWSXC_PROFILE_CHAIN=loop"}, "--profile", "loop", "--json")
	if r.code != 3 || !strings.Contains(r.stderr, `runs awsxc-cli for it again (loop → loop); point credential_process at another profile`) {
		t.Errorf("loop: exit %d, %q", r.code, r.stderr)
	}
	r = f.run(t, "", []string{"AWSXC_PROFILE_CHAIN=a\x1fb\x1fc\x1fd"}, "--profile", "static", "--json")
	if r.code != 3 || !strings.Contains(r.stderr, "more than 4 nested awsxc-cli runs (a → b → c → d → static)") {
		t.Errorf("deep: exit %d, %q", r.code, r.stderr)
	}
	var out, errb syncBuffer
	p := f.proc(strings.NewReader(""), &out, &errb, []string{"AWSXC_PROFILE_CHAIN=outer"})
	if code := run(context.Background(), []string{"--profile", "static", "--json"}, p); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if got := p.getenv(profileChainVar); got != "outer\x1fstatic" {
		t.Errorf("chain for the children = %q, want outer, static", got)
	}
}

func TestChildEnv(t *testing.T) {
	t.Parallel()
	parent := []string{"PATH=/bin", "AWS_PROFILE=x", "AWS_DEFAULT_PROFILE=y", "AWS_ACCESS_KEY_ID=old", "AWS_SECRET_ACCESS_KEY=old",
		"AWS_SESSION_TOKEN=old", "AWS_SECURITY_TOKEN=old", "AWS_CREDENTIAL_EXPIRATION=old", "AWS_REGION=r0", "AWS_DEFAULT_REGION=r0",
		"AWS_ACCOUNT_ID=111111111111", profileChainVar + "=x", "OTHER=kept"}
	c := engine.Credentials{AccessKeyID: "ASIA", SecretAccessKey: "s", SessionToken: "t", AccountID: "222222222222"}
	got, _ := childEnv(parent, c, "eu-west-1")
	want := []string{"PATH=/bin", "OTHER=kept", "AWS_ACCESS_KEY_ID=ASIA", "AWS_SECRET_ACCESS_KEY=s", "AWS_SESSION_TOKEN=t",
		"AWS_ACCOUNT_ID=222222222222", "AWS_REGION=eu-west-1", "AWS_DEFAULT_REGION=eu-west-1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("with a region (-want +got):\n%s", diff)
	}
	// Without a region, the parent's stays; the parent's account id,
	// another identity's, never does.
	got, _ = childEnv(parent, engine.Credentials{AccessKeyID: "AKIA", SecretAccessKey: "s"}, "")
	want = []string{"PATH=/bin", "AWS_REGION=r0", "AWS_DEFAULT_REGION=r0", "OTHER=kept", "AWS_ACCESS_KEY_ID=AKIA", "AWS_SECRET_ACCESS_KEY=s"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("without a region (-want +got):\n%s", diff)
	}
	// A value no environment should carry is refused, region included.
	if got, err := childEnv(parent, c, "eu-west-1\nBASH_ENV=/tmp/x"); !errors.Is(err, engine.ErrUnsafeValue) || got != nil {
		t.Errorf("region with a line break: %q, %v", got, err)
	}
}

func TestLookCommand(t *testing.T) {
	t.Parallel()
	if p, err := lookCommand("sh"); err != nil || !filepath.IsAbs(p) {
		t.Errorf("sh: %q, %v", p, err)
	}
	var ee *exitError
	if _, err := lookCommand("no-such-command-xyz"); !errors.As(err, &ee) || ee.code != 127 || ee.msg != "--exec: no-such-command-xyz: command not found" {
		t.Errorf("missing: %v", err)
	}
	notExec := filepath.Join(t.TempDir(), "data")
	os.WriteFile(notExec, nil, 0o600)
	if _, err := lookCommand(notExec); !errors.As(err, &ee) || ee.code != 126 {
		t.Errorf("not executable: %v", err)
	}
}

// TestIssue10EmptyValues: every option of every command that takes a
// value refuses an empty one, in each way it can be written, with a
// usage error (exit 2), one line on stderr and nothing on stdout; before
// the fix most fell back to the default mode and printed the
// credentials. The table is built from the commands' own flag tables,
// so a new command's options are checked too. Each case runs in this
// process and as the built binary.
func TestIssue10EmptyValues(t *testing.T) {
	t.Parallel()
	type tcase struct {
		name string
		args []string
		flag string
	}
	var cases []tcase
	for _, cmd := range commands {
		var o common
		specs := append(cmd.new().flags(), o.flags()...)
		hasProfile := slices.ContainsFunc(specs, func(s flagSpec) bool { return s.name == "profile" })
		for _, s := range specs {
			if s.arg == "" {
				continue // a switch
			}
			prefix := strings.Fields(cmd.name)
			if hasProfile && s.name != "profile" {
				prefix = append(prefix, "--profile", "static") // a run that would succeed
			}
			forms := [][]string{{"--" + s.name, ""}}
			if s.rest == nil {
				forms = append(forms, []string{"--" + s.name + "="})
			}
			if s.short != 0 {
				forms = append(forms, []string{"-" + string(s.short), ""}, []string{"-" + string(s.short) + "="})
			}
			if s.extra != nil {
				forms = append(forms, []string{"--" + s.name, "0", ""})
			}
			for _, form := range forms {
				cases = append(cases, tcase{name: strings.Join(append(strings.Fields(cmd.name), form...), "_"), args: append(slices.Clone(prefix), form...), flag: s.name})
			}
		}
	}
	if len(cases) < 20 {
		t.Fatalf("only %d cases: the flag tables were not read", len(cases))
	}
	f := newFixture(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			want := "awsxc-cli: error: argument --" + tc.flag + ": empty value; expected "
			// Without the rule, --container 0 "" would serve until stopped.
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			var out, errb syncBuffer
			code := run(ctx, tc.args, f.proc(strings.NewReader(""), &out, &errb, nil))
			inProcess := result{out.String(), errb.String(), code}
			cmd := exec.CommandContext(ctx, binary, tc.args...)
			cmd.Env, cmd.Dir = f.env(), f.home
			var bout, berr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &bout, &berr
			cmd.Run()
			for how, r := range map[string]result{
				"in process": inProcess,
				"binary":     {bout.String(), berr.String(), cmd.ProcessState.ExitCode()},
			} {
				if r.code != exitUsage || r.stdout != "" || !strings.HasPrefix(r.stderr, want) || strings.Count(r.stderr, "\n") != 1 {
					t.Errorf("%s %q: exit %d, stdout %q, stderr %q; want exit 2, nothing on stdout, one line %q…",
						how, tc.args, r.code, r.stdout, r.stderr, want)
				}
			}
		})
	}
}

// TestCompletionsListEveryOption: each shell's completion script offers
// every option of every command (--allow-remote among them): the
// scripts are built from the flag tables.
func TestCompletionsListEveryOption(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, sh := range []string{"bash", "zsh", "fish", "powershell"} {
		r := f.run(t, "", nil, "completion", sh)
		if r.code != 0 {
			t.Fatalf("completion %s: exit %d: %s", sh, r.code, r.stderr)
		}
		for _, s := range allFlags(commands) {
			want := "--" + s.name
			if sh == "fish" {
				want = "-l " + s.name + " "
			}
			if !strings.Contains(r.stdout, want) {
				t.Errorf("completion %s lacks %s", sh, want)
			}
		}
	}
}
