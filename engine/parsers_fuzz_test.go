package engine

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
)

// Fuzz tests for the small parsers of the engine (review 1, L5).

// FuzzProcessProgram: the program named in messages is never longer than
// the command, and for a command of plain words (no quotes, no
// backslashes) it is the first word: never an argument, which may hold a
// token.
func FuzzProcessProgram(f *testing.F) {
	for _, s := range []string{"cat x.json", "  /bin/get --token SECRET", `"/a b/c" --x`, `a\ b c`, `'x`, "", "\t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, cmd string) {
		got := processProgram(cmd)
		if len(got) > len(cmd) {
			t.Fatalf("processProgram(%q) = %q, longer than the command", cmd, got)
		}
		if !strings.ContainsAny(cmd, `"'\`) {
			want := ""
			if w := strings.FieldsFunc(cmd, func(r rune) bool { return r == ' ' || r == '\t' }); len(w) > 0 {
				want = w[0]
			}
			if got != want {
				t.Fatalf("processProgram(%q) = %q, want the first word %q", cmd, got, want)
			}
		}
	})
}

// FuzzNormaliseSSOCache: a normalised cache still parses as a JSON
// object, holds the same keys, changes only expiresAt and
// registrationExpiresAt, and those are then no times ending in UTC;
// normalising it again finds nothing to do.
func FuzzNormaliseSSOCache(f *testing.F) {
	for _, s := range []string{
		`{"accessToken":"a","expiresAt":"2027-01-31T12:00:00UTC"}`,
		`{"expiresAt":"2027-01-31T12:00:00.5UTC","registrationExpiresAt":"2027-02-01T00:00:00UTC","clientId":"c"}`,
		`{"expiresAt":"2027-01-31T12:00:00Z"}`,
		`not json UTC`, `[]`, `{"expiresAt":1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		out, ok := normaliseSSOCache(data)
		if !ok {
			return
		}
		var in, got map[string]json.RawMessage
		if err := json.Unmarshal(data, &in); err != nil {
			t.Fatalf("normalised what is not a JSON object: %q", data)
		}
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("the normalised cache does not parse: %v: %q", err, out)
		}
		if !slices.Equal(slices.Sorted(maps.Keys(in)), slices.Sorted(maps.Keys(got))) {
			t.Fatalf("keys changed: %q -> %q", data, out)
		}
		for k, v := range got {
			switch k {
			case "expiresAt", "registrationExpiresAt":
				var s string
				if json.Unmarshal(v, &s) == nil && utcTime().MatchString(s) {
					t.Fatalf("%s is still a time ending in UTC: %q", k, out)
				}
			default:
				if !jsonEqual(in[k], v) {
					t.Fatalf("%s changed: %s -> %s", k, in[k], v)
				}
			}
		}
		if _, again := normaliseSSOCache(out); again {
			t.Fatalf("normalising %q again changed it", out)
		}
	})
}

func jsonEqual(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return string(xa) == string(ya)
}

// FuzzRedactKeeping: the strings kept come out whole wherever they are,
// a secret around them does not, and a kept path never hides one.
func FuzzRedactKeeping(f *testing.F) {
	f.Add("read ", "/tmp/Zm9vYmFyQmF6UXV4MTIzNDU2Nzg5MEFiQ2RFZkdoSWpLbA/credentials", ": too large")
	f.Add("X-Amz-Security-Token=", "/p", " end")
	f.Fuzz(func(t *testing.T, before, path, after string) {
		secret, token, keyID := secretsFrom([]byte(before + "\x00" + path + "\x00" + after))
		if strings.ContainsAny(path, "\x00") || strings.Contains(path, secret) || strings.Contains(path, token) || strings.Contains(path, keyID) {
			return
		}
		in := before + path + after + " " + token + " " + secret + " " + keyID
		out := redactKeeping(in, []string{path})
		for _, s := range []string{secret, token, keyID} {
			if strings.Contains(out, s) {
				t.Fatalf("redactKeeping kept %q: %q", s, out)
			}
		}
		// (A text with a NUL in it is redacted whole: the placeholders are
		// NUL-delimited.)
		// A path that stands on its own, as in a message, is kept.
		delimited := (before == "" || !opaqueByte(before[len(before)-1])) && (after == "" || !opaqueByte(after[0]) && after[0] != '=')
		if delimited && path != "" && !strings.Contains(in, "\x00") && strings.TrimSpace(path) == path && !strings.ContainsAny(path, "\r\n\t") && !strings.Contains(out, path) {
			t.Fatalf("the kept %q is lost: %q", path, out)
		}
	})
}
