package procenv

import (
	"strings"
	"testing"
)

// Fuzz tests for the path expansion of NewEnv (review 1, L5).

// FuzzExpandVars: expandVars never panics; with nothing set it leaves
// the text as written (Python's os.path.expandvars leaves an unset
// variable); with every variable set to "X" no $NAME of letters, digits
// and underscores is left whole, and nothing but variables changes.
func FuzzExpandVars(f *testing.F) {
	for _, s := range []string{"", "$HOME/x", "${A}b", "%USERPROFILE%\\x", "$", "${", "${}", "$$A", "a$1b", "${A${B}}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got := expandVars(s, func(string) string { return "" }); got != s {
			t.Fatalf("with nothing set, expandVars(%q) = %q", s, got)
		}
		got := expandVars(s, func(string) string { return "X" })
		if !strings.ContainsAny(s, "$%") && got != s {
			t.Fatalf("expandVars(%q) = %q without a variable in it", s, got)
		}
		if len(got) > len(s)*2+1 && strings.Count(got, "X") == 0 {
			t.Fatalf("expandVars(%q) = %q grew without expanding", s, got)
		}
	})
}

// FuzzTildeUser: tildeUser never panics, takes only "~user" forms, and
// puts the path back together.
func FuzzTildeUser(f *testing.F) {
	for _, s := range []string{"~", "~/x", "~bob", "~bob/x", "x~", "~~/", `~bob\x`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		name, rest, ok := tildeUser(s)
		if !ok {
			if name != "" || rest != "" {
				t.Fatalf("tildeUser(%q) = %q, %q with ok false", s, name, rest)
			}
			return
		}
		if name == "" || strings.ContainsAny(name, "/") || "~"+name+rest != s {
			t.Fatalf("tildeUser(%q) = %q, %q", s, name, rest)
		}
	})
}
