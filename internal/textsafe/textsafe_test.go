package textsafe

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestEscape(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, in, want string }{
		{"plain", "dev-admin_1", "dev-admin_1"},
		{"empty", "", ""},
		{"space_and_backslash", `my dev\x`, `my dev\x`},
		{"unicode_kept", "équipe ☃ 開発", "équipe ☃ 開発"},
		{"nbsp_kept", "a\u00a0b", "a\u00a0b"},
		{"esc", "a\x1b[31mred", `a\x1b[31mred`},
		{"bel", "ding\a", `ding\a`},
		{"cr", "a\rb", `a\rb`},
		{"lf", "a\nb", `a\nb`},
		{"tab", "a\tb", `a\tb`},
		{"nul_del", "\x00\x7f", `\x00\x7f`},
		{"osc_title", "\x1b]0;pwned\a", `\x1b]0;pwned\a`},
		{"c1_csi", "a\u009b31m", `a\u009b31m`},
		{"bidi_override", "abc\u202edcba", `abc\u202edcba`},
		{"zero_width", "a\u200bb", `a\u200bb`},
		{"line_separator", "a\u2028b", `a\u2028b`},
		{"bom", "\ufeffname", `\ufeffname`},
		{"invalid_utf8", "a\xffb\xc3", `a\xffb\xc3`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := Escape(tc.in); got != tc.want {
				t.Errorf("Escape(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// FuzzEscape: the result holds no character that is not graphic (so no
// control character reaches a terminal), is valid UTF-8, and leaves
// text without such characters as it is.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"dev", "a\x1bb", "\xff", "é\u202e", "\r\n\t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Escape(s)
		if !utf8.ValidString(got) {
			t.Fatalf("Escape(%q) = %q: not UTF-8", s, got)
		}
		if strings.ContainsFunc(got, func(r rune) bool { return r != ' ' && !unicode.IsGraphic(r) }) {
			t.Fatalf("Escape(%q) = %q: holds a control character", s, got)
		}
		if utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return r != ' ' && !unicode.IsGraphic(r) }) && got != s {
			t.Fatalf("Escape(%q) = %q: changed text with nothing to escape", s, got)
		}
	})
}

func BenchmarkEscapePlain(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if Escape("profile-name_1") == "" {
			b.Fatal()
		}
	}
}

func TestLine(t *testing.T) {
	for in, want := range map[string]string{
		"":                        "",
		"plain":                   "plain",
		"  two\n lines\t\r\nend ": "two lines end",
		"esc \x1b[31m red":        `esc \x1b[31m red`,
		"no-break\u00a0space":     "no-break space",
	} {
		if got := Line(in); got != want {
			t.Errorf("Line(%q) = %q, want %q", in, got, want)
		}
	}
}
