package jsonstr

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAppend(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"", `""`},
		{"dev", `"dev"`},
		{"a\"b\\c", `"a\"b\\c"`},
		{"\n\r\t\x00\x1f\x7f", `"\n\r\t\u0000\u001f\u007f"`},
		{"\xff", `"\ufffd"`},
		{"é\u2028\u2029", "\"é\\u2028\\u2029\""},
		{"<&>", `"<&>"`},
	} {
		if diff := cmp.Diff(tc.want, string(Append(nil, tc.in))); diff != "" {
			t.Errorf("Append(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
	if got := string(Append([]byte("x:"), "y")); got != `x:"y"` {
		t.Errorf("Append keeps what b holds: %s", got)
	}
}

// FuzzAppend: whatever the string, the literal is one line, and
// encoding/json reads it back as the string encoding/json would have
// written (invalid UTF-8 as U+FFFD).
func FuzzAppend(f *testing.F) {
	for _, s := range []string{"", "dev", "a\"b\\c\x00\x1f", "\xff\xfe", "é\u2028", "<&>\x7f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ours := Append(nil, s)
		if bytes.ContainsAny(ours, "\n\r") || bytes.Contains(ours, []byte("\u2028")) || bytes.Contains(ours, []byte("\u2029")) {
			t.Fatalf("%q: not one line: %s", s, ours)
		}
		var got, want string
		if err := json.Unmarshal(ours, &got); err != nil {
			t.Fatalf("%q: %s: %v", s, ours, err)
		}
		std, _ := json.Marshal(s)
		json.Unmarshal(std, &want)
		if got != want {
			t.Fatalf("%q: reads back %q, encoding/json's %q", s, got, want)
		}
	})
}
