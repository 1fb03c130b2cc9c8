package engine

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// frontEndWords matches what only one front end can offer: awsxc-cli's
// name and its flags. "--profile" is left out: the AWS CLI's own
// commands (aws sso login --profile NAME) take it too.
var frontEndWords = regexp.MustCompile(`awsxc-cli|--(force|mfa-code|mfa-serial|allow-host|imds|imds-v1|container|container-token-file|` +
	`ensure-temporary|duration|cache|cache-file|cache-expiration-buffer|refresh|credentials-file-profile|exec|json|env|env-export|` +
	`pretty|no-region|names|debug|format)\b([^-]|$)`)

func TestActions(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for a := ActionNone; int(a) < len(actionNames); a++ {
		name := a.String()
		if name == "" || seen[name] || strings.HasPrefix(name, "action(") {
			t.Errorf("action %d: name %q is empty, unknown or taken", a, name)
		}
		seen[name] = true
		hint := a.Hint("dev")
		if (hint == "") != (a == ActionNone) {
			t.Errorf("%v: neutral hint %q", a, hint)
		}
		if frontEndWords.MatchString(hint) {
			t.Errorf("%v: hint %q names a front end's controls", a, hint)
		}
	}
	// A hint is a command to paste: a name with spaces or shell
	// characters is quoted (review 1, L11).
	for name, want := range map[string]string{
		"dev":        "run aws sso login --profile dev",
		"my profile": "run aws sso login --profile 'my profile'",
		"a;rm -rf ~": "run aws sso login --profile 'a;rm -rf ~'",
		"it's":       `run aws sso login --profile 'it'"'"'s'`,
	} {
		if got := ActionSSOLogin.Hint(name); got != want {
			t.Errorf("ActionSSOLogin.Hint(%q) = %q, want %q", name, got, want)
		}
	}
	if got, want := ActionAWSLogin.Hint("my profile"), "run aws login --profile 'my profile'"; got != want {
		t.Errorf("ActionAWSLogin.Hint = %q, want %q", got, want)
	}
	if got := Action(99).String(); got != "action(99)" {
		t.Errorf("Action(99) = %q", got)
	}
}

func TestHintsReword(t *testing.T) {
	t.Parallel()
	cli := Hints(func(a Action, profile string) string {
		if a == ActionMFACode {
			return "use --mfa-code for " + profile
		}
		return ""
	})
	mfa := newError("dev", ErrMFARequired, errors.New("no code given"), ActionMFACode)
	sso := newError("dev", ErrSSOLoginRequired, nil, ActionSSOLogin)
	plain := errors.New("plain")
	for _, tc := range []struct {
		name  string
		hints Hints
		err   error
		want  string
	}{
		{"worded", cli, mfa, `profile "dev": MFA code needed: no code given; use --mfa-code for dev`},
		{"not_worded_keeps_neutral", cli, sso, `profile "dev": SSO login needed; run aws sso login --profile dev`},
		{"nil_hints", nil, mfa, `profile "dev": MFA code needed: no code given; give an MFA code`},
		{"not_an_engine_error", cli, plain, "plain"},
		{"wrapped_left_alone", cli, errWrap(mfa), `context: profile "dev": MFA code needed: no code given; give an MFA code`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := tc.hints.Reword(tc.err)
			if diff := cmp.Diff(tc.want, got.Error()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if e, ok := tc.err.(*Error); ok && (!errors.Is(got, e.Kind) || (e.Err != nil && !errors.Is(got, e.Err))) {
				t.Errorf("reworded error lost its sentinel or cause: %v", got)
			}
		})
	}
	if mfa.Hint != "give an MFA code" {
		t.Errorf("Reword changed the original: %q", mfa.Hint)
	}
}

func errWrap(err error) error { return &wrapped{err} }

type wrapped struct{ err error }

func (w *wrapped) Error() string { return "context: " + w.err.Error() }
func (w *wrapped) Unwrap() error { return w.err }

// TestEngineWordsAreNeutral reads every string literal of the engine's
// own code, engine/server's included: none may name awsxc-cli or one of its flags, since the tray
// (and any other front end) shows engine messages too. Each front end
// words an [Action] for its own controls.
func TestEngineWordsAreNeutral(t *testing.T) {
	t.Parallel()
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			if s, err := strconv.Unquote(lit.Value); err == nil && frontEndWords.MatchString(s) {
				t.Errorf("%s: %q names a front end's controls; return an Action instead", fset.Position(lit.Pos()), s)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
