package udiff

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestUnified(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, old, new, want string
	}{
		{name: "equal", old: "a\nb\n", new: "a\nb\n", want: ""},
		{name: "append_to_empty", old: "", new: "a\nb\n", want: "--- a\n+++ b\n@@ -0,0 +1,2 @@\n+a\n+b\n"},
		{name: "remove_all", old: "a\n", new: "", want: "--- a\n+++ b\n@@ -1 +0,0 @@\n-a\n"},
		{name: "change_middle",
			old:  "1\n2\n3\n4\n5\n6\n7\n8\n9\n",
			new:  "1\n2\n3\n4\nfive\n6\n7\n8\n9\n",
			want: "--- a\n+++ b\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n"},
		{name: "two_hunks",
			old:  "a\n1\n2\n3\n4\n5\n6\n7\n8\nz\n",
			new:  "A\n1\n2\n3\n4\n5\n6\n7\n8\nZ\n",
			want: "--- a\n+++ b\n@@ -1,4 +1,4 @@\n-a\n+A\n 1\n 2\n 3\n@@ -7,4 +7,4 @@\n 6\n 7\n 8\n-z\n+Z\n"},
		{name: "near_changes_share_a_hunk",
			old:  "a\n1\n2\n3\n4\n5\n6\nz\n",
			new:  "A\n1\n2\n3\n4\n5\n6\nZ\n",
			want: "--- a\n+++ b\n@@ -1,8 +1,8 @@\n-a\n+A\n 1\n 2\n 3\n 4\n 5\n 6\n-z\n+Z\n"},
		{name: "no_final_newline",
			old:  "a\nb",
			new:  "a\nb\nc\n",
			want: "--- a\n+++ b\n@@ -1,2 +1,3 @@\n a\n-b\n\\ No newline at end of file\n+b\n+c\n"},
		{name: "crlf_shown_without_cr",
			old:  "a\r\nb\r\n",
			new:  "a\r\nc\r\n",
			want: "--- a\n+++ b\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n"},
		{name: "insert_at_start",
			old:  "x\ny\n",
			new:  "new\nx\ny\n",
			want: "--- a\n+++ b\n@@ -1,2 +1,3 @@\n+new\n x\n y\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := Unified("a", "b", []byte(tc.old), []byte(tc.new))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Unified (-want +got):\n%s", diff)
			}
			if tc.want != "" {
				checkApplies(t, tc.old, tc.new, got)
			}
		})
	}
}

// apply applies a unified diff to old the way patch does, strictly: every
// context and deleted line must match.
func apply(old, diff string) (string, error) {
	a := split(old)
	var out []string
	pos := 0
	lines := strings.Split(strings.TrimSuffix(diff, "\n"), "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "--- ") || !strings.HasPrefix(lines[1], "+++ ") {
		return "", fmt.Errorf("no header")
	}
	lines = lines[2:]
	var lastNew *string // the last line added to out, for "\ No newline"
	var lastSide byte
	for len(lines) > 0 {
		h := lines[0]
		lines = lines[1:]
		var a0, an, b0, bn int
		if _, err := fmt.Sscanf(h, "@@ -%s +%s @@", new(string), new(string)); err != nil {
			return "", fmt.Errorf("bad hunk header %q", h)
		}
		parts := strings.Fields(h)
		parse := func(s string) (int, int) {
			s = s[1:]
			n := 1
			if i := strings.IndexByte(s, ','); i >= 0 {
				n, _ = strconv.Atoi(s[i+1:])
				s = s[:i]
			}
			v, _ := strconv.Atoi(s)
			return v, n
		}
		a0, an = parse(parts[1])
		b0, bn = parse(parts[2])
		start := a0 - 1
		if an == 0 {
			start = a0
		}
		if start < pos {
			return "", fmt.Errorf("hunk %q overlaps", h)
		}
		out = append(out, a[pos:start]...)
		pos = start
		_ = b0
		for ca, cb := 0, 0; ca < an || cb < bn; {
			if len(lines) == 0 {
				return "", fmt.Errorf("hunk %q ends early", h)
			}
			l := lines[0]
			lines = lines[1:]
			if l == "" {
				return "", fmt.Errorf("empty line in hunk")
			}
			text := l[1:]
			switch l[0] {
			case ' ', '-':
				if pos >= len(a) || strings.TrimRight(a[pos], "\r\n") != text {
					return "", fmt.Errorf("line %d does not match %q", pos+1, l)
				}
				if l[0] == ' ' {
					out = append(out, a[pos])
					lastNew, lastSide = &out[len(out)-1], ' '
					cb++
				} else {
					lastSide = '-'
				}
				pos++
				ca++
			case '+':
				out = append(out, text+"\n")
				lastNew, lastSide = &out[len(out)-1], '+'
				cb++
			default:
				return "", fmt.Errorf("bad line %q", l)
			}
			if len(lines) > 0 && lines[0] == `\ No newline at end of file` {
				lines = lines[1:]
				if lastSide == '+' && lastNew != nil {
					*lastNew = strings.TrimSuffix(*lastNew, "\n")
				}
			}
		}
	}
	out = append(out, a[pos:]...)
	return strings.Join(out, ""), nil
}

// checkApplies checks that the diff turns old into new, line endings
// aside (the diff shows lines without them).
func checkApplies(t *testing.T, old, new, diff string) {
	t.Helper()
	got, err := apply(old, diff)
	norm := func(s string) string { return strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(s) }
	if err != nil {
		t.Fatalf("apply: %v\nold %q\nnew %q\ndiff:\n%s", err, old, new, diff)
	}
	if norm(got) != norm(new) {
		t.Fatalf("applied diff gives %q, want %q\ndiff:\n%s", got, new, diff)
	}
}

// TestUnifiedRandom checks random edits: the diff applies, and GNU patch
// takes it too when it is installed.
func TestUnifiedRandom(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	words := []string{"[profile a]", "[profile b]", "region = x", "sso_session = s", "", "# c", "k = v"}
	gen := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteString(words[r.IntN(len(words))])
			b.WriteString("\n")
		}
		return b.String()
	}
	patch, err := exec.LookPath("patch")
	if err != nil && os.Getenv("CI") != "" {
		t.Fatalf("patch is not installed: %v", err)
	}
	for i := range 300 {
		old := gen(r.IntN(30))
		lines := split(old)
		// Mutate: delete, insert and change some lines.
		var nl []string
		for _, l := range lines {
			switch r.IntN(6) {
			case 0:
			case 1:
				nl = append(nl, words[r.IntN(len(words))]+"\n", l)
			case 2:
				nl = append(nl, "changed "+strconv.Itoa(i)+"\n")
			default:
				nl = append(nl, l)
			}
		}
		new := strings.Join(nl, "") + gen(r.IntN(3))
		d := Unified("a/f", "b/f", []byte(old), []byte(new))
		if old == new {
			if d != "" {
				t.Fatalf("equal texts gave a diff:\n%s", d)
			}
			continue
		}
		checkApplies(t, old, new, d)
		if patch != "" && i%30 == 0 {
			dir := t.TempDir()
			f := filepath.Join(dir, "f")
			os.WriteFile(f, []byte(old), 0o600)
			cmd := exec.Command(patch, "-s", "--posix", "-p1", "-d", dir)
			cmd.Stdin = strings.NewReader(d)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("patch: %v: %s\ndiff:\n%s", err, out, d)
			}
			got, _ := os.ReadFile(f)
			if string(got) != new {
				t.Fatalf("patch made %q, want %q", got, new)
			}
		}
	}
}

func FuzzUnified(f *testing.F) {
	f.Add("a\nb\n", "a\nc\n")
	f.Add("", "x")
	f.Add("a\r\nb", "a\rb\n")
	f.Fuzz(func(t *testing.T, old, new string) {
		d := Unified("a", "b", []byte(old), []byte(new))
		if old == new {
			if d != "" {
				t.Fatalf("equal texts gave a diff")
			}
			return
		}
		// A lone "\r" inside a line shows as a line break; such texts are
		// not what the diff is for.
		if strings.Contains(strings.ReplaceAll(old+new, "\r\n", ""), "\r") {
			return
		}
		checkApplies(t, old, new, d)
	})
}
